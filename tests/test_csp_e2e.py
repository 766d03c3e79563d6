"""The strict Content-Security-Policy in a real browser (the system Chromium): the portal,
the client pages and the recruiter's admin (dashboard, lists, forms, the outbox's mail
preview) load with nothing blocked, so that no page relies on inline script or style."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from candidates.models import ClientContact
from demo.management.commands.seed_demo import DEMO_PASSWORD
from feedback.models import FeedbackRequest, OutboundMessage
from tests import personas
from tests.factories import link_path

pytestmark = pytest.mark.e2e

# Runs in every page before its own scripts (through the browser's debugging protocol,
# which the page's policy does not govern): keeps each violation the page reports.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def browser_as(new_context, live_server, persona=None):
    """A browser page with the persona's session (signed in as the test signed them in)."""
    context = new_context()
    if persona is not None:
        session = persona.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page, console


def violations_on(page, console, url) -> list[str]:
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("load")
    return [*page.evaluate("window.__violations"), *console]


def test_no_page_breaks_the_content_security_policy(live_server, demo, new_context):
    # The demo's people: pages full of its data (charts, pipelines, answers).
    recruiter = personas.signed_in_to_the_admin(
        "demo recruiter", get_user_model().objects.get(username="recruiter"), password=DEMO_PASSWORD
    )
    contact = ClientContact.objects.filter(user__isnull=False, positions__isnull=False).first()
    client = personas.signed_in_to_the_client_pages("demo contact", contact, password=DEMO_PASSWORD)
    position = contact.positions.first()
    candidate_request = FeedbackRequest.objects.filter(party="candidate", status="pending").first()
    message = OutboundMessage.objects.exclude(body_html="").first()
    site = live_server.url
    visits = {
        None: [
            link_path(candidate_request),
            reverse("clients:login"),
            reverse("clients:password_reset"),
            reverse("admin:login"),
        ],
        client: [
            reverse("clients:home"),
            reverse("clients:requests"),
            reverse("clients:position", args=[position.pk]),
        ],
        recruiter: [
            reverse("admin:index"),
            reverse("admin:index") + "?desk=everyone",
            reverse("admin:candidates_application_changelist"),
            reverse("admin:candidates_interview_add"),
            reverse("admin:feedback_outboundmessage_change", args=[message.pk]),
            # The agency's wording: the list, a form, and the preview with its mail frame.
            reverse("admin:feedback_messagewording_changelist"),
            reverse("admin:feedback_messagewording_add") + "?key=candidate_request",
            reverse("admin:feedback_messagewording_preview") + "?key=candidate_request",
        ],
    }
    found = {}
    for persona, paths in visits.items():
        page, console = browser_as(new_context, live_server, persona)
        for path in paths:
            violations = violations_on(page, console, site + path)
            if violations:
                found[path] = violations
            console.clear()
        page.context.close()
    assert found == {}


def test_the_browser_reports_an_inline_style_the_policy_blocks(live_server, new_context):
    """The check above can fail: a page that adds a style attribute is reported."""
    page, console = browser_as(new_context, live_server)
    page.goto(live_server.url + reverse("clients:login"))
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_function("window.__violations.length > 0")
    assert any(re.match(r"style-src", v) for v in page.evaluate("window.__violations"))
