"""How fast a client gives feedback: one rule, spelt in SQL and in Python side by side."""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from candidates.models import NOT_HELD, Client
from core import caching
from core.caching import get_or_compute
from core.formatting import duration_text
from feedback.models import FeedbackRequest, Party

from .figures import CLIENT_FIGURES_CACHE_SECONDS, RESPONSIVENESS_CACHE

RESPONSIVENESS_WINDOW = timedelta(days=90)


# How fast a client gives feedback, over its client requests (not cancelled) for
# interviews held (not cancelled or a no-show) that ended in the window: a request is
# answered when it has a received_at; its wait runs from the ask (or, not asked, the
# interview's end) to the answer, never below zero; it is settled when answered or when
# its deadline has passed; on time when answered by the deadline. The figures: how many
# answered, settled and on time, and the median wait.
#
# The rule is spelt twice, side by side below: in SQL (_responsiveness_in_sql, on
# PostgreSQL: the database counts and takes the median, so a big client's thousand rows
# never reach Python) and in Python (_responsiveness_in_python, elsewhere: SQLite has no
# percentile). A change to one is a change to the other: clients/tests/
# test_responsiveness.py holds them equal.


@dataclass(frozen=True)
class Responsiveness:
    """How fast a client gives feedback: over its requests for interviews held in the
    window, the median time from being asked (or the interview's end) to the first
    answer, and the share of requests whose deadline has come that were answered by it."""

    answered: int
    settled: int
    on_time: int
    median: timedelta | None

    @property
    def share_on_time(self) -> int | None:
        return round(100 * self.on_time / self.settled) if self.settled else None

    @property
    def median_text(self) -> str:
        return duration_text(self.median)


def _responsiveness_rows(*, client: Client, now: datetime) -> QuerySet[FeedbackRequest]:
    """The requests the figures are over (from the client's positions, on the client
    pages' indexes)."""
    return (
        FeedbackRequest.objects.filter(
            party=Party.CLIENT,
            interview__application__position__client=client,
            interview__ends_at__gte=now - RESPONSIVENESS_WINDOW,
            interview__ends_at__lte=now,
        )
        .exclude(status=FeedbackRequest.Status.CANCELLED)
        .exclude(interview__status__in=NOT_HELD)
        .order_by()
    )


def _responsiveness_in_python(rows: QuerySet[FeedbackRequest], *, now: datetime) -> Responsiveness:
    waits, settled, on_time = [], 0, 0
    for received_at, asked_at, ended_at, due_at in rows.values_list(
        "received_at", "asked_at", "interview__ends_at", "due_at"
    ):
        if received_at is not None:
            waits.append(max(received_at - (asked_at or ended_at), timedelta(0)))
            settled += 1
            on_time += received_at <= due_at
        elif due_at <= now:
            settled += 1  # the deadline passed without an answer
    return Responsiveness(
        answered=len(waits),
        settled=settled,
        on_time=on_time,
        median=statistics.median(waits) if waits else None,
    )


class _Median(Aggregate):
    """PostgreSQL's median: percentile_cont(0.5), which interpolates between the two middle
    values as statistics.median does."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _responsiveness_in_sql(rows: QuerySet[FeedbackRequest], *, now: datetime) -> Responsiveness:
    answered = Q(received_at__isnull=False)
    wait = Greatest(
        ExpressionWrapper(
            F("received_at") - Coalesce("asked_at", "interview__ends_at"),
            output_field=DurationField(),
        ),
        Value(timedelta(0)),
    )
    figures = rows.aggregate(
        answered=Count("pk", filter=answered),
        # Settled: answered, or the deadline passed without an answer.
        settled=Count("pk", filter=answered | Q(due_at__lte=now)),
        on_time=Count("pk", filter=answered & Q(received_at__lte=F("due_at"))),
        median=_Median(wait, filter=answered),
    )
    return Responsiveness(**figures)


def client_responsiveness(*, client: Client, now: datetime | None = None) -> Responsiveness:
    """One query over a client's requests of the last 90 days: the figures in SQL on
    PostgreSQL, in Python from the rows elsewhere (see above)."""
    now = now or timezone.now()
    rows = _responsiveness_rows(client=client, now=now)
    if connection.vendor == "postgresql":
        return _responsiveness_in_sql(rows, now=now)
    return _responsiveness_in_python(rows, now=now)


def client_responsiveness_recent(*, client: Client, now: datetime) -> Responsiveness:
    """client_responsiveness for the client's home page, computed at most once a minute
    per client: a figure over 90 days reads a big client's interviews and their requests
    of the whole window, on every view otherwise."""
    return get_or_compute(
        caching.key(RESPONSIVENESS_CACHE, client.pk),
        CLIENT_FIGURES_CACHE_SECONDS,
        lambda: client_responsiveness(client=client, now=now),
    )
