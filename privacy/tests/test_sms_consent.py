"""STOP and START by text are consent statements: recorded with their history, the flag
the loop reads following the latest."""

import pytest

from feedback import services
from privacy.models import Consent
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def test_stop_then_start_by_text_are_recorded_as_consent_withdrawn_then_given():
    candidate = CandidateFactory(phone="+1 773 555 0123", consent_sms=True)
    services.sms_inbound_receive(provider_id="SM1", sender="+17735550123", body="STOP")
    candidate.refresh_from_db()
    assert candidate.consent_sms is False
    services.sms_inbound_receive(provider_id="SM2", sender="+17735550123", body="start")
    candidate.refresh_from_db()
    assert candidate.consent_sms is True
    history = Consent.objects.filter(candidate=candidate, channel="sms").order_by("at", "pk")
    assert [(c.given, c.source) for c in history] == [(False, "text STOP"), (True, "text START")]


def test_a_stop_from_a_number_already_out_records_nothing_more():
    candidate = CandidateFactory(phone="+17735550123", consent_sms=True)
    services.sms_inbound_receive(provider_id="SM1", sender="+17735550123", body="STOP")
    services.sms_inbound_receive(provider_id="SM2", sender="+17735550123", body="quit")
    assert Consent.objects.filter(candidate=candidate).count() == 1
