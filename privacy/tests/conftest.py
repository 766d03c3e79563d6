"""A candidate with a full story: two interviews, answers (one amended), the client's
answer, messages sent, and consent recorded."""

import datetime as dt

import pytest
import time_machine

from candidates.models import Candidate
from feedback import services as feedback_services
from feedback.models import FeedbackRequest, OutboundMessage, Party
from privacy import services
from tests.factories import ApplicationFactory, CandidateFactory, request_of, schedule_interview

HOUR = dt.timedelta(hours=1)


def answer(request: FeedbackRequest, *, at, **answers):
    with time_machine.travel(at, tick=False):
        return feedback_services.feedback_submit(request=request, answers=answers)


def deliver_all(*, at) -> None:
    """What the worker does: send every queued message due by `at`."""
    with time_machine.travel(at, tick=False):
        queued = OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED)
        feedback_services.outbox_deliver(message_ids=list(queued.values_list("pk", flat=True)))


@pytest.fixture
def candidate(recruiter, clock, interview_end) -> Candidate:
    """Ana Pereira, on the `recruiter` persona's desk, interviewed twice for one position
    and once for another; she answered (and amended) the first, the client answered, and
    every message was sent."""
    person = CandidateFactory(
        first_name="Ana",
        last_name="Pereira",
        email="ana.pereira@example.com",
        phone="+13125550123",
        owner=recruiter.recruiter,
    )
    first = schedule_interview(
        application=ApplicationFactory(candidate=person), ends_at=interview_end
    )
    other = schedule_interview(
        application=ApplicationFactory(candidate=person), ends_at=interview_end + HOUR
    )
    feedback_services.sweep_run()
    deliver_all(at=interview_end + 5 * dt.timedelta(minutes=1))  # both parties asked
    asked = request_of(first)
    answer(
        asked,
        at=interview_end + 10 * dt.timedelta(minutes=1),
        interest_level=8,
        still_interested="yes",
        concerns="The commute from Evanston.",
    )
    answer(
        asked,
        at=interview_end + 20 * dt.timedelta(minutes=1),
        interest_level=6,
        still_interested="unsure",
        concerns="Commute, and the on-call rota.",
    )
    answer(
        request_of(first, Party.CLIENT),
        at=interview_end + 3 * HOUR,
        decision="advance",
        rating=4,
        strengths="Calm with Ana's clients.",
        concerns="Ana is new to exotics.",
    )
    answer(
        request_of(other),
        at=interview_end + 2 * HOUR,
        interest_level=9,
        still_interested="yes",
        went_well="Met the whole team.",
    )
    deliver_all(at=interview_end + 4 * HOUR)  # the recruiter told of each answer
    services.consent_record(
        candidate=person,
        channel="sms",
        given=True,
        source="recruiter by phone",
        at=interview_end - HOUR,
        actor=recruiter.user,
    )
    person.refresh_from_db()
    return person
