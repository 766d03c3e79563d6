"""The recruiter's one-object actions in the admin: each goes through a service, is on the
application's timeline with the recruiter who did it, and refuses bad input with a clear
message and nothing changed."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from candidates.models import Application, Candidate, Interview
from feedback import selectors, services
from feedback.models import Feedback, FeedbackRequest, OutboundMessage, Party, TimelineEvent
from tests.admin_pages import messages_of
from tests.factories import link_path, request_of, schedule_interview

from .desk import (
    HOUR,
    MINUTE,
    application_for,
    interview_asked,
    interview_overdue,
)

pytestmark = pytest.mark.django_db

Status = FeedbackRequest.Status


def events(application, kind) -> list[TimelineEvent]:
    return list(application.timeline.filter(kind=kind))


def url(name: str, obj, **query) -> str:
    path = reverse(f"admin:{name}", args=[obj.pk])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- resend the portal link -------------------------------------------------------------


def test_resending_the_link_revokes_the_old_one_and_mails_a_new_one(
    recruiter, dana, interview_end, settings
):
    settings.SITE_URL = "http://testserver"
    interview = interview_asked(ends_at=interview_end, application=application_for(dana))
    request = request_of(interview)
    old_link, old_key = link_path(request), str(request.token_key)
    page = url("feedback_feedbackrequest_resend_link", request)
    assert "Send a new link" in recruiter.get(page).content.decode()

    with time_machine.travel(interview_end + 30 * MINUTE, tick=False):
        response = recruiter.post(page, follow=True)

    request.refresh_from_db()
    new_link = link_path(request)
    assert new_link != old_link
    assert response.redirect_chain[-1][0] == url("feedback_feedbackrequest_change", request)
    assert messages_of(response) == [
        f"A new link is on its way to {interview.application.candidate.email}; "
        "the old one no longer works."
    ]
    message = request.messages.get(dedupe_key="resend-1")
    assert (message.kind, message.status) == (OutboundMessage.Kind.REQUEST, "queued")
    # The link signs the new key (and the time it was signed).
    assert f"http://testserver/portal/f/{request.token_key}:" in message.body_text
    assert old_key not in message.body_text
    # The first ask, still queued (no worker here), carried the old link: it is not sent.
    assert request.messages.get(dedupe_key="cycle-1").status == OutboundMessage.Status.CANCELLED
    assert recruiter.get(old_link).status_code == 404
    assert recruiter.get(new_link).status_code == 200
    [event] = events(interview.application, TimelineEvent.Kind.LINK_RESENT)
    assert event.actor == dana.user
    assert event.request == request

    recruiter.post(page)
    assert request.messages.filter(dedupe_key="resend-2").exists()


@pytest.mark.parametrize(
    ("state", "refusal"),
    [
        ("received", "The candidate has already answered: there is no link to resend."),
        ("cancelled", "This interview was cancelled: no feedback is needed."),
        ("not asked", "The candidate has not been asked yet"),
        ("no consent", "There is no email address to send it to"),
    ],
)
def test_a_link_that_cannot_be_resent_is_refused_and_nothing_changes(
    recruiter, dana, interview_end, state, refusal
):
    if state == "not asked":
        interview = schedule_interview(
            application=application_for(dana), ends_at=interview_end + 5 * HOUR
        )
    else:
        interview = interview_asked(ends_at=interview_end, application=application_for(dana))
    request = request_of(interview)
    if state == "received":
        services.feedback_submit(request=request, answers={"interest_level": 8})
    elif state == "cancelled":
        services.feedback_requests_cancel(interview=interview)
    elif state == "no consent":
        Candidate.objects.filter(pk=interview.application.candidate_id).update(consent_email=False)
    request.refresh_from_db()
    before = (request.token_key, request.messages.count(), TimelineEvent.objects.count())

    response = recruiter.post(url("feedback_feedbackrequest_resend_link", request), follow=True)

    [shown] = messages_of(response)
    assert shown.startswith(refusal)
    request.refresh_from_db()
    assert (request.token_key, request.messages.count(), TimelineEvent.objects.count()) == before


# --- log feedback taken by phone --------------------------------------------------------


def test_a_logged_call_is_the_candidates_answer_and_takes_them_off_the_call_list(
    recruiter, dana, interview_end
):
    interview = interview_overdue(ends_at=interview_end, application=application_for(dana))
    application = interview.application
    Application.objects.filter(pk=application.pk).update(
        debrief_needed_at=interview_end + 3 * HOUR, debrief_reason="client advances at 4/10"
    )
    request = request_of(interview)
    now = interview_end + 50 * HOUR
    assert [c.application for c in selectors.dashboard_call_list(recruiter=dana, now=now)] == [
        application
    ]
    page = url("feedback_feedbackrequest_log_call", request, next=reverse("admin:index"))

    with time_machine.travel(now, tick=False):
        form = recruiter.get(page)
        response = recruiter.post(
            page,
            {
                "interest_level": "7",
                "still_interested": "yes",
                "concerns": "Travel to the outlying farms",
                "next": reverse("admin:index"),
            },
            follow=True,
        )

    assert form.status_code == 200
    assert "Their interest in the position now, 1 to 10" in form.content.decode()
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert messages_of(response) == [
        f"Call logged: {application.candidate.full_name}’s feedback on {application.position}."
    ]
    feedback = Feedback.objects.get(request=request)
    assert (feedback.channel, feedback.entered_by, feedback.interest_level) == (
        Feedback.Channel.PHONE,
        dana.user,
        7,
    )
    assert feedback.lateness == 48 * HOUR  # the deadline was at +2 h
    application.refresh_from_db()
    assert application.interest_status == Application.InterestStatus.MODERATE
    assert application.debrief_needed_at is None
    [received] = events(application, TimelineEvent.Kind.FEEDBACK_RECEIVED)
    assert received.actor == dana.user
    assert "(phone)" in received.summary
    [debriefed] = events(application, TimelineEvent.Kind.DEBRIEF_DONE)
    assert debriefed.actor == dana.user
    assert "client advances at 4/10" in debriefed.summary
    assert selectors.dashboard_call_list(recruiter=dana, now=now) == []
    assert "call-list" in response.content.decode()  # back on the dashboard


def test_a_call_that_asks_for_another_call_keeps_the_candidate_on_the_list(
    recruiter, dana, interview_end
):
    interview = interview_overdue(ends_at=interview_end, application=application_for(dana))
    recruiter.post(
        url("feedback_feedbackrequest_log_call", request_of(interview)),
        {"interest_level": "9", "still_interested": "yes", "preferred_call_time": "Friday am"},
    )
    [item] = selectors.dashboard_call_list(recruiter=dana, now=interview_end + 50 * HOUR)
    assert [(r.label, r.detail) for r in item.reasons] == [("Asked for a call", "Friday am")]


def test_an_incomplete_call_log_shows_the_errors_and_stores_nothing(recruiter, dana, interview_end):
    interview = interview_overdue(ends_at=interview_end, application=application_for(dana))
    events_before = TimelineEvent.objects.count()

    response = recruiter.post(
        url("feedback_feedbackrequest_log_call", request_of(interview)),
        {"still_interested": "maybe"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Please choose a number from 1 to 10." in html
    assert "Select a valid choice." in html
    assert not Feedback.objects.exists()
    assert TimelineEvent.objects.count() == events_before
    assert request_of(interview).status == Status.OVERDUE


@pytest.mark.parametrize("state", ["cancelled", "not started"])
def test_a_call_cannot_be_logged_for_a_cancelled_or_future_interview(
    recruiter, dana, interview_end, state
):
    with time_machine.travel(interview_end - 5 * HOUR, tick=False):
        interview = schedule_interview(
            application=application_for(dana), ends_at=interview_end + 5 * HOUR
        )
        if state == "cancelled":
            services.feedback_requests_cancel(interview=interview)
        events_before = TimelineEvent.objects.count()
        response = recruiter.post(
            url("feedback_feedbackrequest_log_call", request_of(interview)),
            {"interest_level": "7", "still_interested": "yes"},
            follow=True,
        )

    assert messages_of(response) == [
        "This interview was cancelled: no feedback is needed."
        if state == "cancelled"
        else "This interview has not started yet: there is nothing to log."
    ]
    assert not Feedback.objects.exists()
    assert TimelineEvent.objects.count() == events_before


# --- interviews: completed, no-show, cancelled, rescheduled -----------------------------


def test_marking_an_interview_completed_asks_both_parties_now(recruiter, dana, interview_end):
    with time_machine.travel(interview_end - 2 * HOUR, tick=False):
        interview = schedule_interview(application=application_for(dana), ends_at=interview_end)
    early = interview_end - 20 * MINUTE  # it finished before its planned end

    with time_machine.travel(early, tick=False):
        response = recruiter.post(url("candidates_interview_complete", interview), follow=True)

    interview.refresh_from_db()
    assert interview.status == Interview.Status.COMPLETED
    assert messages_of(response) == [f"{interview}: marked completed."]
    assert {r.ask_at for r in interview.feedback_requests.all()} == {early}
    [event] = events(interview.application, TimelineEvent.Kind.INTERVIEW_COMPLETED)
    assert event.actor == dana.user


@pytest.mark.parametrize(
    ("action", "status", "kind"),
    [
        ("candidates_interview_no_show", Interview.Status.NO_SHOW, "interview_no_show"),
        ("candidates_interview_cancel", Interview.Status.CANCELLED, "interview_cancelled"),
    ],
)
def test_no_show_and_cancel_stop_every_pending_message(
    recruiter, dana, interview_end, action, status, kind
):
    interview = interview_asked(ends_at=interview_end, application=application_for(dana))
    queued = OutboundMessage.objects.filter(request__interview=interview)
    assert set(queued.values_list("status", flat=True)) == {"queued"}
    page = url(action, interview)
    assert recruiter.get(page).status_code == 200  # the confirmation

    recruiter.post(page, follow=True)

    interview.refresh_from_db()
    assert interview.status == status
    assert set(interview.feedback_requests.values_list("status", flat=True)) == {"cancelled"}
    assert set(queued.values_list("status", flat=True)) == {"cancelled"}
    [event] = events(interview.application, kind)
    assert event.actor == dana.user

    before = TimelineEvent.objects.count()
    response = recruiter.post(page, follow=True)
    assert messages_of(response) == ["This interview is already cancelled."]
    assert TimelineEvent.objects.count() == before


def test_rescheduling_moves_every_pending_time_and_message(recruiter, dana, interview_end):
    interview = interview_asked(ends_at=interview_end, application=application_for(dana))
    request = request_of(interview)
    first_ask = request.messages.get(kind=OutboundMessage.Kind.REQUEST)
    page = url("candidates_interview_reschedule", interview)
    assert 'value="2026-03-03"' in recruiter.get(page).content.decode()  # shown in Chicago time

    # Thursday 10:00–11:00 in Chicago (the interview's zone) = 16:00–17:00 UTC.
    response = recruiter.post(
        page,
        {
            "starts_at_0": "2026-03-05",
            "starts_at_1": "10:00",
            "ends_at_0": "2026-03-05",
            "ends_at_1": "11:00",
        },
        follow=True,
    )

    new_end = dt.datetime(2026, 3, 5, 17, 0, tzinfo=dt.UTC)
    assert messages_of(response) == [f"{interview}: rescheduled."]
    interview.refresh_from_db()
    assert interview.ends_at == new_end
    for party in Party.values:
        moved = request_of(interview, party)
        assert (moved.status, moved.ask_at, moved.cycle) == (Status.SCHEDULED, new_end, 2)
    assert request_of(interview).due_at == new_end + 2 * HOUR
    first_ask.refresh_from_db()
    assert first_ask.status == OutboundMessage.Status.CANCELLED
    [event] = events(interview.application, TimelineEvent.Kind.INTERVIEW_RESCHEDULED)
    assert event.actor == dana.user

    with time_machine.travel(new_end, tick=False):
        services.sweep_run()
    assert request.messages.get(dedupe_key="cycle-2").kind == OutboundMessage.Kind.REQUEST


def test_rescheduling_to_an_end_before_the_start_is_refused_on_the_form(
    recruiter, dana, interview_end
):
    interview = interview_asked(ends_at=interview_end, application=application_for(dana))
    response = recruiter.post(
        url("candidates_interview_reschedule", interview),
        {
            "starts_at_0": "2026-03-05",
            "starts_at_1": "10:00",
            "ends_at_0": "2026-03-05",
            "ends_at_1": "09:00",
        },
    )
    assert response.status_code == 200
    assert "The interview must end after it starts." in response.content.decode()
    interview.refresh_from_db()
    assert interview.ends_at == interview_end
    assert request_of(interview).cycle == 1


def test_a_cancelled_interview_cannot_be_rescheduled(recruiter, dana, interview_end):
    interview = interview_asked(ends_at=interview_end, application=application_for(dana))
    recruiter.post(url("candidates_interview_cancel", interview), follow=True)
    response = recruiter.post(
        url("candidates_interview_reschedule", interview),
        {
            "starts_at_0": "2026-03-05",
            "starts_at_1": "10:00",
            "ends_at_0": "2026-03-05",
            "ends_at_1": "11:00",
        },
        follow=True,
    )
    assert messages_of(response) == ["A cancelled or no-show interview cannot be rescheduled."]
    interview.refresh_from_db()
    assert (interview.status, interview.ends_at) == (Interview.Status.CANCELLED, interview_end)


# --- mark an application withdrawn ------------------------------------------------------


def test_withdrawing_closes_the_application_and_stops_the_loop(recruiter, dana, interview_end):
    application = application_for(dana)
    held = interview_asked(ends_at=interview_end, application=application)
    with time_machine.travel(interview_end - 2 * HOUR, tick=False):
        upcoming = schedule_interview(application=application, ends_at=interview_end + 72 * HOUR)
    page = url("candidates_application_withdraw", application)

    with time_machine.travel(interview_end + HOUR, tick=False):
        response = recruiter.post(page, {"reason": "accepted another offer"}, follow=True)

    assert messages_of(response) == [f"{application}: marked withdrawn."]
    application.refresh_from_db()
    assert application.stage == Application.Stage.WITHDRAWN
    upcoming.refresh_from_db()
    assert upcoming.status == Interview.Status.CANCELLED
    assert set(
        FeedbackRequest.objects.filter(interview__application=application).values_list(
            "status", flat=True
        )
    ) == {"cancelled"}
    assert set(
        OutboundMessage.objects.filter(request__interview=held).values_list("status", flat=True)
    ) == {"cancelled"}
    [event] = events(application, TimelineEvent.Kind.APPLICATION_WITHDRAWN)
    assert event.actor == dana.user
    assert event.summary == "Application withdrawn: accepted another offer"
    assert event.data["cancelled_interview_ids"] == [upcoming.pk]

    before = TimelineEvent.objects.count()
    response = recruiter.post(page, follow=True)
    assert messages_of(response) == ["This application is already closed (withdrawn)."]
    assert TimelineEvent.objects.count() == before


# --- retry a failed outbox message ------------------------------------------------------


def test_retrying_a_failed_message_requeues_it_and_says_who(recruiter, dana, interview_end):
    interview = interview_asked(ends_at=interview_end, application=application_for(dana))
    message = OutboundMessage.objects.get(request=request_of(interview))
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundMessage.Status.FAILED, attempts=8, last_error="550 mailbox unavailable"
    )
    change = recruiter.get(url("feedback_outboundmessage_change", message)).content.decode()
    retry = url("feedback_outboundmessage_retry", message)
    assert f'href="{retry}"' in change

    response = recruiter.post(retry, follow=True)

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.QUEUED
    assert messages_of(response) == [
        f"Feedback request to {message.recipient}: queued again (by you, now)."
    ]
    [event] = events(interview.application, TimelineEvent.Kind.MESSAGE_RETRIED)
    assert event.actor == dana.user
    assert "550 mailbox unavailable" in event.summary


def test_a_message_that_has_not_failed_is_not_retried(recruiter, dana, interview_end):
    interview = interview_asked(ends_at=interview_end, application=application_for(dana))
    message = OutboundMessage.objects.get(request=request_of(interview))
    OutboundMessage.objects.filter(pk=message.pk).update(status=OutboundMessage.Status.SENT)

    response = recruiter.post(url("feedback_outboundmessage_retry", message), follow=True)

    assert messages_of(response) == [
        "Not retried: only a failed message can be retried (this one is sent)."
    ]
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert not events(interview.application, TimelineEvent.Kind.MESSAGE_RETRIED)


def test_the_bulk_retry_action_records_the_recruiter_too(recruiter, dana, interview_end):
    interview = interview_asked(ends_at=interview_end, application=application_for(dana))
    message = OutboundMessage.objects.get(request=request_of(interview))
    OutboundMessage.objects.filter(pk=message.pk).update(status=OutboundMessage.Status.FAILED)
    recruiter.post(
        reverse("admin:feedback_outboundmessage_changelist"),
        {"action": "retry_now", "_selected_action": [message.pk]},
    )
    [event] = events(interview.application, TimelineEvent.Kind.MESSAGE_RETRIED)
    assert event.actor == dana.user


# --- the application page tells the story -----------------------------------------------


def test_the_application_page_shows_interviews_every_amendment_sharing_and_the_timeline(
    recruiter, dana, interview_end
):
    interview = interview_asked(ends_at=interview_end, application=application_for(dana))
    request = request_of(interview)
    with time_machine.travel(interview_end + 30 * MINUTE, tick=False):
        first = services.feedback_submit(
            request=request, answers={"interest_level": 6, "concerns": "Night shifts"}
        )
    with time_machine.travel(interview_end + 40 * MINUTE, tick=False):
        services.feedback_log_call(
            request=request,
            answers={"interest_level": 9, "still_interested": "yes", "went_well": "Team"},
            actor=dana.user,
        )
    Feedback.objects.filter(request=request, is_current=True).update(
        shared_with_client=["interest_band", "went_well"]
    )

    html = recruiter.get(
        url("candidates_application_change", interview.application)
    ).content.decode()

    story = html.split('class="tvr-story"')[1]
    assert "Round 1 · In person" in story
    assert "Night shifts" in story  # the first answer, kept
    assert "amended later" in story
    assert f"logged by {dana.user.get_full_name()}" in story
    shared = story.split("data-shared")[1].split("</div>")[0]
    assert "Interest: High" in shared
    assert "What went well: Team" in shared
    timeline = story.split('id="timeline"')[1]
    assert timeline.index("Feedback amended") < timeline.index("Feedback received")
    assert dana.user.get_full_name() in timeline
    assert ">Candidate<" in timeline  # the portal answer: the candidate acted
    assert first.pk != Feedback.objects.get(request=request, is_current=True).pk


def test_the_outbox_shows_a_sweep_message_s_text_once_it_is_written(recruiter, dana, interview_end):
    interview = interview_asked(ends_at=interview_end, application=application_for(dana))
    message = OutboundMessage.objects.get(request=request_of(interview))
    page = url("feedback_outboundmessage_change", message)
    assert "(written when it is sent)" in recruiter.get(page).content.decode()

    assert services.outbox_deliver(message_ids=[message.pk]) == ["sent"]

    change = recruiter.get(page).content.decode()
    assert "(written when it is sent)" not in change
    assert "How did your interview" in change
