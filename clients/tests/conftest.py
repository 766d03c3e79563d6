"""Two clients side by side, each with a signed-in contact, a position, a candidate whose
interview ended five minutes ago and both parties asked for feedback.

The three personas of every permission test: the contact of client A (the owner), the
contact of client B (an outsider to A's objects), and the anonymous visitor.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from candidates.models import Application, Client, ClientContact, Interview, Position
from feedback import services
from feedback.models import FeedbackRequest, Party
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CandidateFactory,
    PositionFactory,
    UserFactory,
    contact_with_login,
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


def client_world(*, key: str, client_name: str, candidate: tuple, interview_end) -> ClientWorld:
    """A client with a contact who can sign in, one open position and one candidate
    interviewed until `interview_end` (requests planned; the caller's sweep asks)."""
    contact = contact_with_login(
        email=f"hiring@{key}.example", name=f"Dr. {key.title()} Hiring", client__name=client_name
    )
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
def world_a(db, clock, interview_end) -> ClientWorld:
    return client_world(
        key="lakeshore",
        client_name="Lakeshore Specialty Hospitals",
        candidate=("Imogen", "Okafor"),
        interview_end=interview_end,
    )


@pytest.fixture
def world_b(db, clock, interview_end) -> ClientWorld:
    return client_world(
        key="prairie",
        client_name="Prairie View Practice",
        candidate=("Rafael", "Lindqvist"),
        interview_end=interview_end,
    )


@pytest.fixture
def asked(world_a, world_b):
    """Both worlds' requests asked by the loop (pending)."""
    services.sweep_run()
    for world in (world_a, world_b):
        world.client_request.refresh_from_db()
        world.candidate_request.refresh_from_db()
        assert world.client_request.status == FeedbackRequest.Status.PENDING
    return world_a, world_b


@pytest.fixture
def client_a(client, world_a):
    """The test client, signed in as client A's contact."""
    client.force_login(world_a.user, backend="clients.backends.ClientEmailBackend")
    return client


@pytest.fixture
def staff_user(db):
    return UserFactory(username="dana", is_staff=True)


@pytest.fixture
def plain_user(db):
    return get_user_model().objects.create_user(username="someone", password=PASSWORD)
