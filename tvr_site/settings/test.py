"""Test settings: the real services from the environment, fast hashing, an own queue."""

import os
import uuid
from datetime import timedelta

# One Celery queue per test session, inherited by the worker/beat subprocesses the
# integration tests start, so that tasks of another run never mix with ours.
os.environ.setdefault("TEST_RUN_ID", uuid.uuid4().hex[:8])
os.environ.setdefault("CELERY_QUEUE", f"tvr-test-{os.environ['TEST_RUN_ID']}")
# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# the test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from .base import *  # noqa: E402, F403
from .base import CACHES, DATABASES, FEEDBACK, VAR_DIR  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In-process tests get pytest-django's locmem mail; worker subprocesses started by the
# integration tests send to the real SMTP server named in EMAIL_URL.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so that worker subprocesses see the same test database.
    # One file per run, so that two runs side by side do not share (and break) it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(VAR_DIR / f"test-{os.environ['TEST_RUN_ID']}.sqlite3")
    }
# The run's own cache keys, shared with the worker subprocesses it starts (each in-process
# test also gets a prefix of its own: conftest._own_cache); never the site's "tvr".
CACHES["default"]["KEY_PREFIX"] = f"tvr-test-{os.environ['TEST_RUN_ID']}"
# Serve static files from the apps and static/ directly: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The recruiter hears of an answer at once unless a run asks for the coalescing window
# (its own tests set it; the chaos suite's processes get a short one): most tests follow
# an answer to its notice and would otherwise wait out the production default.
if "ANSWER_NOTICE_DELAY_SECONDS" not in os.environ:
    FEEDBACK["ANSWER_NOTICE_DELAY"] = timedelta(0)
# Scheduling sends no calendar invites unless a test asks for them (the invites' own
# tests turn them on): the loop's tests count the messages of the loop alone.
if "CALENDAR_INVITES" not in os.environ:
    FEEDBACK["CALENDAR_INVITES"] = False
