"""The interview lifecycle through the API: the lifecycle's services plan, move and settle
the feedback requests, and the timeline names the key."""

import datetime as dt

import pytest
from django.utils import timezone

from candidates.models import Interview
from feedback.models import FeedbackRequest, Party, TimelineEvent
from feedback.services import feedback_submit
from tests.factories import ApplicationFactory, request_of, schedule_interview

pytestmark = pytest.mark.django_db


def when(hours: float) -> str:
    return (timezone.now() + dt.timedelta(hours=hours)).isoformat()


def actors(application) -> list[tuple[str, str | None]]:
    return list(application.timeline.order_by("pk").values_list("kind", "actor__first_name"))


def test_scheduling_plans_both_requests_and_names_the_key(writer):
    application = ApplicationFactory()
    response = writer.post(
        "/api/v1/interviews/",
        {
            "application": application.pk,
            "starts_at": when(24),
            "ends_at": when(25),
            "kind": "video",
            "video_link": "https://meet.example/abc",
            "time_zone": "America/Chicago",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    interview = Interview.objects.get(pk=response.json()["id"])
    assert response.json()["round"] == 1
    assert sorted(interview.feedback_requests.values_list("party", flat=True)) == [
        Party.CANDIDATE,
        Party.CLIENT,
    ]
    assert actors(application) == [(TimelineEvent.Kind.INTERVIEW_SCHEDULED, "ATS sync")]


def test_an_interview_that_ends_before_it_starts_is_a_400(writer):
    application = ApplicationFactory()
    response = writer.post(
        "/api/v1/interviews/",
        {"application": application.pk, "starts_at": when(25), "ends_at": when(24)},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()
    assert not Interview.objects.exists()


def test_rescheduling_moves_the_requests(writer):
    interview = schedule_interview()
    due_before = request_of(interview).due_at
    response = writer.post(
        f"/api/v1/interviews/{interview.pk}/reschedule/",
        {"starts_at": when(48), "ends_at": when(49)},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert request_of(interview).due_at > due_before + dt.timedelta(hours=40)
    assert actors(interview.application)[-1] == (
        TimelineEvent.Kind.INTERVIEW_RESCHEDULED,
        "ATS sync",
    )


def test_plain_details_change_without_moving_anything(writer):
    interview = schedule_interview()
    response = writer.patch(
        f"/api/v1/interviews/{interview.pk}/", {"location": "Room 4"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["location"] == "Room 4"
    # The status is not a detail: it is not taken here.
    writer.patch(f"/api/v1/interviews/{interview.pk}/", {"status": "completed"}, format="json")
    interview.refresh_from_db()
    assert interview.status == Interview.Status.SCHEDULED


def test_completing_asks_both_parties_from_now(writer):
    interview = schedule_interview()
    response = writer.post(f"/api/v1/interviews/{interview.pk}/complete/")
    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    assert request_of(interview).ask_at <= timezone.now()
    again = writer.post(f"/api/v1/interviews/{interview.pk}/complete/")
    assert again.status_code == 400


def test_cancelling_stops_the_requests(writer):
    interview = schedule_interview()
    response = writer.post(f"/api/v1/interviews/{interview.pk}/cancel/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert set(interview.feedback_requests.values_list("status", flat=True)) == {
        FeedbackRequest.Status.CANCELLED
    }
    assert actors(interview.application)[-1] == (
        TimelineEvent.Kind.INTERVIEW_CANCELLED,
        "ATS sync",
    )
    assert writer.post(f"/api/v1/interviews/{interview.pk}/cancel/").status_code == 400


def test_a_no_show_is_a_cancellation_of_its_own_kind(writer):
    interview = schedule_interview()
    response = writer.post(
        f"/api/v1/interviews/{interview.pk}/cancel/", {"no_show": True}, format="json"
    )
    assert response.json()["status"] == "no_show"


def test_requests_answers_and_the_timeline_are_read(reader):
    interview = schedule_interview(ends_at=timezone.now() - dt.timedelta(minutes=10))
    request = request_of(interview)
    feedback_submit(
        request=request,
        answers={"interest_level": 9, "still_interested": "yes"},
        channel="portal",
    )
    requests = reader.get("/api/v1/feedback-requests/").json()["results"]
    assert {(r["id"], r["status"]) for r in requests} >= {(request.pk, "received")}
    answers = reader.get("/api/v1/answers/").json()["results"]
    assert [(a["request"], a["party"], a["interest_level"]) for a in answers] == [
        (request.pk, "candidate", 9)
    ]
    application = interview.application
    timeline = reader.get(f"/api/v1/applications/{application.pk}/timeline/").json()
    kinds = [event["kind"] for event in timeline["results"]]
    assert kinds[0] == TimelineEvent.Kind.INTERVIEW_SCHEDULED
    assert TimelineEvent.Kind.FEEDBACK_RECEIVED in kinds
    assert reader.get("/api/v1/timeline/").json()["results"]
    assert reader.get(f"/api/v1/feedback-requests/{request.pk}/").json()["party"] == "candidate"


def test_requests_changed_since_a_moment_are_those_with_news_on_the_timeline(reader):
    quiet = schedule_interview()
    answered = schedule_interview(ends_at=timezone.now() - dt.timedelta(minutes=10))
    FeedbackRequest.objects.update(created_at=timezone.now() - dt.timedelta(days=3))
    TimelineEvent.objects.update(created_at=timezone.now() - dt.timedelta(days=3))
    since = timezone.now() - dt.timedelta(days=1)
    feedback_submit(request=request_of(answered), answers={"interest_level": 4}, channel="portal")
    rows = reader.get("/api/v1/feedback-requests/", {"updated_since": since}).json()["results"]
    assert [r["id"] for r in rows] == [request_of(answered).pk]
    assert request_of(quiet).pk not in [r["id"] for r in rows]
