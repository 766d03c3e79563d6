"""Rescheduling, cancelling, no-shows and early completion move or settle the loop."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from candidates.models import Interview
from feedback import services
from feedback.models import FeedbackRequest, OutboundMessage, TimelineEvent
from tests.factories import RecruiterFactory, request_of, schedule_interview

from .desk import sweep_at

pytestmark = pytest.mark.django_db

MIN = dt.timedelta(minutes=1)


def test_scheduling_moves_the_application_to_interviewing_and_logs_it(interview):
    assert interview.application.stage == "interviewing"
    event = TimelineEvent.objects.get(kind=TimelineEvent.Kind.INTERVIEW_SCHEDULED)
    assert "Round 1" in event.summary


def test_an_interview_must_end_after_it_starts(interview_end):
    with pytest.raises(ValidationError):
        schedule_interview(ends_at=interview_end, length=dt.timedelta(0))
    assert not Interview.objects.exists()


def test_rescheduling_before_the_end_moves_every_due_time(interview, interview_end):
    new_end = interview_end + dt.timedelta(days=2)
    actor = RecruiterFactory().user
    with time_machine.travel(interview_end - dt.timedelta(hours=2), tick=False):
        services.interview_reschedule(
            interview=interview,
            starts_at=new_end - dt.timedelta(hours=1),
            ends_at=new_end,
            actor=actor,
        )
    request = request_of(interview)
    assert (request.ask_at, request.due_at) == (new_end, new_end + 120 * MIN)
    assert sweep_at(interview_end + MIN).acted == 0
    assert sweep_at(new_end).asked == 2
    event = TimelineEvent.objects.get(kind=TimelineEvent.Kind.INTERVIEW_RESCHEDULED)
    assert event.actor == actor


def test_rescheduling_after_the_ask_cancels_queued_asks_and_starts_a_new_cycle(
    interview, interview_end
):
    sweep_at(interview_end)
    old_ask = OutboundMessage.objects.get(kind="request", request__party="candidate")
    new_end = interview_end + dt.timedelta(days=1)
    with time_machine.travel(interview_end + 5 * MIN, tick=False):
        services.interview_reschedule(
            interview=interview, starts_at=new_end - dt.timedelta(hours=1), ends_at=new_end
        )
    old_ask.refresh_from_db()
    assert old_ask.status == OutboundMessage.Status.CANCELLED
    request = request_of(interview)
    assert request.status == FeedbackRequest.Status.SCHEDULED
    assert request.cycle == 2
    # The old deadline passes without an alert; the new end asks again.
    assert sweep_at(interview_end + 121 * MIN).overdue == 0
    sweep_at(new_end)
    assert OutboundMessage.objects.filter(kind="request", request__party="candidate").count() == 2


def test_cancelling_settles_the_requests_and_sends_nothing_more(interview, interview_end):
    sweep_at(interview_end - 10 * MIN)
    with time_machine.travel(interview_end - 5 * MIN, tick=False):
        services.interview_cancel(interview=interview)
    assert set(
        FeedbackRequest.objects.filter(interview=interview).values_list("status", flat=True)
    ) == {FeedbackRequest.Status.CANCELLED}
    for moment in (interview_end, interview_end + 121 * MIN, interview_end + dt.timedelta(3)):
        assert sweep_at(moment).acted == 0
    assert not OutboundMessage.objects.exists()


def test_cancelling_after_the_ask_cancels_the_queued_reminder(interview, interview_end):
    sweep_at(interview_end)
    sweep_at(interview_end + 60 * MIN)
    with time_machine.travel(interview_end + 61 * MIN, tick=False):
        services.interview_cancel(interview=interview)
    assert not OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED).exists()
    assert sweep_at(interview_end + 121 * MIN).overdue == 0


def test_a_cancelled_interview_cannot_be_cancelled_or_rescheduled_again(interview):
    services.interview_cancel(interview=interview, no_show=True)
    interview.refresh_from_db()
    assert interview.status == Interview.Status.NO_SHOW
    with pytest.raises(ValidationError):
        services.interview_cancel(interview=interview)
    with pytest.raises(ValidationError):
        services.interview_reschedule(
            interview=interview, starts_at=interview.starts_at, ends_at=interview.ends_at
        )


def test_marking_completed_early_asks_now(interview, interview_end):
    early = interview_end - 20 * MIN
    with time_machine.travel(early, tick=False):
        services.interview_mark_completed(interview=interview)
    request = request_of(interview)
    assert (request.ask_at, request.due_at) == (early, early + 120 * MIN)
    assert sweep_at(early).asked == 2
