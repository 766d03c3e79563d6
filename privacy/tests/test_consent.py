"""Consent per channel, recorded with when and how, from the candidate's admin page: the
history is kept, the loop's flag follows the latest statement, each one is on the
timeline."""

import datetime as dt

import pytest
from django.urls import reverse

from feedback.models import TimelineEvent
from privacy import services
from privacy.models import Consent
from tests.admin_pages import form_data

pytestmark = pytest.mark.django_db


def change_url(candidate) -> str:
    return reverse("admin:candidates_candidate_change", args=[candidate.pk])


def with_consent(data: dict, **consent) -> dict:
    """The candidate form's data with the "record consent" row filled in."""
    prefix = next(
        name.removesuffix("-TOTAL_FORMS")
        for name in data
        if name.endswith("-TOTAL_FORMS") and f"{name.removesuffix('-TOTAL_FORMS')}-0-source" in data
    )
    return {**data, **{f"{prefix}-0-{name}": value for name, value in consent.items()}}


def test_a_recruiter_records_consent_from_the_candidate_page(recruiter, candidate):
    change = change_url(candidate)
    data = with_consent(
        form_data(recruiter.get(change)), channel="email", given="on", source="signed form"
    )

    response = recruiter.post(change, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    consent = Consent.objects.get(channel="email")
    assert (consent.given, consent.source, consent.recorded_by) == (
        True,
        "signed form",
        recruiter.user,
    )
    candidate.refresh_from_db()
    assert candidate.consent_email is True
    event = TimelineEvent.objects.get(
        kind=TimelineEvent.Kind.CONSENT_CHANGED, data__consent_id=consent.pk
    )
    assert (event.candidate, event.actor) == (candidate, recruiter.user)
    assert event.summary == "Consent to email given (signed form)"


def test_a_withdrawal_turns_the_channel_off_and_keeps_the_history(recruiter, candidate):
    assert candidate.consent_sms is True
    change = change_url(candidate)
    data = with_consent(form_data(recruiter.get(change)), channel="sms", source="portal")

    assert recruiter.post(change, data).status_code == 302

    candidate.refresh_from_db()
    assert candidate.consent_sms is False
    assert list(Consent.objects.filter(channel="sms").values_list("given", flat=True)) == [
        False,
        True,
    ]
    page = recruiter.get(change).content.decode()
    assert "recruiter by phone" in page  # the history shows on the page
    assert "Consent to text messages (sms) withdrawn (portal)" in page


def test_saving_the_candidate_without_a_consent_records_none(recruiter, candidate):
    change = change_url(candidate)
    before = Consent.objects.count()
    assert recruiter.post(change, form_data(recruiter.get(change))).status_code == 302
    assert Consent.objects.count() == before


def test_an_older_statement_recorded_later_does_not_override_the_latest(candidate):
    newest = Consent.objects.get(channel="sms").at
    services.consent_record(
        candidate=candidate,
        channel="sms",
        given=False,
        source="import",
        at=newest - dt.timedelta(days=30),
    )
    candidate.refresh_from_db()
    assert candidate.consent_sms is True


def test_a_source_with_a_line_break_is_refused(recruiter, candidate):
    change = change_url(candidate)
    data = with_consent(
        form_data(recruiter.get(change)), channel="email", given="on", source="a\r\nb"
    )
    response = recruiter.post(change, data)
    assert response.status_code == 200
    assert "Please keep this on one line" in response.content.decode()
    assert not Consent.objects.filter(channel="email").exists()
