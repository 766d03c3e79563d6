"""Handing messages to the workers: a few to a task, and a task that runs out of time
gives the rest back to the queue instead of holding a worker process."""

import base64
import datetime as dt
import json

import pytest
import redis
import time_machine
from celery import current_app
from django.conf import settings as django_settings
from kombu.exceptions import OperationalError

from feedback import services
from feedback.models import OutboundMessage
from tests.factories import schedule_interview

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
