"""The loop's health, read from the database: what the sweeps recorded, what waits in the
outbox, which workers said they were alive. Every age is by the loop's clock."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q

from core import clock
from feedback.models import OutboundMessage, SweepRecord

from .models import WorkerHeartbeat

# A worker is counted as seen when its heartbeat is at most this old.
WORKER_SEEN_WITHIN = timedelta(minutes=1)


# A sweep a few seconds late (a burst keeps every worker process busy) is no outage.
SWEEP_OVERDUE_AT_LEAST = timedelta(seconds=15)


def sweep_overdue_after() -> timedelta:
    """The sweep is late when none has finished for this long: three intervals, and at
    least SWEEP_OVERDUE_AT_LEAST."""
    return max(timedelta(seconds=3 * settings.SWEEP_INTERVAL_SECONDS), SWEEP_OVERDUE_AT_LEAST)


def queue_stuck_after() -> timedelta:
    """A due message still queued after this was missed by the re-dispatch: the interval
    after which the sweep re-dispatches it, plus a margin for the sweep to come round and
    a worker to take it (HEALTH_QUEUE_MARGIN_SECONDS)."""
    return settings.FEEDBACK["REDISPATCH_AFTER"] + timedelta(
        seconds=settings.HEALTH_QUEUE_MARGIN_SECONDS
    )


@dataclass(frozen=True)
class LoopStatus:
    now: datetime
    last_sweep_finished_at: datetime | None
    queued: int
    oldest_queued_due_at: datetime | None
    workers_seen: list[str]

    @property
    def last_sweep_age(self) -> timedelta | None:
        if self.last_sweep_finished_at is None:
            return None
        return max(self.now - self.last_sweep_finished_at, timedelta(0))

    @property
    def oldest_queued_age(self) -> timedelta | None:
        if self.oldest_queued_due_at is None:
            return None
        return max(self.now - self.oldest_queued_due_at, timedelta(0))

    @property
    def problems(self) -> list[str]:
        """Why the loop is unhealthy (empty when it is healthy)."""
        problems = []
        if self.last_sweep_age is None:
            problems.append("no sweep has finished yet")
        elif self.last_sweep_age > sweep_overdue_after():
            problems.append(
                f"no sweep has finished for {self.last_sweep_age.total_seconds():.0f} s"
            )
        if self.oldest_queued_age is not None and self.oldest_queued_age > queue_stuck_after():
            problems.append(
                f"a message has waited {self.oldest_queued_age.total_seconds():.0f} s "
                "in the outbox since it was due"
            )
        return problems

    def as_dict(self) -> dict:
        def seconds(age: timedelta | None) -> float | None:
            return None if age is None else round(age.total_seconds(), 3)

        return {
            "healthy": not self.problems,
            "problems": self.problems,
            "last_sweep_finished_at": self.last_sweep_finished_at,
            "last_sweep_age_seconds": seconds(self.last_sweep_age),
            "sweep_overdue_after_seconds": sweep_overdue_after().total_seconds(),
            "queued_messages": self.queued,
            "oldest_queued_age_seconds": seconds(self.oldest_queued_age),
            "queue_stuck_after_seconds": queue_stuck_after().total_seconds(),
            "workers_seen_last_minute": len(self.workers_seen),
            "workers": self.workers_seen,
        }


def loop_status() -> LoopStatus:
    """Three small queries: the sweeps' record row, the queued messages (the outbox's
    partial index on queued rows serves the count and the oldest due time), the heartbeats."""
    now = clock.now()
    last_finished = (
        SweepRecord.objects.filter(pk=SweepRecord.ROW)
        .values_list("last_finished_at", flat=True)
        .first()
    )
    queue = OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED).aggregate(
        queued=Count("pk"),
        # Due by now: a message waiting out a retry's backoff is not late.
        oldest_due=Min("next_attempt_at", filter=Q(next_attempt_at__lte=now)),
    )
    workers = list(
        WorkerHeartbeat.objects.filter(seen_at__gte=now - WORKER_SEEN_WITHIN).values_list(
            "hostname", flat=True
        )
    )
    return LoopStatus(
        now=now,
        last_sweep_finished_at=last_finished,
        queued=queue["queued"],
        oldest_queued_due_at=queue["oldest_due"],
        workers_seen=workers,
    )
