"""The candidate portal in a real browser (the system Chromium), on a phone-sized screen,
opened from the link in a mail that went through a real SMTP server."""

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback import services
from feedback.models import Feedback, FeedbackRequest, OutboundMessage, Party
from tests.factories import schedule_interview

pytestmark = pytest.mark.e2e

# Written on every run, so it lives under var/ (ignored); docs/ keeps a chosen copy.
SCREENSHOT = Path(__file__).resolve().parent.parent / "var" / "screenshots" / "portal-mobile.png"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def test_candidate_answers_on_a_phone_from_the_mailed_link(
    live_server, no_quiet_hours, smtp_mail, settings, new_context
):
    settings.SITE_URL = live_server.url
    interview = schedule_interview(ends_at=timezone.now() - timedelta(minutes=1))
    candidate = interview.application.candidate
    request = interview.feedback_requests.get(party=Party.CANDIDATE)

    assert services.sweep_run().asked == 2
    message = OutboundMessage.objects.get(request=request, kind=OutboundMessage.Kind.REQUEST)
    assert services.outbox_deliver(message_ids=[message.pk]) == ["sent"]
    [mail] = smtp_mail.wait_for(lambda msgs: msgs, timeout=10)
    assert mail["To"] == candidate.email
    assert mail["X-TVR-Outbox-Id"] == str(message.pk)
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(rf"{re.escape(live_server.url)}/portal/f/\S+/", text).group(0)

    page = new_context(**PHONE).new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text(candidate.first_name)
    # The recruiter is one tap away.
    calls = page.locator('a[href^="tel:"]')
    expect(calls).to_have_count(2)
    assert sorted(calls.evaluate_all("links => links.map(a => a.getAttribute('href'))")) == [
        "tel:+13125550100",
        "tel:+13125550199",
    ]
    expect(page.get_by_role("link", name=re.compile(r"Call cell"))).to_be_visible()

    interest = page.get_by_role("group", name=re.compile(r"interest in the position"))
    interest.get_by_label("8", exact=True).check()
    page.get_by_role("group", name=re.compile(r"still interested")).get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label("What went well?").fill("Great team; the ICU tour sold me.")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.get_by_role("button", name="Send my feedback").tap()

    expect(page).to_have_url(re.compile(r"/portal/f/[^/]+/thanks/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    expect(page.locator('[data-field="interest_level"]')).to_have_text("8 / 10")
    expect(page.locator('[data-field="still_interested"]')).to_have_text("Yes")
    assert urlsplit(page.url).path.startswith(urlsplit(link).path)

    feedback = Feedback.objects.get(request=request)
    assert feedback.channel == Feedback.Channel.PORTAL
    assert feedback.interest_level == 8
    assert feedback.still_interested == Feedback.StillInterested.YES
    assert feedback.went_well == "Great team; the ICU tour sold me."
    request.refresh_from_db()
    assert request.status == FeedbackRequest.Status.RECEIVED
    assert request.opened_at is not None
