"""A link takes a few answers in a while, not a stream: past the limit the answer is
refused with a clear message, the typed input stays in the form, and nothing is stored
or sent."""

import datetime as dt

import pytest

from feedback import services
from feedback.models import Feedback, OutboundMessage, Party
from tests.factories import ApplicationFactory, link_path, request_of, schedule_interview

pytestmark = pytest.mark.django_db


@pytest.fixture
def interview(clock, interview_end):
    interview = schedule_interview(application=ApplicationFactory(), ends_at=interview_end)
    services.sweep_run()
    return interview


def answer(level: int) -> dict:
    return {"interest_level": str(level), "still_interested": "yes", "went_well": f"Take {level}"}


def test_the_portal_refuses_a_sixth_answer_within_ten_minutes_and_keeps_what_was_typed(
    interview, anonymous, clock
):
    path = link_path(request_of(interview))
    for level in range(1, 6):
        assert anonymous.post(path, answer(level)).status_code == 302
        clock.shift(dt.timedelta(seconds=20))
    notices = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.FEEDBACK_RECEIVED).count()

    response = anonymous.post(path, answer(6))

    assert response.status_code == 429
    page = response.content.decode()
    assert "already been changed several times in the last 10 min" in page
    assert "Take 6" in page  # the typed input is kept
    assert Feedback.objects.count() == 5
    assert Feedback.objects.get(is_current=True).went_well == "Take 5"
    assert (
        OutboundMessage.objects.filter(kind=OutboundMessage.Kind.FEEDBACK_RECEIVED).count()
        == notices
    )


def test_the_portal_takes_an_answer_again_once_the_window_has_passed(interview, anonymous, clock):
    path = link_path(request_of(interview))
    for level in range(1, 6):
        anonymous.post(path, answer(level))
    assert anonymous.post(path, answer(6)).status_code == 429

    clock.shift(dt.timedelta(minutes=10, seconds=1))

    assert anonymous.post(path, answer(7)).status_code == 302
    assert Feedback.objects.get(is_current=True).went_well == "Take 7"


def test_a_call_logged_by_the_recruiter_is_not_counted_against_the_link(
    interview, anonymous, recruiter
):
    request = request_of(interview)
    for level in range(1, 6):
        anonymous.post(link_path(request), answer(level))

    logged = services.feedback_log_call(
        request=request, answers={"interest_level": 9}, actor=recruiter.user
    )

    assert logged.is_current


def test_the_clients_link_is_limited_the_same_way(interview, anonymous):
    path = link_path(request_of(interview, Party.CLIENT))
    for _ in range(5):
        assert anonymous.post(path, {"decision": "hold", "rating": "3"}).status_code == 302

    response = anonymous.post(path, {"decision": "advance", "rating": "5", "strengths": "Kind"})

    assert response.status_code == 429
    assert "Kind" in response.content.decode()
    assert Feedback.objects.count() == 5
