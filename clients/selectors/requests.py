"""The contact's own feedback requests: what is awaiting an answer, what was answered,
and one request with its answers."""

from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from candidates.models import NOT_HELD, ClientContact, Interview
from core.paginators import ListPage, list_page
from feedback.models import Feedback, FeedbackRequest, Party
from feedback.rules import AWAITED_STATUSES, OPEN_STATUSES

from .positions import PAGE_SIZE
from .responsiveness import RESPONSIVENESS_WINDOW

# The furthest page a list goes to (250k requests at 25 a page, more than any client has):
# a page number from the address is brought within it.
MAX_PAGE = 10_000


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
