"""The contact's pending requests, answered in the page (or amended), with the loop's
reminders and alerts around them."""

import datetime as dt

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Feedback, FeedbackRequest, OutboundMessage, TimelineEvent
from feedback.services import interview_cancel
from tests import personas
from tests.factories import schedule_interview

pytestmark = pytest.mark.django_db

REQUESTS = reverse("clients:requests")
ANSWER = {
    "decision": "advance",
    "rating": "4",
    "strengths": "Calm in an emergency.",
    "concerns": "New to exotics.",
    "next_step": "Working interview",
    "next_step_date": "2026-03-10",
}


def answer_url(request: FeedbackRequest) -> str:
    return reverse("clients:request", args=[request.pk])


def test_the_pending_list_holds_the_contacts_own_requests_only(
    worlds_asked, client_a, interview_end
):
    world_a, world_b = worlds_asked
    later = schedule_interview(
        application=world_a.application, ends_at=interview_end + dt.timedelta(days=1)
    )
    cancelled = schedule_interview(
        application=world_a.application, ends_at=interview_end - dt.timedelta(hours=3)
    )
    interview_cancel(interview=cancelled)

    html = client_a.get(REQUESTS).content.decode()

    assert f'data-request="{world_a.client_request.pk}"' in html
    for other in (
        world_b.client_request,
        world_a.candidate_request,
        later.feedback_requests.get(party="client"),
        cancelled.feedback_requests.get(party="client"),
    ):
        assert f'data-request="{other.pk}"' not in html
    assert world_b.application.candidate.full_name not in html


def test_a_request_not_yet_asked_can_be_answered_once_the_interview_is_over(world_a, client_a):
    # The loop asks within seconds (or after quiet hours); the contact may be quicker.
    assert world_a.client_request.status == FeedbackRequest.Status.SCHEDULED
    assert f'data-request="{world_a.client_request.pk}"' in client_a.get(REQUESTS).content.decode()
    assert client_a.get(answer_url(world_a.client_request)).status_code == 200


def test_an_answer_in_the_page_is_stored_and_the_recruiter_told(worlds_asked, client_a):
    world_a, _ = worlds_asked
    url = answer_url(world_a.client_request)
    form = client_a.get(url)
    assert form.status_code == 200
    assert 'name="decision"' in form.content.decode()
    world_a.client_request.refresh_from_db()
    assert world_a.client_request.opened_at is not None

    response = client_a.post(url, ANSWER, follow=True)

    assert response.redirect_chain == [(reverse("clients:home"), 302)]
    html = response.content.decode()
    recruiter = world_a.position.recruiter
    assert (
        f"Thank you: your feedback on {world_a.application.candidate.full_name} has reached "
        f"{recruiter.full_name}." in html
    )
    assert "Advance, 4 / 5" in html
    feedback = Feedback.objects.get()
    assert feedback.request == world_a.client_request
    assert feedback.channel == Feedback.Channel.CLIENT_PAGE
    assert feedback.entered_by is None
    assert (feedback.decision, feedback.rating) == ("advance", 4)
    assert feedback.next_step_date == dt.date(2026, 3, 10)
    world_a.client_request.refresh_from_db()
    assert world_a.client_request.status == FeedbackRequest.Status.RECEIVED
    alert = OutboundMessage.objects.get(kind=OutboundMessage.Kind.FEEDBACK_RECEIVED)
    assert alert.recipient == recruiter.email
    # Its text is written when it is sent, from the answer current then.
    assert services.outbox_deliver(message_ids=[alert.pk]) == ["sent"]
    alert.refresh_from_db()
    assert "Advance" in alert.subject


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"decision": ""}, "decision"),
        ({"decision": "maybe"}, "decision"),
        ({"rating": "6"}, "rating"),
        ({"rating": "0"}, "rating"),
        ({"next_step_date": "not a date"}, "next_step_date"),
    ],
)
def test_a_bad_answer_is_shown_again_and_not_stored(worlds_asked, client_a, change, field):
    world_a, _ = worlds_asked
    response = client_a.post(answer_url(world_a.client_request), {**ANSWER, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Feedback.objects.count() == 0


def test_an_amendment_is_kept_beside_the_first_answer(worlds_asked, client_a, clock):
    world_a, _ = worlds_asked
    url = answer_url(world_a.client_request)
    client_a.post(url, ANSWER)
    clock.shift(dt.timedelta(hours=2))

    form = client_a.get(url)
    assert "Update my feedback" in form.content.decode()
    assert form.context["form"].initial["decision"] == "advance"  # the form starts from it
    client_a.post(url, {**ANSWER, "decision": "hold", "rating": "3"})

    old, new = Feedback.objects.order_by("submitted_at")
    assert (old.decision, old.is_current) == ("advance", False)
    assert (new.decision, new.is_current, new.supersedes) == ("hold", True, old)
    page = client_a.get(url).content.decode()
    assert "Your earlier answers" in page
    assert "Advance, 4 / 5" in page
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.FEEDBACK_AMENDED).count() == 1


def test_a_cancelled_interviews_request_is_not_found(worlds_asked, client_a):
    world_a, _ = worlds_asked
    interview_cancel(interview=world_a.interview)
    url = answer_url(world_a.client_request)
    assert client_a.get(url).status_code == 404
    assert client_a.post(url, ANSWER).status_code == 404
    assert Feedback.objects.count() == 0


def test_reminders_and_the_overdue_alert_come_from_the_loop(worlds_asked, client_a, clock):
    world_a, world_b = worlds_asked
    client_a.post(answer_url(world_a.client_request), ANSWER)

    for _ in range(2):  # past the reminder (+24 h), then past the deadline (+48 h)
        clock.shift(dt.timedelta(hours=24, minutes=30))
        services.sweep_run()

    def kinds(world):
        return set(
            OutboundMessage.objects.filter(request=world.client_request).values_list(
                "kind", flat=True
            )
        )

    # A's contact answered in the page: no reminder, no alert. B's did not.
    assert kinds(world_a) == {"request", "feedback_received"}
    assert kinds(world_b) == {"request", "reminder", "overdue_alert"}


def test_a_late_answer_in_the_page_records_how_late(worlds_asked, client_a, clock):
    world_a, _ = worlds_asked
    clock.shift(dt.timedelta(hours=50))
    services.sweep_run()
    world_a.client_request.refresh_from_db()
    assert world_a.client_request.status == FeedbackRequest.Status.OVERDUE
    # Two days later the contact signs in again (a client session ends after 8 h idle).
    client_a = personas.signed_in_to_the_client_pages("client A", client_a.contact)
    page = client_a.get(reverse("clients:home")).content.decode()
    assert "overdue" in page

    client_a.post(answer_url(world_a.client_request), ANSWER)

    feedback = Feedback.objects.get()
    assert feedback.lateness == dt.timedelta(hours=2, minutes=5)
