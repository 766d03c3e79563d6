"""Answers update interest, settle the request, keep amendments and tell the recruiter."""

import datetime as dt

import pytest
import time_machine

from candidates.models import Application
from feedback import services
from feedback.models import Feedback, FeedbackRequest, OutboundMessage, TimelineEvent
from tests.factories import RecruiterFactory, request_of

pytestmark = pytest.mark.django_db

MIN = dt.timedelta(minutes=1)


def submit_at(moment, request, **answers):
    with time_machine.travel(moment, tick=False):
        return services.feedback_submit(request=request, answers=answers)


def sent(notice: OutboundMessage) -> OutboundMessage:
    """The recruiter's notice as delivered: its text is written when it is sent."""
    assert services.outbox_deliver(message_ids=[notice.pk]) == ["sent"]
    notice.refresh_from_db()
    return notice


def test_an_answer_on_time_sets_interest_and_notifies_the_recruiter(asked, interview_end):
    request = request_of(asked)
    feedback = submit_at(
        interview_end + 30 * MIN,
        request,
        interest_level=8,
        still_interested="yes",
        concerns="Commute",
        wants_call=True,
        preferred_call_time="after 5pm",
    )
    assert feedback.lateness is None
    assert feedback.channel == Feedback.Channel.PORTAL
    application = Application.objects.get(pk=asked.application.pk)
    assert (application.interest_level, application.interest_status) == (8, "high")
    request.refresh_from_db()
    assert request.status == FeedbackRequest.Status.RECEIVED
    notice = sent(OutboundMessage.objects.get(kind=OutboundMessage.Kind.FEEDBACK_RECEIVED))
    assert notice.recipient == asked.application.candidate.owner.email
    assert "8/10" in notice.subject
    assert "please call" in notice.subject
    assert "after 5pm" in notice.body_text


def test_a_late_answer_clears_possibly_waned_and_records_how_late(asked, interview_end):
    with time_machine.travel(interview_end + 120 * MIN, tick=False):
        services.sweep_run()
    assert Application.objects.get(pk=asked.application.pk).interest_status == "possibly_waned"

    feedback = submit_at(
        interview_end + 165 * MIN,
        request_of(asked),
        interest_level=6,
        still_interested="yes",
    )
    assert feedback.lateness == 45 * MIN
    application = Application.objects.get(pk=asked.application.pk)
    assert application.interest_status == "moderate"
    restored = TimelineEvent.objects.get(kind=TimelineEvent.Kind.INTEREST_RESTORED)
    assert restored.data["late_seconds"] == 45 * 60
    assert "45 min late" in restored.summary
    assert request_of(asked).status == FeedbackRequest.Status.RECEIVED


def test_an_amendment_is_kept_beside_the_first_answer(asked, interview_end):
    request = request_of(asked)
    first = submit_at(interview_end + 10 * MIN, request, interest_level=9, still_interested="yes")
    sent(OutboundMessage.objects.get(kind="feedback_received"))
    second = submit_at(interview_end + 50 * MIN, request, interest_level=4, still_interested="no")
    first.refresh_from_db()
    assert (first.is_current, second.is_current) == (False, True)
    assert second.supersedes == first
    assert first.interest_level == 9  # not overwritten
    application = Application.objects.get(pk=asked.application.pk)
    assert application.interest_status == "not_interested"
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.FEEDBACK_AMENDED).count() == 1
    assert OutboundMessage.objects.filter(kind="feedback_received").count() == 2


def test_phone_feedback_logged_by_the_recruiter_records_who(asked, interview_end):
    recruiter = RecruiterFactory()
    with time_machine.travel(interview_end + 5 * MIN, tick=False):
        feedback = services.feedback_submit(
            request=request_of(asked),
            answers={"interest_level": 10, "still_interested": "yes"},
            channel=Feedback.Channel.PHONE,
            entered_by=recruiter.user,
        )
    assert feedback.entered_by == recruiter.user
    event = TimelineEvent.objects.get(kind=TimelineEvent.Kind.FEEDBACK_RECEIVED)
    assert event.actor == recruiter.user
    assert "phone" in event.summary


@pytest.mark.parametrize("logged_by_phone", [False, True])
def test_a_time_to_call_is_a_request_to_be_called(asked, interview_end, logged_by_phone):
    request = request_of(asked)
    answers = {"interest_level": 7, "still_interested": "yes", "preferred_call_time": "Friday"}
    with time_machine.travel(interview_end + 5 * MIN, tick=False):
        if logged_by_phone:
            feedback = services.feedback_log_call(
                request=request, answers=answers, actor=RecruiterFactory().user
            )
        else:
            feedback = services.feedback_submit(request=request, answers=answers)
    assert (feedback.wants_call, feedback.preferred_call_time) == (True, "Friday")


def test_no_time_to_call_leaves_the_choice_as_given(asked, interview_end):
    with time_machine.travel(interview_end + 5 * MIN, tick=False):
        feedback = services.feedback_submit(
            request=request_of(asked),
            answers={"interest_level": 7, "wants_call": False, "preferred_call_time": ""},
        )
    assert feedback.wants_call is False


def test_the_candidate_form_only_validates_what_was_typed():
    from feedback.forms import CandidateFeedbackForm

    form = CandidateFeedbackForm(
        {"interest_level": "7", "still_interested": "yes", "preferred_call_time": "Friday"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["wants_call"] is False  # the service decides what it means


def test_a_cancelled_request_takes_no_answer(asked):
    from feedback.services import interview_cancel

    interview_cancel(interview=asked)
    with pytest.raises(services.FeedbackClosed):
        services.feedback_submit(
            request=request_of(asked),
            answers={"interest_level": 8, "still_interested": "yes"},
        )
    assert not Feedback.objects.exists()


def test_client_feedback_does_not_change_candidate_interest(asked, interview_end):
    client_request = FeedbackRequest.objects.get(interview=asked, party="client")
    submit_at(interview_end + dt.timedelta(hours=3), client_request, decision="advance", rating=5)
    assert Application.objects.get(pk=asked.application.pk).interest_status == "unknown"
    notice = sent(OutboundMessage.objects.get(kind="feedback_received"))
    assert notice.recipient == asked.application.position.recruiter.email
    assert "Advance" in notice.subject


def test_an_answer_at_an_explicit_moment_is_dated_and_timed_by_it(asked, interview_end):
    moment = interview_end + 150 * MIN  # 30 minutes past the candidate's deadline
    with time_machine.travel(interview_end + dt.timedelta(days=9), tick=False):
        feedback = services.feedback_submit(
            request=request_of(asked), answers={"interest_level": 6}, now=moment
        )
    assert (feedback.submitted_at, feedback.lateness) == (moment, 30 * MIN)
    assert request_of(asked).received_at == moment
    event = TimelineEvent.objects.get(kind=TimelineEvent.Kind.FEEDBACK_RECEIVED)
    assert event.created_at == moment
    assert Application.objects.get(pk=asked.application.pk).interest_updated_at == moment
