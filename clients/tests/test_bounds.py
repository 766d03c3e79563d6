"""A big client's pages stay small: the home page shows the first candidates of each
position and the soonest requests, with links to the pages that list the rest a page at
a time."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from clients import selectors
from feedback import services
from feedback.models import FeedbackRequest, Party
from tests.factories import ApplicationFactory, CandidateFactory
from tests.factories import schedule_interview as schedule

pytestmark = pytest.mark.django_db

HOME = reverse("clients:home")


def shown_applications(html: str) -> list[str]:
    return re.findall(r'data-application="(\d+)"', html)


def add_candidates(world, n: int, *, stage: str = "interviewing") -> list:
    return [
        ApplicationFactory(
            position=world.position,
            stage=stage,
            candidate=CandidateFactory(first_name="Extra", last_name=f"Candidate{i:02d}"),
        )
        for i in range(n)
    ]


def test_the_home_shows_five_candidates_per_position_and_links_to_the_rest(worlds_asked, client_a):
    world_a, _ = worlds_asked
    add_candidates(world_a, 6)  # 7 in process with the world's own candidate
    add_candidates(world_a, 3, stage="rejected")  # not in process: not counted

    html = client_a.get(HOME).content.decode()

    assert len(shown_applications(html)) == selectors.HOME_CANDIDATES_PER_POSITION == 5
    more = re.search(r'data-more="candidates">(.*?)</p>', html, re.S).group(1)
    assert "And 2 more in process" in more
    assert reverse("clients:position", args=[world_a.position.pk]) in more


def test_the_home_shows_the_furthest_along_first(worlds_asked, client_a):
    world_a, _ = worlds_asked
    add_candidates(world_a, 11, stage="submitted")
    offer = ApplicationFactory(position=world_a.position, stage="offer")

    html = client_a.get(HOME).content.decode()

    shown = shown_applications(html)
    assert str(offer.pk) in shown
    assert str(world_a.application.pk) in shown  # interviewing comes before submitted


def test_a_small_position_has_no_more_link(worlds_asked, client_a):
    html = client_a.get(HOME).content.decode()
    assert 'data-more="candidates"' not in html


def test_the_position_page_lists_every_candidate_a_page_at_a_time(worlds_asked, client_a):
    world_a, _ = worlds_asked
    add_candidates(world_a, selectors.PAGE_SIZE)  # one more than a page, with the world's
    url = reverse("clients:position", args=[world_a.position.pk])

    first = client_a.get(url).content.decode()
    second = client_a.get(url, {"page": 2}).content.decode()

    assert len(shown_applications(first)) == selectors.PAGE_SIZE
    assert len(shown_applications(second)) == 1
    assert set(shown_applications(first)).isdisjoint(shown_applications(second))
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first
    assert "Page 2 of 2" in second
    assert 'href="?page=1"' in second
    # A page number out of range shows the last page rather than an error.
    assert client_a.get(url, {"page": "99"}).status_code == 200


def test_the_home_shows_the_soonest_requests_and_links_to_the_rest(
    worlds_asked, client_a, clock, interview_end
):
    world_a, _ = worlds_asked
    for i in range(selectors.HOME_AWAITING):
        application = ApplicationFactory(position=world_a.position)
        schedule(application=application, ends_at=interview_end - dt.timedelta(minutes=i + 1))
    services.sweep_run()

    html = client_a.get(HOME).content.decode()
    awaiting = re.search(r'id="awaiting".*?</section>', html, re.S).group(0)

    assert len(re.findall(r'data-request="\d+"', awaiting)) == selectors.HOME_AWAITING
    assert 'data-more="awaiting"' in awaiting
    assert reverse("clients:requests") in awaiting
    soonest = FeedbackRequest.objects.filter(
        party=Party.CLIENT, status=FeedbackRequest.Status.PENDING
    ).filter(interview__application__position=world_a.position)
    expected = [str(pk) for pk in soonest.order_by("due_at", "pk").values_list("pk", flat=True)]
    assert re.findall(r'data-request="(\d+)"', awaiting) == expected[: selectors.HOME_AWAITING]

    requests_page = client_a.get(reverse("clients:requests")).content.decode()
    assert len(re.findall(r'data-request="\d+"', requests_page)) == selectors.HOME_AWAITING + 1
