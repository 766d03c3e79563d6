"""The application's timeline: one event for each thing that happened, and who did it."""

from datetime import datetime

from django.utils import timezone

from candidates.models import Application, Candidate

from ..models import FeedbackRequest, TimelineEvent


def timeline_record(
    *,
    application: Application | None = None,
    candidate: Candidate | None = None,
    kind: str,
    summary: str,
    request: FeedbackRequest | None = None,
    actor=None,
    data: dict | None = None,
    now: datetime | None = None,
) -> TimelineEvent:
    """One event of an application, or of a person (`candidate`, no application)."""
    return TimelineEvent.objects.create(
        application=application,
        candidate=candidate,
        request=request,
        kind=kind,
        summary=summary[:300],
        actor=actor,
        data=data or {},
        created_at=now or timezone.now(),
    )
