"""Which of a candidate's channels an ask goes by is one rule spelt twice
(feedback.services.messages): in Python for one request, in SQL for the sweep's batches.
Both must choose the same channels and number for every choice, default and consent."""

import itertools

import pytest

from feedback.models import REQUEST_PEOPLE, FeedbackRequest
from feedback.services.messages import (
    _asked_by_email_sql,
    _asked_by_sms,
    _asked_by_sms_sql,
    candidate_channels,
)
from tests.factories import ApplicationFactory, schedule_interview

pytestmark = pytest.mark.django_db

CHOICES = ["", "email", "sms", "both"]


@pytest.mark.parametrize("default", ["email", "sms", "both"])
def test_the_sql_and_the_python_spelling_choose_the_same_channels(default):
    for contact_by, consent, phone in itertools.product(
        CHOICES, [True, False], ["+17735550123", ""]
    ):
        schedule_interview(
            application=ApplicationFactory(
                candidate__contact_by=contact_by,
                candidate__consent_sms=consent,
                candidate__phone=phone,
            )
        )
    requests = FeedbackRequest.objects.select_related(*REQUEST_PEOPLE)
    by_sms_sql = set(requests.filter(_asked_by_sms_sql(default=default)).values_list("pk"))
    by_email_sql = set(requests.filter(_asked_by_email_sql(default=default)).values_list("pk"))

    by_sms, by_email = set(), set()
    for request in requests:
        if _asked_by_sms(request, default=default):
            by_sms.add((request.pk,))
        person = request.addressee
        chosen = (
            candidate_channels(contact_by=person.contact_by, default=default)
            if request.party == "candidate"
            else {"email"}
        )
        if "email" in chosen:
            by_email.add((request.pk,))

    assert by_sms_sql == by_sms
    assert by_email_sql == by_email
    # The cases are the ones meant: some by text, some not; the clients always by email.
    assert by_sms
    assert by_sms != {(r.pk,) for r in requests if r.party == "candidate"}
    assert {(r.pk,) for r in requests if r.party == "client"} <= by_email
