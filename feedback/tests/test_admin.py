"""The recruiter admin: every page opens for staff and for nobody else, and the writes
that move the feedback loop go through the services."""

import datetime as dt

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from candidates.models import Application, Interview
from feedback.inbound.models import InboundMessage, Suppression
from feedback.models import (
    Feedback,
    FeedbackRequest,
    OutboundMessage,
    Party,
    ReminderPolicy,
    TimelineEvent,
)
from feedback.services import interviews as interview_services
from tests.admin_pages import admin_url, form_data, interview_of, messages_of, split
from tests.factories import CandidateFactory, RecruiterFactory

# Every page here shows the demo's data.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

RECRUITER_APPS = ("candidates", "feedback")
# What came back from providers: the demo plays no provider (test_sms_inbound.py opens
# these pages with rows in them).
NOT_IN_THE_DEMO = {InboundMessage, Suppression}


def registered(apps=None):
    return [m for m in admin.site._registry if apps is None or m._meta.app_label in apps]


# --- who may open what ------------------------------------------------------------------


def test_a_recruiter_can_open_every_list_search_and_change_page(recruiter):
    for model in registered(RECRUITER_APPS):
        changelist = admin_url(model, "changelist")
        response = recruiter.get(changelist, follow=True)
        assert response.status_code == 200, changelist
        if admin.site._registry[model].search_fields:
            assert recruiter.get(changelist, {"q": "ok"}).status_code == 200, changelist
        if model in NOT_IN_THE_DEMO:
            continue
        obj = model.objects.first()
        assert obj is not None, f"the demo has no {model.__name__}"
        change = admin_url(model, "change", obj.pk)
        assert recruiter.get(change).status_code == 200, change


def test_a_superuser_can_open_every_registered_list_and_change_page(admin_client):
    for model in registered():
        changelist = admin_url(model, "changelist")
        assert admin_client.get(changelist, follow=True).status_code == 200, changelist
        obj = model.objects.first()
        if obj is None and (
            model._meta.app_label not in RECRUITER_APPS or model in NOT_IN_THE_DEMO
        ):
            continue  # e.g. no lockout yet: the list is enough
        change = admin_url(model, "change", obj.pk)
        assert admin_client.get(change).status_code == 200, change


@pytest.mark.parametrize("persona", ["anonymous", "client_a"])
def test_everyone_but_staff_is_sent_to_the_login(persona, request):
    visitor = request.getfixturevalue(persona)
    login = reverse("admin:login")
    for model in registered():
        changelist = admin_url(model, "changelist")
        response = visitor.get(changelist)
        assert response.status_code == 302, changelist
        assert response["Location"].startswith(f"{login}?next="), changelist


@pytest.mark.parametrize("model", [FeedbackRequest, Feedback, OutboundMessage, TimelineEvent])
def test_what_the_loop_writes_cannot_be_added_or_deleted_by_hand(recruiter, model):
    assert recruiter.get(admin_url(model, "add")).status_code == 403
    obj = model.objects.first()
    assert recruiter.get(admin_url(model, "delete", obj.pk)).status_code == 403


def test_deleting_a_candidate_takes_the_loops_rows_with_it(recruiter):
    candidate = interview_of("Kevin").application.candidate
    response = recruiter.post(admin_url(type(candidate), "delete", candidate.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Feedback.objects.filter(request__interview__application__candidate=candidate)


# --- interviews go through the services -------------------------------------------------


def test_adding_an_interview_plans_both_feedback_requests(recruiter):
    application = Application.objects.get(candidate__first_name="Rachel")
    starts_at = (timezone.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    response = recruiter.post(
        admin_url(Interview, "add"),
        {
            "application": application.pk,
            "round": "",
            "kind": Interview.Kind.IN_PERSON,
            **split(starts_at, "starts_at"),
            **split(starts_at + dt.timedelta(hours=1), "ends_at"),
            "time_zone": "America/Chicago",
            "location": "Lakeshore Evanston, 2100 Ridge Ave",
            "video_link": "",
            "interviewers": "Dr. Rebecca Lindqvist",
        },
    )
    assert response.status_code == 302
    interview = application.interviews.get()
    assert interview.round == 1
    requests = interview.feedback_requests.all()
    assert sorted(r.party for r in requests) == [Party.CANDIDATE, Party.CLIENT]
    assert all(r.ask_at == interview.ends_at for r in requests)
    event = application.timeline.get(kind=TimelineEvent.Kind.INTERVIEW_SCHEDULED)
    assert event.actor == recruiter.user
    assert response["Location"] == admin_url(Interview, "changelist")


def test_an_interview_that_ends_before_it_starts_is_refused_on_the_form(recruiter):
    application = Application.objects.get(candidate__first_name="Rachel")
    starts_at = timezone.now() + dt.timedelta(days=2)
    response = recruiter.post(
        admin_url(Interview, "add"),
        {
            "application": application.pk,
            "kind": Interview.Kind.PHONE,
            **split(starts_at, "starts_at"),
            **split(starts_at - dt.timedelta(hours=1), "ends_at"),
            "time_zone": "America/Chicago",
        },
    )
    assert response.status_code == 200
    assert "The interview must end after it starts." in response.content.decode()
    assert not application.interviews.exists()


def test_changing_the_times_reschedules_through_the_service(recruiter):
    interview = interview_of("Ethan")
    change = admin_url(Interview, "change", interview.pk)
    new_start = interview.starts_at + dt.timedelta(days=1)
    data = {
        **form_data(recruiter.get(change)),
        **split(new_start, "starts_at"),
        **split(new_start + dt.timedelta(hours=1), "ends_at"),
        "location": "Moved to the Evanston campus",
    }
    response = recruiter.post(change, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    interview.refresh_from_db()
    assert interview.location == "Moved to the Evanston campus"
    request = interview.feedback_requests.get(party=Party.CANDIDATE)
    assert (request.ask_at, request.cycle) == (interview.ends_at, 2)
    event = interview.application.timeline.get(kind=TimelineEvent.Kind.INTERVIEW_RESCHEDULED)
    assert event.actor == recruiter.user


def test_a_refusal_from_the_service_is_shown_and_nothing_changes(recruiter, monkeypatch):

    def refuse(**kwargs):
        raise ValidationError("A cancelled or no-show interview cannot be rescheduled.")

    # Patched where interview_save looks it up (feedback/services/__init__.py).
    monkeypatch.setattr(interview_services, "interview_reschedule", refuse)
    interview = interview_of("Ethan")
    change = admin_url(Interview, "change", interview.pk)
    data = {
        **form_data(recruiter.get(change)),
        **split(interview.starts_at + dt.timedelta(days=1), "starts_at"),
        **split(interview.ends_at + dt.timedelta(days=1), "ends_at"),
        "location": "Moved to the Evanston campus",
    }

    response = recruiter.post(change, data, follow=True)

    assert response.redirect_chain == [(change, 302)]
    assert messages_of(response) == ["A cancelled or no-show interview cannot be rescheduled."]
    stored = Interview.objects.get(pk=interview.pk)
    assert (stored.starts_at, stored.location) == (interview.starts_at, interview.location)


def test_a_cancelled_interview_offers_no_times_to_change(recruiter):
    interview = interview_of("Ethan")
    interview.status = Interview.Status.CANCELLED
    interview.save()
    form = recruiter.get(admin_url(Interview, "change", interview.pk)).context["adminform"]
    assert "starts_at" not in form.form.fields


def test_mark_cancelled_cancels_the_pending_requests(recruiter):
    interview = interview_of("Jordan")
    assert set(interview.feedback_requests.values_list("status", flat=True)) == {"pending"}
    changelist = admin_url(Interview, "changelist")
    action = {"action": "mark_cancelled", "_selected_action": [interview.pk]}

    response = recruiter.post(changelist, action, follow=True)

    interview.refresh_from_db()
    assert interview.status == Interview.Status.CANCELLED
    assert set(interview.feedback_requests.values_list("status", flat=True)) == {"cancelled"}
    assert messages_of(response) == [f"{interview}: cancelled."]
    event = interview.application.timeline.get(kind=TimelineEvent.Kind.INTERVIEW_CANCELLED)
    assert event.actor == recruiter.user

    events = TimelineEvent.objects.count()
    response = recruiter.post(changelist, action, follow=True)
    assert messages_of(response) == [f"{interview}: This interview is already cancelled."]
    assert TimelineEvent.objects.count() == events


def test_mark_completed_and_no_show_report_each_interview(recruiter):
    upcoming, ended = interview_of("Aisha"), interview_of("Kevin")  # Kevin's is completed
    changelist = admin_url(Interview, "changelist")

    response = recruiter.post(
        changelist,
        {"action": "mark_completed", "_selected_action": [upcoming.pk, ended.pk]},
        follow=True,
    )

    assert sorted(messages_of(response)) == sorted(
        [
            f"{upcoming}: marked completed.",
            f"{ended}: Only a scheduled interview can be marked completed.",
        ]
    )
    request = upcoming.feedback_requests.get(party=Party.CANDIDATE)
    assert request.ask_at <= timezone.now()  # asked now, not after the planned end

    recruiter.post(changelist, {"action": "mark_no_show", "_selected_action": [ended.pk]})
    ended.refresh_from_db()
    assert ended.status == Interview.Status.NO_SHOW


# --- the loop's rows --------------------------------------------------------------------


def test_a_request_page_shows_its_answer_link(recruiter):
    request = FeedbackRequest.objects.filter(party=Party.CANDIDATE).first()
    response = recruiter.get(admin_url(FeedbackRequest, "change", request.pk))
    assert str(request.token_key) in response.content.decode()


def test_the_recruiter_chooses_what_the_client_sees_of_an_answer(recruiter):
    feedback = Feedback.objects.get(request__party=Party.CANDIDATE, lateness__isnull=False)
    change = admin_url(Feedback, "change", feedback.pk)
    data = {**form_data(recruiter.get(change)), "shared_with_client": ["interest_level"]}
    response = recruiter.post(change, data)
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.shared_with_client == ["interest_level"]
    assert feedback.lateness is not None
    event = feedback.request.interview.application.timeline.get(
        kind=TimelineEvent.Kind.SHARED_WITH_CLIENT
    )
    assert (event.actor, event.data["shared"]) == (recruiter.user, ["interest_level"])

    events = TimelineEvent.objects.count()
    assert recruiter.post(change, data).status_code == 302  # saved again, unchanged
    assert TimelineEvent.objects.count() == events


def test_a_clients_own_answer_offers_nothing_to_share_and_saving_it_writes_nothing(
    recruiter,
):
    feedback = Feedback.objects.filter(request__party=Party.CLIENT).first()
    change = admin_url(Feedback, "change", feedback.pk)
    page = recruiter.get(change)
    assert 'name="shared_with_client"' not in page.content.decode()
    events = TimelineEvent.objects.count()

    data = {**form_data(page), "shared_with_client": ["concerns"]}
    response = recruiter.post(change, data)

    assert response.status_code == 302
    feedback.refresh_from_db()
    assert "concerns" not in feedback.shared_with_client
    assert TimelineEvent.objects.count() == events


def test_retry_now_requeues_failed_messages_only(recruiter):
    failed, sent = OutboundMessage.objects.all()[:2]
    OutboundMessage.objects.filter(pk=failed.pk).update(
        status=OutboundMessage.Status.FAILED, last_error="550 mailbox unavailable"
    )
    OutboundMessage.objects.filter(pk=sent.pk).update(status=OutboundMessage.Status.SENT)

    response = recruiter.post(
        admin_url(OutboundMessage, "changelist"),
        {"action": "retry_now", "_selected_action": [failed.pk, sent.pk]},
        follow=True,
    )

    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.status == OutboundMessage.Status.QUEUED
    assert sent.status == OutboundMessage.Status.SENT
    shown = " ".join(messages_of(response))
    assert "queued again" in shown
    assert "not retried" in shown


def test_the_policy_list_opens_the_one_policy_which_cannot_be_added_or_deleted(
    recruiter,
):
    response = recruiter.get(admin_url(ReminderPolicy, "changelist"))
    assert response["Location"] == admin_url(ReminderPolicy, "change", 1)
    assert recruiter.get(admin_url(ReminderPolicy, "add")).status_code == 403
    assert recruiter.get(admin_url(ReminderPolicy, "delete", 1)).status_code == 403

    change = admin_url(ReminderPolicy, "change", 1)
    data = {**form_data(recruiter.get(change)), "candidate_remind_after": "00:45:00"}
    assert recruiter.post(change, data).status_code == 302
    assert ReminderPolicy.objects.get().candidate_remind_after == dt.timedelta(minutes=45)


# --- desks: an application added here is on its candidate's owner's desk ----------------


def test_an_application_added_in_the_admin_is_on_its_candidates_desk(recruiter):
    candidate = CandidateFactory(owner=RecruiterFactory())
    position = interview_of("Ethan").application.position
    add = admin_url(Application, "add")

    response = recruiter.post(
        add,
        {
            **form_data(recruiter.get(add)),
            "candidate": candidate.pk,
            "position": position.pk,
            "stage": Application.Stage.SUBMITTED,
        },
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert Application.objects.get(candidate=candidate).candidate_owner == candidate.owner
