"""Reads for the client pages.

Every function that serves a page takes the signed-in contact and filters by the
contact's client in the query itself (`position__client_id=contact.client_id`), so no
page can return another client's row, whatever id it is given. Of a candidate's answers
only the parts the recruiter shared (`Feedback.shared_with_client`) leave this module;
the application's own interest status (e.g. "possibly waned") never does.
"""

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from candidates.models import Application, Client, ClientContact, Interview, Position
from feedback.formatting import duration_text
from feedback.models import Feedback, FeedbackRequest, Party
from feedback.services import CLIENT_SHAREABLE_PARTS, interest_status_for

IN_PROCESS = (
    Application.Stage.SUBMITTED,
    Application.Stage.INTERVIEWING,
    Application.Stage.OFFER,
)
# The pipeline chart's rows, in the order a candidate moves through them.
PIPELINE_STAGES = list(Application.Stage)
OPEN_REQUEST = (
    FeedbackRequest.Status.SCHEDULED,
    FeedbackRequest.Status.PENDING,
    FeedbackRequest.Status.OVERDUE,
)
NOT_HELD = (Interview.Status.CANCELLED, Interview.Status.NO_SHOW)
RESPONSIVENESS_WINDOW = timedelta(days=90)

BAND_LABELS = {
    Application.InterestStatus.HIGH: "High",
    Application.InterestStatus.MODERATE: "Moderate",
    Application.InterestStatus.LOW: "Low",
    Application.InterestStatus.NOT_INTERESTED: "Not interested",
}
SHARED_LABELS = {
    "interest_band": "Interest",
    "interest_level": "Interest level",
    "still_interested": "Still interested",
    "went_well": "What went well",
    "concerns": "Concerns",
    "questions": "Questions and notes",
}


def contact_for_user(*, user) -> ClientContact | None:
    return ClientContact.objects.select_related("client").filter(user=user).first()


# --- what the recruiter shares of a candidate's answer -----------------------------------


@dataclass(frozen=True)
class SharedPart:
    key: str
    label: str
    value: str


def feedback_shared_parts(*, feedback: Feedback | None) -> list[SharedPart]:
    """The parts of a candidate's answer the client may see, in a fixed order."""
    if feedback is None:
        return []
    shared = set(feedback.shared_with_client or [])
    parts = []
    for key in CLIENT_SHAREABLE_PARTS:
        if key not in shared:
            continue
        if key == "interest_band":
            band = interest_status_for(
                level=feedback.interest_level, still_interested=feedback.still_interested
            )
            value = BAND_LABELS.get(band, "")
        elif key == "interest_level":
            value = f"{feedback.interest_level} / 10" if feedback.interest_level else ""
        elif key == "still_interested":
            value = feedback.get_still_interested_display() if feedback.still_interested else ""
        else:
            value = getattr(feedback, key) or ""
        if value:
            parts.append(SharedPart(key=key, label=SHARED_LABELS[key], value=value))
    return parts


# --- positions, candidates, interviews ---------------------------------------------------


@dataclass
class InterviewRow:
    interview: Interview
    state: str  # upcoming, held, cancelled, no_show
    candidate_shared: list[SharedPart]
    client_request: FeedbackRequest | None
    client_answer: Feedback | None
    # The signed-in contact's own request, open for an answer (or an amendment).
    answer_request: FeedbackRequest | None

    @property
    def client_overdue(self) -> bool:
        return (
            self.client_request is not None
            and self.client_request.status == FeedbackRequest.Status.OVERDUE
        )


@dataclass
class PipelineBar:
    stage: str
    label: str
    count: int
    percent: int


@dataclass
class PositionSummary:
    position: Position
    applications: list[Application] = field(default_factory=list)
    pipeline: list[PipelineBar] = field(default_factory=list)

    @property
    def pipeline_text(self) -> str:
        return ", ".join(f"{bar.count} {bar.label.lower()}" for bar in self.pipeline)


def _current(request: FeedbackRequest | None) -> Feedback | None:
    if request is None:
        return None
    answers = request.current_answers
    return answers[0] if answers else None


def _interview_rows(
    application: Application, *, contact: ClientContact, now: datetime
) -> list[InterviewRow]:
    rows = []
    for interview in application.interviews.all():
        requests = {r.party: r for r in interview.feedback_requests.all()}
        client_request = requests.get(Party.CLIENT)
        if interview.status in NOT_HELD:
            state = interview.status
        else:
            state = "upcoming" if interview.ends_at > now else "held"
        own = (
            client_request is not None
            and state == "held"
            and client_request.status != FeedbackRequest.Status.CANCELLED
            and application.position.hiring_contact_id == contact.pk
        )
        rows.append(
            InterviewRow(
                interview=interview,
                state=state,
                candidate_shared=feedback_shared_parts(
                    feedback=_current(requests.get(Party.CANDIDATE))
                ),
                client_request=client_request,
                client_answer=_current(client_request),
                answer_request=client_request if own else None,
            )
        )
    return rows


def _applications(*, contact: ClientContact, position_ids, stages=None) -> list[Application]:
    current = Feedback.objects.filter(is_current=True)
    requests = FeedbackRequest.objects.prefetch_related(
        Prefetch("answers", queryset=current, to_attr="current_answers")
    )
    interviews = Interview.objects.order_by("starts_at", "pk").prefetch_related(
        Prefetch("feedback_requests", queryset=requests)
    )
    qs = (
        Application.objects.filter(
            position__client_id=contact.client_id, position_id__in=position_ids
        )
        .select_related("candidate", "position")
        .prefetch_related(Prefetch("interviews", queryset=interviews))
        .order_by("candidate__last_name", "candidate__first_name", "pk")
    )
    if stages is not None:
        qs = qs.filter(stage__in=stages)
    return list(qs)


def position_pipelines(*, positions) -> dict[int, list[PipelineBar]]:
    """How many candidates each position has at each stage (for its small chart). The
    caller chooses the positions: the client pages pass only the contact's client's."""
    position_ids = [p.pk for p in positions]
    counts = {}
    rows = (
        Application.objects.filter(position_id__in=position_ids)
        .values_list("position_id", "stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for position_id, stage, n in rows:
        counts.setdefault(position_id, {})[stage] = n
    pipelines = {}
    for position_id in position_ids:
        by_stage = counts.get(position_id, {})
        top = max(by_stage.values(), default=0) or 1
        pipelines[position_id] = [
            PipelineBar(
                stage=stage.value,
                label=stage.label,
                count=by_stage.get(stage.value, 0),
                percent=round(100 * by_stage.get(stage.value, 0) / top),
            )
            for stage in PIPELINE_STAGES
        ]
    return pipelines


def _summaries(
    *, contact: ClientContact, positions: list[Position], stages, now: datetime
) -> list[PositionSummary]:
    ids = [p.pk for p in positions]
    summaries = {p.pk: PositionSummary(position=p) for p in positions}
    for application in _applications(contact=contact, position_ids=ids, stages=stages):
        application.interview_rows = _interview_rows(application, contact=contact, now=now)
        summaries[application.position_id].applications.append(application)
    for position_id, bars in position_pipelines(positions=positions).items():
        summaries[position_id].pipeline = bars
    return list(summaries.values())


def client_positions(*, contact: ClientContact) -> QuerySet[Position]:
    return (
        Position.objects.filter(client_id=contact.client_id)
        .select_related("recruiter__user", "hiring_contact")
        .order_by("title", "pk")
    )


@dataclass
class ClientOverview:
    open_positions: list[PositionSummary]
    other_positions: list[Position]


def client_overview(*, contact: ClientContact, now: datetime | None = None) -> ClientOverview:
    """The home page: open positions with their candidates in process and pipeline; the
    client's other positions by name."""
    now = now or timezone.now()
    positions = list(client_positions(contact=contact))
    open_positions = [p for p in positions if p.status == Position.Status.OPEN]
    return ClientOverview(
        open_positions=_summaries(
            contact=contact, positions=open_positions, stages=IN_PROCESS, now=now
        ),
        other_positions=[p for p in positions if p.status != Position.Status.OPEN],
    )


def client_position_detail(
    *, contact: ClientContact, position_id: int, now: datetime | None = None
) -> PositionSummary | None:
    """One of the client's positions with every candidate, whatever the stage."""
    position = client_positions(contact=contact).filter(pk=position_id).first()
    if position is None:
        return None
    [summary] = _summaries(
        contact=contact, positions=[position], stages=None, now=now or timezone.now()
    )
    return summary


# --- the contact's own feedback requests -------------------------------------------------


def _contact_requests(*, contact: ClientContact, now: datetime) -> QuerySet[FeedbackRequest]:
    """The contact's own client requests for interviews that have taken place."""
    return (
        FeedbackRequest.objects.filter(
            party=Party.CLIENT,
            interview__application__position__client_id=contact.client_id,
            interview__application__position__hiring_contact=contact,
            interview__ends_at__lte=now,
        )
        .exclude(status=FeedbackRequest.Status.CANCELLED)
        .exclude(interview__status__in=NOT_HELD)
        .select_related(
            "interview__application__candidate",
            "interview__application__position__recruiter__user",
        )
    )


def contact_requests_awaiting(
    *, contact: ClientContact, now: datetime | None = None
) -> list[FeedbackRequest]:
    """What the contact still has to answer, soonest deadline first."""
    now = now or timezone.now()
    return list(
        _contact_requests(contact=contact, now=now)
        .filter(status__in=OPEN_REQUEST)
        .order_by("due_at", "pk")
    )


def contact_requests_answered(
    *, contact: ClientContact, now: datetime | None = None
) -> list[FeedbackRequest]:
    """What the contact answered in the last 90 days, newest first, with the answer."""
    now = now or timezone.now()
    current = Feedback.objects.filter(is_current=True)
    return list(
        _contact_requests(contact=contact, now=now)
        .filter(
            status=FeedbackRequest.Status.RECEIVED,
            received_at__gte=now - RESPONSIVENESS_WINDOW,
        )
        .prefetch_related(Prefetch("answers", queryset=current, to_attr="current_answers"))
        .order_by("-received_at", "-pk")
    )


def contact_request_get(
    *, contact: ClientContact, request_id: int, now: datetime | None = None
) -> FeedbackRequest | None:
    """One of the contact's own requests that takes an answer, or None."""
    return (
        _contact_requests(contact=contact, now=now or timezone.now())
        .select_related("interview__application__position__client")
        .filter(pk=request_id)
        .first()
    )


def request_answers(*, request: FeedbackRequest) -> list[Feedback]:
    """Every answer to a request, the current one first (amendments are kept)."""
    return list(request.answers.order_by("-is_current", "-submitted_at", "-pk"))


# --- responsiveness ----------------------------------------------------------------------


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


def client_responsiveness(*, client: Client, now: datetime | None = None) -> Responsiveness:
    """Computed in Python from one bounded query (a client's last 90 days), so it reads
    the same on SQLite and PostgreSQL."""
    now = now or timezone.now()
    rows = (
        FeedbackRequest.objects.filter(
            party=Party.CLIENT,
            interview__application__position__client=client,
            interview__ends_at__gte=now - RESPONSIVENESS_WINDOW,
            interview__ends_at__lte=now,
        )
        .exclude(status=FeedbackRequest.Status.CANCELLED)
        .exclude(interview__status__in=NOT_HELD)
        .values_list("received_at", "asked_at", "interview__ends_at", "due_at")
    )
    waits, settled, on_time = [], 0, 0
    for received_at, asked_at, ended_at, due_at in rows:
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
