"""Outgoing webhooks: a timeline event that an endpoint subscribed to becomes one outbox
row per endpoint (channel "webhook"), in the event's transaction. The outbox's delivery
sends it through feedback.webhooks.transport, with the outbox's retries and backoff; the
row is unique per (endpoint, event), so an event reaches an endpoint once.

Two spellings of the same queueing: one event in hand (timeline_record), and a set of
events written by one INSERT … SELECT (the sweep's "possibly waned"), queued by one
statement per subscribed endpoint. feedback/tests/test_webhooks.py holds them equal."""

from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, DateTimeField, F, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from core import clock
from core.bulk import insert_select
from core.rows import model_columns, read_rows

from ..models import OutboundMessage, TimelineEvent
from ..webhooks.events import event_type_for, payload_text
from ..webhooks.models import WebhookEndpoint


def _endpoints_wanting(event_type: str) -> list[WebhookEndpoint]:
    # Few rows; filtered here so the list of events stays a plain JSON list on every
    # database (SQLite has no JSON containment). Read on every event, so that an endpoint
    # added takes effect at once: plain SQL, not built by the ORM each time.
    table = connection.ops.quote_name(WebhookEndpoint._meta.db_table)
    endpoints = read_rows(
        WebhookEndpoint,
        f"SELECT {model_columns(WebhookEndpoint, 'e')} FROM {table} e"
        " WHERE e.enabled = %s ORDER BY e.name",
        [True],
    )
    return [e for e, _ in endpoints if e.wants(event_type)]


def _dispatch_on_commit(message_ids: list[int]) -> None:
    # Imported here: the outbox records on the timeline, which queues webhooks.
    from .outbox import outbox_dispatch

    if message_ids:
        transaction.on_commit(lambda: outbox_dispatch(message_ids=sorted(message_ids)))


def webhooks_queue_for_event(*, event: TimelineEvent) -> list[OutboundMessage]:
    """Queue `event` for every enabled endpoint that wants it (none: nothing written)."""
    party = event.request.party if event.request_id else None
    event_type = event_type_for(kind=event.kind, party=party)
    if event_type is None:
        return []
    endpoints = _endpoints_wanting(event_type)
    if not endpoints:
        return []
    now = clock.now_in_sql()
    messages = OutboundMessage.objects.bulk_create(
        [
            OutboundMessage(
                kind=OutboundMessage.Kind.WEBHOOK,
                channel=OutboundMessage.Channel.WEBHOOK,
                webhook_endpoint=endpoint,
                timeline_event=event,
                dedupe_key=f"event-{event.pk}",
                recipient=endpoint.url[:254],
                subject=event_type,
                body_text="",
                next_attempt_at=now,
                dispatched_at=now,
            )
            for endpoint in endpoints
        ]
    )
    _dispatch_on_commit([m.pk for m in messages])
    return messages


def webhook_text(message: OutboundMessage) -> dict:
    """The body of a webhook, written from its timeline event when first sent and kept on
    the row (what `_text_to_store` stores), so that each retry sends the same bytes."""
    event = TimelineEvent.objects.select_related("application__position", "request").get(
        pk=message.timeline_event_id
    )
    return {"body_text": payload_text(event_type=message.subject, event=event)}


def webhooks_queue_many(*, events: QuerySet, event_type: str, now: datetime) -> list[int]:
    """Queue a set of timeline events of one type (all of `event_type`) for every endpoint
    that wants it: one INSERT … SELECT per endpoint. Returns the new rows' ids."""
    created: list[int] = []
    for endpoint in _endpoints_wanting(event_type):
        created += insert_select(
            OutboundMessage,
            source=events,
            columns={
                "kind": Value(OutboundMessage.Kind.WEBHOOK),
                "channel": Value(OutboundMessage.Channel.WEBHOOK),
                "webhook_endpoint": Value(endpoint.pk),
                "timeline_event": F("pk"),
                "dedupe_key": Concat(
                    Value("event-"), Cast("pk", CharField()), output_field=CharField()
                ),
                "recipient": Value(endpoint.url[:254]),
                "subject": Value(event_type),
                "body_text": Value(""),
                "body_html": Value(""),
                "status": Value(OutboundMessage.Status.QUEUED),
                "attempts": Value(0),
                "last_error": Value(""),
                "next_attempt_at": Value(now, output_field=DateTimeField()),
                "dispatched_at": Value(now, output_field=DateTimeField()),
                "created_at": Value(now, output_field=DateTimeField()),
            },
            ignore_conflicts=True,
        )
    _dispatch_on_commit(created)
    return created


def webhook_endpoint_record_success(*, endpoint: WebhookEndpoint) -> None:
    """The receiver took a delivery: the endpoint is healthy again."""
    if endpoint.failing_since is not None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)


def webhook_endpoint_record_failure(*, endpoint: WebhookEndpoint, error: str) -> bool:
    """A delivery failed. The endpoint is marked failing since now (unless it already was);
    one failing for WEBHOOK_DISABLE_AFTER is turned off. True if this turned it off."""
    now = timezone.now()
    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
        failing_since=now
    )
    cutoff = now - settings.FEEDBACK["WEBHOOK_DISABLE_AFTER"]
    return bool(
        WebhookEndpoint.objects.filter(
            pk=endpoint.pk, enabled=True, failing_since__lte=cutoff
        ).update(
            enabled=False,
            disabled_reason=f"failing since before {cutoff:%Y-%m-%d %H:%M} UTC: {error}"[:300],
        )
    )


def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> None:
    """Turned on again by a recruiter: a fresh start, no failures counted."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        enabled=True, failing_since=None, disabled_reason=""
    )
