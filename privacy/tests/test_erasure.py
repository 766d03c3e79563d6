"""Erasure anonymises the person and their words, keeps every count and time, and is on
their timeline with who did it; only those allowed to erase may."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from candidates.models import Application, Candidate
from feedback import services as feedback_services
from feedback.models import Feedback, FeedbackRequest, OutboundMessage, TimelineEvent
from feedback.selectors import dashboard_charts_compute
from privacy import services
from tests.factories import ApplicationFactory, request_of, schedule_interview

pytestmark = pytest.mark.django_db


def erase_url(candidate) -> str:
    return reverse("admin:candidates_candidate_erase", args=[candidate.pk])


def may_erase(persona):
    persona.user.user_permissions.add(Permission.objects.get(codename="erase_candidate"))


def words_about(candidate) -> list[str]:
    return ["Ana", "Pereira", "ana.pereira@example.com", "+13125550123", "Evanston", "exotics"]


def test_erasure_anonymises_the_person_and_every_word_about_them(candidate, recruiter):
    assert services.candidate_erase(candidate=candidate, actor=recruiter.user)

    candidate.refresh_from_db()
    assert candidate.full_name == f"Erased candidate #{candidate.pk}"
    assert (candidate.email, candidate.phone, candidate.specialty) == ("", "", "")
    assert (candidate.consent_email, candidate.consent_sms) == (False, False)
    assert candidate.erased_at is not None
    answers = Feedback.objects.filter(request__interview__application__candidate=candidate)
    messages = OutboundMessage.objects.filter(request__interview__application__candidate=candidate)
    events = TimelineEvent.objects.filter(application__candidate=candidate)
    text = " ".join(
        [
            *(f"{a.went_well} {a.concerns} {a.questions} {a.strengths}" for a in answers),
            *(f"{m.subject} {m.body_text} {m.body_html}" for m in messages),
            *(e.summary for e in events),
        ]
    )
    for word in words_about(candidate):
        assert word not in text, word
    assert not messages.filter(recipient="ana.pereira@example.com").exists()


def test_erasure_keeps_the_answers_levels_and_times(candidate, recruiter):
    answers = Feedback.objects.filter(request__interview__application__candidate=candidate)
    before = sorted(answers.values_list("pk", "interest_level", "decision", "submitted_at"))
    messages_before = sorted(
        OutboundMessage.objects.filter(
            request__interview__application__candidate=candidate
        ).values_list("pk", "kind", "status", "sent_at")
    )

    services.candidate_erase(candidate=candidate, actor=recruiter.user)

    assert sorted(answers.values_list("pk", "interest_level", "decision", "submitted_at")) == before
    assert (
        sorted(
            OutboundMessage.objects.filter(
                request__interview__application__candidate=candidate
            ).values_list("pk", "kind", "status", "sent_at")
        )
        == messages_before
    )


def test_the_dashboards_charts_show_the_same_figures_after_erasure(
    candidate, recruiter, interview_end
):
    now = interview_end + dt.timedelta(hours=4)
    desks = (None, recruiter.recruiter)  # everyone's, and the candidate's recruiter's
    before = [dashboard_charts_compute(recruiter=desk, now=now) for desk in desks]
    assert sum(bar.value for bar in before[0].interest_spread) == 2  # something to keep

    services.candidate_erase(candidate=candidate, actor=recruiter.user)

    after = [dashboard_charts_compute(recruiter=desk, now=now) for desk in desks]
    for was, now_is in zip(before, after, strict=True):
        assert now_is.response_times == was.response_times
        assert now_is.interest_spread == was.interest_spread


def test_erasure_is_on_the_timeline_with_who_did_it_and_happens_once(candidate, recruiter):
    services.candidate_erase(candidate=candidate, actor=recruiter.user)
    assert not services.candidate_erase(candidate=candidate, actor=recruiter.user)

    [event] = TimelineEvent.objects.filter(kind=TimelineEvent.Kind.DATA_ERASED)
    assert event.candidate == candidate
    assert event.actor == recruiter.user
    assert event.summary == "Personal data erased by Dana Whitfield"
    assert event.data["by"] == "recruiter"


def test_the_candidates_open_requests_end_and_nothing_more_is_sent_to_them(
    recruiter, interview_end, clock
):
    interview = schedule_interview(application=ApplicationFactory(), ends_at=interview_end)
    feedback_services.sweep_run()
    request = request_of(interview)
    assert request.messages.filter(status=OutboundMessage.Status.QUEUED).exists()

    services.candidate_erase(candidate=interview.application.candidate, actor=recruiter.user)

    request.refresh_from_db()
    assert request.status == FeedbackRequest.Status.CANCELLED
    assert not request.messages.filter(status=OutboundMessage.Status.QUEUED).exists()


# --- through the admin, and who may ------------------------------------------------------


def test_a_recruiter_with_the_erase_permission_erases_after_confirming(recruiter, candidate):
    may_erase(recruiter)
    change = reverse("admin:candidates_candidate_change", args=[candidate.pk])
    assert erase_url(candidate) in recruiter.get(change).content.decode()

    confirm = recruiter.get(erase_url(candidate))
    assert confirm.status_code == 200
    assert "This cannot be undone." in confirm.content.decode()
    Candidate.objects.get(pk=candidate.pk, erased_at__isnull=True)  # not yet

    response = recruiter.post(erase_url(candidate), follow=True)

    assert response.redirect_chain[-1][0] == change
    assert "The candidate&#x27;s personal data was erased." in response.content.decode()
    assert Candidate.objects.get(pk=candidate.pk).erased_at is not None
    assert Application.objects.filter(candidate=candidate).count() == 2  # kept


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_recruiter_without_the_erase_permission_is_refused(
    recruiter, other_recruiter, candidate, method
):
    for persona in (recruiter, other_recruiter):
        assert getattr(persona, method)(erase_url(candidate)).status_code == 403
    assert Candidate.objects.get(pk=candidate.pk).erased_at is None


def test_a_staff_user_without_the_role_is_refused_even_with_the_erase_permission(
    other_recruiter, candidate
):
    other_recruiter.user.groups.clear()
    may_erase(other_recruiter)  # but not allowed to see candidates at all
    assert other_recruiter.post(erase_url(candidate)).status_code == 403
    assert Candidate.objects.get(pk=candidate.pk).erased_at is None


def test_nobody_signed_in_is_sent_to_the_sign_in(anonymous, candidate):
    response = anonymous.post(erase_url(candidate))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert Candidate.objects.get(pk=candidate.pk).erased_at is None


def test_an_erased_candidates_page_opens_read_only(recruiter, candidate):
    services.candidate_erase(candidate=candidate, actor=recruiter.user)
    page = recruiter.get(reverse("admin:candidates_candidate_change", args=[candidate.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Erased candidate #{candidate.pk}" in html
    assert 'name="first_name"' not in html  # nothing to edit
    assert "Personal data erased by Dana Whitfield" in html  # on the person's timeline
