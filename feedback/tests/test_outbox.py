"""The outbox (feedback.services.outbox): messages handed to the workers a few to a task
(and a task that runs out of time gives the rest back to the queue instead of holding a
worker process), a dead worker's claim handed out again, lost tasks dispatched again,
and a failed message retried on the recruiter's say."""

import base64
import datetime as dt
import json

import pytest
import redis
import time_machine
from celery import current_app
from django.conf import settings as django_settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from feedback import services
from feedback.models import OutboundMessage
from tests.factories import schedule_interview

from .desk import candidate_ask

pytestmark = pytest.mark.django_db


def queued_tasks() -> list[tuple[str, list]]:
    """(task name, its message ids) of every task waiting in this run's delivery queue."""
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    tasks = []
    for raw in client.lrange(django_settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1):
        envelope = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
        tasks.append((envelope["headers"]["task"], args[0]))
    return list(reversed(tasks))  # kombu pushes on the left: oldest last


@pytest.fixture
def empty_queue():
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    client.delete(django_settings.CELERY_TASK_DEFAULT_QUEUE)
    yield
    client.delete(django_settings.CELERY_TASK_DEFAULT_QUEUE)


def test_messages_are_dispatched_a_chunk_to_a_task(empty_queue, settings):
    settings.FEEDBACK = {**settings.FEEDBACK, "DELIVERY_CHUNK_SIZE": 50}
    services.outbox_dispatch(message_ids=list(range(1, 121)))
    assert queued_tasks() == [
        ("feedback.tasks.deliver_messages", list(range(1, 51))),
        ("feedback.tasks.deliver_messages", list(range(51, 101))),
        ("feedback.tasks.deliver_messages", list(range(101, 121))),
    ]


def test_a_broker_that_refuses_the_tasks_is_logged_not_raised(
    empty_queue, settings, monkeypatch, caplog
):
    settings.FEEDBACK = {**settings.FEEDBACK, "DELIVERY_CHUNK_SIZE": 50}

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    monkeypatch.setattr(current_app, "send_task", broker_down)
    services.outbox_dispatch(message_ids=[1, 2, 3])

    assert "could not dispatch messages [1, 2, 3]; the sweep will retry" in caplog.text
    assert queued_tasks() == []


def test_a_task_out_of_time_hands_the_rest_back(empty_queue, settings, interview_end):
    with time_machine.travel(interview_end - dt.timedelta(hours=2), tick=False):
        schedule_interview(ends_at=interview_end)
    with time_machine.travel(interview_end, tick=False):
        services.sweep_run()
    empty_queue_now = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    empty_queue_now.delete(django_settings.CELERY_TASK_DEFAULT_QUEUE)  # the sweep's own
    first, second = OutboundMessage.objects.order_by("pk")
    settings.FEEDBACK = {**settings.FEEDBACK, "DELIVERY_TASK_SECONDS": 0}

    assert services.outbox_deliver(message_ids=[first.pk, second.pk]) == ["sent"]

    first.refresh_from_db()
    second_before = second.dispatched_at
    second.refresh_from_db()
    assert first.status == OutboundMessage.Status.SENT
    assert second.status == OutboundMessage.Status.QUEUED
    assert second.dispatched_at > second_before  # the sweep will not dispatch it again
    assert queued_tasks() == [("feedback.tasks.deliver_messages", [second.pk])]


# --- claims, lost tasks and retries -------------------------------------------------------


def test_a_claim_abandoned_by_a_dead_worker_is_handed_out_again(asked, smtp_mail, settings):
    message = candidate_ask()
    claimed_at = timezone.now()
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundMessage.Status.SENDING, claimed_at=claimed_at, attempts=1
    )
    assert services.outbox_reclaim_abandoned() == 0  # still within the lease
    later = claimed_at + settings.FEEDBACK["DELIVERY_LEASE"] + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert services.outbox_reclaim_abandoned() == 1
        assert services.outbox_deliver(message_ids=[message.pk]) == ["sent"]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundMessage.Status.SENT, 2)
    assert len(smtp_mail.messages) == 1


def test_lost_tasks_are_dispatched_again_by_the_sweep_but_not_too_soon(
    asked, settings, interview_end
):
    # Both asks were dispatched at creation; the broker may have lost them.
    with time_machine.travel(interview_end + dt.timedelta(seconds=10), tick=False):
        assert services.outbox_redispatch_due(limit=100) == 0
    later = interview_end + settings.FEEDBACK["REDISPATCH_AFTER"] + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert services.outbox_redispatch_due(limit=100) == 2
        assert services.outbox_redispatch_due(limit=100) == 0  # just dispatched


def test_a_failed_message_can_be_retried_now(asked, settings, smtp_mail):
    message = candidate_ask()
    OutboundMessage.objects.filter(pk=message.pk).update(status=OutboundMessage.Status.FAILED)
    assert services.outbox_retry_now(message=message) is True
    assert services.outbox_retry_now(message=message) is False  # already queued
    assert services.outbox_deliver(message_ids=[message.pk]) == ["sent"]
    assert len(smtp_mail.messages) == 1
