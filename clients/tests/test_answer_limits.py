"""A signed-in contact answers at a person's pace: past CLIENT_ANSWERS_PER_MINUTE answers
a minute, over all their requests, the next is refused with the input kept and nothing
stored or sent; each request also keeps the per-link limit."""

import datetime as dt

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Feedback, OutboundMessage, Party
from tests.factories import ApplicationFactory, schedule_interview

pytestmark = pytest.mark.django_db

ANSWER = {"decision": "advance", "rating": "4", "strengths": "Calm in an emergency."}


def answer_url(request) -> str:
    return reverse("clients:request", args=[request.pk])


@pytest.fixture
def four_requests(world_a, interview_end):
    """Four of client A's candidates interviewed, each client request asked."""
    interviews = [world_a.interview] + [
        schedule_interview(
            application=ApplicationFactory(position=world_a.position), ends_at=interview_end
        )
        for _ in range(3)
    ]
    services.sweep_run()
    return [interview.feedback_requests.get(party=Party.CLIENT) for interview in interviews]


def test_a_contact_past_the_limit_a_minute_is_refused_with_the_input_kept(
    four_requests, client_a, settings, clock
):
    settings.FEEDBACK = {**settings.FEEDBACK, "CLIENT_ANSWERS_PER_MINUTE": 3}
    for request in four_requests[:3]:
        assert client_a.post(answer_url(request), ANSWER).status_code == 302
    messages = OutboundMessage.objects.count()

    response = client_a.post(
        answer_url(four_requests[3]), {**ANSWER, "strengths": "Typed with care."}
    )

    assert response.status_code == 429
    page = response.content.decode()
    assert "You have sent a lot of feedback in the last minute" in page
    assert "Typed with care." in page
    assert Feedback.objects.count() == 3
    assert not four_requests[3].answers.exists()
    assert OutboundMessage.objects.count() == messages

    clock.shift(dt.timedelta(minutes=1))
    assert client_a.post(answer_url(four_requests[3]), ANSWER).status_code == 302
    assert four_requests[3].answers.count() == 1


def test_one_contact_reaching_the_limit_does_not_stop_another(
    four_requests, client_a, client_b, world_b, settings
):
    settings.FEEDBACK = {**settings.FEEDBACK, "CLIENT_ANSWERS_PER_MINUTE": 1}
    assert client_a.post(answer_url(four_requests[0]), ANSWER).status_code == 302
    assert client_a.post(answer_url(four_requests[1]), ANSWER).status_code == 429

    services.sweep_run()
    assert client_b.post(answer_url(world_b.client_request), ANSWER).status_code == 302


def test_amending_one_request_in_the_page_keeps_the_per_link_limit(four_requests, client_a):
    url = answer_url(four_requests[0])
    for _ in range(5):
        assert client_a.post(url, ANSWER).status_code == 302

    response = client_a.post(url, ANSWER)

    assert response.status_code == 429
    assert "already been changed several times" in response.content.decode()
    assert four_requests[0].answers.count() == 5
