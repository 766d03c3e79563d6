"""Benchmark settings: the test settings plus a bare view to compare every page against."""

from tvr_site.settings.test import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["*"]
