"""A candidate's data exported from their admin page as one JSON file: everything held
about them, and the export itself on their timeline with who made it."""

import json

import pytest
from django.urls import reverse

from feedback.models import Feedback, OutboundMessage, TimelineEvent

pytestmark = pytest.mark.django_db


def export_url(candidate) -> str:
    return reverse("admin:candidates_candidate_export", args=[candidate.pk])


def download(persona, candidate) -> dict:
    response = persona.post(export_url(candidate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="candidate-{candidate.pk}-data.json"'
    )
    return json.loads(response.content)


def test_the_export_holds_the_person_and_everything_about_them(recruiter, candidate):
    data = download(recruiter, candidate)

    assert data["person"]["email"] == "ana.pereira@example.com"
    assert data["person"]["phone"] == "+13125550123"
    assert len(data["applications"]) == 2
    assert len(data["interviews"]) == 2
    assert len(data["feedback_requests"]) == 4
    assert all("token_key" not in row for row in data["feedback_requests"])
    answers = Feedback.objects.filter(request__interview__application__candidate=candidate)
    assert sorted(row["id"] for row in data["answers"]) == sorted(a.pk for a in answers)
    concerns = [row["concerns"] for row in data["answers"]]
    assert "The commute from Evanston." in concerns  # the amended answer too
    assert "Commute, and the on-call rota." in concerns
    assert "Ana is new to exotics." in concerns  # the client's opinion of her
    messages = OutboundMessage.objects.filter(request__interview__application__candidate=candidate)
    assert sorted(row["id"] for row in data["messages"]) == sorted(m.pk for m in messages)
    assert any("Ana" in row["body_text"] for row in data["messages"])
    kinds = {row["kind"] for row in data["timeline"]}
    assert {"feedback_received", "feedback_amended", "consent_changed"} <= kinds
    [consent] = data["consents"]
    assert (consent["channel"], consent["given"], consent["source"]) == (
        "sms",
        True,
        "recruiter by phone",
    )


def test_the_export_is_on_the_timeline_with_the_recruiter_who_made_it(recruiter, candidate):
    download(recruiter, candidate)

    event = TimelineEvent.objects.get(kind=TimelineEvent.Kind.DATA_EXPORTED)
    assert event.candidate == candidate
    assert event.actor == recruiter.user
    assert event.summary == "Personal data exported by Dana Whitfield"


def test_the_candidate_page_offers_the_export_to_a_recruiter_but_not_the_erasure(
    recruiter, candidate
):
    page = recruiter.get(reverse("admin:candidates_candidate_change", args=[candidate.pk]))
    html = page.content.decode()
    assert export_url(candidate) in html
    assert reverse("admin:candidates_candidate_erase", args=[candidate.pk]) not in html
    assert "Consent history" in html or "consent history" in html


def test_a_recruiter_at_another_desk_may_export_too(other_recruiter, candidate):
    # The agency's candidates are shared by its recruiters, as on every candidate page.
    assert download(other_recruiter, candidate)["person"]["id"] == candidate.pk


def test_nobody_signed_in_is_sent_to_the_sign_in_and_nothing_is_recorded(anonymous, candidate):
    for response in (anonymous.get(export_url(candidate)), anonymous.post(export_url(candidate))):
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
    assert not TimelineEvent.objects.filter(kind=TimelineEvent.Kind.DATA_EXPORTED).exists()


def test_a_staff_user_without_the_recruiter_role_is_refused(other_recruiter, candidate):
    other_recruiter.user.groups.clear()  # staff still, without the role

    assert other_recruiter.get(export_url(candidate)).status_code == 403
    assert other_recruiter.post(export_url(candidate)).status_code == 403
    assert not TimelineEvent.objects.filter(kind=TimelineEvent.Kind.DATA_EXPORTED).exists()


def test_an_unknown_candidate_is_not_found(recruiter):
    assert (
        recruiter.get(reverse("admin:candidates_candidate_export", args=[999999])).status_code
        == 404
    )
    assert (
        recruiter.get(reverse("admin:candidates_candidate_export", args=["abc"])).status_code == 404
    )
