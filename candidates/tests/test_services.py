"""candidates' own writes: desk copies that follow an owner or a recruiter (and the signal
that lets other apps follow too), and the application fields the loop sets."""

import pytest
from django.utils import timezone

from candidates import services
from candidates.models import Application, Interview
from candidates.signals import desks_changed
from tests.factories import ApplicationFactory, RecruiterFactory, schedule_interview

pytestmark = pytest.mark.django_db


@pytest.fixture
def signalled():
    sent = []

    def record(sender, **kwargs):
        sent.append((sender, kwargs))

    desks_changed.connect(record, dispatch_uid="test-record")
    yield sent
    desks_changed.disconnect(dispatch_uid="test-record")


def test_a_new_owner_moves_the_copies_and_says_so(signalled):
    interview = schedule_interview()
    candidate = interview.application.candidate
    signalled.clear()
    candidate.owner = RecruiterFactory()

    services.candidate_save(candidate=candidate, changed=["owner"])

    assert Application.objects.get(pk=interview.application_id).candidate_owner == candidate.owner
    assert Interview.objects.get(pk=interview.pk).candidate_owner == candidate.owner
    assert signalled == [(type(candidate), {"signal": desks_changed, "candidate": candidate})]


def test_a_save_that_changes_no_desk_says_nothing(signalled):
    application = ApplicationFactory()
    signalled.clear()
    services.candidate_save(candidate=application.candidate, changed=["first_name"])
    services.position_save(position=application.position, changed=["title"])
    assert signalled == []


def test_a_debrief_is_flagged_once_and_cleared_by_the_call():
    application = ApplicationFactory()
    now = timezone.now()

    assert services.application_flag_debrief(application=application, reason="first", now=now)
    assert not services.application_flag_debrief(application=application, reason="again", now=now)
    application.refresh_from_db()
    assert (application.debrief_needed_at, application.debrief_reason) == (now, "first")

    services.application_set_debrief_reason(application=application, reason="amended")
    services.application_clear_debrief(application=application)
    application.refresh_from_db()
    assert (application.debrief_needed_at, application.debrief_reason) == (None, "amended")
