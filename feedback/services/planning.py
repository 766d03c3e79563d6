"""Planning feedback requests: both parties' asks, reminders and deadlines counted from the
interview's end by the reminder policy; re-planned when it moves, settled when it is off.
"""

from datetime import datetime

from django.db.models import F
from django.utils import timezone

from candidates.models import Interview

from .. import selectors
from ..models import FeedbackRequest, OutboundMessage, Party
from ..rules import OPEN_STATUSES
from .outbox import _cancel_queued_asks

Status = FeedbackRequest.Status


def _planned_times(*, party: str, ended_at: datetime) -> dict:
    ask, remind, deadline = selectors.policy_get().offsets_for(party)
    return {
        "ask_at": ended_at + ask,
        "remind_at": ended_at + remind if remind is not None else None,
        "due_at": ended_at + deadline,
    }


def feedback_requests_plan(
    *, interview: Interview, ended_at: datetime | None = None
) -> list[FeedbackRequest]:
    """Create or re-plan both parties' requests from the interview's end and the policy.

    A request already answered is left alone. Re-planning starts a new cycle: queued
    asks of the old cycle are cancelled and the new ones are new outbox rows.
    """
    ended_at = ended_at or interview.ends_at
    position_id = interview.application.position_id
    planned = []
    for party in Party.values:
        times = _planned_times(party=party, ended_at=ended_at)
        desk_id = (
            interview.candidate_owner_id
            if party == Party.CANDIDATE
            else interview.position_recruiter_id
        )
        request, created = FeedbackRequest.objects.get_or_create(
            interview=interview,
            party=party,
            defaults={
                **times,
                "desk_id": desk_id,
                "position_id": position_id,
                "status": Status.SCHEDULED,
                "next_action_at": times["ask_at"],
            },
        )
        if not created and request.status != Status.RECEIVED:
            _cancel_queued_asks(request=request)
            FeedbackRequest.objects.filter(pk=request.pk).update(
                **times,
                desk_id=desk_id,
                position_id=position_id,
                status=Status.SCHEDULED,
                next_action_at=times["ask_at"],
                asked_at=None,
                reminders_sent=0,
                overdue_at=None,
                cancelled_at=None,
                cycle=F("cycle") + 1,
            )
            request.refresh_from_db()
        planned.append(request)
    return planned


def feedback_requests_cancel(*, interview: Interview, now: datetime | None = None) -> int:
    """Settle the interview's open requests as cancelled; their queued asks are not sent."""
    now = now or timezone.now()
    open_requests = FeedbackRequest.objects.filter(interview=interview, status__in=OPEN_STATUSES)
    OutboundMessage.objects.filter(
        request__in=open_requests,
        kind__in=OutboundMessage.ASKING_KINDS,
        status=OutboundMessage.Status.QUEUED,
    ).update(status=OutboundMessage.Status.CANCELLED)
    return open_requests.update(status=Status.CANCELLED, cancelled_at=now, next_action_at=None)
