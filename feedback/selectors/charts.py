"""The dashboard's two charts (response times, interest spread), computed into the cache
by the worker (feedback.services.charts) and read from it by the page."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Q, Value, When

from candidates.models import CLOSED_STAGES, Application, Recruiter
from core.caching import get_or_compute

from ..models import FeedbackRequest, Party
from ..rules import interest_band_for
from .desk import _desk
from .portal import policy_get

CHART_WINDOW = timedelta(days=30)
# Twice the worker's refresh interval (settings.CHART_REFRESH_SECONDS): charts are about a
# minute old at most, and a refresh that comes late does not leave the pages to compute.
CHART_CACHE_SECONDS = 120
DEADLINE_SLACK = timedelta(days=7)
# Buckets of "interview end to the candidate's answer": (label, upper bound or None).
RESPONSE_BUCKETS = (
    ("≤30m", timedelta(minutes=30)),
    ("30–60m", timedelta(hours=1)),
    ("1–2h", timedelta(hours=2)),
    ("2–4h", timedelta(hours=4)),
    ("4–24h", timedelta(hours=24)),
    (">1d", None),
)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    tone: str = ""  # a CSS class suffix: ok, late, bad, low, moderate, high, unknown
    hint: str = ""


@dataclass(frozen=True)
class ResponseTimes:
    bars: list[Bar]
    total: int
    on_time: int

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.on_time / self.total) if self.total else None


def dashboard_response_times(
    *, recruiter: Recruiter | None, now: datetime, window: timedelta = CHART_WINDOW
) -> ResponseTimes:
    """Candidate answers to interviews that ended in the window: how long after the end
    each first answer came (or none), and the share that came by the deadline."""
    deadline = policy_get().candidate_deadline_after
    ended = F("interview__ends_at")
    # Each row's bar, the first bucket whose upper bound its answer came before (one CASE
    # a row, then a count per bar): a count per bar over every row, each with its own
    # filter, evaluates every filter on every row of the window.
    none = len(RESPONSE_BUCKETS)
    bar = Case(
        When(status=FeedbackRequest.Status.OVERDUE, then=Value(none)),
        *(
            When(received_at__lt=ended + upper, then=Value(n))
            for n, (_label, upper) in enumerate(RESPONSE_BUCKETS)
            if upper is not None
        ),
        default=Value(none - 1),
    )
    on_time = ExpressionWrapper(
        Q(status=FeedbackRequest.Status.RECEIVED, received_at__lte=F("due_at")),
        output_field=BooleanField(),
    )
    rows = (
        FeedbackRequest.objects.filter(
            party=Party.CANDIDATE,
            status__in=[FeedbackRequest.Status.RECEIVED, FeedbackRequest.Status.OVERDUE],
            interview__ends_at__gte=now - window,
            interview__ends_at__lte=now,
            # Implied by the interview's window, and an index range on the requests
            # (feedback_response_chart_idx): without it the planner joins every request to
            # the window's interviews. A deadline is the interview's end, or the moment
            # it was marked completed (before the planned end), plus the policy's
            # deadline: DEADLINE_SLACK covers an interview marked completed up to a week
            # before its planned end.
            due_at__gte=now - window - DEADLINE_SLACK,
        )
        # A desk's: its interviews of the window, one range of interview_desk_ends_idx.
        .filter(_desk(recruiter, "interview__candidate_owner"))
        .annotate(bar=bar, on_time=on_time)
        .values_list("bar", "on_time")
        .annotate(n=Count("*"))
        .order_by()
    )
    counts = [0] * (none + 1)
    total = in_time = 0
    for n, came_on_time, count in rows:
        counts[n] += count
        total += count
        in_time += count if came_on_time else 0
    bars = [
        Bar(
            label=label,
            value=counts[n],
            tone="ok" if upper is not None and upper <= deadline else "late",
        )
        for n, (label, upper) in enumerate(RESPONSE_BUCKETS)
    ]
    bars.append(Bar(label="none", value=counts[none], tone="bad", hint="no answer yet"))
    return ResponseTimes(bars=bars, total=total, on_time=in_time)


def dashboard_interest_spread(*, recruiter: Recruiter | None) -> list[Bar]:
    """Applications in process by their current interest level, 1 to 10, and not known."""
    # A desk's is one range of application_desk_spread_idx (its applications in process).
    applications = Application.objects.exclude(stage__in=CLOSED_STAGES).filter(
        _desk(recruiter, "candidate_owner")
    )
    counts = {
        row["interest_level"]: row["n"]
        # COUNT(*): the index has no id, and COUNT(id) would read every row for it.
        for row in applications.values("interest_level").annotate(n=Count("*")).order_by()
    }
    levels = [*range(1, 11), None]
    return [
        Bar(
            label=str(level) if level else "?",
            value=counts.get(level, 0),
            tone=interest_band_for(level),
            hint="" if level else "no answer yet",
        )
        for level in levels
    ]


@dataclass(frozen=True)
class Charts:
    response_times: ResponseTimes
    interest_spread: list[Bar]
    as_of: datetime


def dashboard_charts_key(recruiter: Recruiter | None) -> str:
    return f"dashboard-charts:{recruiter.pk if recruiter else 'everyone'}"


def dashboard_charts_compute(*, recruiter: Recruiter | None, now: datetime) -> Charts:
    return Charts(
        response_times=dashboard_response_times(recruiter=recruiter, now=now),
        interest_spread=dashboard_interest_spread(recruiter=recruiter),
        as_of=now,
    )


def dashboard_charts(*, recruiter: Recruiter | None, now: datetime) -> Charts:
    """The desk's two charts, from the cache: the worker computes every desk's each
    minute (services.dashboard_charts_refresh), since each counts thousands of rows
    (everyone's: every request of the window and every application in process) and a
    minute-old picture of thirty days tells the same story. Missing (no worker,
    a new recruiter), the view computes them and keeps them as long. The lists above
    the charts are read fresh on every view."""
    return get_or_compute(
        dashboard_charts_key(recruiter),
        CHART_CACHE_SECONDS,
        lambda: dashboard_charts_compute(recruiter=recruiter, now=now),
    )
