"""Two clients side by side, each with a signed-in contact, a position, a candidate whose
interview ended five minutes ago and both parties asked for feedback.

The contacts are the root conftest's personas `client_a` (the owner of world A's objects)
and `client_b` (an outsider to them); with `anonymous` and the recruiters, they are the
people of every permission test.
"""

from dataclasses import dataclass

import pytest

from candidates.models import Application, Client, ClientContact, Interview, Position
from feedback import services
from feedback.models import FeedbackRequest, Party
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    PositionFactory,
    schedule_interview,
)


@dataclass
class ClientWorld:
    client: Client
    contact: ClientContact
    user: object
    position: Position
    application: Application
    interview: Interview
    client_request: FeedbackRequest
    candidate_request: FeedbackRequest

    @property
    def names(self) -> list[str]:
        """What must never appear on another client's pages."""
        return [
            self.client.name,
            self.contact.name,
            self.position.title,
            self.application.candidate.full_name,
        ]


def client_world(contact, *, key: str, candidate: tuple, interview_end) -> ClientWorld:
    """The contact's client with one open position and one candidate interviewed until
    `interview_end` (requests planned; the caller's sweep asks)."""
    position = PositionFactory(
        client=contact.client, hiring_contact=contact, title=f"{key.title()} Emergency Vet"
    )
    first, last = candidate
    application = ApplicationFactory(
        position=position, candidate=CandidateFactory(first_name=first, last_name=last)
    )
    interview = schedule_interview(application=application, ends_at=interview_end)
    requests = {r.party: r for r in interview.feedback_requests.all()}
    return ClientWorld(
        client=contact.client,
        contact=contact,
        user=contact.user,
        position=position,
        application=application,
        interview=interview,
        client_request=requests[Party.CLIENT],
        candidate_request=requests[Party.CANDIDATE],
    )


@pytest.fixture
def world_a(clock, client_a, interview_end) -> ClientWorld:
    """Client A (Lakeshore Specialty Hospitals), whose contact is `client_a`."""
    return client_world(
        client_a.contact,
        key="lakeshore",
        candidate=("Imogen", "Okafor"),
        interview_end=interview_end,
    )


@pytest.fixture
def world_b(clock, client_b, interview_end) -> ClientWorld:
    """Client B (Prairie View Practice), whose contact is `client_b`."""
    return client_world(
        client_b.contact,
        key="prairie",
        candidate=("Rafael", "Lindqvist"),
        interview_end=interview_end,
    )


@pytest.fixture
def worlds_asked(world_a, world_b):
    """Both worlds' requests asked by the loop (pending)."""
    services.sweep_run()
    for world in (world_a, world_b):
        world.client_request.refresh_from_db()
        world.candidate_request.refresh_from_db()
        assert world.client_request.status == FeedbackRequest.Status.PENDING
    return world_a, world_b
