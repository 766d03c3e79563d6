"""Fixtures of the chaos suite: a private PostgreSQL cluster for the session, and per
scenario a fresh database, a private Redis, a counting SMTP server and the processes."""

import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import psycopg
import pytest

from tests.support import skip_or_fail

from .harness import (
    CountingSMTP,
    PrivatePostgres,
    PrivateRedis,
    Processes,
    load_scenario,
    manage,
    postgres_bin_dir,
    wait_until,
)

SWEEP_INTERVAL = 2.0  # seconds; "caught up within two sweep intervals" is measured in these
REPORT = "var/chaos-report.jsonl"
# CHAOS_CPU_HOG=2: two processes keep both cores busy for the whole session, so that the
# scenarios run on a loaded machine (docs/reliability.md reports such runs).
CPU_HOG = int(os.environ.get("CHAOS_CPU_HOG") or 0)


@pytest.fixture(scope="session", autouse=True)
def cpu_hog():
    hogs = [
        subprocess.Popen(
            [sys.executable, "-c", "while True: pass"],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(CPU_HOG)
    ]
    yield len(hogs)
    for hog in hogs:
        os.killpg(hog.pid, signal.SIGKILL)
        hog.wait(10)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/chaos/" in str(item.fspath):
            item.add_marker(pytest.mark.chaos)


@pytest.fixture(scope="session")
def private_postgres():
    if postgres_bin_dir() is None:
        skip_or_fail("the chaos suite needs PostgreSQL's server binaries (initdb, pg_ctl)")
    cluster = PrivatePostgres()
    try:
        cluster.start()
        cluster.create_database("chaos_template")
        manage(
            {**_base_env(), "DATABASE_URL": cluster.url("chaos_template")},
            "migrate",
            "--noinput",
            "-v",
            "0",
        )
        yield cluster
    finally:
        cluster.stop()


def _base_env() -> dict:
    import os

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tvr_site.settings.test",
        PYTHONUNBUFFERED="1",
        SWEEP_INTERVAL_SECONDS=str(SWEEP_INTERVAL),
        DELIVERY_BACKOFF_SECONDS="1",
        DELIVERY_LEASE_SECONDS="5",
        REDISPATCH_AFTER_SECONDS="3",
        # The recruiter's notice of an answer waits (and coalesces a burst) this long.
        ANSWER_NOTICE_DELAY_SECONDS="2",
        EMAIL_TIMEOUT="2",
        LOG_LEVEL="WARNING",
    )
    return env


@dataclass
class Expected:
    interviews: list
    bounced: list = field(default_factory=list)
    ends_at: str = ""

    @property
    def requests(self) -> int:
        return 2 * len(self.interviews)


class Scenario:
    """One scenario's world. `verify()` states the suite's promise."""

    def __init__(self, *, cluster: PrivatePostgres, tmp_path, name: str, smtp_options: dict):
        self.name = name
        self.started = time.time()
        self.cluster = cluster
        self.database = f"s_{uuid.uuid4().hex[:10]}"
        cluster.create_database(self.database, template="chaos_template")
        self.db_url = cluster.url(self.database)
        self.redis = PrivateRedis()
        self.redis.start()
        self.smtp = CountingSMTP(**smtp_options)
        self.smtp.start()
        self.env = {
            **_base_env(),
            "DATABASE_URL": self.db_url,
            "REDIS_URL": self.redis.url,
            "EMAIL_URL": self.smtp.url,
            "CELERY_QUEUE": f"chaos-{self.database}",
        }
        self.processes = Processes(env=self.env, log_dir=tmp_path)
        self.expected: Expected | None = None

    def load(self, **options) -> Expected:
        data = load_scenario(self.env, **options)
        self.loaded = data
        self.expected = Expected(
            interviews=data["interviews"], bounced=data["bounced"], ends_at=data["ends_at"]
        )
        return self.expected

    def sql(self, query: str, *params):
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def scalar(self, query: str, *params):
        return self.sql(query, *params)[0][0]

    # -- progress ------------------------------------------------------------------------

    def active_requests_due(self, before_epoch: float | None = None) -> int:
        """Requests whose next step was due (now, or by a moment) and is not done yet."""
        return self.scalar(
            "SELECT count(*) FROM feedback_feedbackrequest WHERE status IN "
            "('scheduled','pending') AND next_action_at <= "
            + ("to_timestamp(%s)" if before_epoch else "now()"),
            *([before_epoch] if before_epoch else []),
        )

    def settled(self) -> bool:
        """Every deadline passed and every message has a final state."""
        open_requests = self.scalar(
            "SELECT count(*) FROM feedback_feedbackrequest WHERE status IN ('scheduled','pending')"
        )
        unfinished = self.scalar(
            "SELECT count(*) FROM feedback_outboundmessage WHERE status IN ('queued','sending')"
        )
        return open_requests == 0 and unfinished == 0

    def wait_settled(self, timeout: float = 120):
        wait_until("every deadline and every message to settle", self.settled, timeout=timeout)

    def caught_up_after(self, recovered_at: float, timeout: float = 60) -> float:
        """Seconds from recovery until every step that was due at recovery is done and
        every message whose task was lost has been handed out again. Recovery: the broken
        part is back and the system's processes report ready. The promise: within two
        sweep intervals."""
        wait_until(
            "the sweep to catch up after recovery",
            lambda: (
                self.active_requests_due(before_epoch=recovered_at) == 0
                and self._redispatched_since(recovered_at)
            ),
            timeout=timeout,
            interval=0.1,
        )
        caught_up = time.time() - recovered_at
        assert caught_up <= 2 * SWEEP_INTERVAL, (
            f"caught up {caught_up:.1f}s after recovery, more than two sweep intervals"
        )
        return caught_up

    def _redispatched_since(self, recovered_at: float) -> bool:
        """No message is left waiting in the queue state with a task that predates recovery
        (a lost task) — each has been handed out again or delivered."""
        stale = self.scalar(
            "SELECT count(*) FROM feedback_outboundmessage WHERE status = 'queued' "
            "AND next_attempt_at <= now() AND (dispatched_at IS NULL OR "
            "dispatched_at < to_timestamp(%s))",
            recovered_at,
        )
        return stale == 0

    # -- the promise ---------------------------------------------------------------------

    def verify(self, *, interrupted: frozenset = frozenset(), **extra) -> dict:
        """Every due message reached the SMTP server exactly once (none missing, none
        twice), every past-deadline application is possibly waned exactly once.

        `interrupted`: messages a SIGKILLed worker had claimed and not yet recorded. The
        server may have accepted one of them a moment before the kill; no protocol lets a
        sender learn that afterwards, so each may arrive at most twice (and carries the
        same Message-ID both times). Every other message: exactly once."""
        rows = self.sql(
            "SELECT m.id, m.kind, m.status, r.interview_id, r.party, m.attempts "
            "FROM feedback_outboundmessage m JOIN feedback_feedbackrequest r "
            "ON r.id = m.request_id"
        )
        received = self.smtp.handler.snapshot()
        bounced = set(self.expected.bounced)
        per_request_kind = Counter((r[3], r[4], r[1]) for r in rows)
        due = {
            (interview, party, kind)
            for interview in self.expected.interviews
            for party in ("candidate", "client")
            for kind in ("request", "reminder", "overdue_alert")
        }
        missing_rows = sorted(due - set(per_request_kind))
        assert not missing_rows, f"due messages never queued: {missing_rows[:10]}"
        assert set(per_request_kind.values()) == {1}, "a message was queued twice"

        must_arrive = {
            str(r[0])
            for r in rows
            if not (r[3] in bounced and r[4] == "candidate" and r[1] != "overdue_alert")
        }
        permanent = {str(r[0]) for r in rows} - must_arrive
        duplicates = {k: v for k, v in received.items() if v > 1}
        unexplained = {k: v for k, v in duplicates.items() if k not in interrupted or v > 2}
        missing = sorted(must_arrive - set(received))
        strangers = set(received) - must_arrive
        statuses = Counter(r[2] for r in rows)
        failed_ids = {str(r[0]) for r in rows if r[2] == "failed"}

        waned_apps = self.scalar(
            "SELECT count(*) FROM candidates_application a JOIN candidates_interview i "
            "ON i.application_id = a.id WHERE i.id = ANY(%s) "
            "AND a.interest_status = 'possibly_waned'",
            self.expected.interviews,
        )
        waned_events = self.sql(
            "SELECT application_id, count(*) FROM feedback_timelineevent "
            "WHERE kind = 'marked_possibly_waned' GROUP BY application_id"
        )
        report = {
            "scenario": self.name,
            "run": os.environ.get("TEST_RUN_ID", ""),
            "cpu_hog": CPU_HOG,
            "seconds": round(time.time() - self.started, 1),
            "requests": self.expected.requests,
            "messages_due": len(due),
            "received": sum(received.values()),
            "duplicates": sum(v - 1 for v in duplicates.values()),
            "interrupted_by_kill": len(interrupted),
            "missing": len(missing),
            "permanent_failures": len(permanent),
            "temporary_failures_injected": sum(self.smtp.handler.temp_failures.values()),
            "stalls_injected": self.smtp.handler.stalls,
            "statuses": dict(statuses),
            "possibly_waned": waned_apps,
            "dropped_after_data": sum(self.smtp.handler.dropped_after_data.values()),
            "accepted_to_recorded_ms": self.accepted_to_recorded_ms(),
            "queued_to_accepted_s": self.queued_to_accepted_s(),
            **extra,
        }
        with open(REPORT, "a") as out:
            out.write(json.dumps(report) + "\n")

        assert not unexplained, f"sent twice: {unexplained}"
        assert not missing, f"{len(missing)} due messages never arrived: {missing[:10]}"
        assert not strangers, f"unexpected messages arrived: {sorted(strangers)[:10]}"
        assert failed_ids == permanent, "only bounced addresses may fail"
        assert statuses.get("sent", 0) == len(must_arrive)
        assert waned_apps == len(self.expected.interviews)
        assert len(waned_events) == len(self.expected.interviews)
        assert {count for _, count in waned_events} == {1}
        return report

    def accepted_to_recorded_ms(self) -> dict:
        """The window in which a worker's death sends a message twice, measured per sent
        message: from the SMTP server's "250" to the commit of the row's "sent" record
        (PostgreSQL's commit timestamp; both clocks are this machine's)."""
        committed = self.sql(
            "SELECT id, extract(epoch FROM pg_xact_commit_timestamp(xmin)) "
            "FROM feedback_outboundmessage WHERE status = 'sent'"
        )
        accepted = self.smtp.handler.accepted_at
        windows = []
        for pk, commit in committed:
            times = [t for t in accepted.get(str(pk), ()) if commit is None or t <= commit]
            if commit is not None and times:
                windows.append((float(commit) - max(times)) * 1000)
        if not windows:
            return {}
        windows.sort()
        return {
            "messages": len(windows),
            "median": round(statistics.median(windows), 2),
            "p99": round(windows[int(0.99 * (len(windows) - 1))], 2),
            "max": round(windows[-1], 2),
        }

    def queued_to_accepted_s(self) -> dict:
        """From a message's row being written to the SMTP server's first "250" for it."""
        queued_at = dict(
            self.sql(
                "SELECT id::text, extract(epoch FROM created_at) FROM feedback_outboundmessage"
            )
        )
        waits = sorted(
            min(times) - float(queued_at[pk])
            for pk, times in self.smtp.handler.accepted_at.items()
            if pk in queued_at
        )
        if not waits:
            return {}
        return {
            "median": round(statistics.median(waits), 2),
            "p99": round(waits[int(0.99 * (len(waits) - 1))], 2),
            "max": round(waits[-1], 2),
        }

    def close(self):
        self.processes.stop_all()
        self.smtp.stop()
        self.redis.stop()


@pytest.fixture
def scenario(private_postgres, tmp_path, request):
    made = []

    def make(**smtp_options) -> Scenario:
        world = Scenario(
            cluster=private_postgres,
            tmp_path=tmp_path,
            name=request.node.name,
            smtp_options=smtp_options,
        )
        made.append(world)
        return world

    yield make
    for world in made:
        if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
            print(world.processes.logs())
        world.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
