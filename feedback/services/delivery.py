"""Delivering the outbox: a worker claims a group of messages, sends each, and records each
one as sent the moment the server has it (through a database outage, if need be), or
records the failure for a retry after a backoff.
"""

import logging
import time
from datetime import timedelta

import structlog
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from core import clock
from core.bulk import AnyOf, execute_bound, update_returning

from ..models import REQUEST_PEOPLE, OutboundMessage, TimelineEvent
from ..rules import OPEN_STATUSES
from ..transports import TransportError, transport_for
from ..wording.rendering import wording_read_once
from .inbound import outbox_send_refusals
from .messages import _written_at_send_time
from .outbox import outbox_dispatch
from .timeline import timeline_record
from .webhooks import webhook_text

logger = logging.getLogger(__name__)
# Key-value lines for each message dealt with: ids, kind and outcome only, never the
# recipient or the text (docs/deployment.md, "Logs").
events = structlog.get_logger(__name__)


def outbox_deliver(*, message_ids: list[int]) -> list[str]:
    """Deliver a task's messages for up to DELIVERY_TASK_SECONDS, then hand the rest back
    to the queue, so that a long run of deliveries never keeps the sweep (or anything
    else) waiting for a worker process. Messages go a group at a time: one statement
    claims the group, then each is sent and recorded on its own before the next.
    Returns what happened to each message it dealt with, in order."""
    with wording_read_once():
        return _deliver_for_a_while(message_ids=message_ids)


def _deliver_for_a_while(*, message_ids: list[int]) -> list[str]:
    deadline = time.monotonic() + settings.FEEDBACK["DELIVERY_TASK_SECONDS"]
    # One query for the lot: a message's text names a dozen related rows, and one join
    # that wide costs more to plan than to run.
    loaded = _messages_to_send(message_ids=message_ids)
    outcomes: list[str] = []
    for start in range(0, len(message_ids), CLAIM_GROUP_SIZE):
        if outcomes and time.monotonic() > deadline:
            _hand_back(message_ids[start:])
            break
        group = message_ids[start : start + CLAIM_GROUP_SIZE]
        group_outcomes, rest = _deliver_group([loaded.get(pk) for pk in group], deadline=deadline)
        outcomes += group_outcomes
        if rest:
            _hand_back(rest + message_ids[start + CLAIM_GROUP_SIZE :])
            break
    return outcomes


# Messages claimed in one statement; each is recorded as sent on its own, the moment the
# server has accepted it, before the next one is sent.
CLAIM_GROUP_SIZE = 10

# A message and everything its text may name, in one query.
MESSAGE_PEOPLE = tuple(f"request__{path}" for path in REQUEST_PEOPLE)


def _messages_to_send(*, message_ids: list[int]) -> dict[int, OutboundMessage]:
    """The queued ones among `message_ids`, with everything their text may name."""
    messages = OutboundMessage.objects.select_related(*MESSAGE_PEOPLE).filter(
        AnyOf(F("pk"), message_ids), status=OutboundMessage.Status.QUEUED
    )
    return {message.pk: message for message in messages}


def _hand_back(message_ids: list[int]) -> None:
    """Back to the queue for another task, marked freshly dispatched so that the sweep's
    re-dispatch of lost tasks leaves them alone."""
    OutboundMessage.objects.filter(
        AnyOf(F("pk"), message_ids), status=OutboundMessage.Status.QUEUED
    ).update(dispatched_at=clock.now_in_sql())
    outbox_dispatch(message_ids=message_ids)


def _deliver_group(
    messages: list[OutboundMessage | None], *, deadline: float
) -> tuple[list[str], list[int]]:
    """Claim, send, record a group of messages. The claim is a compare-and-set from
    queued to sending, so one worker sends each; a message recorded as sent is never
    claimed again; an ask whose request was answered or cancelled meanwhile is not sent.
    Past `deadline` (after the first send) the claimed rest is released. Returns the
    outcome of each message dealt with, and the ids released."""
    outcome: dict[int, str] = {}
    settled = [m.pk for m in messages if m is not None and _lost_its_point(m)]
    if settled:
        cancelled = update_returning(
            OutboundMessage.objects.filter(
                AnyOf(F("pk"), settled), status=OutboundMessage.Status.QUEUED
            ),
            returning=("id",),
            status=OutboundMessage.Status.CANCELLED,
            last_error="request settled",
        )
        outcome.update((pk, "cancelled") for (pk,) in cancelled)
    to_claim = [m for m in messages if m is not None and m.pk not in settled]
    # Conditions on the outbox row alone: a condition through a join would be checked
    # against a snapshot taken before a concurrent claim committed, and both would win.
    # (Answering or cancelling a request cancels its queued asks in the same transaction,
    # so an ask whose request is settled is no longer queued.) "Due" and the claim's time
    # are the loop's clock, the same on every host (core/clock.py).
    won = {
        pk: (attempts, claimed_at)
        for pk, attempts, claimed_at in (
            update_returning(
                OutboundMessage.objects.filter(
                    AnyOf(F("pk"), [m.pk for m in to_claim]),
                    status=OutboundMessage.Status.QUEUED,
                    next_attempt_at__lte=clock.now_in_sql(),
                ),
                returning=("id", "attempts", "claimed_at"),
                status=OutboundMessage.Status.SENDING,
                claimed_at=clock.now_in_sql(),
                attempts=F("attempts") + 1,
            )
            if to_claim
            else ()
        )
    }
    claimed = [m for m in to_claim if m.pk in won]
    for message in claimed:
        message.status = OutboundMessage.Status.SENDING
        message.attempts, message.claimed_at = won[message.pk]
    # Checked at the last moment, for the group at once: a STOP that arrived while they
    # waited in the queue wins.
    refusals = outbox_send_refusals(messages=claimed) if claimed else {}
    released: list[int] = []
    for index, message in enumerate(claimed):
        if outcome and time.monotonic() > deadline:
            released = [m.pk for m in claimed[index:]]
            _release(_claim_of(message).filter(AnyOf(F("pk"), released)))
            break
        outcome[message.pk] = _send_claimed(message, refusal=refusals.get(message.pk, ""))
    outcomes = [
        "skipped" if m is None else outcome.get(m.pk, "skipped")
        for m in messages
        if m is None or m.pk not in released
    ]
    return outcomes, released


def _claim_of(message: OutboundMessage) -> QuerySet:
    """The rows of the claim `message` was taken in (one statement's claim shares its
    time), as long as they are still this claim's."""
    return OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SENDING, claimed_at=message.claimed_at
    )


def _send_claimed(message: OutboundMessage, *, refusal: str) -> str:
    outcome = _send_and_record(message, refusal=refusal)
    events.info(
        "message_delivery",
        message_id=message.pk,
        kind=message.kind,
        channel=message.channel,
        attempt=message.attempts,
        outcome=outcome,
        queued_by_request=message.queued_by_request or None,
    )
    return outcome


def _send_and_record(message: OutboundMessage, *, refusal: str) -> str:
    """Write (if the sweep queued it without text), send and record one claimed message,
    or cancel it with its `refusal` (outbox_send_refusals).
    Once the server has accepted it, recording that comes before anything else: no later
    step (another message's text, a failure's record, a database error) can lose it."""
    try:
        text = _text_to_store(message)
    except Exception as exc:  # noqa: BLE001 - a template bug fails the message, visibly
        logger.exception("could not write message %s", message.pk)
        error = f"could not write the message: {exc!r}"
        return _record_failure(message=message, error=error, permanent=False)
    for name, value in text.items():
        setattr(message, name, value)
    if refusal:
        _claim_of(message).filter(pk=message.pk).update(
            status=OutboundMessage.Status.CANCELLED, last_error=refusal, **text
        )
        return "cancelled"
    try:
        transport_for(message.channel).send(message)
    except TransportError as exc:
        return _record_failure(message=message, error=str(exc), permanent=exc.permanent, text=text)
    except Exception as exc:  # noqa: BLE001 - an unexpected transport bug is retried, not lost
        logger.exception("transport crashed on message %s", message.pk)
        return _record_failure(message=message, error=repr(exc), permanent=False, text=text)
    if message.provider_id:
        text = {**text, "provider_id": message.provider_id}
    _record_sent(message, text=text)
    return "sent"


def _record_sent(message: OutboundMessage, *, text: dict) -> None:
    """The server has this message now: this record is what stops a second send, so it
    must not be lost to a database blip (a restart, a failover). It holds as long as
    nobody has claimed the message again: a lease that ran out during the outage only
    put it back in the queue (same claim, same attempt), and the record takes it out."""
    recorded = _until_the_database_answers(lambda: _write_sent(message, text=text))
    message.status, message.last_error = OutboundMessage.Status.SENT, ""
    if not recorded:
        logger.error(
            "message %s was claimed again before its delivery could be recorded; "
            "it may go out twice",
            message.pk,
        )


def _write_sent(message: OutboundMessage, *, text: dict) -> int:
    """One UPDATE per message sent, as plain SQL with its parameters bound apart: this
    runs for every message, and building it through the ORM (or quoting the message's
    text into it) each time cost the worker noticeably more CPU per message
    (docs/benchmarks.md, "Recording each message")."""
    ops = connection.ops
    table = ops.quote_name(OutboundMessage._meta.db_table)
    written = [f"{ops.quote_name(name)} = %s" for name in text]
    if clock.uses_database():
        now_sql, now_params = "STATEMENT_TIMESTAMP()", []
    else:
        now_sql, now_params = "%s", [ops.adapt_datetimefield_value(clock.now())]
    sql = (
        f"UPDATE {table} SET status = %s, sent_at = {now_sql}, last_error = ''"
        + "".join(f", {column}" for column in written)
        + " WHERE id = %s AND claimed_at = %s AND attempts = %s AND status IN (%s, %s)"
    )
    params = [
        OutboundMessage.Status.SENT,
        *now_params,
        *text.values(),
        message.pk,
        ops.adapt_datetimefield_value(message.claimed_at),
        message.attempts,
        OutboundMessage.Status.SENDING,
        OutboundMessage.Status.QUEUED,
    ]
    return execute_bound(sql, params)


def _release(claimed: QuerySet) -> None:
    """Claimed but not sent (out of time): back to queued, the attempt not counted."""
    claimed.update(
        status=OutboundMessage.Status.QUEUED, claimed_at=None, attempts=F("attempts") - 1
    )


def _text_to_store(message: OutboundMessage) -> dict:
    """The text of a message queued without (the sweep's; the recruiter's "feedback
    received"), written now from feedback/email/<party>_<kind>_* and stored when it is
    recorded; {} when it has its text."""
    if message.channel == OutboundMessage.Channel.WEBHOOK:
        return {} if message.body_text else webhook_text(message)
    if message.channel == OutboundMessage.Channel.CALENDAR:
        return {}  # written when it was queued: its version must not change on a retry
    if message.body_text or message.request is None:
        return {}
    return _written_at_send_time(message=message)


def _lost_its_point(message: OutboundMessage) -> bool:
    """An ask or reminder whose request has been answered or cancelled; an invite to an
    interview that is over (by this host's clock: a few seconds do not matter here)."""
    if message.kind == OutboundMessage.Kind.INVITE and message.request is not None:
        return message.request.interview.ends_at <= timezone.now()
    return (
        message.kind in OutboundMessage.ASKING_KINDS
        and message.request is not None
        and message.request.status not in OPEN_STATUSES
    )


def _until_the_database_answers(write, *, patience: timedelta | None = None):
    """Run a write, retrying through a database outage for (most of) the delivery lease,
    after which the claim would be handed out again and the message sent twice."""
    patience = patience or settings.FEEDBACK["DELIVERY_LEASE"] * 0.8
    deadline = time.monotonic() + patience.total_seconds()
    pause = 0.1
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError):
            if time.monotonic() > deadline:
                raise
            logger.warning("database unavailable while recording a delivery; retrying")
            connection.close()  # the next query opens a fresh connection
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def _record_failure(
    *, message: OutboundMessage, error: str, permanent: bool, text: dict | None = None
) -> str:
    """A failed attempt: failed for good, or back to the queue after a backoff by the
    loop's clock. The text written for it is kept, so the outbox shows what could not be
    sent."""
    text = text or {}
    mine = _claim_of(message).filter(pk=message.pk)
    if permanent or message.attempts >= settings.FEEDBACK["DELIVERY_MAX_ATTEMPTS"]:
        with transaction.atomic():
            if (
                mine.update(status=OutboundMessage.Status.FAILED, last_error=error, **text)
                and message.request
            ):
                timeline_record(
                    application=message.request.interview.application,
                    request=message.request,
                    kind=TimelineEvent.Kind.MESSAGE_FAILED,
                    summary=f"{message.get_kind_display()} to {message.recipient} failed: {error}",
                    data={"message_id": message.pk, "attempts": message.attempts},
                )
        return "failed"
    mine.update(
        status=OutboundMessage.Status.QUEUED,
        last_error=error,
        next_attempt_at=clock.now() + _backoff(message.attempts),
        dispatched_at=None,
        **text,
    )
    return "retry"


def _backoff(attempts: int) -> timedelta:
    conf = settings.FEEDBACK
    return min(
        conf["DELIVERY_BACKOFF_BASE"] * (2 ** max(attempts - 1, 0)), conf["DELIVERY_BACKOFF_MAX"]
    )
