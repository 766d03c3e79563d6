"""Two-sided debrief: when both sides have answered for an interview and see it differently,
the application goes on the recruiter's call list with the reason, once."""

import datetime as dt

import pytest
from django.utils import timezone

from candidates.models import Application
from feedback import services
from feedback.models import Feedback, OutboundMessage, Party, TimelineEvent
from tests.factories import (
    ApplicationFactory,
    RecruiterFactory,
    UserFactory,
    request_of,
    schedule_interview,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def interview(clock, interview_end):
    # The candidate's own recruiter and the position's recruiter differ: the alert goes
    # to the candidate's, who calls both sides.
    application = ApplicationFactory(position__recruiter=RecruiterFactory())
    interview = schedule_interview(application=application, ends_at=interview_end)
    services.sweep_run()
    return interview


def candidate_says(interview, level, still="yes", **extra):
    return services.feedback_submit(
        request=request_of(interview, Party.CANDIDATE),
        answers={"interest_level": level, "still_interested": still, **extra},
    )


def client_says(interview, decision, rating=3, **extra):
    return services.feedback_submit(
        request=request_of(interview, Party.CLIENT),
        answers={"decision": decision, "rating": rating, **extra},
        channel=Feedback.Channel.CLIENT_PAGE,
    )


def debrief_alerts():
    return OutboundMessage.objects.filter(kind=OutboundMessage.Kind.DEBRIEF_ALERT)


@pytest.mark.parametrize("client_first", [False, True])
def test_a_disagreement_flags_the_application_and_alerts_the_candidates_recruiter_once(
    interview, client_first
):
    application = interview.application
    if client_first:
        client_says(interview, "advance", rating=5, concerns="None really.")
        assert not debrief_alerts().exists()  # one side only so far
        candidate_says(interview, 4, concerns="The on-call rota.")
    else:
        candidate_says(interview, 4, concerns="The on-call rota.")
        assert not debrief_alerts().exists()
        client_says(interview, "advance", rating=5, concerns="None really.")

    application.refresh_from_db()
    assert application.debrief_needed_at == timezone.now()
    assert application.debrief_reason == (
        "Round 1: the client advances, but the candidate's interest is 4/10"
    )
    [event] = TimelineEvent.objects.filter(kind=TimelineEvent.Kind.DEBRIEF_NEEDED)
    assert event.application == application
    assert event.summary == f"Debrief needed. {application.debrief_reason}"
    [alert] = debrief_alerts()
    recruiter = application.candidate.owner
    assert recruiter != application.position.recruiter
    assert alert.recipient == recruiter.email
    assert alert.request == request_of(interview, Party.CANDIDATE)
    assert application.candidate.full_name in alert.subject
    assert "the client advances, but the candidate's interest is 4/10" in alert.body_text
    assert "The on-call rota." in alert.body_text
    assert application.position.hiring_contact.phone in alert.body_text
    assert "4/10" in alert.body_html


def test_agreement_or_one_side_only_changes_nothing(interview):
    candidate_says(interview, 9)
    client_says(interview, "advance")
    interview.application.refresh_from_db()
    assert interview.application.debrief_needed_at is None
    assert interview.application.debrief_reason == ""
    assert not debrief_alerts().exists()
    assert not TimelineEvent.objects.filter(kind=TimelineEvent.Kind.DEBRIEF_NEEDED).exists()


def test_amendments_that_keep_disagreeing_do_not_alert_again(interview, clock):
    candidate_says(interview, 4)
    client_says(interview, "advance")
    flagged_at = timezone.now()
    clock.shift(dt.timedelta(hours=1))

    candidate_says(interview, 3)
    client_says(interview, "advance", rating=4)

    assert debrief_alerts().count() == 1
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.DEBRIEF_NEEDED).count() == 1
    application = Application.objects.get(pk=interview.application.pk)
    assert application.debrief_needed_at == flagged_at  # still waiting since then
    assert application.debrief_reason.endswith("interest is 3/10")  # the latest reason


def test_once_the_call_is_logged_a_new_disagreement_alerts_again(interview, clock):
    candidate_says(interview, 4)
    client_says(interview, "advance")
    # The recruiter logs the call (issue 3's phone log clears the flag).
    Application.objects.filter(pk=interview.application.pk).update(
        debrief_needed_at=None, debrief_reason=""
    )
    clock.shift(dt.timedelta(days=1))

    candidate_says(interview, 2, still="no")

    assert debrief_alerts().count() == 2
    application = Application.objects.get(pk=interview.application.pk)
    assert application.debrief_needed_at == timezone.now()
    assert "no longer interested" in application.debrief_reason


def test_an_answer_the_recruiter_logged_by_phone_raises_no_debrief(interview):
    client_says(interview, "advance")
    recruiter = UserFactory(is_staff=True)
    services.feedback_submit(
        request=request_of(interview, Party.CANDIDATE),
        answers={"interest_level": 3, "still_interested": "unsure"},
        channel=Feedback.Channel.PHONE,
        entered_by=recruiter,
    )
    interview.application.refresh_from_db()
    assert interview.application.debrief_needed_at is None
    assert not debrief_alerts().exists()


def test_answers_to_different_interviews_are_not_compared(interview, interview_end):
    second = schedule_interview(
        application=interview.application, ends_at=interview_end - dt.timedelta(minutes=1)
    )
    services.sweep_run()
    candidate_says(interview, 3)
    client_says(second, "advance")
    interview.application.refresh_from_db()
    assert interview.application.debrief_needed_at is None
    assert not debrief_alerts().exists()
