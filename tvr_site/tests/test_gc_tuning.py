"""The web process moves what it made while starting and serving its first request out of
the garbage collector's full passes, once (tvr_site.gc_tuning, called by tvr_site.wsgi)."""

import gc

import pytest
from django.urls import reverse

from tvr_site.gc_tuning import freeze_after_first_request


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test session collects as usual


def test_the_first_request_freezes_the_objects_then_later_ones_leave_them(client, unfrozen, db):
    freeze_after_first_request()
    assert gc.get_freeze_count() == 0

    assert client.get(reverse("admin:login")).status_code == 200
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the site's classes, patterns and templates

    client.get(reverse("admin:login"))
    # Frozen once: a second freeze would take in what the second request made. (Frozen
    # objects can still be freed, so the count may drop.)
    assert gc.get_freeze_count() <= frozen
