"""Every client page runs a fixed number of queries, whether the client has 5 candidates in
process or 100 (the numbers are pinned: a change shows up here)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.models import Interview, Position
from feedback.models import Feedback, FeedbackRequest, Party
from tests.factories import ApplicationFactory, PositionFactory, token_of

pytestmark = pytest.mark.django_db

# Queries per page: session, user and contact (3), then the page's own reads.
EXPECTED = {
    "home": 3 + 7,  # positions, the first applications of each + interviews + requests +
    # answers, pipeline, the first awaiting requests; responsiveness comes from the cache
    # after the first visit
    "position": 3 + 6,  # position, pipeline (also the page count), a page of applications
    # + 3 prefetches
    "requests": 3 + 3,  # a page of awaiting, a page of answered + their answers (no counts)
    "request": 3 + 2,  # the request, its answers
    "link": 2,  # the request by token (with all it shows), its current answer
}


def populate(world, n: int, *, other_position) -> None:
    """`n` more candidates in process for client A, spread over two open positions, each
    interviewed yesterday: the candidate answered (band shared); every other client
    request answered, the rest awaited; and a closed position per ten."""
    ended = timezone.now() - dt.timedelta(days=1)
    for i in range(n):
        application = ApplicationFactory(
            position=world.position if i % 2 else other_position, stage="interviewing"
        )
        interview = Interview.objects.create(
            application=application,
            candidate_owner=application.candidate_owner,
            position_recruiter=application.position.recruiter,
            starts_at=ended - dt.timedelta(hours=1),
            ends_at=ended,
            time_zone="America/Chicago",
        )
        answered = i % 2 == 0
        candidate_request, client_request = (
            FeedbackRequest.objects.create(
                interview=interview,
                party=party,
                desk=interview.candidate_owner
                if party == Party.CANDIDATE
                else interview.position_recruiter,
                position=application.position,
                status=FeedbackRequest.Status.RECEIVED
                if party == Party.CANDIDATE or answered
                else FeedbackRequest.Status.PENDING,
                ask_at=ended,
                asked_at=ended,
                due_at=ended + dt.timedelta(hours=48),
                received_at=ended + dt.timedelta(hours=2)
                if party == Party.CANDIDATE or answered
                else None,
            )
            for party in (Party.CANDIDATE, Party.CLIENT)
        )
        Feedback.objects.create(
            request=candidate_request,
            submitted_at=ended + dt.timedelta(hours=1),
            interest_level=8,
            still_interested="yes",
            shared_with_client=["interest_band", "went_well"],
            went_well="Nice team.",
        )
        if answered:
            Feedback.objects.create(
                request=client_request,
                channel=Feedback.Channel.CLIENT_PAGE,
                submitted_at=ended + dt.timedelta(hours=2),
                decision="advance",
                rating=4,
            )
        if i % 10 == 0:
            PositionFactory(
                client=world.client, hiring_contact=world.contact, status=Position.Status.FILLED
            )


def page_url(page: str, world) -> str:
    request = world.client_request
    return {
        "home": reverse("clients:home"),
        "position": reverse("clients:position", args=[world.position.pk]),
        "requests": reverse("clients:requests"),
        "request": reverse("clients:request", args=[request.pk]),
        "link": reverse(
            "clients:feedback",
            kwargs={"token": token_of(request)},
        ),
    }[page]


def queries_for(client, path: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured), response.content.decode()


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_the_query_count_does_not_grow_with_the_rows(worlds_asked, client_a, page):
    world_a, _ = worlds_asked
    other_position = PositionFactory(client=world_a.client, hiring_contact=world_a.contact)
    path = page_url(page, world_a)
    client_a.get(path)  # the first visit also records that the request was opened

    populate(world_a, 5, other_position=other_position)
    few, html_few = queries_for(client_a, path)
    populate(world_a, 95, other_position=other_position)
    many, html_many = queries_for(client_a, path)

    assert (few, many) == (EXPECTED[page], EXPECTED[page])
    if page in ("home", "position", "requests"):
        assert len(html_many) > len(html_few)  # the rows are on the page
