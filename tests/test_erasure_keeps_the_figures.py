"""Erasing a candidate keeps what the client pages count: the client's responsiveness
(clients' figures) reads only statuses and times, which erasure leaves as they were.
(The dashboard's charts: privacy/tests/test_erasure.py.)"""

import datetime as dt

import pytest
import time_machine

from clients.selectors.responsiveness import client_responsiveness
from feedback import services as feedback_services
from privacy import services
from tests.factories import ApplicationFactory, request_of, schedule_interview

pytestmark = pytest.mark.django_db


def test_the_clients_responsiveness_is_the_same_after_a_candidate_is_erased(
    clock, interview_end, recruiter
):
    application = ApplicationFactory()
    answered = schedule_interview(application=application, ends_at=interview_end)
    awaited = schedule_interview(
        application=application, ends_at=interview_end + dt.timedelta(hours=3), round=2
    )
    feedback_services.sweep_run()
    with time_machine.travel(interview_end + dt.timedelta(hours=5), tick=False):
        feedback_services.feedback_submit(
            request=request_of(answered, "client"),
            answers={"decision": "advance", "rating": 4, "strengths": "Calm and kind."},
        )
    client = application.position.client
    now = interview_end + dt.timedelta(days=3)  # the other client request is overdue by then
    before = client_responsiveness(client=client, now=now)
    assert before != client_responsiveness(client=client, now=interview_end)  # it has figures

    services.candidate_erase(candidate=application.candidate, actor=recruiter.user)

    assert client_responsiveness(client=client, now=now) == before
    assert request_of(awaited, "client").status != "cancelled"  # the client's side stays
