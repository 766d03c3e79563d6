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


# --- the interview form's save: schedule, plain details, or reschedule -------------------


def test_saving_a_new_interview_schedules_it_in_the_next_round(interview, interview_end):
    actor = RecruiterFactory().user
    second = Interview(
        application=interview.application,
        round=None,
        kind=Interview.Kind.VIDEO,
        starts_at=interview_end + dt.timedelta(days=2),
        ends_at=interview_end + dt.timedelta(days=2, hours=1),
        time_zone="America/Chicago",
        video_link="https://meet.example/second",
    )

    saved = services.interview_save(interview=second, changed=[], actor=actor)

    assert saved.pk is not None
    assert (saved.round, saved.video_link) == (2, "https://meet.example/second")
    assert saved.feedback_requests.count() == 2
    event = TimelineEvent.objects.get(
        kind=TimelineEvent.Kind.INTERVIEW_SCHEDULED, data__interview_id=saved.pk
    )
    assert event.actor == actor


def test_saving_plain_details_leaves_the_loop_alone(interview, interview_end):
    events = TimelineEvent.objects.count()
    interview.location, interview.interviewers = "Evanston campus", "Dr. Lindqvist"

    saved = services.interview_save(interview=interview, changed=["location", "interviewers"])

    stored = Interview.objects.get(pk=interview.pk)
    assert (stored.location, stored.interviewers) == ("Evanston campus", "Dr. Lindqvist")
    assert saved.status == stored.status == Interview.Status.SCHEDULED
    assert request_of(interview).cycle == 1
    assert TimelineEvent.objects.count() == events


def test_saving_new_times_reschedules_with_the_details(interview, interview_end):
    actor = RecruiterFactory().user
    with time_machine.travel(interview_end + 10 * MIN, tick=False):
        services.interview_mark_completed(interview=interview)
    new_end = interview_end + dt.timedelta(days=1)
    interview.refresh_from_db()
    interview.starts_at, interview.ends_at = new_end - dt.timedelta(hours=1), new_end
    interview.location = "Evanston campus"

    saved = services.interview_save(
        interview=interview, changed=["starts_at", "ends_at", "location"], actor=actor
    )

    assert (saved.ends_at, saved.location, saved.status) == (
        new_end,
        "Evanston campus",
        Interview.Status.SCHEDULED,
    )
    assert (request_of(interview).ask_at, request_of(interview).cycle) == (
        new_end,
        2,
    )
    event = TimelineEvent.objects.get(kind=TimelineEvent.Kind.INTERVIEW_RESCHEDULED)
    assert (event.actor, event.data["from"]) == (actor, (interview_end - MIN * 60).isoformat())


def test_new_times_for_a_cancelled_interview_are_refused_with_nothing_written(interview):
    services.interview_cancel(interview=interview)
    interview.refresh_from_db()
    stored_start, stored_location = interview.starts_at, interview.location
    interview.starts_at += dt.timedelta(days=1)
    interview.ends_at += dt.timedelta(days=1)
    interview.location = "Evanston campus"

    with pytest.raises(ValidationError):
        services.interview_save(interview=interview, changed=["starts_at", "ends_at", "location"])

    stored = Interview.objects.get(pk=interview.pk)
    assert (stored.starts_at, stored.location) == (stored_start, stored_location)


def test_the_lifecycle_is_recorded_at_an_explicit_moment(interview_end):
    scheduled_at = interview_end - dt.timedelta(days=3)
    interview = schedule_interview(ends_at=interview_end, now=scheduled_at)
    early = interview_end - 20 * MIN
    services.interview_mark_completed(interview=interview, now=early)
    services.interview_cancel(interview=interview, no_show=True, now=early + MIN)

    times = dict(
        TimelineEvent.objects.filter(application=interview.application).values_list(
            "kind", "created_at"
        )
    )
    assert times == {
        TimelineEvent.Kind.INTERVIEW_SCHEDULED: scheduled_at,
        TimelineEvent.Kind.INTERVIEW_COMPLETED: early,
        TimelineEvent.Kind.INTERVIEW_NO_SHOW: early + MIN,
    }
    assert request_of(interview).ask_at == early  # completed early: asked from then
    assert request_of(interview).cancelled_at == early + MIN


def test_only_plain_details_are_saved_as_they_are(interview):
    interview.status = Interview.Status.CANCELLED
    with pytest.raises(ValueError, match="status"):
        services.interview_save(interview=interview, changed=["status", "location"])
    assert Interview.objects.get(pk=interview.pk).status == Interview.Status.SCHEDULED
