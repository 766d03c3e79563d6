"""The client pages in a real browser (the system Chromium): a hiring manager signs in,
sees the position and the candidate, gives feedback, and cannot open another client's
page."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback import services
from feedback.models import Feedback, OutboundMessage, Party
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CandidateFactory,
    PositionFactory,
    schedule_interview,
)

pytestmark = pytest.mark.e2e

SCREENSHOT = Path(__file__).resolve().parent.parent / "var" / "screenshots" / "client-home.png"
DESKTOP = {"viewport": {"width": 1200, "height": 900}}


def test_a_client_contact_signs_in_gives_feedback_and_meets_a_404_elsewhere(
    live_server, no_quiet_hours, client_a, client_b, settings, new_context
):
    settings.SITE_URL = live_server.url
    mine, theirs = client_a.contact, client_b.contact  # the browser signs in as client A's
    position = PositionFactory(
        client=mine.client, hiring_contact=mine, title="Emergency Veterinarian"
    )
    other_position = PositionFactory(
        client=theirs.client, hiring_contact=theirs, title="Practice Manager"
    )
    ApplicationFactory(position=other_position)
    application = ApplicationFactory(
        position=position, candidate=CandidateFactory(first_name="Maya", last_name="Okafor")
    )
    interview = schedule_interview(
        application=application, ends_at=timezone.now() - timedelta(minutes=1)
    )
    assert services.sweep_run().asked == 2
    services.feedback_submit(
        request=interview.feedback_requests.get(party=Party.CANDIDATE),
        answers={"interest_level": 4, "still_interested": "unsure", "concerns": "The commute."},
    )

    page = new_context(**DESKTOP).new_page()
    page.goto(f"{live_server.url}/clients/")
    expect(page).to_have_url(re.compile(r"/clients/login/\?next=/clients/$"))
    page.get_by_label("Email").fill("Hiring@Lakeshore.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Lakeshore Specialty Hospitals")
    card = page.locator(f'[data-position="{position.pk}"]')
    expect(card.get_by_role("heading", name="Emergency Veterinarian")).to_be_visible()
    row = card.locator(f'[data-application="{application.pk}"]')
    expect(row).to_contain_text("Maya Okafor")
    expect(row).to_contain_text("Interviewing")
    expect(row.locator('[data-shared="interest_band"]')).to_have_text("Low interest")
    expect(page.get_by_text("The commute.")).to_have_count(0)  # not shared
    expect(card.locator('[data-stage="interviewing"] .pipeline-count')).to_have_text("1")
    expect(page.get_by_text("Practice Manager")).to_have_count(0)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.get_by_role("link", name="Give feedback on Maya Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your feedback on Maya Okafor")
    page.get_by_role("group", name=re.compile("Your decision")).get_by_label("Advance").check()
    page.get_by_role("group", name=re.compile(r"Overall rating")).get_by_label("4").check()
    page.get_by_label("Strengths").fill("Excellent critical-care reasoning.")
    page.get_by_role("button", name="Send feedback").click()

    expect(page).to_have_url(f"{live_server.url}/clients/")
    expect(page.get_by_role("status")).to_contain_text(
        "Thank you: your feedback on Maya Okafor has reached"
    )
    expect(row.locator("[data-client-answer]")).to_have_text("Advance, 4 / 5")
    feedback = Feedback.objects.get(request__party=Party.CLIENT)
    assert (feedback.decision, feedback.rating, feedback.channel) == ("advance", 4, "client_page")
    # The recruiter's alerts are in the outbox: the answer, and a debrief (4/10 vs advance).
    received = OutboundMessage.objects.get(
        kind=OutboundMessage.Kind.FEEDBACK_RECEIVED, request__party=Party.CLIENT
    )
    assert received.recipient == position.recruiter.email
    # Its text is written when it is sent (from the answer current then).
    assert services.outbox_deliver(message_ids=[received.pk]) == ["sent"]
    received.refresh_from_db()
    assert "Advance on Maya Okafor" in received.subject
    debrief = OutboundMessage.objects.get(kind=OutboundMessage.Kind.DEBRIEF_ALERT)
    assert debrief.recipient == application.candidate.owner.email
    assert "interest is 4/10" in debrief.body_text

    response = page.goto(f"{live_server.url}/clients/positions/{other_position.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    expect(page.get_by_text("Practice Manager")).to_have_count(0)
    expect(page.get_by_text("Prairie View Practice")).to_have_count(0)
