"""The API's reads: each list, narrowed to what changed since a moment when asked."""

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from candidates.models import Application, Candidate, Client, ClientContact, Interview, Position
from feedback.models import Feedback, FeedbackRequest, TimelineEvent


def _since(queryset: QuerySet, field: str, since: datetime | None) -> QuerySet:
    return queryset if since is None else queryset.filter(**{f"{field}__gte": since})


def client_list(*, updated_since: datetime | None = None) -> QuerySet[Client]:
    return _since(Client.objects.all(), "updated_at", updated_since)


def contact_list(*, updated_since: datetime | None = None) -> QuerySet[ClientContact]:
    return _since(ClientContact.objects.all(), "updated_at", updated_since)


def position_list(*, updated_since: datetime | None = None) -> QuerySet[Position]:
    return _since(Position.objects.all(), "updated_at", updated_since)


def candidate_list(*, updated_since: datetime | None = None) -> QuerySet[Candidate]:
    return _since(Candidate.objects.all(), "updated_at", updated_since)


def application_list(*, updated_since: datetime | None = None) -> QuerySet[Application]:
    return _since(Application.objects.all(), "updated_at", updated_since)


def interview_list(*, updated_since: datetime | None = None) -> QuerySet[Interview]:
    return _since(Interview.objects.all(), "updated_at", updated_since)


def feedback_request_list(*, updated_since: datetime | None = None) -> QuerySet[FeedbackRequest]:
    """Requests, or those with something on the timeline since `updated_since`: every
    change of a request's status is recorded there (the sweep's steps update requests
    set-based, so a column of their own would cost the hot path a write)."""
    requests = FeedbackRequest.objects.all()
    if updated_since is None:
        return requests
    changed = TimelineEvent.objects.filter(request=OuterRef("pk"), created_at__gte=updated_since)
    return requests.filter(Q(created_at__gte=updated_since) | Q(Exists(changed)))


def answer_list(*, updated_since: datetime | None = None) -> QuerySet[Feedback]:
    """Answers (an amendment is a new answer), submitted since `updated_since`."""
    return _since(Feedback.objects.select_related("request"), "submitted_at", updated_since)


def timeline_list(
    *, updated_since: datetime | None = None, application_id: int | None = None
) -> QuerySet[TimelineEvent]:
    events = TimelineEvent.objects.select_related("actor")
    if application_id is not None:
        events = events.filter(application_id=application_id)
    return _since(events, "created_at", updated_since)
