"""Fixtures shared by every test: a real SMTP server, the frozen clock, the demo, and the
people of the permission tests."""

import asyncio
import datetime as dt
import socket
import threading
from email import message_from_bytes, policy
from io import StringIO

import pytest
import time_machine
from aiosmtpd.controller import Controller

from tests import personas, support


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """An aiosmtpd handler that keeps every accepted message (thread-safe)."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(parsed)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, predicate, timeout: float = 30.0) -> list:
        """Block until predicate(messages) is truthy; return the matching messages."""
        with self.arrived:
            self.arrived.wait_for(lambda: predicate(self.messages), timeout=timeout)
            return list(self.messages)


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port; `.handler.messages` holds what arrived."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def smtp_mail(settings, smtp_server):
    """Route Django mail to the real SMTP server; returns its recording handler."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return smtp_server.handler


# A weekday morning in Chicago (15:00 UTC = 09:00 CST), far from quiet hours for
# every boundary the tests cross (+60 min, +120 min, +24 h, +48 h).
INTERVIEW_END = dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def interview_end():
    return INTERVIEW_END


@pytest.fixture
def clock(interview_end):
    """Time frozen five minutes after the interview ends, on a weekday morning in Chicago;
    the test moves it with `clock.shift(...)`."""
    with time_machine.travel(interview_end + dt.timedelta(minutes=5), tick=False) as traveller:
        yield traveller


@pytest.fixture
def demo(db):
    """The demo's data (seed_demo): a whole agency desk, every point of the loop."""
    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())


@pytest.fixture
def no_quiet_hours():
    """The reminder policy without quiet hours: the loop asks at any hour, whatever the
    hour of the run (the default policy keeps the evening and night quiet)."""
    from feedback.selectors import policy_get

    policy = policy_get()
    policy.quiet_hours_start = policy.quiet_hours_end = None
    policy.save()


# --- the people of the permission tests (tests/personas.py) ------------------------------


@pytest.fixture
def recruiter(db) -> personas.Persona:
    """Dana Whitfield, a recruiter (staff in the Recruiter group, with her own desk),
    signed in to the admin."""
    return personas.recruiter("recruiter", first_name="Dana", last_name="Whitfield")


@pytest.fixture
def other_recruiter(db) -> personas.Persona:
    """Marcus Reyes, a recruiter at another desk, signed in to the admin."""
    return personas.recruiter("other recruiter", first_name="Marcus", last_name="Reyes")


@pytest.fixture
def client_a(db) -> personas.Persona:
    """The hiring contact of client A (Lakeshore Specialty Hospitals), signed in to the
    client pages."""
    return personas.client_contact(
        "client A",
        email="hiring@lakeshore.example",
        name="Dr. Lakeshore Hiring",
        client__name="Lakeshore Specialty Hospitals",
    )


@pytest.fixture
def client_b(db) -> personas.Persona:
    """The hiring contact of client B (Prairie View Practice), signed in to the client
    pages."""
    return personas.client_contact(
        "client B",
        email="hiring@prairie.example",
        name="Dr. Prairie Hiring",
        client__name="Prairie View Practice",
    )


@pytest.fixture
def admin_client(db) -> personas.Persona:
    """A superuser signed in to the admin with both factors (pytest-django's own forces a
    session without the second factor, which the admin refuses)."""
    return personas.administrator("admin", username="admin")


@pytest.fixture
def admin_user(admin_client):
    return admin_client.user


@pytest.fixture
def anonymous() -> personas.Persona:
    """Nobody signed in: a plain test client."""
    return personas.anonymous()


# --- the browser's event loop -------------------------------------------------------------


def uses_the_browser(item) -> bool:
    return "playwright" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items):
    """The browser tests run last. Playwright's sync API leaves its event loop running in
    the main thread for the rest of the session, and a thread with a running loop keeps
    Django's database connections per context instead of per thread: a test that then
    stepped out of the loop (as an async view called through the sync test client must)
    would write through a connection outside its own rolled-back transaction. Each group
    keeps its order."""
    items.sort(key=uses_the_browser)


@pytest.fixture(autouse=True)
def _no_event_loop_outside_the_browser_tests(request):
    """Fails, rather than leaks rows, if a test ever runs after the browser's loop."""
    if uses_the_browser(request.node):
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    pytest.fail("a browser test ran before this one: the browser tests must run last")


# --- the test session's services ------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _drop_session_celery_queue():
    """Tasks that this session's tests published to its own queues (see test settings)
    have no consumer once it ends: drop them, so that a shared broker does not collect
    them. The integration tests drop theirs on a second broker themselves."""
    yield
    from django.conf import settings

    support.drop_run_queues(settings.CELERY_BROKER_URL)


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Each test starts with an empty cache of its own (the real Redis cache, under a key
    prefix no other test or run uses): a figure cached by one test must not show in the
    next. Keys expire on their own (core.caching)."""
    import uuid

    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"tvr-test-{uuid.uuid4().hex}"}
    }


@pytest.fixture(autouse=True)
def _local_loop_clock(settings):
    """In-process tests move time with time-machine, which cannot move the database's
    clock: the loop reads this process's clock here (core/clock.py). The processes
    that the system tests start read the database's, as in production; the clock's own
    tests (feedback/tests/test_clock.py) switch it back."""
    settings.LOOP_CLOCK = "local"


# --- logs -----------------------------------------------------------------------------------


@pytest.fixture
def json_log():
    """Everything logged at INFO and above while the test runs, as the JSON lines that
    LOG_FORMAT=json writes."""
    import io
    import logging

    from tvr_site.logs import structured_formatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structured_formatter(log_format="json"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
