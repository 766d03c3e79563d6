"""The restore drill, tested: a `pg_dump` taken while the loop runs, restored into a new
database, and the loop carried on from it by new workers and a new beat.

The dump is a moment. What the system sent after that moment and before it was lost, the
restored database does not know: it sends those again. Everything else goes out once, and
nothing that was due, or fell due later, is lost.
"""

import shutil
import subprocess
import uuid
from collections import Counter
from contextlib import suppress
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.chaos.harness import CountingSMTP, Processes, load_scenario, wait_until
from tests.support import database_url_for_subprocesses, skip_or_fail
from tvr_site.celery import app as celery_app

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]

DUE_SOON = 60  # interviews that end as the test starts
DUE_LATER = 20  # interviews that end after the dump
# Deadlines far enough out that the restored system is up before they pass, even on a
# busy machine: a reminder whose deadline passed while no system ran is rightly skipped,
# and the drill would then expect a message that is not due.
WINDOWS = {
    "candidate_remind": 10,
    "candidate_deadline": 50,
    "client_remind": 11,
    "client_deadline": 51,
}
# Ends after the dump, once the original system is gone or about to be.
LATER_ENDS_IN = 30
# A slow SMTP server: deliveries are still under way when the dump is taken.
SMTP_DATA_DELAY = 0.05
KINDS = ("request", "reminder", "overdue_alert")


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}"


def _sql(url: str, query: str, *params):
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(query, params).fetchall()


def _messages(url: str) -> dict[int, tuple[int, str, str]]:
    """Each outbox row of the database at `url`: id -> (request, kind, status)."""
    return {
        pk: (request, kind, status)
        for pk, request, kind, status in _sql(
            url, "SELECT id, request_id, kind, status FROM feedback_outboundmessage"
        )
    }


def _received(smtp: CountingSMTP, messages: dict) -> Counter:
    """What the SMTP server accepted, counted per (request, kind) of `messages`' rows."""
    return Counter({messages[int(pk)][:2]: count for pk, count in smtp.handler.snapshot().items()})


@pytest.fixture
def drill(transactional_db, tmp_path, request):
    for tool in ("pg_dump", "pg_restore", "createdb", "dropdb"):
        if not shutil.which(tool):
            skip_or_fail(f"the restore drill needs PostgreSQL's client tools ({tool})")
    original_url = database_url_for_subprocesses()
    if not original_url.startswith("postgres"):
        skip_or_fail("the restore drill needs PostgreSQL (DATABASE_URL)")
    celery_app.control.purge()  # nothing of an earlier test reaches these workers
    world = Drill(original_url=original_url, tmp_path=tmp_path)
    request.node.process_logs = {
        name: tmp_path / f"{name}.log"
        for name in ("original-worker", "original-beat", "restored-worker", "restored-beat")
    }
    try:
        yield world
    finally:
        world.close()


class Drill:
    def __init__(self, *, original_url: str, tmp_path):
        self.original_url = original_url
        parts = urlsplit(original_url)
        self.restored_name = f"{parts.path.lstrip('/')}_restored_{uuid.uuid4().hex[:8]}"
        self.restored_url = urlunsplit(parts._replace(path=f"/{self.restored_name}"))
        self.dump = tmp_path / "tvr.dump"
        self.tmp_path = tmp_path
        self.restored_made = False
        self.smtp = {"original": CountingSMTP(data_delay=SMTP_DATA_DELAY), "restored": None}
        self.smtp["original"].start()
        self.processes = {}

    def start(self, phase: str, database_url: str) -> None:
        """A worker and a beat on `database_url`, sending to this phase's SMTP server."""
        if self.smtp[phase] is None:
            self.smtp[phase] = CountingSMTP()
            self.smtp[phase].start()
        env = {
            **_base_env(),
            "DATABASE_URL": database_url,
            "EMAIL_URL": self.smtp[phase].url,
        }
        processes = Processes(env=env, log_dir=self.tmp_path)
        self.processes[phase] = processes
        processes.worker(f"{phase}-worker")
        processes.beat(f"{phase}-beat")
        processes.wait_ready()

    def stop(self, phase: str) -> None:
        self.processes[phase].stop_all()

    def client_args(self) -> list[str]:
        parts = urlsplit(self.original_url)
        return ["-h", parts.hostname or "localhost", "-p", str(parts.port or 5432),
                "-U", parts.username or "postgres"]  # fmt: skip

    def take_dump(self) -> None:
        _run("pg_dump", "--format=custom", "--file", str(self.dump), self.original_url)

    def restore(self) -> None:
        _run("createdb", *self.client_args(), self.restored_name)
        self.restored_made = True
        _run("pg_restore", "--no-owner", "--exit-on-error", "-d", self.restored_url, str(self.dump))

    def close(self) -> None:
        for processes in self.processes.values():
            processes.stop_all()
        for smtp in self.smtp.values():
            if smtp is not None:
                smtp.stop()
        if self.restored_made:
            with suppress(AssertionError):
                _run("dropdb", *self.client_args(), "--force", self.restored_name)


def _base_env() -> dict:
    import os

    from django.conf import settings

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tvr_site.settings.test",
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "SWEEP_INTERVAL_SECONDS": "2",
        "DELIVERY_LEASE_SECONDS": "5",
        "REDISPATCH_AFTER_SECONDS": "3",
        "DELIVERY_BACKOFF_SECONDS": "1",
        "EMAIL_TIMEOUT": "2",
        "PYTHONUNBUFFERED": "1",
    }


def test_a_dump_taken_mid_loop_restores_into_a_loop_that_loses_nothing(drill):
    env = {**_base_env(), "DATABASE_URL": drill.original_url}
    drill.start("original", drill.original_url)
    later = load_scenario(env, interviews=DUE_LATER, ends_in=LATER_ENDS_IN, tag="later", **WINDOWS)
    soon = load_scenario(env, interviews=DUE_SOON, ends_in=3, tag="soon", **WINDOWS)

    # Mid-loop: some messages sent, more still queued, the later interviews not yet due.
    wait_until(
        "the first deliveries",
        lambda: sum(drill.smtp["original"].handler.snapshot().values()) >= 30,
        timeout=120,
        interval=0.05,
    )
    drill.take_dump()
    # The system runs on a while after the dump, then is lost with its database.
    wait_until(
        "more deliveries after the dump",
        lambda: sum(drill.smtp["original"].handler.snapshot().values()) >= 90,
        timeout=120,
        interval=0.05,
    )
    drill.stop("original")
    original = _messages(drill.original_url)

    drill.restore()
    dumped = _messages(drill.restored_url)
    dumped_sent = {(request, kind) for request, kind, status in dumped.values() if status == "sent"}
    dumped_open = Counter(status for _, _, status in dumped.values() if status != "sent")
    not_yet_due = _sql(
        drill.restored_url,
        "SELECT count(*) FROM feedback_feedbackrequest r JOIN candidates_interview i "
        "ON i.id = r.interview_id WHERE i.id = ANY(%s) AND r.status = 'scheduled'",
        later["interviews"],
    )[0][0]
    # The dump caught the loop in the middle, or it proves nothing.
    assert dumped_sent, "nothing had been sent at the dump"
    assert dumped_open, "nothing was waiting to be sent at the dump"
    assert not_yet_due == 2 * DUE_LATER, "the later interviews were due already at the dump"

    drill.start("restored", drill.restored_url)
    wait_until(
        "the restored loop to settle",
        lambda: (
            _sql(
                drill.restored_url,
                "SELECT (SELECT count(*) FROM feedback_feedbackrequest "
                "        WHERE status IN ('scheduled','pending'))"
                " + (SELECT count(*) FROM feedback_outboundmessage "
                "    WHERE status IN ('queued','sending'))",
            )[0][0]
            == 0
        ),
        timeout=240,
    )
    drill.stop("restored")
    restored = _messages(drill.restored_url)

    requests = dict(
        _sql(
            drill.restored_url,
            "SELECT r.id, r.interview_id FROM feedback_feedbackrequest r "
            "WHERE r.interview_id = ANY(%s)",
            soon["interviews"] + later["interviews"],
        )
    )
    due = {(request, kind) for request in requests for kind in KINDS}
    sent_before = _received(drill.smtp["original"], original)
    sent_after = _received(drill.smtp["restored"], restored)

    # Nothing due is lost: every request's every message went out, before or after.
    assert {key for key, status in _by_key(restored).items() if status == "sent"} == due
    assert set(sent_before) | set(sent_after) == due
    # Each system sent each message once.
    assert set(sent_before.values()) == {1}
    assert set(sent_after.values()) == {1}
    # The dump knew what it had sent: the restored system sent none of that again...
    assert dumped_sent <= set(sent_before)
    assert not dumped_sent & set(sent_after)
    # ...and what went out after the dump, before the loss, it sent again: exactly that.
    sent_since_dump = set(sent_before) - dumped_sent
    assert set(sent_before) & set(sent_after) == sent_since_dump
    print(
        f"restore drill: {len(due)} messages due; {len(dumped_sent)} sent at the dump, "
        f"{dict(dumped_open)} still open in it; {len(sent_since_dump)} sent after the dump "
        f"and again after the restore; {2 * DUE_LATER} requests not yet due at the dump"
    )


def _by_key(messages: dict) -> dict:
    return {(request, kind): status for request, kind, status in messages.values()}
