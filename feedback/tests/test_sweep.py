"""The sweep at every boundary of the default policy, with frozen time.

Default policy: ask at the interview's end; candidate reminder +60 min and deadline
+120 min; client reminder +24 h and deadline +48 h.
"""

import datetime as dt

import pytest
import time_machine

from candidates.models import Application
from feedback import services, tasks
from feedback.models import FeedbackRequest, OutboundMessage, TimelineEvent
from feedback.selectors import policy_get
from tests.factories import request_of, schedule_interview

from .desk import sweep_at

pytestmark = pytest.mark.django_db

MIN = dt.timedelta(minutes=1)
SEC = dt.timedelta(seconds=1)


def delivered(message):
    """The message as it went out: the sweep queues asks and alerts without text, and the
    worker that sends one renders and stores it."""
    assert services.outbox_deliver(message_ids=[message.pk]) == ["sent"]
    message.refresh_from_db()
    return message


def messages(kind=None, **filters):
    qs = OutboundMessage.objects.filter(**filters)
    return qs.filter(kind=kind) if kind else qs


def test_scheduling_plans_both_parties_from_the_policy(interview, interview_end):
    candidate = request_of(interview, "candidate")
    client = request_of(interview, "client")
    assert candidate.status == client.status == FeedbackRequest.Status.SCHEDULED
    assert (candidate.ask_at, candidate.remind_at, candidate.due_at) == (
        interview_end,
        interview_end + 60 * MIN,
        interview_end + 120 * MIN,
    )
    assert (client.ask_at, client.remind_at, client.due_at) == (
        interview_end,
        interview_end + dt.timedelta(hours=24),
        interview_end + dt.timedelta(hours=48),
    )
    assert candidate.next_action_at == interview_end


def test_nothing_is_sent_before_the_interview_ends(interview, interview_end):
    result = sweep_at(interview_end - SEC)
    assert result.acted == 0
    assert not messages().exists()


def test_both_parties_are_asked_when_the_interview_ends(interview, interview_end):
    result = sweep_at(interview_end)
    assert result.asked == 2
    asks = messages(OutboundMessage.Kind.REQUEST)
    assert sorted(m.recipient for m in asks) == sorted(
        [
            interview.application.candidate.email,
            interview.application.position.hiring_contact.email,
        ]
    )
    assert all(m.body_text == "" for m in asks)  # rendered by the worker that sends it
    candidate_mail = delivered(asks.get(request__party="candidate"))
    assert "/portal/f/" in candidate_mail.body_text
    assert "/clients/feedback/" in delivered(asks.get(request__party="client")).body_text
    assert request_of(interview, "candidate").status == FeedbackRequest.Status.PENDING
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.REQUEST_SENT).count() == 2


def test_a_second_sweep_asks_nobody_twice(interview, interview_end):
    sweep_at(interview_end)
    assert sweep_at(interview_end + 30 * SEC).acted == 0
    assert messages(OutboundMessage.Kind.REQUEST).count() == 2


def test_candidate_is_reminded_at_sixty_minutes_not_before(interview, interview_end):
    sweep_at(interview_end)
    sweep_at(interview_end + 60 * MIN - SEC)
    assert not messages(OutboundMessage.Kind.REMINDER).exists()
    result = sweep_at(interview_end + 60 * MIN)
    assert result.reminded == 1
    reminder = messages(OutboundMessage.Kind.REMINDER).get()
    assert reminder.request.party == "candidate"
    assert request_of(interview, "candidate").reminders_sent == 1
    sweep_at(interview_end + 61 * MIN)
    assert messages(OutboundMessage.Kind.REMINDER).count() == 1


def test_candidate_deadline_marks_possibly_waned_and_alerts_once(interview, interview_end):
    sweep_at(interview_end)
    sweep_at(interview_end + 60 * MIN)
    sweep_at(interview_end + 120 * MIN - SEC)
    assert request_of(interview, "candidate").status == FeedbackRequest.Status.PENDING

    result = sweep_at(interview_end + 120 * MIN)
    assert result.overdue == 1
    request = request_of(interview, "candidate")
    assert request.status == FeedbackRequest.Status.OVERDUE
    application = Application.objects.get(pk=interview.application.pk)
    assert application.interest_status == Application.InterestStatus.POSSIBLY_WANED
    alert = messages(OutboundMessage.Kind.OVERDUE_ALERT).get()
    assert alert.recipient == interview.application.candidate.owner.email
    assert "possibly waned" in delivered(alert).body_text
    assert TimelineEvent.objects.filter(
        application=application, kind=TimelineEvent.Kind.MARKED_POSSIBLY_WANED
    ).exists()

    sweep_at(interview_end + 125 * MIN)
    assert messages(OutboundMessage.Kind.OVERDUE_ALERT).count() == 1
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.MARKED_POSSIBLY_WANED).count() == 1


def test_client_is_reminded_at_a_day_and_overdue_at_two(interview, interview_end):
    sweep_at(interview_end)
    sweep_at(interview_end + dt.timedelta(hours=24) - SEC)
    assert not messages(OutboundMessage.Kind.REMINDER, request__party="client").exists()
    sweep_at(interview_end + dt.timedelta(hours=24))
    assert messages(OutboundMessage.Kind.REMINDER, request__party="client").count() == 1

    sweep_at(interview_end + dt.timedelta(hours=48) - SEC)
    assert request_of(interview, "client").status == FeedbackRequest.Status.PENDING
    sweep_at(interview_end + dt.timedelta(hours=48))
    assert request_of(interview, "client").status == FeedbackRequest.Status.OVERDUE
    alert = messages(OutboundMessage.Kind.OVERDUE_ALERT, request__party="client").get()
    assert alert.recipient == interview.application.position.recruiter.email
    sweep_at(interview_end + dt.timedelta(hours=49))
    assert messages(OutboundMessage.Kind.OVERDUE_ALERT, request__party="client").count() == 1


def test_client_deadline_does_not_touch_candidate_interest(interview, interview_end):
    sweep_at(interview_end)
    with time_machine.travel(interview_end + 10 * MIN, tick=False):
        services.feedback_submit(
            request=request_of(interview, "candidate"),
            answers={"interest_level": 9, "still_interested": "yes"},
        )
    sweep_at(interview_end + dt.timedelta(hours=48))
    application = Application.objects.get(pk=interview.application.pk)
    assert application.interest_status == Application.InterestStatus.HIGH


def test_a_sweep_after_downtime_skips_a_stale_reminder(interview, interview_end):
    sweep_at(interview_end)
    result = sweep_at(interview_end + 130 * MIN)
    assert result.reminded == 0
    assert result.overdue == 1
    assert not messages(OutboundMessage.Kind.REMINDER, request__party="candidate").exists()


def test_a_late_ask_gives_the_full_window_from_the_moment_of_asking(interview, interview_end):
    # The sweep was down for three hours: asking now and marking overdue at once would
    # punish the candidate for our outage.
    late = interview_end + dt.timedelta(hours=3)
    sweep_at(late)
    request = request_of(interview, "candidate")
    assert request.status == FeedbackRequest.Status.PENDING
    assert request.due_at == late + 120 * MIN
    assert request.remind_at == late + 60 * MIN
    assert sweep_at(late + 119 * MIN).overdue == 0
    assert sweep_at(late + 120 * MIN).overdue == 1


def test_an_answer_before_the_reminder_stops_the_loop(interview, interview_end):
    sweep_at(interview_end)
    with time_machine.travel(interview_end + 20 * MIN, tick=False):
        services.feedback_submit(
            request=request_of(interview, "candidate"),
            answers={"interest_level": 7, "still_interested": "unsure"},
        )
    sweep_at(interview_end + 60 * MIN)
    sweep_at(interview_end + 120 * MIN)
    assert not messages(OutboundMessage.Kind.REMINDER, request__party="candidate").exists()
    assert not messages(OutboundMessage.Kind.OVERDUE_ALERT, request__party="candidate").exists()
    request = request_of(interview, "candidate")
    assert request.status == FeedbackRequest.Status.RECEIVED
    assert request.next_action_at is None


def test_quiet_hours_defer_the_ask_to_the_morning_and_move_the_deadline(db):
    # 22:30 in Chicago (CST, UTC-6) is inside the default quiet hours 21:00–08:00.
    evening_end = dt.datetime(2026, 3, 4, 4, 30, tzinfo=dt.UTC)
    with time_machine.travel(evening_end - dt.timedelta(hours=5), tick=False):
        interview = schedule_interview(ends_at=evening_end)
    result = sweep_at(evening_end)
    assert result.deferred == 2
    assert not messages(OutboundMessage.Kind.REQUEST).exists()
    morning = dt.datetime(2026, 3, 4, 14, 0, tzinfo=dt.UTC)  # 08:00 CST
    assert request_of(interview, "candidate").next_action_at == morning
    assert sweep_at(morning - SEC).acted == 0
    assert sweep_at(morning).asked == 2
    assert request_of(interview, "candidate").due_at == morning + 120 * MIN


def test_quiet_hours_can_be_switched_off(db, interview_end):
    policy = policy_get()
    policy.quiet_hours_start = policy.quiet_hours_end = None
    policy.save()
    night_end = dt.datetime(2026, 3, 4, 6, 0, tzinfo=dt.UTC)  # midnight in Chicago
    with time_machine.travel(night_end - dt.timedelta(hours=2), tick=False):
        schedule_interview(ends_at=night_end)
    assert sweep_at(night_end).asked == 2


def test_a_candidate_without_email_consent_is_not_emailed_but_still_tracked(
    interview, interview_end
):
    candidate = interview.application.candidate
    candidate.consent_email = False
    candidate.save()
    sweep_at(interview_end)
    assert not messages(OutboundMessage.Kind.REQUEST, request__party="candidate").exists()
    sweep_at(interview_end + 120 * MIN)
    assert request_of(interview, "candidate").status == FeedbackRequest.Status.OVERDUE
    assert messages(OutboundMessage.Kind.OVERDUE_ALERT, request__party="candidate").count() == 1


def test_policy_changes_apply_to_interviews_scheduled_afterwards(interview, interview_end):
    policy = policy_get()
    policy.candidate_deadline_after = dt.timedelta(minutes=30)
    policy.candidate_remind_after = None
    policy.save()
    with time_machine.travel(interview_end - dt.timedelta(days=1), tick=False):
        later = schedule_interview(ends_at=interview_end)
    assert request_of(interview, "candidate").due_at == interview_end + 120 * MIN
    new = request_of(later, "candidate")
    assert (new.remind_at, new.due_at) == (None, interview_end + 30 * MIN)
    sweep_at(interview_end)
    assert sweep_at(interview_end + 30 * MIN).overdue == 1


def test_subjects_are_plain_text_not_html_escaped(db, interview_end):
    with time_machine.travel(interview_end - dt.timedelta(days=1), tick=False):
        interview = schedule_interview(ends_at=interview_end)
    client = interview.application.position.client
    client.name = "Smith & Jones Veterinary"
    client.save()
    sweep_at(interview_end)
    ask = delivered(messages(OutboundMessage.Kind.REQUEST, request__party="candidate").get())
    assert ask.subject == "How did your interview with Smith & Jones Veterinary go?"


# --- an explicit `now`, one interview at a time (the demo plays its stories so) ----------


def test_a_sweep_at_an_explicit_moment_acts_as_the_clock_would_then(interview, interview_end):
    later = schedule_interview(ends_at=interview_end + 30 * MIN)

    # The real clock is long past both deadlines: only the explicit moment counts.
    with time_machine.travel(interview_end + dt.timedelta(days=30), tick=False):
        asked = services.feedback_requests_sweep(now=interview_end)
        reminded = services.feedback_requests_sweep(now=interview_end + 60 * MIN)

    assert (asked.asked, reminded.reminded) == (2, 1)
    candidate = request_of(interview, "candidate")
    assert (candidate.status, candidate.asked_at, candidate.reminders_sent) == (
        FeedbackRequest.Status.PENDING,
        interview_end,
        1,
    )
    assert {r.status for r in later.feedback_requests.all()} == {FeedbackRequest.Status.PENDING}
    [event] = TimelineEvent.objects.filter(request=candidate, kind=TimelineEvent.Kind.REMINDER_SENT)
    assert event.created_at == interview_end + 60 * MIN


def test_a_sweep_of_one_interview_leaves_the_others_alone(interview, interview_end):
    other = schedule_interview(ends_at=interview_end)

    result = services.feedback_requests_sweep(now=interview_end + 3 * 60 * MIN, interview=other)

    assert result.asked == 2
    assert {r.status for r in interview.feedback_requests.all()} == {
        FeedbackRequest.Status.SCHEDULED
    }
    assert not TimelineEvent.objects.filter(request__interview=interview).exists()
    assert sweep_at(interview_end).asked == 2  # the running sweep picks them up as ever


def test_the_sweep_task_reports_what_the_sweep_did(interview, interview_end):
    with time_machine.travel(interview_end, tick=False):
        assert tasks.sweep() == {"asked": 2, "reminded": 0, "overdue": 0}
