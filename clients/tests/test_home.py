"""The client home and position pages: open positions, candidates in process with their
interviews, only what the recruiter shared, the pipeline, and responsiveness."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from candidates.models import Application, Interview, Position
from clients import selectors
from core import caching
from feedback import services
from feedback.models import Feedback, FeedbackRequest, Party
from feedback.services import interview_cancel, interview_mark_completed
from tests import personas
from tests.factories import ApplicationFactory, CandidateFactory, PositionFactory
from tests.factories import schedule_interview as schedule

pytestmark = pytest.mark.django_db

HOME = reverse("clients:home")
HOURS_2 = dt.timedelta(hours=2)
CANDIDATE_ANSWER = {
    "interest_level": 9,
    "still_interested": "yes",
    "went_well": "The ICU team was wonderful.",
    "concerns": "The commute from Evanston.",
    "questions": "Is parking included?",
}


def shared_parts(html: str, application) -> dict[str, str]:
    """The candidate's shared parts shown in an application's row, by key."""
    row = re.search(rf'data-application="{application.pk}".*?</tr>', html, re.S).group(0)
    return {
        key: re.sub(r"<[^>]+>", "", value).strip()
        for key, value in re.findall(r'data-shared="([a-z_]+)">(.*?)</span>', row, re.S)
    }


def pipeline(html: str, position) -> dict[str, int]:
    card = re.search(rf'data-position="{position.pk}".*?</section>', html, re.S).group(0)
    cols = re.findall(
        r'data-stage="([a-z]+)">\s*<span class="pipeline-count">(\d+)</span>', card, re.S
    )
    return {stage: int(n) for stage, n in cols}


def test_home_shows_the_open_position_its_candidate_and_interview_time(worlds_asked, client_a):
    world_a, _ = worlds_asked
    response = client_a.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert world_a.position.title in html
    assert world_a.application.candidate.full_name in html
    assert "Interviewing" in html
    # 14:00 UTC start = 8:00 AM in Chicago, in the contact's time zone.
    assert "Tue 3 Mar, 8:00 AM CST" in html
    # The contact's request is waiting, with a link to answer it in the page.
    assert reverse("clients:request", args=[world_a.client_request.pk]) in html


def test_by_default_only_the_interest_band_is_shared(worlds_asked, client_a):
    world_a, _ = worlds_asked
    services.feedback_submit(request=world_a.candidate_request, answers=CANDIDATE_ANSWER)

    html = client_a.get(HOME).content.decode()

    assert shared_parts(html, world_a.application) == {"interest_band": "High interest"}
    for private in ("9 / 10", "9/10", *(v for v in CANDIDATE_ANSWER.values() if len(str(v)) > 3)):
        assert str(private) not in html


def test_the_recruiter_shares_more_per_feedback(worlds_asked, client_a):
    world_a, _ = worlds_asked
    feedback = services.feedback_submit(request=world_a.candidate_request, answers=CANDIDATE_ANSWER)
    Feedback.objects.filter(pk=feedback.pk).update(
        shared_with_client=["went_well", "interest_level", "wants_call", "unknown_key"]
    )

    html = client_a.get(HOME).content.decode()

    assert shared_parts(html, world_a.application) == {
        "interest_level": "Interest level: 9 / 10",
        "went_well": "What went well: The ICU team was wonderful.",
    }
    assert "High interest" not in html  # the band was unticked
    assert CANDIDATE_ANSWER["concerns"] not in html


def test_an_amendment_keeps_what_the_recruiter_shared(worlds_asked, client_a):
    world_a, _ = worlds_asked
    first = services.feedback_submit(request=world_a.candidate_request, answers=CANDIDATE_ANSWER)
    Feedback.objects.filter(pk=first.pk).update(shared_with_client=[])
    services.feedback_submit(
        request=world_a.candidate_request, answers={**CANDIDATE_ANSWER, "interest_level": 3}
    )
    html = client_a.get(HOME).content.decode()
    assert shared_parts(html, world_a.application) == {}
    assert "nothing shared yet" in html


@pytest.mark.parametrize(
    ("level", "still", "band"),
    [
        (8, "yes", "High"),
        (5, "yes", "Moderate"),
        (4, "unsure", "Low"),
        (9, "no", "Not interested"),
        (None, "yes", None),
    ],
)
def test_the_band_follows_the_answer_not_the_applications_status(
    worlds_asked, client_a, level, still, band
):
    world_a, _ = worlds_asked
    services.feedback_submit(
        request=world_a.candidate_request,
        answers={"interest_level": level, "still_interested": still},
    )
    # Whatever the recruiter's view of the application says, the client never sees it.
    Application.objects.filter(pk=world_a.application.pk).update(
        interest_status=Application.InterestStatus.POSSIBLY_WANED
    )
    html = client_a.get(HOME).content.decode()
    expected = {"interest_band": f"{band} interest"} if band else {}
    assert shared_parts(html, world_a.application) == expected
    assert "waned" not in html.lower()


def test_candidates_not_in_process_and_closed_positions_stay_off_the_home(worlds_asked, client_a):
    world_a, _ = worlds_asked
    rejected = ApplicationFactory(
        position=world_a.position,
        candidate=CandidateFactory(first_name="Quentin", last_name="Rejected"),
        stage=Application.Stage.REJECTED,
    )
    filled = PositionFactory(
        client=world_a.client,
        hiring_contact=world_a.contact,
        title="Practice Manager (filled)",
        status=Position.Status.FILLED,
    )
    ApplicationFactory(
        position=filled, candidate=CandidateFactory(first_name="Hattie", last_name="Hired")
    )

    html = client_a.get(HOME).content.decode()
    assert "Quentin Rejected" not in html
    assert "Hattie Hired" not in html
    assert "Other positions" in html
    assert reverse("clients:position", args=[filled.pk]) in html

    detail = client_a.get(reverse("clients:position", args=[world_a.position.pk]))
    assert rejected.candidate.full_name in detail.content.decode()
    assert (
        "Hattie Hired"
        in client_a.get(reverse("clients:position", args=[filled.pk])).content.decode()
    )


def test_the_pipeline_counts_candidates_at_each_stage(worlds_asked, client_a):
    world_a, world_b = worlds_asked
    for stage, n in [("submitted", 2), ("offer", 1), ("withdrawn", 1)]:
        for _ in range(n):
            ApplicationFactory(position=world_a.position, stage=stage)
    ApplicationFactory(position=world_b.position, stage="offer")  # another client's

    html = client_a.get(HOME).content.decode()

    assert pipeline(html, world_a.position) == {
        "submitted": 2,
        "interviewing": 1,
        "offer": 1,
        "hired": 0,
        "rejected": 0,
        "withdrawn": 1,
    }
    assert 'aria-label="Pipeline: 2 submitted, 1 interviewing, 1 offer, 0 hired' in html


def test_interviews_show_upcoming_cancelled_and_the_clients_own_answer(
    worlds_asked, client_a, interview_end
):
    world_a, _ = worlds_asked
    upcoming = schedule(
        application=world_a.application, ends_at=interview_end + dt.timedelta(days=2)
    )
    cancelled = schedule(
        application=world_a.application, ends_at=interview_end - dt.timedelta(days=1)
    )
    interview_cancel(interview=cancelled)
    services.feedback_submit(
        request=world_a.client_request,
        answers={"decision": "hold", "rating": 3},
        channel=Feedback.Channel.CLIENT_PAGE,
    )

    html = client_a.get(HOME).content.decode()

    def block(interview):
        return re.search(rf'data-interview="{interview.pk}".*?</div>\s*</div>', html, re.S).group(0)

    assert "upcoming" in block(upcoming)
    assert "cancelled" in block(cancelled)
    held = block(world_a.interview)
    assert "Hold, 3 / 5" in held
    assert "change" in held


def test_a_colleagues_request_is_shown_as_awaited_not_answerable(worlds_asked):
    world_a, _ = worlds_asked
    colleague = personas.client_contact(
        "client A's colleague", client=world_a.client, email="colleague@lakeshore.example"
    )
    html = colleague.get(HOME).content.decode()
    assert world_a.application.candidate.full_name in html  # same organisation
    assert f"awaited from {world_a.contact.name}" in html
    assert reverse("clients:request", args=[world_a.client_request.pk]) not in html
    assert "Feedback we are waiting for" not in html  # nothing of theirs to answer


# --- responsiveness ----------------------------------------------------------------------


def test_an_interview_marked_completed_early_is_awaited_and_answerable_at_once(
    worlds_asked, client_a, clock
):
    world_a, _ = worlds_asked
    early = schedule(application=world_a.application, ends_at=timezone.now() + HOURS_2)
    interview_mark_completed(interview=early)
    services.sweep_run()  # asks the client now, two hours before the planned end
    request = early.feedback_requests.get(party=Party.CLIENT)
    assert FeedbackRequest.objects.get(pk=request.pk).status == FeedbackRequest.Status.PENDING

    awaiting = client_a.get(HOME).context["awaiting"].rows
    assert request in awaiting
    assert client_a.get(reverse("clients:request", args=[request.pk])).status_code == 200


def _past_request(world, *, ended_ago, asked_after=dt.timedelta(0), answered_after=None):
    """A client request for an interview that ended `ended_ago`, answered (or not)."""
    now = timezone.now()
    ended = now - ended_ago
    interview = schedule(application=world.application, ends_at=ended)
    request = interview.feedback_requests.get(party=Party.CLIENT)
    FeedbackRequest.objects.filter(pk=request.pk).update(
        status=FeedbackRequest.Status.PENDING, asked_at=ended + asked_after
    )
    if answered_after is not None:
        FeedbackRequest.objects.filter(pk=request.pk).update(
            status=FeedbackRequest.Status.RECEIVED, received_at=ended + answered_after
        )
    return request


def test_responsiveness_is_the_median_wait_and_the_share_on_time(world_a, world_b):
    h = dt.timedelta(hours=1)
    # The client deadline is 48 h after the interview's end.
    _past_request(world_a, ended_ago=10 * 24 * h, answered_after=2 * h)
    _past_request(world_a, ended_ago=20 * 24 * h, asked_after=4 * h, answered_after=10 * h)
    _past_request(world_a, ended_ago=30 * 24 * h, answered_after=60 * h)  # late
    _past_request(world_a, ended_ago=5 * 24 * h)  # never answered: counts as late
    _past_request(world_a, ended_ago=24 * h)  # not answered, not yet due: not counted
    _past_request(world_a, ended_ago=100 * 24 * h, answered_after=90 * h)  # out of the window
    cancelled = _past_request(world_a, ended_ago=3 * 24 * h)
    interview_cancel(interview=cancelled.interview)
    _past_request(world_b, ended_ago=10 * 24 * h, answered_after=1 * h)  # another client's

    stats = selectors.client_responsiveness(client=world_a.client)

    # Waits 2 h, 6 h (from the late ask) and 60 h: the median is 6 h.
    assert stats.median == 6 * h
    assert stats.median_text == "6 h"
    assert (stats.answered, stats.on_time, stats.settled) == (3, 2, 4)
    assert stats.share_on_time == 50


def test_the_home_pages_responsiveness_is_computed_once_a_minute(world_a, client_a):
    h = dt.timedelta(hours=1)
    _past_request(world_a, ended_ago=10 * 24 * h, answered_after=2 * h)
    first = client_a.get(HOME).context["responsiveness"]
    _past_request(world_a, ended_ago=11 * 24 * h, answered_after=5 * h)

    # Within the minute the figure comes from the (real Redis) cache.
    assert client_a.get(HOME).context["responsiveness"] == first
    assert first.answered == 1
    # As when the minute is up:
    cache.delete(caching.key(selectors.RESPONSIVENESS_CACHE, world_a.client.pk))
    assert client_a.get(HOME).context["responsiveness"].answered == 2


def test_responsiveness_with_nothing_due_says_so(world_a, client_a):
    stats = selectors.client_responsiveness(client=world_a.client)
    assert (stats.median, stats.share_on_time) == (None, None)
    html = client_a.get(HOME).content.decode()
    assert "No feedback has been due in the last 90 days." in html


def test_responsiveness_is_shown_to_the_client_and_to_the_recruiter(world_a, client_a, recruiter):
    h = dt.timedelta(hours=1)
    _past_request(world_a, ended_ago=10 * 24 * h, answered_after=3 * h)
    _past_request(world_a, ended_ago=12 * 24 * h, answered_after=50 * h)

    html = client_a.get(HOME).content.decode()
    assert re.search(r'data-stat="median">\s*26 h 30 min<', html)
    assert re.search(r'data-stat="on-time">\s*50%<', html)
    assert "1 of 2 due" in html

    admin = recruiter.get(reverse("admin:candidates_client_change", args=[world_a.client.pk]))
    assert admin.status_code == 200
    text = admin.content.decode()
    assert "Median time to feedback <strong>26 h 30 min</strong>" in text
    assert "on time <strong>50%</strong> (1 of 2 due)" in text
    assert f"<strong>{world_a.position.title}</strong>: Submitted 0, Interviewing 1" in text


@pytest.mark.parametrize(
    ("wait", "text"),
    [
        (dt.timedelta(minutes=42), "42 min"),
        (dt.timedelta(hours=5), "5 h"),
        (dt.timedelta(hours=47, minutes=59), "47 h 59 min"),
        (dt.timedelta(hours=60), "2.5 days"),
    ],
)
def test_the_median_reads_in_minutes_hours_or_days(wait, text):
    stats = selectors.Responsiveness(answered=1, settled=1, on_time=1, median=wait)
    assert stats.median_text == text


def test_interview_rows_never_offer_an_answer_for_an_upcoming_interview(world_a, interview_end):
    later = schedule(application=world_a.application, ends_at=interview_end + dt.timedelta(days=1))
    overview = selectors.client_overview(contact=world_a.contact)
    [summary] = overview.open_positions
    rows = {row.interview.pk: row for row in summary.applications[0].interview_rows}
    assert rows[later.pk].state == "upcoming"
    assert rows[later.pk].answer_request is None
    assert rows[world_a.interview.pk].state == "held"
    assert rows[world_a.interview.pk].answer_request == world_a.client_request
    assert Interview.objects.count() == 2
