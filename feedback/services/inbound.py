"""What comes back: a candidate's text or mail (an answer, STOP, START, HELP, or words we
cannot read), and what a provider says of a message we sent (delivered, bounced, …).

Each inbound message is kept once per provider id (InboundMessage) and acted on only
when it is new; each delivery status is a compare-and-set on the outbox row. A provider
calling twice changes nothing twice.
"""

import logging
from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from candidates.models import Candidate
from core.phones import digits_of, e164, spellings

from ..inbound.models import InboundMessage, Suppression
from ..models import (
    REQUEST_PEOPLE,
    Feedback,
    FeedbackRequest,
    OutboundMessage,
    Party,
    TimelineEvent,
)
from ..replies import email_reply_text, keyword_of, reply_parse
from ..rules import AWAITED_STATUSES
from ..signals import sms_consent_stated
from ..wording.rendering import wording_sms_render
from .answers import FeedbackClosed, TooManyAnswers, feedback_submit
from .messages import _context, _recruiter_for, keyword_text_context, sms_rendered
from .outbox import _queue_message, _queue_text
from .timeline import timeline_record

logger = logging.getLogger(__name__)

Kind = OutboundMessage.Kind
Channel = OutboundMessage.Channel
Outcome = InboundMessage.Outcome

# Answers to a keyword go even to a number that has opted out: the carriers require the
# opt-out's confirmation and an answer to HELP.
_KEYWORD_ANSWERS = ("stop-", "start-", "help-")


# --- at send time -------------------------------------------------------------------------


def outbox_send_refusals(*, messages: list[OutboundMessage]) -> dict[int, str]:
    """Why each of `messages` must not go now (an opted-out or suppressed address, a text
    without consent), by id; a message free to go is not in it. Read when they are sent,
    a claimed group at once, so that it holds for a message queued before the STOP: one
    read of the suppressions and at most one of the candidates' consent."""
    checked = [m for m in messages if m.channel in (Channel.SMS, Channel.EMAIL)]
    addresses = {m.pk: _suppressible_address(m) for m in checked if not _keyword_answer(m)}
    by_channel = defaultdict(set)
    for message in checked:
        if message.pk in addresses:
            by_channel[message.channel].add(addresses[message.pk])
    wanted = Q(pk__in=[])
    for channel, channel_addresses in by_channel.items():
        wanted |= Q(channel=channel, address__in=channel_addresses)
    suppressed = (
        {
            (channel, address): reason
            for channel, address, reason in Suppression.objects.filter(wanted).values_list(
                "channel", "address", "reason"
            )
        }
        if by_channel
        else {}
    )
    asked_by_text = {
        m.pk: m.request.interview.application.candidate_id for m in checked if _asks_by_text(m)
    }
    consenting = (
        set(
            Candidate.objects.filter(
                pk__in=set(asked_by_text.values()), consent_sms=True
            ).values_list("pk", flat=True)
        )
        if asked_by_text
        else set()
    )
    refusals = {}
    for message in checked:
        reason = suppressed.get((message.channel, addresses.get(message.pk)))
        if reason:
            refusals[message.pk] = f"not sent: {message.recipient} is suppressed ({reason})"
        elif message.pk in asked_by_text and asked_by_text[message.pk] not in consenting:
            refusals[message.pk] = "not sent: no consent to text messages"
    return refusals


def _keyword_answer(message: OutboundMessage) -> bool:
    return message.kind == Kind.AUTO_REPLY and message.dedupe_key.startswith(_KEYWORD_ANSWERS)


def _suppressible_address(message: OutboundMessage) -> str:
    if message.channel == Channel.SMS:
        return e164(message.recipient) or message.recipient
    return message.recipient


def _asks_by_text(message: OutboundMessage) -> bool:
    """A text asking a candidate, which needs the candidate's consent to texts."""
    return (
        message.channel == Channel.SMS
        and message.kind in OutboundMessage.ASKING_KINDS
        and message.request is not None
        and message.request.party == Party.CANDIDATE
    )


# --- texts and mails in -------------------------------------------------------------------


@transaction.atomic
def sms_inbound_receive(
    *, provider_id: str, sender: str, body: str, now: datetime | None = None
) -> InboundMessage:
    """A text from `sender` (E.164): a keyword (STOP and its synonyms, START, HELP), or an
    answer to the sender's latest open request. Acted on once per provider id."""
    now = now or timezone.now()
    inbound, created = _inbound_once(
        channel=InboundMessage.Channel.SMS,
        provider_id=provider_id,
        sender=sender,
        body=body,
        now=now,
    )
    if not created:
        return inbound
    candidates = _candidates_with_number(sender)
    keyword = keyword_of(body)
    if keyword == "opt_out":
        _opt_out(inbound=inbound, candidates=candidates, now=now)
    elif keyword == "opt_in":
        _opt_in(inbound=inbound, candidates=candidates, now=now)
    elif keyword == "help":
        _queue_keyword_answer(inbound=inbound, template="help", dedupe_key=f"help-{inbound.pk}")
        _settle(inbound, outcome=Outcome.HELP, candidate=candidates[0] if candidates else None)
    else:
        _reply(inbound=inbound, candidates=candidates, text=body, now=now)
    return inbound


@transaction.atomic
def email_inbound_receive(
    *, provider_id: str, sender: str, body: str, now: datetime | None = None
) -> InboundMessage:
    """A mail from `sender`: its new lines (quoted text and signatures left out) are an
    answer to the sender's latest open request. Acted on once per provider id."""
    now = now or timezone.now()
    sender = sender.strip().lower()
    inbound, created = _inbound_once(
        channel=InboundMessage.Channel.EMAIL,
        provider_id=provider_id,
        sender=sender,
        body=body,
        now=now,
    )
    if created:
        candidates = list(Candidate.objects.filter(email__iexact=sender, erased_at__isnull=True))
        _reply(inbound=inbound, candidates=candidates, text=email_reply_text(body), now=now)
    return inbound


def _candidates_with_number(number: str) -> list[Candidate]:
    """The candidates whose phone is `number` (E.164), however it was typed."""
    return list(
        Candidate.objects.alias(digits=digits_of("phone")).filter(
            digits__in=spellings(number), erased_at__isnull=True
        )
    )


def _inbound_once(**fields) -> tuple[InboundMessage, bool]:
    now = fields.pop("now")
    return InboundMessage.objects.get_or_create(
        channel=fields["channel"],
        provider_id=fields["provider_id"][:200],
        defaults={
            "sender": fields["sender"][:254],
            "body": fields["body"],
            "received_at": now,
            "outcome": Outcome.UNKNOWN_SENDER,
        },
    )


def _settle(inbound: InboundMessage, *, outcome: str, candidate=None, request=None) -> None:
    inbound.outcome, inbound.candidate, inbound.request = outcome, candidate, request
    inbound.save(update_fields=["outcome", "candidate", "request"])


def _opt_out(*, inbound: InboundMessage, candidates: list[Candidate], now: datetime) -> None:
    """STOP: no more texts to this number, at once (queued ones included: they are
    checked when sent); the opt-out is confirmed once, not at every STOP."""
    number = inbound.sender
    _, newly = Suppression.objects.update_or_create(
        channel=InboundMessage.Channel.SMS,
        address=number,
        defaults={"reason": Suppression.Reason.OPT_OUT, "at": now},
    )
    for candidate in candidates:
        if candidate.consent_sms:
            sms_consent_stated.send(
                sender=InboundMessage, candidate=candidate, given=False, source="text STOP", at=now
            )
    OutboundMessage.objects.filter(
        channel=Channel.SMS, recipient=number, status=OutboundMessage.Status.QUEUED
    ).exclude(kind=Kind.AUTO_REPLY).update(
        status=OutboundMessage.Status.CANCELLED, last_error="opted out (STOP)"
    )
    if newly:
        _queue_keyword_answer(inbound=inbound, template="opted_out", dedupe_key=f"stop-{number}")
    _settle(inbound, outcome=Outcome.OPT_OUT, candidate=candidates[0] if candidates else None)


def _opt_in(*, inbound: InboundMessage, candidates: list[Candidate], now: datetime) -> None:
    """START (UNSTOP): texts again, confirmed."""
    number = inbound.sender
    was_out = Suppression.objects.filter(
        channel=InboundMessage.Channel.SMS, address=number, reason=Suppression.Reason.OPT_OUT
    ).delete()[0]
    for candidate in candidates:
        if not candidate.consent_sms:
            sms_consent_stated.send(
                sender=InboundMessage, candidate=candidate, given=True, source="text START", at=now
            )
    if was_out or candidates:
        # The next STOP is confirmed again.
        OutboundMessage.objects.filter(
            kind=Kind.AUTO_REPLY, channel=Channel.SMS, dedupe_key=f"stop-{number}"
        ).update(dedupe_key=f"stop-{number}-until-{inbound.pk}")
        _queue_keyword_answer(
            inbound=inbound, template="opted_in", dedupe_key=f"start-{inbound.pk}"
        )
    _settle(inbound, outcome=Outcome.OPT_IN, candidate=candidates[0] if candidates else None)


def _queue_keyword_answer(*, inbound: InboundMessage, template: str, dedupe_key: str) -> None:
    text = wording_sms_render(key=f"sms_{template}", context=keyword_text_context())
    _queue_text(
        request=None,
        recipient=inbound.sender,
        kind=Kind.AUTO_REPLY,
        body=text,
        dedupe_key=dedupe_key,
    )


def _latest_open_request(candidates: list[Candidate]) -> FeedbackRequest | None:
    return (
        FeedbackRequest.objects.select_related(*REQUEST_PEOPLE)
        .filter(
            party=Party.CANDIDATE,
            status__in=AWAITED_STATUSES,
            interview__application__candidate__in=candidates,
        )
        .order_by("-asked_at", "-pk")
        .first()
    )


def _reply(
    *, inbound: InboundMessage, candidates: list[Candidate], text: str, now: datetime
) -> None:
    """An answer to the sender's latest open request, through the portal's own service;
    or, when the words say nothing we can read, a note for the recruiter and one text
    (or mail) to the candidate with the link."""
    if not candidates:
        return _settle(inbound, outcome=Outcome.UNKNOWN_SENDER)
    request = _latest_open_request(candidates)
    candidate = request.interview.application.candidate if request else candidates[0]
    if request is None:
        return _settle(inbound, outcome=Outcome.NO_OPEN_REQUEST, candidate=candidate)
    channel = Feedback.Channel.SMS if inbound.channel == "sms" else Feedback.Channel.EMAIL
    reply = reply_parse(text)
    if reply.understood:
        try:
            with transaction.atomic():
                feedback_submit(request=request, answers=reply.answers(), channel=channel, now=now)
        except (FeedbackClosed, TooManyAnswers) as refused:
            logger.info("reply %s not taken as an answer: %s", inbound.pk, refused)
        else:
            return _settle(inbound, outcome=Outcome.ANSWER, candidate=candidate, request=request)
    _keep_as_note(inbound=inbound, request=request, text=text, now=now)
    _settle(inbound, outcome=Outcome.UNREAD, candidate=candidate, request=request)


def _keep_as_note(
    *, inbound: InboundMessage, request: FeedbackRequest, text: str, now: datetime
) -> None:
    application = request.interview.application
    by = "text" if inbound.channel == "sms" else "email"
    timeline_record(
        application=application,
        request=request,
        kind=TimelineEvent.Kind.REPLY_UNREAD,
        summary=f"Reply by {by} (not understood): “{' '.join(text.split())[:200]}”",
        data={"inbound_id": inbound.pk, "text": text[:2000], "channel": inbound.channel},
        now=now,
    )
    recruiter = _recruiter_for(request)
    if recruiter.email:
        _queue_message(
            request=request,
            kind=Kind.REPLY_UNREAD,
            recipient=recruiter.email,
            template="candidate_reply_unread",
            context=_context(request=request, reply_text=text[:2000], reply_by=by),
            dedupe_key=f"inbound-{inbound.pk}",
            now=now,
        )
    # One text with the link per request, however many replies we cannot read.
    if inbound.channel == "sms":
        _queue_text(
            request=request,
            recipient=inbound.sender,
            kind=Kind.AUTO_REPLY,
            body=sms_rendered(template="candidate_unread", request=request)["body_text"],
            dedupe_key=f"unread-{request.pk}",
        )


# --- what the providers say of what we sent -----------------------------------------------

# Twilio's error codes that say the number will never take a text from us.
SMS_HARD_FAILURES = {21610, 21614, 30004, 30005, 30006}
# What each provider status means to us; anything else is only shown.
FINAL_STATUSES = {"delivered", "undelivered", "failed", "bounced", "complained"}


@transaction.atomic
def outbox_delivery_status_record(
    *,
    channel: str,
    status: str,
    provider_id: str = "",
    outbox_id: int | None = None,
    error_code: int | None = None,
    now: datetime | None = None,
) -> bool:
    """A provider's word on a message we sent, on its outbox row (shown in the admin).
    A hard bounce or a complaint (or a text the number can never take) fails the message
    for good and suppresses its address. False when nothing changed (an unknown message,
    a status it has already, or one after its final status)."""
    now = now or timezone.now()
    status = status.lower()[:16]
    found = Q(provider_id=provider_id) if provider_id else Q(pk=outbox_id or 0)
    rows = OutboundMessage.objects.filter(found, channel=channel)
    changed = (
        rows.exclude(delivery_status__in=FINAL_STATUSES)
        .exclude(delivery_status=status)
        .update(delivery_status=status, delivery_status_at=now)
    )
    if not changed:
        return False
    message = rows.select_related(*(f"request__{p}" for p in REQUEST_PEOPLE)).first()
    hard = status in ("bounced", "complained") or (
        status in ("failed", "undelivered") and error_code in SMS_HARD_FAILURES
    )
    if status in ("failed", "undelivered", "bounced", "complained"):
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=OutboundMessage.Status.FAILED,
            last_error=f"provider: {status}" + (f" (code {error_code})" if error_code else ""),
        )
    if hard:
        reason = (
            Suppression.Reason.COMPLAINT if status == "complained" else Suppression.Reason.BOUNCE
        )
        Suppression.objects.get_or_create(
            channel=channel, address=message.recipient, defaults={"reason": reason, "at": now}
        )
        if message.request is not None:
            timeline_record(
                application=message.request.interview.application,
                request=message.request,
                kind=TimelineEvent.Kind.ADDRESS_SUPPRESSED,
                summary=f"{message.recipient}: {status}; nothing more goes to it",
                data={"message_id": message.pk, "status": status, "code": error_code},
                now=now,
            )
    return True
