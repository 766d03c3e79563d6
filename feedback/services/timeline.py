"""The application's timeline: one event for each thing that happened, and who did it;
the events an endpoint subscribed to go out as webhooks from here."""

from datetime import datetime

from django.utils import timezone

from candidates.models import Application, Candidate
from core.bulk import insert_one

from ..models import FeedbackRequest, TimelineEvent
from .webhooks import webhooks_queue_for_event


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
    # A statement written once per process (core.bulk.insert_one): nearly every write of
    # the loop records an event.
    event = insert_one(
        TimelineEvent(
            application=application,
            candidate=candidate,
            request=request,
            kind=kind,
            summary=summary[:300],
            actor=actor,
            data=data or {},
            created_at=now or timezone.now(),
        )
    )
    # An outgoing webhook is this event told to another system, in this transaction.
    webhooks_queue_for_event(event=event)
    return event


def timeline_record_candidate_saved(
    *, candidate: Candidate, changed: list[str] | None, actor, now: datetime | None = None
) -> TimelineEvent | None:
    """A candidate's record added (`changed` None) or changed by `actor`, on the person's
    timeline. The summary names the fields, never their values: a timeline is read by
    every recruiter, and the values are personal data."""
    if changed is not None and not changed:
        return None
    if changed is None:
        kind, summary = TimelineEvent.Kind.CANDIDATE_ADDED, "Candidate added"
    else:
        fields = ", ".join(sorted(changed))
        kind, summary = TimelineEvent.Kind.CANDIDATE_CHANGED, f"Candidate changed: {fields}"
    return timeline_record(
        candidate=candidate,
        kind=kind,
        summary=summary,
        actor=actor,
        data={"fields": sorted(changed or [])},
        now=now,
    )
