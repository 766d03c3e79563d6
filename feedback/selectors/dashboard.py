"""The recruiter's dashboard: the day's interviews, feedback awaited, client feedback
overdue and the latest answers, and the whole page (dashboard_get), which adds the call
list (call_list) and the charts (charts). What the sections share is in desk."""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from candidates.models import Client, Interview, Recruiter

from ..models import Feedback, FeedbackRequest, Party
from ..rules import past_the_deadline
from .call_list import CallItem, dashboard_call_list
from .charts import Charts, dashboard_charts
from .desk import DASHBOARD_LIMIT, _desk, _load_stories, _request_desk

DASHBOARD_DAYS = 3  # today and the next two days


def recruiter_for_user(*, user) -> Recruiter | None:
    # The user's reverse one-to-one, cached on the user for the request (the time zone
    # middleware has usually read it already); None when the user is not a recruiter.
    return getattr(user, "recruiter", None)


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


@dataclass(frozen=True)
class ClientOverdue:
    client: Client
    requests: list[FeedbackRequest]


def _client_overdue_rows(
    *, recruiter: Recruiter | None, now: datetime, limit: int
) -> list[FeedbackRequest]:
    return list(
        FeedbackRequest.objects.filter(party=Party.CLIENT)
        .filter(past_the_deadline(now=now))
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
