"""seed_demo loads every point of the loop once; demo_links prints links that open."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from candidates.models import Application, Candidate, Interview
from demo.management.commands.seed_demo import DEMO_PASSWORD
from feedback import rules
from feedback import services as feedback_services
from feedback.models import (
    Feedback,
    FeedbackRequest,
    OutboundMessage,
    Party,
    ReminderPolicy,
    TimelineEvent,
)

pytestmark = pytest.mark.django_db

Status = FeedbackRequest.Status


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [
        *apps.get_app_config("candidates").get_models(),
        *apps.get_app_config("feedback").get_models(),
        get_user_model(),
        Group,
    ]
    return {model._meta.label: model.objects.count() for model in models}


def overdue_alerts(application) -> int:
    return OutboundMessage.objects.filter(
        request__interview__application=application, kind=OutboundMessage.Kind.OVERDUE_ALERT
    ).count()


def test_it_loads_a_whole_agency_desk():
    assert "Demo data loaded" in seed()
    counts = row_counts()
    assert counts["candidates.Recruiter"] == 2
    assert counts["candidates.Client"] == 3
    assert counts["candidates.Candidate"] == 10
    assert counts["candidates.Application"] == 10
    assert counts["feedback.FeedbackRequest"] == 2 * counts["candidates.Interview"]


def test_running_it_again_changes_nothing():
    seed()
    loaded = row_counts()
    assert "Demo data already loaded" in seed()
    assert row_counts() == loaded


def test_reset_deletes_the_demo_and_loads_it_afresh():
    seed()
    loaded = row_counts()
    recruiter_pk = get_user_model().objects.get(username="recruiter").pk
    Candidate.objects.filter(first_name="Rachel").delete()

    seed()  # without --reset: a half-played demo is left alone
    assert row_counts()["candidates.Candidate"] == loaded["candidates.Candidate"] - 1

    seed("--reset")
    assert row_counts() == loaded
    assert get_user_model().objects.get(username="recruiter").pk != recruiter_pk


def test_the_logins_work_and_recruiters_may_edit_both_apps():
    seed()
    User = get_user_model()
    recruiter = User.objects.get(username="recruiter")
    assert recruiter.check_password(DEMO_PASSWORD)
    assert recruiter.is_staff
    assert not recruiter.is_superuser
    assert recruiter.has_perm("candidates.add_interview")
    assert recruiter.has_perm("feedback.change_reminderpolicy")
    assert User.objects.filter(groups__name="Recruiter", is_staff=True).count() == 2
    contact_users = User.objects.filter(client_contact__isnull=False)
    assert contact_users.count() == 2
    assert all(u.username == u.email and not u.is_staff for u in contact_users)
    assert all(u.check_password(DEMO_PASSWORD) for u in contact_users)


def test_the_policy_has_the_defaults_without_quiet_hours():
    seed()
    policy = ReminderPolicy.objects.get(pk=1)
    assert (policy.quiet_hours_start, policy.quiet_hours_end) == (None, None)
    assert policy.candidate_deadline_after == ReminderPolicy().candidate_deadline_after


def test_every_point_of_the_loop_is_there():
    seed()
    now = timezone.now()
    candidate_requests = FeedbackRequest.objects.filter(party=Party.CANDIDATE)

    assert Interview.objects.filter(starts_at__gt=now).count() >= 2  # upcoming
    # Ended minutes ago, not asked yet, within the sweep's catch-up grace.
    assert candidate_requests.filter(
        status=Status.SCHEDULED,
        ask_at__lte=now,
        ask_at__gt=now - rules.CATCH_UP_GRACE,
    ).exists()
    # Asked, reminder due, deadline still ahead.
    assert candidate_requests.filter(
        status=Status.PENDING, reminders_sent=0, remind_at__lte=now, due_at__gt=now
    ).exists()
    # Past the deadline and waiting for the sweep.
    past_deadline = candidate_requests.get(status=Status.PENDING, due_at__lt=now)
    assert past_deadline.next_action_at == past_deadline.due_at
    assert FeedbackRequest.objects.filter(
        party=Party.CLIENT, status=Status.PENDING, due_at__lt=now
    ).exists()

    # Answered on time, just now (the other on-time answer is days old).
    on_time = Feedback.objects.get(
        request__party=Party.CANDIDATE,
        lateness__isnull=True,
        submitted_at__gte=now - dt.timedelta(minutes=5),
    )
    assert on_time.request.status == Status.RECEIVED
    late = Feedback.objects.get(request__party=Party.CANDIDATE, lateness__isnull=False)
    assert late.lateness > dt.timedelta(hours=1)
    application = late.request.interview.application
    assert application.interest_status != Application.InterestStatus.POSSIBLY_WANED
    assert application.timeline.filter(kind=TimelineEvent.Kind.INTEREST_RESTORED).exists()


def test_the_sweep_marks_each_past_deadline_application_possibly_waned_and_alerts_once():
    seed()
    now = timezone.now()
    past_deadline = list(
        Application.objects.filter(
            interviews__feedback_requests__party=Party.CANDIDATE,
            interviews__feedback_requests__status=Status.PENDING,
            interviews__feedback_requests__due_at__lt=now,
        )
    )
    client_past_deadline = FeedbackRequest.objects.get(
        party=Party.CLIENT, status=Status.PENDING, due_at__lt=now
    )
    assert past_deadline

    feedback_services.sweep_run()

    for application in past_deadline:
        application.refresh_from_db()
        assert application.interest_status == Application.InterestStatus.POSSIBLY_WANED
        assert overdue_alerts(application) == 1
    client_past_deadline.refresh_from_db()
    assert client_past_deadline.status == Status.OVERDUE
    assert overdue_alerts(client_past_deadline.interview.application) == 1

    messages = OutboundMessage.objects.count()
    assert feedback_services.sweep_run().acted == 0
    assert OutboundMessage.objects.count() == messages


def test_demo_links_prints_the_logins_and_links_that_open(anonymous, settings):
    seed()
    out = StringIO()
    call_command("demo_links", stdout=out)
    printed = out.getvalue()
    assert "recruiter" in printed
    assert DEMO_PASSWORD in printed
    assert "rebecca.lindqvist@lakeshore-vets.example" in printed

    links = re.findall(
        re.escape(settings.SITE_URL) + r"(/(?:portal/f|clients/feedback)/\S+)", printed
    )
    assert [link.split("/")[1] for link in links] == ["portal", "clients"]
    for path in links:
        response = anonymous.get(path)
        assert response.status_code == 200, path

    login = f"{settings.SITE_URL}/clients/login/"
    assert f"Client pages sign-in: {login}" in printed
    assert anonymous.get(login.removeprefix(settings.SITE_URL)).status_code == 200


def test_both_client_logins_see_their_positions_candidates_and_feedback_to_give(client):
    from django.utils.html import escape

    from candidates.models import ClientContact
    from clients import selectors as client_selectors
    from demo.management.commands.seed_demo import CLIENTS

    seed()
    logins = [
        spec["contact"]["email"] for spec in CLIENTS.values() if spec["contact"]["can_log_in"]
    ]
    assert len(logins) == 2
    for email in logins:
        contact = ClientContact.objects.get(email=email)
        overview = client_selectors.client_overview(contact=contact)
        assert overview.open_positions
        assert all(summary.applications for summary in overview.open_positions)
        assert client_selectors.contact_requests_awaiting(contact=contact).rows
        assert client_selectors.client_responsiveness(client=contact.client).answered >= 2
        signed_in = client.post(
            "/clients/login/", {"username": email.upper(), "password": DEMO_PASSWORD}
        )
        assert signed_in.status_code == 302
        response = client.get("/clients/")
        assert response.status_code == 200
        assert escape(contact.client.name) in response.content.decode()
    # One two-sided disagreement is already waiting for the recruiter's call.
    flagged = Application.objects.get(debrief_needed_at__isnull=False)
    assert flagged.debrief_reason.startswith("Round 1: the client advances")


# --- the story, and that it was played through the services ----------------------------

R, P, S = Status.RECEIVED, Status.PENDING, Status.SCHEDULED
Interest = Application.InterestStatus

# Candidate -> (interest level and status now, each round's (candidate, client) request
# status). Nothing swept since the demo's "now": what is due is the running sweep's.
STORY = {
    "Ethan": ((None, Interest.UNKNOWN), [(S, S)]),
    "Aisha": ((5, Interest.MODERATE), [(R, R), (S, S)]),
    "Owen": ((None, Interest.UNKNOWN), [(S, S)]),
    "Maya": ((8, Interest.HIGH), [(R, R), (S, S)]),
    "Jordan": ((None, Interest.UNKNOWN), [(P, P)]),
    "Hannah": ((9, Interest.HIGH), [(R, R), (P, P)]),
    "Luis": ((9, Interest.HIGH), [(R, R), (R, P)]),
    "Samantha": ((8, Interest.HIGH), [(R, P)]),
    "Kevin": ((7, Interest.MODERATE), [(R, R)]),
    "Rachel": ((None, Interest.UNKNOWN), []),
}


def events(kind, **filters):
    return TimelineEvent.objects.filter(kind=kind, **filters)


def test_each_candidates_story():
    seed()
    for name, ((level, interest), rounds) in STORY.items():
        application = Application.objects.get(candidate__first_name=name)
        assert (application.interest_level, application.interest_status) == (level, interest)
        statuses = [
            tuple(interview.feedback_requests.order_by("party").values_list("status", flat=True))
            for interview in application.interviews.order_by("round")
        ]
        assert statuses == rounds, name
    # Reminded: the candidates whose deadline came (Hannah now, Kevin before he called
    # back) and the clients who had not answered within a day.
    reminded = FeedbackRequest.objects.filter(reminders_sent=1)
    assert sorted(
        (r.interview.application.candidate.first_name, r.interview.round, r.party) for r in reminded
    ) == [
        ("Aisha", 1, Party.CLIENT),
        ("Hannah", 1, Party.CLIENT),
        ("Hannah", 2, Party.CANDIDATE),
        ("Kevin", 1, Party.CANDIDATE),
        ("Samantha", 1, Party.CLIENT),
    ]
    # Kevin's was the one deadline that passed: overdue and possibly waned for two hours,
    # until his call, logged by Marcus, restored the interest.
    [overdue] = FeedbackRequest.objects.filter(overdue_at__isnull=False)
    assert overdue.interview.application.candidate.first_name == "Kevin"
    kevin = overdue.interview.application
    assert [e.kind for e in kevin.timeline.order_by("created_at", "id")][-6:] == [
        TimelineEvent.Kind.MARKED_OVERDUE,
        TimelineEvent.Kind.MARKED_POSSIBLY_WANED,
        TimelineEvent.Kind.INTERVIEW_COMPLETED,
        TimelineEvent.Kind.FEEDBACK_RECEIVED,
        TimelineEvent.Kind.INTEREST_RESTORED,
        TimelineEvent.Kind.FEEDBACK_RECEIVED,
    ]
    assert events(TimelineEvent.Kind.MARKED_POSSIBLY_WANED).count() == 1
    call = Feedback.objects.get(request=overdue)
    assert (call.channel, call.entered_by.username) == (Feedback.Channel.PHONE, "mreyes")
    assert call.lateness == dt.timedelta(hours=2)


def test_every_step_was_taken_by_the_services_at_its_own_moment():
    seed()
    now = timezone.now()
    asked = FeedbackRequest.objects.filter(asked_at__isnull=False)
    assert asked.count() == 18  # both sides of nine rounds (Maya's second waits for the sweep)
    for request in asked:
        # The sweep's doing: the timeline event and the ask in the outbox, at the ask.
        assert request.asked_at == request.ask_at
        assert events(TimelineEvent.Kind.REQUEST_SENT, request=request).get().created_at == (
            request.asked_at
        )
        assert request.messages.filter(kind=OutboundMessage.Kind.REQUEST).exists()
        if request.reminders_sent:
            reminder = events(TimelineEvent.Kind.REMINDER_SENT, request=request).get()
            assert reminder.created_at == request.remind_at
            assert request.messages.filter(kind=OutboundMessage.Kind.REMINDER).exists()
        if request.overdue_at:
            assert events(TimelineEvent.Kind.MARKED_OVERDUE, request=request).get().created_at == (
                request.due_at
            )
            assert request.messages.filter(kind=OutboundMessage.Kind.OVERDUE_ALERT).exists()
    for answer in Feedback.objects.all():
        # feedback_submit's doing: the event and the recruiter's notice, at the answer.
        received = events(TimelineEvent.Kind.FEEDBACK_RECEIVED, data__feedback_id=answer.pk).get()
        assert received.created_at == answer.submitted_at <= now
        assert answer.request.received_at == answer.submitted_at
        assert answer.request.messages.filter(
            kind=OutboundMessage.Kind.FEEDBACK_RECEIVED, dedupe_key=f"feedback-{answer.pk}"
        ).exists()
        assert answer.submitted_at > answer.request.asked_at
    for interview in Interview.objects.all():
        scheduled = events(
            TimelineEvent.Kind.INTERVIEW_SCHEDULED, data__interview_id=interview.pk
        ).get()
        if interview.starts_at < now:
            assert scheduled.created_at == interview.starts_at - dt.timedelta(days=3)
        else:
            assert now - scheduled.created_at < dt.timedelta(minutes=2)
    assert not TimelineEvent.objects.filter(created_at__gt=now).exists()

    # The two sides' disagreement was found by the client's answer (feedback_submit).
    debrief = events(TimelineEvent.Kind.DEBRIEF_NEEDED).get()
    client_answer = Feedback.objects.get(pk=debrief.data["client_feedback_id"])
    assert debrief.created_at == client_answer.submitted_at == debrief.application.debrief_needed_at
    assert OutboundMessage.objects.filter(kind=OutboundMessage.Kind.DEBRIEF_ALERT).count() == 1

    # What Lakeshore sees of Maya's first answer, Dana chose (feedback_share_with_client).
    shared = events(TimelineEvent.Kind.SHARED_WITH_CLIENT).get()
    answer = Feedback.objects.get(pk=shared.data["feedback_id"])
    assert answer.shared_with_client == ["interest_band", "went_well"]
    assert (shared.actor.username, answer.request.interview.application.candidate.first_name) == (
        "recruiter",
        "Maya",
    )


def test_a_demo_recruiter_signs_in_with_the_printed_secret_and_demo_totp(anonymous):
    from django.urls import reverse

    from demo.management.commands.seed_demo import DEMO_TOTP_SECRET

    seed()
    out = StringIO()
    call_command("demo_links", stdout=out)
    assert DEMO_TOTP_SECRET in out.getvalue()
    code = StringIO()
    call_command("demo_totp", "recruiter", stdout=code)

    anonymous.post(reverse("admin:login"), {"username": "recruiter", "password": DEMO_PASSWORD})
    response = anonymous.post(reverse("admin:two_factor_verify"), {"code": code.getvalue()})
    assert response.status_code == 302
    assert anonymous.get(reverse("admin:index")).status_code == 200
