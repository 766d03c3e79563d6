"""Free text and names are bounded where they are typed, and a mail cannot be made to
show a line that reads like a header."""

import pytest
from django.urls import reverse

from candidates.models import Candidate
from feedback import services
from feedback.models import Feedback, FeedbackRequest, OutboundMessage, Party
from tests.admin_pages import admin_url, form_data
from tests.factories import ApplicationFactory, link_path, request_of, schedule_interview

pytestmark = pytest.mark.django_db

MEGABYTE = "x" * (1024 * 1024)


@pytest.fixture
def interview(clock, interview_end):
    interview = schedule_interview(application=ApplicationFactory(), ends_at=interview_end)
    services.sweep_run()  # both parties asked
    return interview


def test_the_portal_form_shows_the_limit_of_each_free_text_field(interview, anonymous):
    page = anonymous.get(link_path(request_of(interview))).content.decode()
    assert page.count('maxlength="4000"') == 3  # went well, concerns, questions
    assert page.count("Up to 4,000 characters.") == 3
    assert 'maxlength="200"' in page  # the best time to call


def test_a_megabyte_answer_is_refused_kept_in_the_form_stored_nowhere_and_mailed_to_nobody(
    interview, anonymous, mailoutbox
):
    request = request_of(interview)
    messages_before = OutboundMessage.objects.count()

    response = anonymous.post(
        link_path(request),
        {
            "interest_level": "8",
            "still_interested": "yes",
            "concerns": MEGABYTE,
            "went_well": "Friendly team.",
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Ensure this value has at most 4000 characters" in errors["concerns"][0]
    page = response.content.decode()
    assert "Friendly team." in page  # the rest of the input is kept
    assert response.context["form"]["interest_level"].value() == "8"
    assert Feedback.objects.count() == 0
    request.refresh_from_db()
    assert request.status == FeedbackRequest.Status.PENDING
    assert OutboundMessage.objects.count() == messages_before
    assert not OutboundMessage.objects.filter(kind=OutboundMessage.Kind.FEEDBACK_RECEIVED)
    assert mailoutbox == []


def test_a_megabyte_answer_on_the_client_page_is_refused_too(interview, anonymous):
    request = request_of(interview, Party.CLIENT)
    response = anonymous.post(
        link_path(request), {"decision": "advance", "rating": "4", "strengths": MEGABYTE}
    )
    assert response.status_code == 200
    assert "strengths" in response.context["form"].errors
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize("name", ["Ann\r\nBcc: someone@example.com", "Ann\nSmith", "Ann\x00"])
def test_a_name_with_a_line_break_or_control_character_is_refused_by_the_admin(recruiter, name):
    candidate = ApplicationFactory(candidate__owner=recruiter.recruiter).candidate
    change = admin_url(Candidate, "change", candidate.pk)

    response = recruiter.post(change, {**form_data(recruiter.get(change)), "first_name": name})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Please keep this on one line" in page or "Null characters are not allowed" in page
    candidate.refresh_from_db()
    assert candidate.first_name != name


def test_the_admin_forms_show_the_limits(recruiter):
    candidate = ApplicationFactory(candidate__owner=recruiter.recruiter).candidate
    page = recruiter.get(admin_url(Candidate, "change", candidate.pk)).content.decode()
    assert 'name="first_name"' in page
    assert 'maxlength="100"' in page
    assert "Up to 100 characters." in page


def test_a_name_saved_around_the_forms_adds_no_header_line_to_a_plain_text_mail(
    clock, interview_end, mailoutbox
):
    application = ApplicationFactory()
    Candidate.objects.filter(pk=application.candidate_id).update(
        first_name="Ann\r\nBcc: thief@example.com\r\nSubject: Wire the money"
    )
    interview = schedule_interview(application=application, ends_at=interview_end)
    services.sweep_run()  # the ask is queued without text, written when it is sent
    ask = OutboundMessage.objects.get(
        request=request_of(interview), kind=OutboundMessage.Kind.REQUEST
    )

    assert services.outbox_deliver(message_ids=[ask.pk]) == ["sent"]

    [mail] = mailoutbox
    lines = mail.body.splitlines()
    assert not any(line.startswith(("Bcc:", "Subject:")) for line in lines), mail.body
    assert lines[0] == "Hi Ann Bcc: thief@example.com Subject: Wire the money,"
    assert mail.bcc == []
    message = mail.message()
    assert message["Bcc"] is None
    assert "Wire the money" not in (message["Subject"] or "")


def test_the_log_call_page_shows_the_limits_and_refuses_a_megabyte(recruiter, interview):
    request = request_of(interview)
    url = reverse("admin:feedback_feedbackrequest_log_call", args=[request.pk])
    page = recruiter.get(url).content.decode()
    assert page.count('maxlength="4000"') == 3
    assert page.count("Up to 4,000 characters.") == 3

    response = recruiter.post(
        url, {"interest_level": "7", "still_interested": "yes", "questions": MEGABYTE}
    )

    assert response.status_code == 200
    assert "Ensure this value has at most 4000 characters" in response.content.decode()
    assert not Feedback.objects.exists()
