"""Reads for the loop: the policy, a request behind a link, what a candidate has pending,
the recruiter's dashboard and an application's whole story."""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import timezone

from candidates.models import CLOSED_STAGES, Application, Candidate, Client, Interview, Recruiter
from core.caching import get_or_compute

from . import tokens
from .models import REQUEST_PEOPLE, Feedback, FeedbackRequest, Party, ReminderPolicy, TimelineEvent
from .rules import AWAITED_STATUSES, interest_band_for


def policy_get() -> ReminderPolicy:
    policy, _ = ReminderPolicy.objects.get_or_create(pk=1)
    return policy


def feedback_request_get_by_token(*, party: str, token: str) -> FeedbackRequest:
    """The request a link opens. Raises tokens.LinkInvalid or tokens.LinkExpired."""
    token_key = tokens.token_unsign(party=party, token=token)
    request = (
        FeedbackRequest.objects.select_related(*REQUEST_PEOPLE)
        .filter(token_key=token_key, party=party)
        .first()
    )
    if request is None:
        raise tokens.LinkInvalid("no such request (revoked or never issued)")
    return request


def feedback_request_for_expired_link(*, party: str, token_key: str) -> FeedbackRequest | None:
    """For an expired link's page: who to call instead."""
    return (
        FeedbackRequest.objects.select_related("interview__application__candidate__owner__user")
        .filter(token_key=token_key, party=party)
        .first()
    )


def feedback_request_link(*, request: FeedbackRequest) -> str:
    """The absolute signed link that opens this one request."""
    token = tokens.token_make(party=request.party, token_key=request.token_key)
    name = "portal:feedback" if request.party == Party.CANDIDATE else "clients:feedback"
    return settings.SITE_URL + reverse(name, kwargs={"token": token})


def feedback_current(*, request: FeedbackRequest) -> Feedback | None:
    return request.answers.filter(is_current=True).first()


def candidate_upcoming_interviews(
    *, candidate: Candidate, now: datetime | None = None
) -> QuerySet[Interview]:
    now = now or timezone.now()
    return (
        Interview.objects.filter(
            application__candidate=candidate,
            status=Interview.Status.SCHEDULED,
            ends_at__gt=now,
        )
        .select_related("application__position__client")
        .order_by("starts_at")
    )


def candidate_pending_requests(
    *, candidate: Candidate, exclude: FeedbackRequest | None = None
) -> QuerySet[FeedbackRequest]:
    qs = FeedbackRequest.objects.filter(
        interview__application__candidate=candidate,
        party=Party.CANDIDATE,
        status__in=AWAITED_STATUSES,
    ).select_related("interview__application__position__client")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.order_by("due_at")


# --- the recruiter's dashboard ----------------------------------------------------------
#
# Each section is one query (the interview days, feedback awaited and its count, the call
# list, client feedback overdue, the latest answers, and one aggregate per chart), bounded
# by DASHBOARD_LIMIT rows, so the page costs the same however big the desk is. A section
# reads "this recruiter's desk" as: a candidate's side belongs to the candidate's owner,
# a client's side to the position's recruiter (who gets the alerts in the loop too). Both
# are read from the copies kept on the applications, interviews and feedback requests
# (`candidate_owner`, `position_recruiter`, a request's `desk`, kept right by
# candidates.services and feedback.services.desks): through the candidates and positions,
# every desk condition was four joins for each row a section looked at.

DASHBOARD_DAYS = 3  # today and the next two days
DASHBOARD_LIMIT = 25
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
# Sorts after any real moment where a "waiting since" is missing (Least() on SQLite is
# NULL as soon as one argument is).
_NEVER = Value(datetime(9999, 12, 31, tzinfo=UTC), output_field=DateTimeField())


def recruiter_for_user(*, user) -> Recruiter | None:
    # The user's reverse one-to-one, cached on the user for the request (the time zone
    # middleware has usually read it already); None when the user is not a recruiter.
    return getattr(user, "recruiter", None)


def _desk(recruiter: Recruiter | None, *paths: str) -> Q:
    """Rows where any of `paths` is this recruiter; everything when recruiter is None."""
    q = Q()
    if recruiter is not None:
        for path in paths:
            q |= Q(**{path: recruiter})
    return q


def _request_desk(recruiter: Recruiter | None, prefix: str = "") -> Q:
    """Requests on this recruiter's desk (the copy kept on each request)."""
    return Q() if recruiter is None else Q(**{f"{prefix}desk": recruiter})


def _attach(rows: list, field: str) -> list:
    """Set each row's foreign key `field` to its object, read in one query for all the
    rows (by id: cheaper to build than prefetch_related's lookup for a few hundred ids).
    Returns the related objects."""
    if not rows:
        return []
    model = rows[0]._meta.get_field(field).related_model
    related = model.objects.in_bulk({getattr(row, f"{field}_id") for row in rows})
    for row in rows:
        setattr(row, field, related[getattr(row, f"{field}_id")])
    return list(related.values())


def _load_stories(*, requests=(), interviews=(), applications=()) -> None:
    """What the dashboard shows of each row's story (its interview, application, candidate,
    position, client and hiring contact), one query per table for the rows of every
    section at once. Joined into each section's query, the planner spent longer choosing
    the order of seven tables than running the query (docs/benchmarks.md)."""
    interviews = [*interviews, *_attach(list(requests), "interview")]
    applications = [*applications, *_attach(interviews, "application")]
    _attach(applications, "candidate")
    positions = _attach(applications, "position")
    _attach(positions, "client")
    _attach(positions, "hiring_contact")


@dataclass(frozen=True)
class InterviewDay:
    day: date
    interviews: list[Interview]


def dashboard_interviews(
    *,
    recruiter: Recruiter | None,
    time_zone: str,
    now: datetime,
    days: int = DASHBOARD_DAYS,
    limit: int = DASHBOARD_LIMIT * 2,
    load_story: bool = True,
) -> list[InterviewDay]:
    """Today's and the next days' interviews (not cancelled), by day in `time_zone`."""
    tz = zoneinfo.ZoneInfo(time_zone)
    today = now.astimezone(tz).date()
    start = datetime.combine(today, time.min, tzinfo=tz)
    end = datetime.combine(today + timedelta(days=days), time.min, tzinfo=tz)
    interviews = list(
        Interview.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=Interview.Status.CANCELLED)
        .filter(_desk(recruiter, "candidate_owner", "position_recruiter"))
        .order_by("starts_at", "pk")[:limit]
    )
    if load_story:
        _load_stories(interviews=interviews)
    by_day = {today + timedelta(days=n): [] for n in range(days)}
    for interview in interviews:
        by_day[interview.starts_at.astimezone(tz).date()].append(interview)
    return [InterviewDay(day=day, interviews=rows) for day, rows in by_day.items()]


@dataclass(frozen=True)
class Awaited:
    request: FeedbackRequest
    time_left: timedelta  # negative: past the deadline, the sweep is about to act


def dashboard_feedback_awaited(
    *,
    recruiter: Recruiter | None,
    now: datetime,
    limit: int = DASHBOARD_LIMIT,
    load_story: bool = True,
) -> tuple[list[Awaited], int]:
    """Asked and not answered yet, soonest deadline first; and how many there are."""
    # Served by feedback_request_pending_idx (WHERE status = 'pending' ORDER BY due_at, id),
    # a desk's by feedback_request_desk_pend_idx (the same, after desk_id = …).
    pending = FeedbackRequest.objects.filter(status=FeedbackRequest.Status.PENDING).filter(
        _request_desk(recruiter)
    )
    rows = list(pending.order_by("due_at", "pk")[:limit])
    if load_story:
        _load_stories(requests=rows)
    return [Awaited(request=r, time_left=r.due_at - now) for r in rows], pending.count()


# --- the call list: one rule, two spellings ----------------------------------------------
#
# An application in process is on the recruiter's call list when its interest is possibly
# waned, its candidate's latest current answer asks for a call, or the two sides disagree
# (a debrief). It has waited since the earliest of those; the list is longest waiting
# first, then by id; a call is logged against the candidate's latest awaited request,
# else the latest one asked.
#
# The rule is spelt twice, side by side here: in SQL by applications_to_call (one query;
# the admin's "on the call list" filter), in Python by _call_item and _request_to_log_against
# (the dashboard's call list, over the few applications _call_list_candidates reads). A
# change to one is a change to the other: test_dashboard's
# test_the_dashboards_call_list_and_the_admins_filter_apply_the_same_rule holds them equal.

# A candidate request never asked (or cancelled before): no call is logged against it.
_NEVER_ASKED = (FeedbackRequest.Status.CANCELLED, FeedbackRequest.Status.SCHEDULED)


@dataclass(frozen=True)
class CallReason:
    label: str
    since: datetime
    detail: str = ""


@dataclass(frozen=True)
class CallItem:
    application: Application
    reasons: list[CallReason]
    waited: timedelta
    # The candidate request a call is logged against (its latest open, else latest asked).
    request_id: int | None


def applications_to_call(*, recruiter: Recruiter | None = None) -> QuerySet[Application]:
    """The call list in SQL: applications in process whose candidate the recruiter should
    call, longest waiting first. Annotated with why (call_asked, call_time), since when
    (waiting_since) and the request a call is logged against (call_request_id)."""
    candidate_answers = Feedback.objects.filter(request__party=Party.CANDIDATE, is_current=True)
    latest = candidate_answers.filter(request__interview__application=OuterRef("pk")).order_by(
        "-submitted_at", "-pk"
    )
    to_log = (
        FeedbackRequest.objects.filter(interview__application=OuterRef("pk"), party=Party.CANDIDATE)
        .exclude(status__in=_NEVER_ASKED)
        .annotate(
            open=Case(
                When(status__in=AWAITED_STATUSES, then=0),
                default=1,
                output_field=IntegerField(),
            )
        )
        .order_by("open", "-interview__ends_at", "-pk")
    )
    waned = Q(interest_status=Application.InterestStatus.POSSIBLY_WANED)
    debrief = Q(debrief_needed_at__isnull=False)
    return (
        Application.objects.exclude(stage__in=CLOSED_STAGES)
        .filter(_desk(recruiter, "candidate_owner"))
        # Cheap, indexed candidates first; the subqueries below then decide.
        .filter(
            waned
            | debrief
            | Q(
                pk__in=candidate_answers.filter(wants_call=True).values(
                    "request__interview__application"
                )
            )
        )
        .annotate(
            call_asked=Subquery(latest.values("wants_call")[:1]),
            call_asked_at=Subquery(latest.values("submitted_at")[:1]),
            call_time=Subquery(latest.values("preferred_call_time")[:1]),
            call_request_id=Subquery(to_log.values("pk")[:1]),
        )
        .filter(waned | debrief | Q(call_asked=True))
        .annotate(
            waiting_since=Least(
                Case(
                    When(waned, then=Coalesce("interest_updated_at", "created_at")), default=_NEVER
                ),
                Case(When(call_asked=True, then=F("call_asked_at")), default=_NEVER),
                Coalesce("debrief_needed_at", _NEVER),
            )
        )
        .order_by("waiting_since", "pk")
    )


def _call_item(
    application: Application,
    *,
    latest_answer: tuple[bool, datetime | None, str],
    request_id: int | None,
    now: datetime,
) -> CallItem | None:
    """The call list in Python, for one application in process: its item, given its
    candidate's latest current answer (wants_call, submitted_at, preferred_call_time) and
    the request a call is logged against; None when it is not on the list."""
    reasons = []
    if application.interest_status == Application.InterestStatus.POSSIBLY_WANED:
        reasons.append(
            CallReason(
                label="Possibly waned",
                since=application.interest_updated_at or application.created_at,
                detail="no answer by the deadline",
            )
        )
    wants_call, asked_at, call_time = latest_answer
    if wants_call:
        reasons.append(CallReason(label="Asked for a call", since=asked_at, detail=call_time))
    if application.debrief_needed_at:
        reasons.append(
            CallReason(
                label="Debrief",
                since=application.debrief_needed_at,
                detail=application.debrief_reason,
            )
        )
    if not reasons:
        return None
    return CallItem(
        application=application,
        reasons=reasons,
        waited=max(now - min(reason.since for reason in reasons), timedelta(0)),
        request_id=request_id,
    )


def _request_to_log_against(requests: list[tuple[int, str]]) -> int | None:
    """Of an application's candidate requests asked ((id, status), latest interview
    first), the one a call is logged against: the latest awaited, else the latest."""
    awaited = [pk for pk, status in requests if status in AWAITED_STATUSES]
    return (awaited or [pk for pk, _ in requests] or [None])[0]


def _call_list_candidates(*, recruiter: Recruiter | None, limit: int) -> set[int]:
    """The applications that can be among the call list's first `limit`: the `limit`
    longest waiting of each reason (possibly waned, debrief), and those whose candidate
    asked for a call (few: a logged call answers them).

    An application waits since its earliest reason, so one of the first `limit` of the
    whole list is among the first `limit` of that reason. Ranking every possibly waned
    application in process instead (their latest answers, via three joins each) grows
    with all of them; each reason here is one index range (application_waned_since_idx,
    application_debrief_idx, feedback_wants_call_idx)."""
    in_process = Application.objects.exclude(stage__in=CLOSED_STAGES).filter(
        _desk(recruiter, "candidate_owner")
    )
    waned = (
        in_process.filter(interest_status=Application.InterestStatus.POSSIBLY_WANED)
        .order_by(Coalesce("interest_updated_at", "created_at"), "pk")
        .values_list("pk", flat=True)[:limit]
    )
    debrief = (
        in_process.filter(debrief_needed_at__isnull=False)
        .order_by("debrief_needed_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    asked = in_process.filter(
        pk__in=Feedback.objects.filter(
            request__party=Party.CANDIDATE, is_current=True, wants_call=True
        ).values("request__interview__application")
    ).values_list("pk", flat=True)
    return {*waned, *debrief, *asked}


def dashboard_call_list(
    *,
    recruiter: Recruiter | None,
    now: datetime,
    limit: int = DASHBOARD_LIMIT,
    load_story: bool = True,
) -> list[CallItem]:
    """The call list (see "the call list" above), with each application's reasons and how
    long it has waited.

    For the few applications that can be on it (_call_list_candidates) the rule is applied
    in Python (_call_item), from three plain reads: the applications, their candidates'
    current answers and their candidate requests. applications_to_call's one query with
    four correlated subqueries costs more to build and to plan than these reads take to
    run (docs/benchmarks.md); the admin's filter still uses it."""
    candidates = _call_list_candidates(recruiter=recruiter, limit=limit)
    applications = Application.objects.in_bulk(candidates)
    latest_answer = {}
    for application_id, *answer in (
        Feedback.objects.filter(
            request__party=Party.CANDIDATE,
            is_current=True,
            request__interview__application__in=candidates,
        )
        .order_by("-submitted_at", "-pk")
        .values_list(
            "request__interview__application", "wants_call", "submitted_at", "preferred_call_time"
        )
    ):
        latest_answer.setdefault(application_id, tuple(answer))
    asked: dict[int, list[tuple[int, str]]] = {}
    for application_id, request_id, status in (
        FeedbackRequest.objects.filter(party=Party.CANDIDATE, interview__application__in=candidates)
        .exclude(status__in=_NEVER_ASKED)
        .order_by("-interview__ends_at", "-pk")
        .values_list("interview__application", "pk", "status")
    ):
        asked.setdefault(application_id, []).append((request_id, status))

    items = []
    for application in applications.values():
        item = _call_item(
            application,
            latest_answer=latest_answer.get(application.pk, (False, None, "")),
            request_id=_request_to_log_against(asked.get(application.pk, [])),
            now=now,
        )
        if item is not None:
            waiting_since = min(reason.since for reason in item.reasons)
            items.append((waiting_since, application.pk, item))
    # Longest waiting first, then by id: applications_to_call's order.
    items = [item for *_, item in sorted(items, key=lambda row: row[:2])[:limit]]
    if load_story:
        _load_stories(applications=[item.application for item in items])
    return items


@dataclass(frozen=True)
class ClientOverdue:
    client: Client
    requests: list[FeedbackRequest]


def _client_overdue_rows(
    *, recruiter: Recruiter | None, now: datetime, limit: int
) -> list[FeedbackRequest]:
    return list(
        FeedbackRequest.objects.filter(party=Party.CLIENT)
        .filter(
            Q(status=FeedbackRequest.Status.OVERDUE)
            | Q(status=FeedbackRequest.Status.PENDING, due_at__lt=now)
        )
        .filter(_request_desk(recruiter))
        .order_by("due_at", "pk")[:limit]
    )


def dashboard_client_feedback_overdue(
    *, recruiter: Recruiter | None, now: datetime, limit: int = DASHBOARD_LIMIT
) -> list[ClientOverdue]:
    """Client feedback past its deadline, per client, the longest overdue client first."""
    rows = _client_overdue_rows(recruiter=recruiter, now=now, limit=limit)
    _load_stories(requests=rows)
    return _by_client(rows)


def _by_client(rows: list[FeedbackRequest]) -> list[ClientOverdue]:
    by_client: dict[int, ClientOverdue] = {}
    for request in rows:
        client = request.interview.application.position.client
        by_client.setdefault(client.pk, ClientOverdue(client=client, requests=[]))
        by_client[client.pk].requests.append(request)
    return list(by_client.values())


def client_feedback_overdue_counts(*, client_ids, since: datetime, now: datetime) -> dict[int, int]:
    """How many client requests of each client went past their deadline between `since`
    and `now` (marked overdue). One grouped query over the window, read from
    feedback_request_client_idx alone (it carries each request's position): counting
    every overdue request ever, per client, joins through interview, application and
    position for each of them, and grows with every request there ever was."""
    rows = (
        FeedbackRequest.objects.filter(
            party=Party.CLIENT,
            status=FeedbackRequest.Status.OVERDUE,
            due_at__gte=since,
            due_at__lte=now,
            position__client_id__in=client_ids,
        )
        .values_list("position__client_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def dashboard_latest_answers(
    *, recruiter: Recruiter | None, limit: int = DASHBOARD_LIMIT // 2, load_story: bool = True
) -> list[Feedback]:
    """The newest answers (amendments included), with interest, lateness and channel."""
    answers = list(
        Feedback.objects.filter(_request_desk(recruiter, prefix="request__"))
        .select_related("request", "entered_by")
        .order_by("-submitted_at", "-pk")[:limit]
    )
    if load_story:
        _load_stories(requests=[answer.request for answer in answers])
    return answers


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


@dataclass(frozen=True)
class Dashboard:
    recruiter: Recruiter | None  # whose desk; None: everyone's
    own: Recruiter | None  # the signed-in user's profile, if they are a recruiter
    time_zone: str
    now: datetime
    interview_days: list[InterviewDay]
    interviews_more: bool  # more than shown: the page links to the interview list
    awaited: list[Awaited]
    awaited_total: int
    call_list: list[CallItem]
    client_overdue: list[ClientOverdue]
    client_overdue_more: bool  # more than shown: the page links to the whole list
    latest_answers: list[Feedback]
    charts: Charts  # from the cache (dashboard_charts)


def dashboard_get(*, user, everyone: bool = False, now: datetime | None = None) -> Dashboard:
    """The signed-in recruiter's day (or everyone's), in the recruiter's time zone. A staff
    user who is not a recruiter sees everyone's, in the site's time zone."""
    now = now or timezone.now()
    own = recruiter_for_user(user=user)
    recruiter = None if everyone else own
    time_zone = own.time_zone if own else settings.TIME_ZONE
    # A screenful, like the other sections; one more than shown tells whether to link to
    # the interview list for the rest (everyone's three days can run to hundreds).
    interview_days = dashboard_interviews(
        recruiter=recruiter,
        time_zone=time_zone,
        now=now,
        limit=DASHBOARD_LIMIT + 1,
        load_story=False,
    )
    interviews_more = sum(len(day.interviews) for day in interview_days) > DASHBOARD_LIMIT
    if interviews_more:
        next(day for day in reversed(interview_days) if day.interviews).interviews.pop()
    awaited, awaited_total = dashboard_feedback_awaited(
        recruiter=recruiter, now=now, load_story=False
    )
    call_list = dashboard_call_list(recruiter=recruiter, now=now, load_story=False)
    # One row more than shown tells whether to link to the rest (a count of everyone's
    # overdue client feedback would read tens of thousands of rows).
    client_overdue = _client_overdue_rows(recruiter=recruiter, now=now, limit=DASHBOARD_LIMIT + 1)
    client_overdue_more = len(client_overdue) > DASHBOARD_LIMIT
    client_overdue = client_overdue[:DASHBOARD_LIMIT]
    latest_answers = dashboard_latest_answers(recruiter=recruiter, load_story=False)
    charts = dashboard_charts(recruiter=recruiter, now=now)
    _load_stories(
        requests=[
            *(row.request for row in awaited),
            *client_overdue,
            *(answer.request for answer in latest_answers),
        ],
        interviews=[interview for day in interview_days for interview in day.interviews],
        applications=[item.application for item in call_list],
    )
    return Dashboard(
        recruiter=recruiter,
        own=own,
        time_zone=time_zone,
        now=now,
        interview_days=interview_days,
        interviews_more=interviews_more,
        awaited=awaited,
        awaited_total=awaited_total,
        call_list=call_list,
        client_overdue=_by_client(client_overdue),
        client_overdue_more=client_overdue_more,
        latest_answers=latest_answers,
        charts=charts,
    )


# --- an application's whole story -------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    event: TimelineEvent
    who: str  # the acting user, the party who answered, or "System"


@dataclass(frozen=True)
class RequestStory:
    request: FeedbackRequest
    answers: list[Feedback]  # newest first; the first is the current one, if any


@dataclass(frozen=True)
class InterviewStory:
    interview: Interview
    requests: list[RequestStory]  # candidate first, then client


@dataclass(frozen=True)
class ApplicationStory:
    interviews: list[InterviewStory]
    timeline: list[TimelineEntry]  # newest first


def _who(event: TimelineEvent) -> str:
    if event.actor is not None:
        return event.actor.get_full_name() or event.actor.get_username()
    if event.request is not None and event.kind in (
        TimelineEvent.Kind.FEEDBACK_RECEIVED,
        TimelineEvent.Kind.FEEDBACK_AMENDED,
    ):
        return event.request.get_party_display()
    return "System"


def application_story(*, application: Application, timeline_limit: int = 200) -> ApplicationStory:
    """Interviews with both parties' requests and every answer (amendments kept), and the
    timeline of who did what when: four queries, whatever the history."""
    answers = Feedback.objects.select_related("entered_by").order_by("-submitted_at", "-pk")
    interviews = application.interviews.order_by("starts_at", "pk").prefetch_related(
        Prefetch(
            "feedback_requests",
            queryset=FeedbackRequest.objects.order_by("party").prefetch_related(
                Prefetch("answers", queryset=answers)
            ),
        )
    )
    events = application.timeline.select_related("actor", "request").order_by("-created_at", "-id")[
        :timeline_limit
    ]
    return ApplicationStory(
        interviews=[
            InterviewStory(
                interview=interview,
                requests=[
                    RequestStory(request=request, answers=list(request.answers.all()))
                    for request in interview.feedback_requests.all()
                ],
            )
            for interview in interviews
        ],
        timeline=[TimelineEntry(event=event, who=_who(event)) for event in events],
    )
