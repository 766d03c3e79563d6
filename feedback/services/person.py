"""Erasing a person from the loop's rows (privacy's erasure calls this): their words go,
the counts and timings stay, so the charts and the clients' responsiveness still add up.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Q

from candidates.models import Candidate
from core.phones import e164

from ..inbound.models import InboundMessage
from ..models import Feedback, FeedbackRequest, OutboundMessage, Party, TimelineEvent
from ..rules import OPEN_STATUSES
from ..selectors.person import person_records

ERASED = "(erased)"

# What a person typed, or was typed about them, in an answer (both parties': a client's
# strengths and concerns are opinions about the candidate). Levels, ratings, decisions
# and every time stay: they are what the charts count.
ANSWER_FREE_TEXT = (
    "went_well",
    "concerns",
    "questions",
    "preferred_call_time",
    "strengths",
    "next_step",
)


@transaction.atomic
def person_erase_records(
    *, candidate: Candidate, words: list[str], now: datetime
) -> dict[str, int]:
    """Blank the free text of every answer about the candidate, the subject, bodies and
    (for mail to the candidate) the address of every message about them, and `words`
    (their name, email, phone as they were) wherever an event's summary says them. Their
    own open requests are cancelled and every unsent message about them with them:
    nothing more is asked of, or said about, someone erased. Returns what was changed,
    by kind of row."""
    records = person_records(candidate=candidate)
    own_open = records.requests.filter(party=Party.CANDIDATE, status__in=OPEN_STATUSES)
    cancelled_requests = FeedbackRequest.objects.filter(pk__in=own_open.values("pk")).update(
        status=FeedbackRequest.Status.CANCELLED, cancelled_at=now, next_action_at=None
    )
    messages = OutboundMessage.objects.filter(pk__in=records.messages.values("pk"))
    messages.filter(status=OutboundMessage.Status.QUEUED).update(
        status=OutboundMessage.Status.CANCELLED, last_error="candidate erased"
    )
    messages.filter(request__party=Party.CANDIDATE).exclude(
        kind__in=[
            OutboundMessage.Kind.FEEDBACK_RECEIVED,
            OutboundMessage.Kind.OVERDUE_ALERT,
            OutboundMessage.Kind.DEBRIEF_ALERT,
        ]
    ).update(recipient="")
    erased_messages = messages.update(subject=ERASED, body_text=ERASED, body_html="")
    erased_answers = Feedback.objects.filter(pk__in=records.answers.values("pk")).update(
        **dict.fromkeys(ANSWER_FREE_TEXT, "")
    )
    # What they texted or mailed us, and our answers to a number that belongs to no request.
    erased_inbound = InboundMessage.objects.filter(
        Q(candidate=candidate) | Q(request__in=records.requests.values("pk"))
    ).update(body=ERASED, sender="")
    records.events.filter(kind=TimelineEvent.Kind.REPLY_UNREAD).update(
        summary=f"Reply not understood {ERASED}", data={}
    )
    number = e164(candidate.phone) if candidate.phone else ""
    if number:
        OutboundMessage.objects.filter(
            kind=OutboundMessage.Kind.AUTO_REPLY, request__isnull=True, recipient=number
        ).update(recipient="", body_text=ERASED)
    erased_summaries = 0
    said = Q()
    for word in (w for w in words if w):
        said |= Q(summary__icontains=word)
    if said:
        for event in records.events.filter(said).only("pk", "summary"):
            summary = event.summary
            for word in (w for w in words if w):
                summary = _replace_ignoring_case(summary, word, ERASED)
            TimelineEvent.objects.filter(pk=event.pk).update(summary=summary)
            erased_summaries += 1
    return {
        "requests_cancelled": cancelled_requests,
        "messages": erased_messages,
        "answers": erased_answers,
        "event_summaries": erased_summaries,
        "inbound_messages": erased_inbound,
    }


def _replace_ignoring_case(text: str, old: str, new: str) -> str:
    lowered, target, out, start = text.lower(), old.lower(), [], 0
    while (found := lowered.find(target, start)) >= 0:
        out += [text[start:found], new]
        start = found + len(old)
    return "".join(out) + text[start:]
