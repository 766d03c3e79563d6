"""The purged stylesheet (make css) changes nothing anyone sees: each page of the portal and
the client pages, on a phone (390 px) and a desktop (1280 px), screenshot in the system
Chromium with it and then, in the same page, with the whole of Bootstrap and our
stylesheets in its place, gives the same pixels."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from candidates.models import ClientContact
from demo.management.commands.seed_demo import DEMO_PASSWORD
from feedback.models import FeedbackRequest
from tests import personas
from tests.factories import link_path
from tools import css

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots" / "css"
WIDTHS = {"phone": 390, "desktop": 1280}
WHOLE = "/static/css/whole-for-the-test.css"


def whole_stylesheet() -> str:
    """What the purged file is made from, unpurged: Bootstrap, then ours."""
    return "\n".join(path.read_text() for path in [css.BOOTSTRAP, *css.OWN])


SWAP = """(href) => new Promise((resolve, reject) => {
  const links = document.querySelectorAll('link[rel="stylesheet"]');
  if (links.length !== 1) throw new Error(`${links.length} stylesheets, not one`);
  const link = links[0];
  link.addEventListener("load", resolve, {once: true});
  link.addEventListener("error", reject, {once: true});
  link.href = href;
})"""


def same_pixels(page, name: str) -> bool:
    """Screenshot the page as it is, swap in the whole stylesheet, screenshot again."""
    page.wait_for_load_state("load")
    options = {"full_page": True, "animations": "disabled", "caret": "hide"}
    purged = page.screenshot(**options)
    page.evaluate(SWAP, WHOLE)
    whole = page.screenshot(**options)
    page.evaluate(SWAP, "/static/css/site.min.css")  # back, for the next step
    if purged != whole:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"\W+", "-", name).strip("-")
        (SCREENSHOTS / f"{slug}-purged.png").write_bytes(purged)
        (SCREENSHOTS / f"{slug}-whole.png").write_bytes(whole)
    return purged == whole


def test_the_purged_stylesheet_looks_the_same_as_the_whole_one(live_server, demo, new_context):
    whole = whole_stylesheet()
    # One unanswered request for each width: the form with errors needs an empty form.
    pendings = list(FeedbackRequest.objects.filter(party="candidate", status="pending")[:2])
    assert len(pendings) == len(WIDTHS)
    contact = ClientContact.objects.filter(user__isnull=False, positions__isnull=False).first()
    client = personas.signed_in_to_the_client_pages("demo contact", contact, password=DEMO_PASSWORD)
    position = contact.positions.first()
    request = FeedbackRequest.objects.filter(
        party="client",
        status__in=["pending", "overdue"],
        interview__application__position__client=contact.client,
    ).first()
    site = live_server.url
    different = []
    for (device, width), pending in zip(WIDTHS.items(), pendings, strict=True):
        context = new_context(
            viewport={"width": width, "height": 900},
            **({"is_mobile": True, "has_touch": True} if device == "phone" else {}),
        )
        context.route(
            f"**{WHOLE}", lambda route: route.fulfill(body=whole, content_type="text/css")
        )
        page = context.new_page()

        page.goto(site + link_path(pending))
        if not same_pixels(page, f"{device} portal form"):
            different.append(f"{device}: the portal's form")
        page.locator("form").evaluate("form => { form.noValidate = true; }")
        page.get_by_role("button", name="Send my feedback").click()
        expect(page.locator(".invalid-feedback").first).to_be_visible()
        if not same_pixels(page, f"{device} portal errors"):
            different.append(f"{device}: the portal's form with errors")
        page.get_by_label("6", exact=True).check()
        page.get_by_label("Yes", exact=True).check()
        page.get_by_role("button", name="Send my feedback").click()
        expect(page).to_have_url(re.compile(r"/thanks/$"))
        if not same_pixels(page, f"{device} thanks"):
            different.append(f"{device}: thanks")
        page.goto(site + reverse("clients:login"))
        if not same_pixels(page, f"{device} client login"):
            different.append(f"{device}: the client sign-in")

        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}]
        )
        for path in (
            reverse("clients:home"),
            reverse("clients:requests"),
            reverse("clients:position", args=[position.pk]),
            reverse("clients:request", args=[request.pk]),
        ):
            page.goto(site + path)
            if not same_pixels(page, f"{device} {path}"):
                different.append(f"{device}: {path}")
        context.close()
    assert different == [], f"screenshots of both in {SCREENSHOTS}"


def test_the_comparison_sees_a_missing_rule(live_server, demo, new_context):
    """The check above can fail: a stylesheet without one rule the page uses differs."""
    whole = whole_stylesheet().replace(".card{", ".not-a-card{", 1)
    assert whole != whole_stylesheet()
    pending = FeedbackRequest.objects.filter(party="candidate", status="pending").first()
    context = new_context(viewport={"width": 390, "height": 900})
    context.route(f"**{WHOLE}", lambda route: route.fulfill(body=whole, content_type="text/css"))
    page = context.new_page()
    page.goto(live_server.url + link_path(pending))
    assert not same_pixels(page, "the check can fail")
