"""The whole loop with the real engine: a Celery worker and beat (subprocesses) on each
broker the project supports (Redis, RabbitMQ), the test database shared with them, and a
real SMTP server receiving what they send.

Nothing here is faked: beat's `sweep` asks, reminds and gives up on its own schedule, the
worker delivers from the outbox over SMTP, and the test only watches the database and the
mailbox (polling against a deadline).
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone

from candidates.models import Application
from feedback import selectors
from feedback.models import FeedbackRequest, OutboundMessage, Party, TimelineEvent
from tests.factories import ApplicationFactory, schedule_interview
from tests.support import database_url_for_subprocesses, drop_run_queues, skip_or_fail
from tvr_site.celery import app as celery_app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

STARTUP_TIMEOUT = 90.0  # a cold worker on a busy 2-core machine
SCENARIO_TIMEOUT = 60.0
STOP_GRACE = 15.0
POLL = 0.2
SITE_URL = "http://testserver"

SWEEP_RECEIVED = re.compile(r"Task feedback\.tasks\.sweep\[([0-9a-f-]+)\] received")
SWEEP_SUCCEEDED = re.compile(r"Task feedback\.tasks\.sweep\[([0-9a-f-]+)\] succeeded")
TASK_CRASHED = re.compile(r"Task \S+\[[0-9a-f-]+\] raised unexpected")


# --- the stack ---------------------------------------------------------------------------


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        skip_or_fail(
            "REDIS_URL is not set: the loop test needs a real Redis for Celery "
            "(`make test` always provides one)"
        )
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"REDIS_URL={url} is set but Redis does not answer: {exc}", pytrace=False)
    return url


# RabbitMQ as .ci/run starts it on this machine; RABBITMQ_URL names another.
DEFAULT_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"


def _rabbitmq_url() -> str:
    url = os.environ.get("RABBITMQ_URL") or DEFAULT_RABBITMQ_URL
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or 5672)
    try:
        socket.create_connection(address, timeout=2).close()
    except OSError as exc:
        skip_or_fail(
            f"no RabbitMQ at {address[0]}:{address[1]} ({exc}): the loop test's RabbitMQ run "
            "needs one (start it with `rabbitmq-server -detached`, or set RABBITMQ_URL)"
        )
    return url


@pytest.fixture(params=["redis", "rabbitmq"])
def broker_url(request) -> str:
    """The loop runs the same on either broker: Redis (the default) or RabbitMQ."""
    return _redis_url() if request.param == "redis" else _rabbitmq_url()


@contextmanager
def _publishing_to(broker_url: str):
    """Meanwhile, this process (the web side) publishes its tasks to `broker_url`, as a
    web host whose CELERY_BROKER_URL names it would."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport, conf.broker_transport_options)

    def switch(url, transport, options):
        kombu.pools.reset()  # closes and forgets every connection and producer pool
        conf.broker_url, conf.broker_transport, conf.broker_transport_options = (
            url,
            transport,
            options,
        )
        # The app keeps its references to them for its life; it drops them after a fork.
        celery_app._after_fork()

    if broker_url == saved[0]:
        yield
        return
    switch(broker_url, None, {})
    try:
        yield
    finally:
        switch(*saved)


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _start(name: str, args: list[str], *, env: dict, log: Path) -> Process:
    with log.open("wb") as out:
        popen = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tvr_site", *args],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Its own process group, so that the pool children are stopped with it.
            start_new_session=True,
        )
    return Process(name, popen, log)


def _stop(process: Process) -> None:
    """SIGTERM (Celery's warm shutdown), then SIGKILL for whatever is left of its group."""
    popen = process.popen
    if popen.poll() is None:
        with suppress(ProcessLookupError):
            popen.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            popen.wait(STOP_GRACE)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        popen.wait(5)


class CeleryStack:
    def __init__(self, *, worker: Process, beat: Process, smtp):
        self.worker, self.beat, self.smtp = worker, beat, smtp

    def check_healthy(self) -> None:
        for process in (self.worker, self.beat):
            code = process.popen.poll()
            if code is not None:
                pytest.fail(f"celery {process.name} exited with code {code}", pytrace=False)
        crashed = TASK_CRASHED.search(self.worker.output())
        if crashed:
            pytest.fail(f"a task crashed in the worker: {crashed.group(0)}", pytrace=False)

    def wait_until(self, what: str, check, *, deadline: float):
        """Poll `check()` until it returns something truthy, or fail at the deadline."""
        while True:
            self.check_healthy()
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}", pytrace=False)
            time.sleep(POLL)

    def sweeps_finished_since(self, offset: int) -> int:
        """How many sweeps the worker received after log position `offset` and finished."""
        text = self.worker.log.read_bytes()[offset:].decode(errors="replace")
        received = SWEEP_RECEIVED.findall(text)
        done = set(SWEEP_SUCCEEDED.findall(text))
        return sum(1 for task_id in received if task_id in done)

    def wait_for_fresh_sweeps(self, count: int, *, deadline: float) -> None:
        """Wait until `count` whole sweeps have run that started after this call."""
        offset = self.worker.log.stat().st_size
        self.wait_until(
            f"{count} sweeps after now",
            lambda: self.sweeps_finished_since(offset) >= count,
            deadline=deadline,
        )

    def mails(self) -> list:
        with self.smtp.lock:
            return list(self.smtp.messages)

    def mails_for(self, message: OutboundMessage) -> list:
        return [m for m in self.mails() if m["X-TVR-Outbox-Id"] == str(message.pk)]


@pytest.fixture
def celery_stack(transactional_db, smtp_server, tmp_path, request, broker_url):
    """A real worker and beat on this session's queue, on the broker of `broker_url`,
    sharing the test database.

    Depends on `transactional_db` so that the processes are stopped before pytest-django
    empties the database. Their output is attached to the report of a failing test.
    """
    redis_url = _redis_url()  # the cache's, whichever the broker
    queue = os.environ.get("CELERY_QUEUE")
    assert queue, "test settings must set CELERY_QUEUE"
    assert queue == settings.CELERY_TASK_DEFAULT_QUEUE
    try:
        with _publishing_to(broker_url):
            yield from _celery_stack(
                broker_url=broker_url,
                redis_url=redis_url,
                queue=queue,
                smtp_server=smtp_server,
                tmp_path=tmp_path,
                request=request,
            )
    finally:
        if broker_url != settings.CELERY_BROKER_URL:
            # The session drops its queues from its own broker only.
            drop_run_queues(broker_url)


def _celery_stack(*, broker_url, redis_url, queue, smtp_server, tmp_path, request):
    # Leftovers of an earlier test in this session must not reach this test's worker.
    celery_app.control.purge()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tvr_site.settings.test",
        "DATABASE_URL": database_url_for_subprocesses(),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "SWEEP_INTERVAL_SECONDS": "1",
        "CHART_REFRESH_SECONDS": "1",
        "CELERY_QUEUE": queue,
        "SITE_URL": SITE_URL,
        "PYTHONUNBUFFERED": "1",
    }
    node = f"tvr-test-{uuid.uuid4().hex[:8]}@%h"
    processes = []
    request.node.process_logs = {}
    try:
        for name, args in (
            (
                "worker",
                ["worker", "-l", "info", "--concurrency", "2", "-Q", f"{queue},{queue}-sweep"]
                + ["-n", node]
                + ["--without-mingle", "--without-gossip"],
            ),
            ("beat", ["beat", "-l", "info", "-s", str(tmp_path / "schedule")]),
        ):
            process = _start(name, args, env=env, log=tmp_path / f"{name}.log")
            processes.append(process)
            request.node.process_logs[f"celery {name}"] = process.log
        stack = CeleryStack(worker=processes[0], beat=processes[1], smtp=smtp_server.handler)
        # Ready means the whole chain works: beat published a sweep, the worker ran it
        # against the test database.
        stack.wait_until(
            "the worker to finish its first sweep",
            lambda: SWEEP_SUCCEEDED.search(stack.worker.output()),
            deadline=time.monotonic() + STARTUP_TIMEOUT,
        )
        broker = urlsplit(broker_url)
        connected = re.search(r"Connected to (\S+)", stack.worker.output())
        assert connected, "the worker never said which broker it connected to"
        assert f"@{broker.hostname}:{broker.port}/" in connected.group(1), connected.group(0)
        yield stack
    finally:
        for process in reversed(processes):  # beat first: no new sweeps while stopping
            _stop(process)


def _set_policy(*, candidate: tuple[int, int, int], client: tuple[int, int, int]) -> None:
    """Ask / remind / deadline offsets in seconds from the interview's end; no quiet hours."""
    policy = selectors.policy_get()
    for party, (ask, remind, deadline) in (("candidate", candidate), ("client", client)):
        setattr(policy, f"{party}_ask_after", timedelta(seconds=ask))
        setattr(policy, f"{party}_remind_after", timedelta(seconds=remind))
        setattr(policy, f"{party}_deadline_after", timedelta(seconds=deadline))
    policy.quiet_hours_start = policy.quiet_hours_end = None
    policy.save()


def _outbox(request: FeedbackRequest, kind: str) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(request=request, kind=kind))


def _delivered(stack: CeleryStack, request: FeedbackRequest, kind: str):
    """The sent outbox row of this kind and its mail, once both exist."""
    rows = [m for m in _outbox(request, kind) if m.status == OutboundMessage.Status.SENT]
    if rows:
        mails = stack.mails_for(rows[0])
        if mails:
            return rows[0], mails[0]
    return None


def _text(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def _link_in(mail, path_prefix: str) -> str:
    found = re.search(rf"\S+{re.escape(path_prefix)}[^/\s]+/", _text(mail))
    assert found, f"no {path_prefix} link in:\n{_text(mail)}"
    return found.group(0)


def _token(link: str) -> str:
    return urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1]


# --- the tests ---------------------------------------------------------------------------


def test_the_worker_keeps_every_desks_dashboard_charts_in_the_cache(celery_stack):
    """Beat's refresh_dashboard_charts, run by the real worker, writes each desk's charts
    where the web reads them (the run's cache prefix, which the worker shares)."""
    application = ApplicationFactory(interest_level=7)
    recruiter = application.candidate_owner
    worker_cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": _run_cache_prefix()})

    def desk_charts():
        charts = worker_cache.get(selectors.dashboard_charts_key(recruiter))
        return charts if charts and sum(b.value for b in charts.interest_spread) else None

    charts = celery_stack.wait_until(
        "the worker to refresh the new recruiter's charts",
        desk_charts,
        deadline=time.monotonic() + SCENARIO_TIMEOUT,
    )
    assert {bar.label: bar.value for bar in charts.interest_spread if bar.value} == {"7": 1}
    assert worker_cache.get(selectors.dashboard_charts_key(None)) is not None


def _run_cache_prefix() -> str:
    # The test settings' prefix (the worker's); this process's tests each use their own.
    return f"tvr-test-{os.environ['TEST_RUN_ID']}"


def test_silence_ends_in_a_reminder_then_possibly_waned_and_an_alert(celery_stack):
    stack = celery_stack
    _set_policy(candidate=(0, 4, 8), client=(0, 6, 12))
    interview = schedule_interview(ends_at=timezone.now() + timedelta(seconds=2))
    application = interview.application
    candidate, contact = application.candidate, application.position.hiring_contact
    recruiter = candidate.owner
    asked = {r.party: r for r in interview.feedback_requests.all()}
    candidate_request, client_request = asked[Party.CANDIDATE], asked[Party.CLIENT]
    deadline = time.monotonic() + SCENARIO_TIMEOUT

    # The candidate is asked, with a link that opens exactly their request.
    _, mail = stack.wait_until(
        "the candidate's request mail",
        lambda: _delivered(stack, candidate_request, OutboundMessage.Kind.REQUEST),
        deadline=deadline,
    )
    assert mail["To"] == candidate.email
    link = _link_in(mail, "/portal/f/")
    assert link.startswith(f"{SITE_URL}/portal/f/")
    opened = selectors.feedback_request_get_by_token(party=Party.CANDIDATE, token=_token(link))
    assert opened.pk == candidate_request.pk

    # So is the client's hiring contact.
    _, mail = stack.wait_until(
        "the client contact's request mail",
        lambda: _delivered(stack, client_request, OutboundMessage.Kind.REQUEST),
        deadline=deadline,
    )
    assert mail["To"] == contact.email
    link = _link_in(mail, "/clients/feedback/")
    opened = selectors.feedback_request_get_by_token(party=Party.CLIENT, token=_token(link))
    assert opened.pk == client_request.pk

    # Silence: the candidate is reminded once...
    reminder, mail = stack.wait_until(
        "the candidate's reminder",
        lambda: _delivered(stack, candidate_request, OutboundMessage.Kind.REMINDER),
        deadline=deadline,
    )
    assert mail["To"] == candidate.email
    assert "/portal/f/" in _text(mail)

    # ...and at the deadline the recruiter is told to call: interest possibly waned.
    alert, mail = stack.wait_until(
        "the recruiter's overdue alert",
        lambda: _delivered(stack, candidate_request, OutboundMessage.Kind.OVERDUE_ALERT),
        deadline=deadline,
    )
    assert mail["To"] == recruiter.email
    assert reminder.sent_at < alert.created_at
    application.refresh_from_db()
    assert application.interest_status == Application.InterestStatus.POSSIBLY_WANED
    candidate_request.refresh_from_db()
    assert candidate_request.status == FeedbackRequest.Status.OVERDUE
    assert candidate_request.reminders_sent == 1
    assert (
        TimelineEvent.objects.filter(
            request=candidate_request, kind=TimelineEvent.Kind.MARKED_POSSIBLY_WANED
        ).count()
        == 1
    )

    # The client's side runs its course too; then let the sweep pass over it all again.
    stack.wait_until(
        "the recruiter's alert about the client",
        lambda: _delivered(stack, client_request, OutboundMessage.Kind.OVERDUE_ALERT),
        deadline=deadline,
    )
    stack.wait_for_fresh_sweeps(2, deadline=deadline)

    assert len(_outbox(candidate_request, OutboundMessage.Kind.OVERDUE_ALERT)) == 1
    outbox = list(OutboundMessage.objects.all())
    assert sorted((m.request.party, m.kind) for m in outbox) == sorted(
        (party, kind)
        for party in (Party.CANDIDATE, Party.CLIENT)
        for kind in ("request", "reminder", "overdue_alert")
    )
    assert {m.pk: m.status for m in outbox} == {m.pk: "sent" for m in outbox}
    assert {m.pk: m.attempts for m in outbox} == {m.pk: 1 for m in outbox}
    # Every message reached the SMTP server exactly once.
    arrived = Counter(mail["X-TVR-Outbox-Id"] for mail in stack.mails())
    assert arrived == Counter({str(m.pk): 1 for m in outbox})


def test_an_answer_on_the_portal_stops_the_loop_and_tells_the_recruiter(celery_stack, client):
    stack = celery_stack
    # Room to answer before the reminder is due, even on a slow machine.
    _set_policy(candidate=(0, 8, 12), client=(0, 3600, 7200))
    interview = schedule_interview(ends_at=timezone.now() + timedelta(seconds=2))
    application = interview.application
    candidate_request = interview.feedback_requests.get(party=Party.CANDIDATE)
    recruiter = application.candidate.owner
    deadline = time.monotonic() + SCENARIO_TIMEOUT

    _, mail = stack.wait_until(
        "the candidate's request mail",
        lambda: _delivered(stack, candidate_request, OutboundMessage.Kind.REQUEST),
        deadline=deadline,
    )
    path = urlsplit(_link_in(mail, "/portal/f/")).path

    assert client.get(path).status_code == 200
    response = client.post(
        path,
        {"interest_level": "8", "still_interested": "yes", "went_well": "Met the whole team."},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{path}thanks/"
    candidate_request.refresh_from_db()
    assert candidate_request.status == FeedbackRequest.Status.RECEIVED
    answer = candidate_request.answers.get(is_current=True)
    assert answer.submitted_at < candidate_request.remind_at, "answered too late to test this"

    # The recruiter hears of it through the worker (this process only has locmem mail).
    _, mail = stack.wait_until(
        "the recruiter's 'feedback received' mail",
        lambda: _delivered(stack, candidate_request, OutboundMessage.Kind.FEEDBACK_RECEIVED),
        deadline=deadline,
    )
    assert mail["To"] == recruiter.email
    assert "8/10" in mail["Subject"]

    # Past the reminder time and the deadline, with sweeps run since: nothing more.
    stack.wait_until(
        "the candidate's deadline to pass",
        lambda: timezone.now() > candidate_request.due_at,
        deadline=deadline,
    )
    stack.wait_for_fresh_sweeps(2, deadline=deadline)

    kinds = sorted(m.kind for m in OutboundMessage.objects.filter(request=candidate_request))
    assert kinds == ["feedback_received", "request"]
    candidate_request.refresh_from_db()
    assert candidate_request.status == FeedbackRequest.Status.RECEIVED
    assert candidate_request.reminders_sent == 0
    assert candidate_request.overdue_at is None
    application.refresh_from_db()
    assert application.interest_status == Application.InterestStatus.HIGH
    assert application.interest_level == 8
    assert not TimelineEvent.objects.filter(
        request=candidate_request,
        kind__in=[TimelineEvent.Kind.MARKED_OVERDUE, TimelineEvent.Kind.MARKED_POSSIBLY_WANED],
    ).exists()
    to_candidate = [m for m in stack.mails() if m["To"] == application.candidate.email]
    assert len(to_candidate) == 1
    arrived = Counter(mail["X-TVR-Outbox-Id"] for mail in stack.mails())
    assert all(count == 1 for count in arrived.values()), arrived


def test_a_burst_of_amendments_reaches_the_recruiter_as_one_mail_with_the_last_answer(
    celery_stack, client, settings
):
    """The recruiter's "feedback received" waits out a short window; the answers given
    meanwhile add nothing to the outbox, and the one mail, written when it is sent,
    carries the last of them. An amendment after it went gets a mail of its own."""
    stack = celery_stack
    # A window wide enough for ten in-process POSTs on a busy machine; a link limit that
    # lets the ten through (its own tests are in feedback/tests/test_answer_limits.py).
    settings.FEEDBACK = {
        **settings.FEEDBACK,
        "ANSWER_NOTICE_DELAY": timedelta(seconds=10),
        "ANSWERS_PER_LINK": 20,
    }
    _set_policy(candidate=(0, 3600, 7200), client=(0, 3600, 7200))
    interview = schedule_interview(ends_at=timezone.now() + timedelta(seconds=1))
    candidate_request = interview.feedback_requests.get(party=Party.CANDIDATE)
    deadline = time.monotonic() + SCENARIO_TIMEOUT
    _, mail = stack.wait_until(
        "the candidate's request mail",
        lambda: _delivered(stack, candidate_request, OutboundMessage.Kind.REQUEST),
        deadline=deadline,
    )
    path = urlsplit(_link_in(mail, "/portal/f/")).path

    for level in range(1, 11):
        answer = {"interest_level": str(level), "still_interested": "yes"}
        response = client.post(path, {**answer, "went_well": f"Answer number {level}."})
        assert response.status_code == 302, level
    assert candidate_request.answers.count() == 10
    assert len(_outbox(candidate_request, OutboundMessage.Kind.FEEDBACK_RECEIVED)) == 1

    notice, mail = stack.wait_until(
        "the recruiter's one 'feedback received' mail",
        lambda: _delivered(stack, candidate_request, OutboundMessage.Kind.FEEDBACK_RECEIVED),
        deadline=deadline,
    )
    assert "10/10" in mail["Subject"]
    assert "Answer number 10." in _text(mail)
    assert "Answer number 9." not in _text(mail)

    response = client.post(
        path, {"interest_level": "3", "still_interested": "no", "went_well": "Answer eleven."}
    )
    assert response.status_code == 302

    def second_mail():
        sent = [
            m
            for m in _outbox(candidate_request, OutboundMessage.Kind.FEEDBACK_RECEIVED)
            if m.status == OutboundMessage.Status.SENT and m.pk != notice.pk
        ]
        return sent and stack.mails_for(sent[0])

    [mail] = stack.wait_until("the mail of the later amendment", second_mail, deadline=deadline)
    assert "3/10" in mail["Subject"]
    assert "Answer eleven." in _text(mail)
    notices = _outbox(candidate_request, OutboundMessage.Kind.FEEDBACK_RECEIVED)
    assert len(notices) == 2
    arrived = Counter(mail["X-TVR-Outbox-Id"] for mail in stack.mails())
    assert all(arrived[str(m.pk)] == 1 for m in notices), arrived
