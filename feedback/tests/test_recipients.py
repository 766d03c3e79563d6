"""Who a request's messages go to is one rule spelt twice (feedback.services.messages): in
Python for the request in hand, in SQL for the sweep's batches. Both must name the same
address, time zone and recruiter for every kind of request."""

import pytest

from candidates import services as candidate_services
from feedback.models import REQUEST_PEOPLE, FeedbackRequest
from feedback.services.messages import (
    _RECIPIENT_EMAIL,
    _RECIPIENT_TIME_ZONE,
    _RECRUITER_EMAIL,
    _recipient_email,
    _recipient_time_zone,
    _recruiter_for,
)
from tests.factories import ApplicationFactory, RecruiterFactory, schedule_interview

pytestmark = pytest.mark.django_db


def test_the_sql_and_the_python_spelling_name_the_same_recipients():
    # The candidate's owner and the position's recruiter differ, and so do the time zones
    # of the candidate and the hiring contact, so that any mix-up shows.
    consenting = ApplicationFactory(
        position__recruiter=RecruiterFactory(), candidate__time_zone="America/Denver"
    )
    silent = ApplicationFactory(candidate__consent_email=False)
    silent.position.hiring_contact.time_zone = "Europe/London"
    silent.position.hiring_contact.save()
    moved = ApplicationFactory()
    for application in (consenting, silent, moved):
        schedule_interview(application=application)
    # A new owner after the requests were planned: the desk kept on them follows.
    candidate = moved.candidate
    candidate.owner = RecruiterFactory()
    candidate_services.candidate_save(candidate=candidate, changed=["owner"])

    in_sql = FeedbackRequest.objects.annotate(
        recipient=_RECIPIENT_EMAIL, zone=_RECIPIENT_TIME_ZONE, recruiter=_RECRUITER_EMAIL
    ).values_list("pk", "recipient", "zone", "recruiter")
    in_python = [
        (r.pk, _recipient_email(r), _recipient_time_zone(r), _recruiter_for(r).email)
        for r in FeedbackRequest.objects.select_related(*REQUEST_PEOPLE)
    ]

    assert len(in_python) == 6
    assert sorted(in_sql) == sorted(in_python)
    # The cases are the ones meant: one candidate without consent (no address), and each
    # candidate's and contact's own zone.
    assert sum(1 for _, recipient, *_ in in_python if recipient == "") == 1
    assert {zone for _, _, zone, _ in in_python} >= {"America/Denver", "Europe/London"}
