"""What of a candidate's answer the client sees is the recruiter's choice, made through
feedback_share_with_client: written with a timeline event saying who shared what, and
refused for what cannot be shared."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from feedback import rules, services
from feedback.models import Feedback, FeedbackRequest, Party, TimelineEvent
from tests.factories import RecruiterFactory

pytestmark = pytest.mark.django_db

MIN = dt.timedelta(minutes=1)
SHARED = TimelineEvent.Kind.SHARED_WITH_CLIENT


def answer(interview, party: str, moment, **answers) -> Feedback:
    request = FeedbackRequest.objects.get(interview=interview, party=party)
    with time_machine.travel(moment, tick=False):
        return services.feedback_submit(request=request, answers=answers)


@pytest.fixture
def candidate_answer(asked, interview_end):
    return answer(
        asked,
        Party.CANDIDATE,
        interview_end + 30 * MIN,
        interest_level=8,
        still_interested="yes",
        went_well="The team",
        concerns="Commute",
    )


def test_sharing_writes_the_parts_and_records_who_shared_what(candidate_answer, interview_end):
    assert candidate_answer.shared_with_client == rules.DEFAULT_SHARED_WITH_CLIENT
    recruiter = RecruiterFactory().user
    moment = interview_end + 2 * dt.timedelta(hours=1)

    services.feedback_share_with_client(
        feedback=candidate_answer,
        parts=["interest_band", "went_well", "concerns"],
        actor=recruiter,
        now=moment,
    )

    candidate_answer.refresh_from_db()
    assert candidate_answer.shared_with_client == ["interest_band", "went_well", "concerns"]
    [event] = TimelineEvent.objects.filter(kind=SHARED)
    assert (event.actor, event.created_at) == (recruiter, moment)
    assert event.application == candidate_answer.request.interview.application
    assert event.request == candidate_answer.request
    assert event.data == {
        "feedback_id": candidate_answer.pk,
        "shared": ["interest_band", "went_well", "concerns"],
        "added": ["went_well", "concerns"],
        "removed": [],
    }
    assert event.summary == "Shared with the client: what went well, concerns"

    services.feedback_share_with_client(
        feedback=candidate_answer, parts=["went_well"], actor=recruiter
    )
    latest = TimelineEvent.objects.filter(kind=SHARED).first()
    assert latest.data["removed"] == ["interest_band", "concerns"]
    assert latest.summary == "No longer shared: interest, concerns"


def test_nothing_is_written_when_nothing_changes(candidate_answer):
    recruiter = RecruiterFactory().user
    parts = ["went_well", "interest_band"]
    services.feedback_share_with_client(feedback=candidate_answer, parts=parts, actor=recruiter)
    events = TimelineEvent.objects.count()

    for same in (parts, list(reversed(parts)), [*parts, "went_well"]):
        services.feedback_share_with_client(feedback=candidate_answer, parts=same, actor=recruiter)

    assert TimelineEvent.objects.count() == events
    candidate_answer.refresh_from_db()
    assert candidate_answer.shared_with_client == parts


def test_a_clients_own_answer_cannot_be_shared(asked, interview_end):
    client_answer = answer(
        asked, Party.CLIENT, interview_end + 3 * dt.timedelta(hours=1), decision="advance"
    )
    stored = list(client_answer.shared_with_client)
    events = TimelineEvent.objects.count()

    with pytest.raises(ValidationError, match="client's own answer"):
        services.feedback_share_with_client(
            feedback=client_answer, parts=["interest_band", "concerns"], actor=None
        )

    client_answer.refresh_from_db()
    assert client_answer.shared_with_client == stored
    assert TimelineEvent.objects.count() == events


def test_only_shareable_parts_can_be_added_and_an_old_unknown_one_may_stay(candidate_answer):
    Feedback.objects.filter(pk=candidate_answer.pk).update(
        shared_with_client=["interest_band", "legacy_part"]
    )
    events = TimelineEvent.objects.count()

    with pytest.raises(ValidationError, match="wants_call"):
        services.feedback_share_with_client(
            feedback=candidate_answer, parts=["interest_band", "wants_call"]
        )
    assert TimelineEvent.objects.count() == events

    services.feedback_share_with_client(
        feedback=candidate_answer, parts=["legacy_part", "went_well"]
    )
    candidate_answer.refresh_from_db()
    assert candidate_answer.shared_with_client == ["legacy_part", "went_well"]
