"""Webhooks with the real engine: the Celery worker and beat of the loop's own system
test (tests/test_loop_integration.py) deliver from the outbox to a real HTTP receiver,
which verifies every signature with the standardwebhooks library and counts deliveries
per webhook-id. Nothing is faked: the sweep marks "possibly waned" on its own schedule,
the receiver fails at first and the outbox's retries carry the same webhook-id."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import OutboundMessage, Party, WebhookEndpoint
from feedback.webhooks import events
from tests.factories import request_of, schedule_interview

# The loop's system test's stack: a real worker and beat on Redis, sharing the test database.
from tests.test_loop_integration import (  # noqa: F401
    SCENARIO_TIMEOUT,
    _redis_url,
    _set_policy,
    celery_stack,
)
from tests.webhook_receiver import WebhookReceiver, payload_of


@pytest.fixture
def broker_url() -> str:
    """The loop test's worker and beat, on the default broker (the loop test itself runs
    on each broker)."""
    return _redis_url()


pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fast_retries(monkeypatch):
    """The worker's backoff in seconds rather than half-minutes (set before it starts)."""
    monkeypatch.setenv("DELIVERY_BACKOFF_SECONDS", "1")


@pytest.fixture
def receiver():
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


def accepted_types(receiver) -> list[str]:
    with receiver.lock:
        return [payload_of(delivery)["type"] for delivery in receiver.accepted]


def test_every_event_reaches_a_real_receiver_once_through_the_worker(
    fast_retries,
    celery_stack,  # noqa: F811 - the fixture imported above
    receiver,
):
    stack = celery_stack
    _set_policy(candidate=(0, 3, 6), client=(0, 3600, 7200))
    ats = WebhookEndpoint.objects.create(
        name="Agency ATS", url=receiver.url, events=list(events.EVENT_TYPES)
    )
    receiver.secret = ats.secret
    deadline = time.monotonic() + SCENARIO_TIMEOUT

    # The receiver is down when the first event goes out: the outbox retries it.
    receiver.mode = "fail"
    interview = schedule_interview(ends_at=timezone.now() + timedelta(seconds=2))
    scheduled = OutboundMessage.objects.get(channel="webhook", subject=events.INTERVIEW_SCHEDULED)
    stack.wait_until(
        "two failed attempts of the first webhook",
        lambda: receiver.attempts.count(f"msg_{scheduled.pk}") >= 2,
        deadline=deadline,
    )
    receiver.mode = "ok"

    # Silence: the sweep (set-based) marks the candidate's interest possibly waned.
    stack.wait_until(
        "interest.possibly_waned at the receiver",
        lambda: events.INTEREST_POSSIBLY_WANED in accepted_types(receiver),
        deadline=deadline,
    )
    # A late answer restores it; the client advances a lukewarm candidate: a debrief.
    services.feedback_submit(
        request=request_of(interview),
        answers={"interest_level": 3, "still_interested": "unsure"},
        channel="portal",
    )
    services.feedback_submit(
        request=request_of(interview, Party.CLIENT),
        answers={"decision": "advance", "rating": 4},
        channel="client_page",
    )
    services.interview_cancel(interview=schedule_interview())

    expected = {
        events.INTERVIEW_SCHEDULED,
        events.INTEREST_POSSIBLY_WANED,
        events.FEEDBACK_RECEIVED,
        events.INTEREST_RESTORED,
        events.CLIENT_FEEDBACK_RECEIVED,
        events.DEBRIEF_NEEDED,
        events.INTERVIEW_CANCELLED,
    }
    stack.wait_until(
        "every event at the receiver",
        lambda: expected <= set(accepted_types(receiver)),
        deadline=deadline,
    )
    stack.wait_for_fresh_sweeps(2, deadline=deadline)

    rows = list(OutboundMessage.objects.filter(channel="webhook"))
    assert {row.subject for row in rows} == expected
    assert {row.pk: row.status for row in rows} == {row.pk: "sent" for row in rows}
    # Each arrived once, verified, under its outbox row's id; the first after retries.
    assert receiver.accepted_per_id() == {f"msg_{row.pk}": 1 for row in rows}
    assert receiver.refused_signatures == 0
    assert next(r for r in rows if r.pk == scheduled.pk).attempts >= 3
