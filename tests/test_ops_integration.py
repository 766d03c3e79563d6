"""Operations against the real engine: a Celery worker and beat (subprocesses, as in
tests/test_loop_integration.py) on Redis, sharing the test database.

- JSON logs: the request id of a portal answer reaches the worker's lines for the task
  that request enqueued and the delivery of the message it queued; the worker's log names
  no person.
- Health and metrics see the worker (its heartbeat) and its sweeps.
"""

import json
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from feedback.models import FeedbackRequest, OutboundMessage, Party
from ops.selectors import sweep_overdue_after
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    request_of,
    schedule_interview,
    token_of,
)
from tests.test_loop_integration import SCENARIO_TIMEOUT, _redis_url, _set_policy
from tests.test_loop_integration import celery_stack as loop_celery_stack

# The loop test's worker and beat, as a fixture of this module too, on the default broker
# (the loop test itself runs on each broker).
celery_stack = loop_celery_stack


@pytest.fixture
def broker_url() -> str:
    return _redis_url()


pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ANSWER = "Loved the referral hospital; Bartholomew in imaging was a delight."


@pytest.fixture
def json_worker(monkeypatch, request):
    """The worker and beat, started with LOG_FORMAT=json."""
    monkeypatch.setenv("LOG_FORMAT", "json")
    return request.getfixturevalue("celery_stack")


def _json_lines(text: str) -> list[dict]:
    """The JSON lines of a process's output (Celery's start-up banner is not one)."""
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_a_request_id_follows_a_portal_answer_into_the_workers_lines(
    json_worker, json_log, anonymous
):
    stack = json_worker
    _set_policy(candidate=(0, 600, 1200), client=(0, 600, 1200))
    candidate = CandidateFactory(
        first_name="Wilhelmina",
        last_name="Oyelaran",
        email="w.oyelaran@mail.example",
        phone="+1 773 555 0166",
    )
    interview = schedule_interview(
        application=ApplicationFactory(candidate=candidate), ends_at=timezone.now()
    )
    request = request_of(interview, Party.CANDIDATE)
    deadline = time.monotonic() + SCENARIO_TIMEOUT
    stack.wait_until(
        "the worker's sweep to ask the candidate",
        lambda: FeedbackRequest.objects.filter(
            pk=request.pk, status=FeedbackRequest.Status.PENDING
        ).exists(),
        deadline=deadline,
    )

    response = anonymous.post(
        reverse("portal:feedback", kwargs={"token": token_of(request)}),
        {"interest_level": "9", "still_interested": "yes", "went_well": ANSWER},
    )
    assert response.status_code == 302
    request_id = next(
        line["request_id"]
        for line in json_log.getvalue().splitlines()
        for line in [json.loads(line)]
        if line["event"] == "request_started"
    )
    alert = OutboundMessage.objects.get(
        request=request, kind=OutboundMessage.Kind.FEEDBACK_RECEIVED
    )
    assert alert.queued_by_request == request_id

    def delivery_logged():
        lines = _json_lines(stack.worker.output())
        return [
            line
            for line in lines
            if line["event"] == "message_delivery" and line["message_id"] == alert.pk
        ]

    (delivery,) = stack.wait_until(
        "the worker to log the alert's delivery", delivery_logged, deadline=deadline
    )
    assert delivery["outcome"] == "sent"
    assert delivery["queued_by_request"] == request_id
    # The task the request enqueued runs with the request's id bound: every line of it.
    assert delivery["request_id"] == request_id
    task_lines = [
        line
        for line in _json_lines(stack.worker.output())
        if line.get("task_id") == delivery["task_id"]
    ]
    assert {line["event"] for line in task_lines} >= {"task_started", "message_delivery"}
    assert {line.get("request_id") for line in task_lines} == {request_id}

    worker_log = stack.worker.output()
    recruiter = candidate.owner.user
    personal = [
        candidate.first_name,
        candidate.last_name,
        candidate.email,
        candidate.phone,
        recruiter.first_name,
        recruiter.last_name,
        recruiter.email,
        "Bartholomew",
        token_of(request),
    ]
    assert [value for value in personal if value in worker_log] == []


def test_health_and_metrics_see_the_real_worker_and_its_sweeps(
    celery_stack, recruiter, anonymous, settings
):
    settings.METRICS_TOKEN = "scrape-token"
    deadline = time.monotonic() + SCENARIO_TIMEOUT

    def loop_detail():
        detail = recruiter.get(reverse("ops:loop")).json()
        return detail if detail["workers_seen_last_minute"] else None

    detail = celery_stack.wait_until("the worker's heartbeat", loop_detail, deadline=deadline)
    assert detail["healthy"] is True, detail
    (worker,) = detail["workers"]
    assert worker.startswith("tvr-test-")
    assert detail["last_sweep_age_seconds"] < sweep_overdue_after().total_seconds()

    assert anonymous.get(reverse("ops:readiness")).status_code == 200

    response = anonymous.get(reverse("ops:metrics"), HTTP_AUTHORIZATION="Bearer scrape-token")
    samples = {
        sample.name: sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
        if not sample.labels
    }
    assert samples["tvr_workers_seen"] == 1
    assert samples["tvr_sweep_duration_seconds_count"] >= 1
    assert samples["tvr_loop_healthy"] == 1
    assert (
        timezone.now().timestamp() - samples["tvr_sweep_last_finished_timestamp_seconds"]
        < sweep_overdue_after().total_seconds()
    )
