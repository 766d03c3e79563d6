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

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    Exists,
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
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber
from django.utils import timezone

from candidates.models import (
    IN_PROCESS,
    NOT_HELD,
    Application,
    Client,
    ClientContact,
    Interview,
    Position,
)
from core import caching
from core.caching import get_many_or_compute, get_or_compute
from core.formatting import duration_text
from core.paginators import ListPage, list_page
from feedback.models import Feedback, FeedbackRequest, Party
from feedback.rules import AWAITED_STATUSES, OPEN_STATUSES
from feedback.sharing import SharedPart, feedback_shared_parts

# The pipeline chart's rows, in the order a candidate moves through them.
PIPELINE_STAGES = list(Application.Stage)
RESPONSIVENESS_WINDOW = timedelta(days=90)
# The home page shows a bounded part of each list (a big client has thousands of candidates
# in process); the position page and "Your feedback" page through the rest. Five per
# position: the home is an overview (the furthest along, then the newest), and each one
# shown costs its interviews' dates and links to render, the most of the page's time.
HOME_CANDIDATES_PER_POSITION = 5
HOME_AWAITING = 10
PAGE_SIZE = 25
# The furthest page a list goes to (250k requests at 25 a page, more than any client has):
# a page number from the address is brought within it.
MAX_PAGE = 10_000
# Which candidates in process the home page shows first: the furthest along, then the
# most recently submitted.
STAGE_RANK = Case(
    When(stage=Application.Stage.OFFER, then=Value(0)),
    When(stage=Application.Stage.INTERVIEWING, then=Value(1)),
    default=Value(2),
)


def clients_in_process_counts(*, client_ids: list[int]) -> dict[int, int]:
    """How many applications each client has in process, for a page of clients: one
    query, a count per position of theirs (summed here). Each count is one range of
    application_stage_idx read from the index alone; grouping all their applications by
    client instead joined and hashed every one (docs/benchmarks.md)."""
    in_process = (
        Application.objects.filter(position=OuterRef("pk"), stage__in=IN_PROCESS)
        .order_by()
        .values("position")
        .annotate(n=Count("*"))
        .values("n")
    )
    rows = (
        Position.objects.filter(client_id__in=client_ids)
        .annotate(n=Coalesce(Subquery(in_process, output_field=IntegerField()), 0))
        .values_list("client_id", "n")
        .order_by()
    )
    counts: dict[int, int] = {}
    for client_id, n in rows:
        counts[client_id] = counts.get(client_id, 0) + n
    return counts


# Per-client figures of the client list and the client home, kept a minute in the cache
# (core.caching) under these prefixes.
CLIENT_FIGURES_CACHE_SECONDS = 60
IN_PROCESS_CACHE = "clients-in-process"
RESPONSIVENESS_CACHE = "client-responsiveness"


def clients_in_process_counts_recent(*, client_ids: list[int]) -> dict[int, int]:
    """clients_in_process_counts for the client list, each client's count computed at
    most once a minute: a page of clients counts every application in process of each,
    and the list is an overview."""
    return get_many_or_compute(
        IN_PROCESS_CACHE,
        client_ids,
        CLIENT_FIGURES_CACHE_SECONDS,
        lambda ids: clients_in_process_counts(client_ids=ids),
        default=0,
    )


def contact_for_user(*, user) -> ClientContact | None:
    return ClientContact.objects.select_related("client").filter(user=user).first()


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


def _first_per_position(qs: QuerySet[Application], *, n: int) -> QuerySet[Application]:
    """The ids of at most `n` applications of each position in `qs`: the furthest along,
    then the newest. A window over the client's applications in process (a few thousand
    at most) that reads only application_position_ids_idx (position, stage, with id and
    created_at); the caller then reads the rows it keeps by id. Ranking the rows
    themselves read each one and its candidate first, for all of the client's
    applications in process."""
    return (
        qs.order_by()
        .annotate(
            rank_in_position=Window(
                RowNumber(),
                partition_by=[F("position_id")],
                order_by=[STAGE_RANK.asc(), F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank_in_position__lte=n)
        .values("pk")
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


@dataclass
class ClientOverview:
    open_positions: list[PositionSummary]
    other_positions: list[Position]


def client_overview(*, contact: ClientContact, now: datetime | None = None) -> ClientOverview:
    """The home page: open positions with their pipeline and the first
    HOME_CANDIDATES_PER_POSITION candidates in process (the position page has the rest);
    the client's other positions by name."""
    now = now or timezone.now()
    positions = list(client_positions(contact=contact))
    open_positions = [p for p in positions if p.status == Position.Status.OPEN]
    first = _first_per_position(
        _applications(
            contact=contact, position_ids=[p.pk for p in open_positions], stages=IN_PROCESS
        ),
        n=HOME_CANDIDATES_PER_POSITION,
    )
    applications = _with_story(Application.objects.filter(pk__in=first))
    return ClientOverview(
        open_positions=_summaries(
            contact=contact, positions=open_positions, applications=applications, now=now
        ),
        other_positions=[p for p in positions if p.status != Position.Status.OPEN],
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


# --- the contact's own feedback requests -------------------------------------------------


# What a client request's row shows with it.
REQUEST_ROW = (
    "interview__application__candidate",
    "interview__application__position__recruiter__user",
)


def _taken_place(now: datetime, prefix: str = "") -> Q:
    """Interviews that have taken place: past their end, or marked completed before it
    (whose requests are asked at once)."""
    return Q(**{f"{prefix}ends_at__lte": now}) | Q(
        **{f"{prefix}status": Interview.Status.COMPLETED}
    )


def _contact_scope(contact: ClientContact) -> Q:
    """The contact's own client requests, by the position kept on each request (through
    the client's applications and interviews it was thousands of index probes for a big
    client)."""
    return Q(
        party=Party.CLIENT,
        position__client_id=contact.client_id,
        position__hiring_contact=contact,
    )


def _contact_requests(*, contact: ClientContact, now: datetime) -> QuerySet[FeedbackRequest]:
    """The contact's own client requests for interviews that have taken place."""
    return (
        FeedbackRequest.objects.filter(_contact_scope(contact), _taken_place(now, "interview__"))
        .exclude(status=FeedbackRequest.Status.CANCELLED)
        .exclude(interview__status__in=NOT_HELD)
        .select_related(*REQUEST_ROW)
    )


def _awaiting(*, contact: ClientContact, now: datetime) -> QuerySet[FeedbackRequest]:
    """The contact's open requests for interviews that have taken place, soonest deadline
    first: read from feedback_request_pos_open_idx. An asked request (pending, overdue)
    is for an interview that has taken place and was held (the ask comes after the end
    or the early completion; a cancelled interview or a no-show cancels its requests, a
    rescheduled one plans them again), so only one not asked yet needs its interview
    looked at. Probing every open request's interview made a big client's home page
    read one interview per open request."""
    held_and_ended = Exists(
        Interview.objects.filter(_taken_place(now), pk=OuterRef("interview_id")).exclude(
            status__in=NOT_HELD
        )
    )
    Status = FeedbackRequest.Status
    return FeedbackRequest.objects.filter(
        Q(status__in=AWAITED_STATUSES) | Q(Q(status=Status.SCHEDULED) & held_and_ended),
        _contact_scope(contact),
        # Implied by the status condition; spelt out so that the planner uses the partial
        # index.
        status__in=OPEN_STATUSES,
    ).order_by("due_at", "pk")


def _list_page(
    qs: QuerySet[FeedbackRequest], *, page: str | int, size: int = PAGE_SIZE, prefetch=()
) -> ListPage:
    """A page of `qs`'s requests, each with what its row shows (and `prefetch`), without
    counting them: a big client's "Your feedback" list costs about as much to count as to
    show (docs/benchmarks.md, "Machinery weighed")."""
    return list_page(
        qs, page=page, size=size, max_page=MAX_PAGE, select_related=REQUEST_ROW, prefetch=prefetch
    )


def contact_requests_awaiting(
    *,
    contact: ClientContact,
    now: datetime | None = None,
    page: str | int = 1,
    size: int = PAGE_SIZE,
) -> ListPage:
    """What the contact still has to answer, soonest deadline first, a page at a time (the
    home page shows the first HOME_AWAITING)."""
    return _list_page(_awaiting(contact=contact, now=now or timezone.now()), page=page, size=size)


def contact_requests_answered(
    *, contact: ClientContact, now: datetime | None = None, page: str | int = 1
) -> ListPage:
    """What the contact answered in the last 90 days, newest first, with the answer, a page
    at a time."""
    now = now or timezone.now()
    current = Feedback.objects.filter(is_current=True)
    answered = (
        _contact_requests(contact=contact, now=now)
        .filter(
            status=FeedbackRequest.Status.RECEIVED,
            received_at__gte=now - RESPONSIVENESS_WINDOW,
        )
        .order_by("-received_at", "-pk")
    )
    return _list_page(
        answered,
        page=page,
        prefetch=[Prefetch("answers", queryset=current, to_attr="current_answers")],
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


# --- responsiveness: one rule, two spellings ----------------------------------------------
#
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
