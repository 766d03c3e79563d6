"""The events an endpoint can subscribe to, which timeline event each one is, and what
its payload says. A webhook is a timeline event told to another system: the payload is
built from the event row when it is first sent, and kept with the outbox row, so every
retry carries the same body and the same `webhook-id`."""

import json

FEEDBACK_RECEIVED = "feedback.received"
INTEREST_POSSIBLY_WANED = "interest.possibly_waned"
INTEREST_RESTORED = "interest.restored"
CLIENT_FEEDBACK_RECEIVED = "client_feedback.received"
DEBRIEF_NEEDED = "debrief.needed"
MESSAGE_FAILED = "message.failed"
INTERVIEW_SCHEDULED = "interview.scheduled"
INTERVIEW_CANCELLED = "interview.cancelled"

EVENT_TYPES = (
    FEEDBACK_RECEIVED,
    CLIENT_FEEDBACK_RECEIVED,
    INTEREST_POSSIBLY_WANED,
    INTEREST_RESTORED,
    DEBRIEF_NEEDED,
    MESSAGE_FAILED,
    INTERVIEW_SCHEDULED,
    INTERVIEW_CANCELLED,
)

# Timeline kind -> event type (TimelineEvent.Kind values, spelt here to keep this module
# free of the models). An answer's event depends on whose answer it is.
_BY_KIND = {
    "marked_possibly_waned": INTEREST_POSSIBLY_WANED,
    "interest_restored": INTEREST_RESTORED,
    "debrief_needed": DEBRIEF_NEEDED,
    "message_failed": MESSAGE_FAILED,
    "interview_scheduled": INTERVIEW_SCHEDULED,
    "interview_cancelled": INTERVIEW_CANCELLED,
}


def event_type_for(*, kind: str, party: str | None) -> str | None:
    """The webhook event a timeline event is, or None when it is none."""
    if kind == "feedback_received":
        return CLIENT_FEEDBACK_RECEIVED if party == "client" else FEEDBACK_RECEIVED
    return _BY_KIND.get(kind)


def payload_text(*, event_type: str, event) -> str:
    """The JSON body (Standard Webhooks' recommended shape: type, timestamp, data) for a
    TimelineEvent `event`, with its application's candidate, position and client."""
    application = event.application
    request = event.request
    data = {
        "timeline_event_id": event.pk,
        "application_id": application.pk,
        "candidate_id": application.candidate_id,
        "position_id": application.position_id,
        "client_id": application.position.client_id,
        "feedback_request_id": event.request_id,
        "party": request.party if request is not None else None,
        "interest_level": application.interest_level,
        "interest_status": application.interest_status,
        "summary": event.summary,
        "details": event.data,
    }
    body = {"type": event_type, "timestamp": event.created_at.isoformat(), "data": data}
    return json.dumps(body, separators=(",", ":"), sort_keys=True, default=str)
