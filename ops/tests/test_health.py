"""/health/ for the load balancer, /health/ready/ for the monitor: each healthy and each
unhealthy case, with the real database, Redis cache and Redis broker."""

import datetime as dt

import pytest
from celery import current_app
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from feedback.models import SweepRecord

from .conftest import queued_message

LIVENESS = reverse("ops:liveness")
READINESS = reverse("ops:readiness")

pytestmark = pytest.mark.django_db


def _queue_limit() -> dt.timedelta:
    return settings.FEEDBACK["REDISPATCH_AFTER"] + dt.timedelta(
        seconds=settings.HEALTH_QUEUE_MARGIN_SECONDS
    )


def test_liveness_answers_ok_without_touching_the_database(anonymous, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = anonymous.get(LIVENESS)
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")


def test_liveness_answers_503_while_the_host_is_drained(anonymous, settings, tmp_path):
    drain = tmp_path / "drain"
    settings.HEALTH_DRAIN_FILE = str(drain)
    assert anonymous.get(LIVENESS).status_code == 200
    drain.touch()
    response = anonymous.get(LIVENESS)
    assert response.status_code == 503
    assert response.content == b"draining\n"


def test_readiness_is_200_when_every_check_passes(anonymous, swept):
    queued_message(due_at=timezone.now() - dt.timedelta(seconds=5))
    response = anonymous.get(READINESS)
    assert response.status_code == 200, response.content
    checks = response.json()
    assert set(checks.values()) == {"OK"}
    assert {name.split("(")[0] for name in checks} == {"Database", "Cache", "Broker", "Loop"}


def test_readiness_is_503_before_any_sweep_has_finished(anonymous, clock):
    response = anonymous.get(READINESS)
    assert response.status_code == 503
    assert response.json()["Loop()"] == "Unavailable: no sweep has finished yet"


@pytest.mark.parametrize(("interval", "overdue_after"), [(2, 15), (5, 15), (10, 30)])
def test_readiness_turns_503_once_no_sweep_has_finished_for_three_intervals_or_15_s(
    anonymous, swept, clock, settings, interval, overdue_after
):
    settings.SWEEP_INTERVAL_SECONDS = interval
    clock.shift(dt.timedelta(seconds=overdue_after))
    assert anonymous.get(READINESS).status_code == 200
    clock.shift(dt.timedelta(seconds=1))
    response = anonymous.get(READINESS)
    assert response.status_code == 503
    assert response.json()["Loop()"].startswith("Unavailable: no sweep has finished for")
    SweepRecord.objects.update(last_finished_at=timezone.now())  # the sweep is back
    assert anonymous.get(READINESS).status_code == 200


def test_readiness_turns_503_when_a_due_message_waits_past_its_redispatch_and_margin(
    anonymous, swept
):
    message = queued_message(due_at=timezone.now() - _queue_limit())
    assert anonymous.get(READINESS).status_code == 200
    message.next_attempt_at -= dt.timedelta(seconds=1)
    message.save()
    response = anonymous.get(READINESS)
    assert response.status_code == 503
    assert "in the outbox since it was due" in response.json()["Loop()"]


def test_a_message_waiting_out_its_retry_backoff_is_not_late(anonymous, swept):
    # Queued long ago, but its next attempt is later: the backoff, not a stuck queue.
    queued_message(
        due_at=timezone.now() + dt.timedelta(minutes=5),
        attempts=3,
        created_at=timezone.now() - dt.timedelta(hours=2),
    )
    assert anonymous.get(READINESS).status_code == 200


def test_readiness_is_503_when_the_broker_does_not_answer(anonymous, swept, monkeypatch):
    monkeypatch.setitem(current_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = anonymous.get(READINESS)
    assert response.status_code == 503
    assert response.json()["Broker()"] == "Unavailable: the broker does not answer"
    assert response.json()["Loop()"] == "OK"


def test_readiness_is_503_when_the_cache_does_not_answer(anonymous, swept, settings):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = anonymous.get(READINESS)
    assert response.status_code == 503
    failing = {name for name, outcome in response.json().items() if outcome != "OK"}
    assert failing == {"Cache(alias='default')"}


def test_readiness_never_renders_a_template_even_for_a_browser(anonymous, swept):
    response = anonymous.get(READINESS, HTTP_ACCEPT="text/html")
    assert response["Content-Type"] == "application/json"
