"""The outbox: messages queued once (unique per request, kind, channel and dedupe key),
handed to the workers after commit, reclaimed from dead workers, re-dispatched when their
task was lost, and retried on a recruiter's say.
"""

import logging
from datetime import datetime

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core import clock
from core.bulk import insert_one
from core.request_ids import current_request_id

from ..models import FeedbackRequest, OutboundMessage, TimelineEvent
from .messages import _rendered
from .timeline import timeline_record

logger = logging.getLogger(__name__)

# The task that delivers a chunk of messages (outbox_deliver), sent by its registered
# name: feedback.tasks registers it under this name and calls these services, so the
# services name it instead of importing the tasks module (no import cycle). Routed like
# any task: to CELERY_TASK_DEFAULT_QUEUE unless CELERY_TASK_ROUTES says otherwise.
DELIVER_MESSAGES_TASK = "feedback.tasks.deliver_messages"


def _cancel_queued_asks(*, request: FeedbackRequest) -> int:
    # Plain SQL: every answer runs it (docs/benchmarks.md, "Answer path").
    kinds = OutboundMessage.ASKING_KINDS
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(OutboundMessage._meta.db_table)}"
            " SET status = %s WHERE request_id = %s AND status = %s"
            f" AND kind IN ({', '.join(['%s'] * len(kinds))})",
            [OutboundMessage.Status.CANCELLED, request.pk, OutboundMessage.Status.QUEUED, *kinds],
        )
        return cursor.rowcount


def _queue_message(
    *,
    request: FeedbackRequest,
    kind: str,
    recipient: str,
    template: str,
    context: dict,
    dedupe_key: str,
    now: datetime,
) -> OutboundMessage:
    """Add a message to the outbox once; it is dispatched to a worker after commit. It
    is due at once by the loop's clock (`now` may be a web host's, a few hundred
    milliseconds ahead of the worker that claims it)."""
    message, created = OutboundMessage.objects.get_or_create(
        request=request,
        kind=kind,
        channel=OutboundMessage.Channel.EMAIL,
        dedupe_key=dedupe_key,
        defaults={
            "recipient": recipient,
            **_rendered(template=template, context=context),
            "next_attempt_at": clock.now_in_sql(),
            "dispatched_at": clock.now_in_sql(),
            "queued_by_request": current_request_id(),
        },
    )
    if created:
        transaction.on_commit(lambda: outbox_dispatch(message_ids=[message.pk]))
    return message


def _queue_text(
    *, request: FeedbackRequest | None, recipient: str, kind: str, body: str, dedupe_key: str
) -> OutboundMessage:
    """A text written now, queued once, dispatched after commit."""
    message, created = OutboundMessage.objects.get_or_create(
        request=request,
        kind=kind,
        channel=OutboundMessage.Channel.SMS,
        dedupe_key=dedupe_key,
        defaults={
            "recipient": recipient,
            "subject": "",
            "body_text": body,
            "queued_by_request": current_request_id(),
            "next_attempt_at": clock.now_in_sql(),
            "dispatched_at": clock.now_in_sql(),
        },
    )
    if created:
        transaction.on_commit(lambda: outbox_dispatch(message_ids=[message.pk]))
    return message


def _queue_unwritten(
    *,
    request: FeedbackRequest,
    kind: str,
    recipient: str,
    dedupe_key: str,
    delay,
    fresh: bool = False,
) -> OutboundMessage:
    """Add a message to the outbox once, without its text: delivery writes it when it
    sends it, from the rows as they are then. Due after `delay`: with none it is
    dispatched after commit; otherwise the sweep's re-dispatch hands it out once due
    (never a task with a countdown: the database holds the time, see DESIGN). `fresh`:
    the dedupe key is new (it names a row written in this transaction), so the row is
    inserted without looking for it first."""
    key = {
        "request": request,
        "kind": kind,
        "channel": OutboundMessage.Channel.EMAIL,
        "dedupe_key": dedupe_key,
    }
    defaults = {
        "recipient": recipient,
        "subject": "",
        "body_text": "",
        "queued_by_request": current_request_id(),
    }
    if fresh and clock.uses_database():
        # A statement written once per process (core.bulk.insert_one): every answer queues
        # one. Its times are the database's clock, read by the INSERT itself.
        due = {"next_attempt_at": delay or None} | ({} if delay else {"dispatched_at": None})
        message = insert_one(OutboundMessage(**key, **defaults), database_now=due)
        created = True
    else:
        defaults |= {
            "next_attempt_at": clock.now() + delay if delay else clock.now_in_sql(),
            "dispatched_at": None if delay else clock.now_in_sql(),
        }
        if fresh:
            message, created = OutboundMessage.objects.create(**key, **defaults), True
        else:
            message, created = OutboundMessage.objects.get_or_create(**key, defaults=defaults)
    if created and not delay:
        transaction.on_commit(lambda: outbox_dispatch(message_ids=[message.pk]))
    return message


def outbox_queue(
    *,
    kind: str,
    recipient: str,
    template: str,
    context: dict,
    dedupe_key: str,
    request: FeedbackRequest | None = None,
    now: datetime | None = None,
) -> OutboundMessage:
    """Queue a message that is not one of the loop's own steps, e.g. a client contact's
    invitation (which belongs to no request). Rendered from feedback/email/<template>_*."""
    return _queue_message(
        request=request,
        kind=kind,
        recipient=recipient,
        template=template,
        context=context,
        dedupe_key=dedupe_key,
        now=now or timezone.now(),
    )


def outbox_dispatch(*, message_ids: list[int]) -> None:
    """Hand messages to the workers, a few to a task. A broker outage is logged, not
    raised: the rows are safe in the database and the sweep dispatches them again."""
    # A task per message costs a broker round trip and a worker wake-up each; a task per
    # handful still spreads a burst over every worker process.
    size = settings.FEEDBACK["DELIVERY_CHUNK_SIZE"]
    chunks = [message_ids[i : i + size] for i in range(0, len(message_ids), size)]
    chunk = None
    try:
        # One producer (one broker connection) for the lot.
        with current_app.producer_or_acquire() as producer:
            for chunk in chunks:
                current_app.send_task(
                    DELIVER_MESSAGES_TASK, args=(chunk,), producer=producer, ignore_result=True
                )
    except Exception:  # noqa: BLE001 - any broker failure; the sweep retries
        logger.warning("could not dispatch messages %s; the sweep will retry", chunk)


def outbox_reclaim_abandoned() -> int:
    """Messages claimed by a worker that died mid-delivery go back to the queue."""
    lease = settings.FEEDBACK["DELIVERY_LEASE"]
    return OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SENDING, claimed_at__lt=clock.now() - lease
    ).update(
        status=OutboundMessage.Status.QUEUED,
        dispatched_at=None,
        last_error="worker lost during delivery; retrying",
    )


def outbox_redispatch_due(*, limit: int) -> int:
    """Dispatch queued messages that are due and whose task is not (or no longer) queued:
    retries after backoff, and tasks lost with a broker restart."""
    now = clock.now()
    stale = now - settings.FEEDBACK["REDISPATCH_AFTER"]
    with transaction.atomic():
        ids = list(
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundMessage.Status.QUEUED, next_attempt_at__lte=now)
            .exclude(dispatched_at__gte=stale)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            OutboundMessage.objects.filter(pk__in=ids).update(dispatched_at=now)
            transaction.on_commit(lambda: outbox_dispatch(message_ids=ids))
    return len(ids)


@transaction.atomic
def outbox_retry_now(*, message: OutboundMessage, actor=None) -> bool:
    """Put a failed message back in the queue for immediate delivery; the application's
    timeline records who retried it. False (and nothing changed) unless it had failed."""
    now = clock.now()
    updated = OutboundMessage.objects.filter(
        pk=message.pk, status=OutboundMessage.Status.FAILED
    ).update(status=OutboundMessage.Status.QUEUED, next_attempt_at=now, dispatched_at=now)
    if not updated:
        return False
    if message.request_id:
        request = FeedbackRequest.objects.select_related("interview__application").get(
            pk=message.request_id
        )
        timeline_record(
            application=request.interview.application,
            request=request,
            kind=TimelineEvent.Kind.MESSAGE_RETRIED,
            summary=f"{message.get_kind_display()} to {message.recipient} retried"
            + (f" after: {message.last_error}" if message.last_error else ""),
            actor=actor,
            data={"message_id": message.pk, "attempts": message.attempts},
            now=now,
        )
    transaction.on_commit(lambda: outbox_dispatch(message_ids=[message.pk]))
    return True
