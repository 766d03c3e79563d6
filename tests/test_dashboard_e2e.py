"""The recruiter's day in a real browser (the system Chromium): log in, find a "possibly
waned" candidate on the dashboard's call list, log the call, and see the list clear."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from candidates.models import Application
from feedback.models import Feedback
from feedback.tests.desk import application_for, interview_overdue
from tests import personas
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

# Written on every run, so it lives under var/ (ignored); docs/ keeps a chosen copy.
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def test_a_recruiter_logs_a_call_from_the_dashboard_and_the_call_list_clears(
    live_server, no_quiet_hours, recruiter, page
):
    dana = recruiter.recruiter
    application = application_for(
        dana, candidate__first_name="Hannah", candidate__last_name="Schultz"
    )
    # Interviewed two days ago; no answer by the deadline: the sweep marked it.
    interview_overdue(ends_at=timezone.now() - timedelta(hours=50), application=application)
    application.refresh_from_db()
    assert application.interest_status == Application.InterestStatus.POSSIBLY_WANED

    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.get_by_label("Username").fill(dana.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # The second factor: the code Dana's authenticator app shows now.
    expect(page).to_have_url(re.compile(r"/admin/two-factor/code/"))
    code = personas.totp_code(personas.authenticator_of(dana.user))
    page.get_by_label(re.compile("code from your authenticator app")).fill(code)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Dana Whitfield’s day")
    call_list = page.locator("#call-list")
    row = call_list.get_by_role("row").filter(has_text="Hannah Schultz")
    expect(row).to_contain_text("Possibly waned")
    expect(row.locator('a[href^="tel:"]')).to_have_attribute("href", "tel:+17735550123")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-e2e-before.png"), full_page=True)
    row.get_by_role("link", name="Log call").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Log a call with Hannah Schultz")
    page.get_by_role("radio", name="7", exact=True).check()
    page.get_by_role("radio", name="Yes", exact=True).check()
    page.get_by_label("Concerns").fill("Worried about the on-call rota; keen otherwise.")
    page.get_by_role("button", name="Save the call").click()

    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.locator(".messagelist")).to_contain_text("Call logged: Hannah Schultz")
    expect(page.locator("#call-list")).not_to_contain_text("Hannah Schultz")
    expect(page.locator("#call-list")).to_contain_text("Nobody to call")
    page.screenshot(path=str(SCREENSHOTS / "dashboard-e2e-after.png"), full_page=True)

    feedback = Feedback.objects.get(request__interview__application=application)
    assert (feedback.channel, feedback.entered_by, feedback.interest_level) == (
        Feedback.Channel.PHONE,
        dana.user,
        7,
    )
    application.refresh_from_db()
    assert application.interest_status == Application.InterestStatus.MODERATE
