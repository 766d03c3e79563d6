"""The client's positions, their candidates and interviews: each position's pipeline, and
a position's page of candidates with what the client may see of each interview."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from candidates.models import IN_PROCESS, NOT_HELD, Application, ClientContact, Interview, Position
from feedback.models import Feedback, FeedbackRequest, Party
from feedback.sharing import SharedPart, feedback_shared_parts

# The pipeline chart's rows, in the order a candidate moves through them.
PIPELINE_STAGES = list(Application.Stage)


PAGE_SIZE = 25


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

    @property
    def height_step(self) -> int:
        """The bar's height in steps of 5 %, a class of the stylesheet (the strict CSP
        allows no style attribute)."""
        return 5 * round(self.percent / 5)


@dataclass
class PositionSummary:
    position: Position
    applications: list[Application] = field(default_factory=list)
    pipeline: list[PipelineBar] = field(default_factory=list)
    # The position page's page of candidates (None on the home page).
    page: Page | None = None

    @property
    def pipeline_text(self) -> str:
        return ", ".join(f"{bar.count} {bar.label.lower()}" for bar in self.pipeline)

    @property
    def in_process(self) -> int:
        return sum(bar.count for bar in self.pipeline if bar.stage in IN_PROCESS)

    @property
    def more_in_process(self) -> int:
        """Candidates in process that the home page does not show (it shows a few)."""
        return max(self.in_process - len(self.applications), 0)


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


def _applications(*, contact: ClientContact, position_ids, stages=None) -> QuerySet[Application]:
    """The client's applications for these positions (the caller bounds the rows)."""
    qs = Application.objects.filter(
        position__client_id=contact.client_id, position_id__in=position_ids
    )
    if stages is not None:
        qs = qs.filter(stage__in=stages)
    return qs


def _with_story(qs: QuerySet[Application]) -> QuerySet[Application]:
    """By candidate name, with their interviews, requests and current answers."""
    current = Feedback.objects.filter(is_current=True)
    requests = FeedbackRequest.objects.prefetch_related(
        Prefetch("answers", queryset=current, to_attr="current_answers")
    )
    interviews = Interview.objects.order_by("starts_at", "pk").prefetch_related(
        Prefetch("feedback_requests", queryset=requests)
    )
    return (
        qs.select_related("candidate", "position")
        .prefetch_related(Prefetch("interviews", queryset=interviews))
        .order_by("candidate__last_name", "candidate__first_name", "pk")
    )


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
    *, contact: ClientContact, positions: list[Position], applications, now: datetime
) -> list[PositionSummary]:
    summaries = {p.pk: PositionSummary(position=p) for p in positions}
    for application in applications:
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


def client_position_detail(
    *, contact: ClientContact, position_id: int, page: str | int = 1, now: datetime | None = None
) -> PositionSummary | None:
    """One of the client's positions with its candidates, whatever the stage, PAGE_SIZE a
    page by name."""
    position = client_positions(contact=contact).filter(pk=position_id).first()
    if position is None:
        return None
    pipeline = position_pipelines(positions=[position])[position.pk]
    # The pipeline already counts every application of the position: the paginator pages
    # over that number instead of counting again.
    this_page = Paginator(range(sum(bar.count for bar in pipeline)), PAGE_SIZE).get_page(page)
    offset = (this_page.number - 1) * PAGE_SIZE
    applications = _with_story(_applications(contact=contact, position_ids=[position.pk]))[
        offset : offset + PAGE_SIZE
    ]
    summary = PositionSummary(position=position, pipeline=pipeline, page=this_page)
    now = now or timezone.now()
    for application in applications:
        application.interview_rows = _interview_rows(application, contact=contact, now=now)
        summary.applications.append(application)
    return summary
