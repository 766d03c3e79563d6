"""The recruiter's call list: one rule, two spellings.

An application in process is on the recruiter's call list when its interest is possibly
waned, its candidate's latest current answer asks for a call, or the two sides disagree
(a debrief). It has waited since the earliest of those; the list is longest waiting
first, then by id; a call is logged against the candidate's latest awaited request,
else the latest one asked.

The rule is spelt twice, side by side here: in SQL by applications_to_call (one query;
the admin's "on the call list" filter), in Python by _call_item and _request_to_log_against
(the dashboard's call list, over the few applications _call_list_candidates reads). A
change to one is a change to the other: test_dashboard's
test_the_dashboards_call_list_and_the_admins_filter_apply_the_same_rule holds them equal.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import (
    Case,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least

from candidates.models import CLOSED_STAGES, Application, Recruiter

from ..models import Feedback, FeedbackRequest, Party
from ..rules import AWAITED_STATUSES
from .desk import DASHBOARD_LIMIT, _desk, _load_stories

# Sorts after any real moment where a "waiting since" is missing (Least() on SQLite is
# NULL as soon as one argument is).
_NEVER = Value(datetime(9999, 12, 31, tzinfo=UTC), output_field=DateTimeField())


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
