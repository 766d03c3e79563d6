"""Accessibility in a real browser (the system Chromium), checked by axe-core (npm, pinned in
package-lock.json) on every page of the three surfaces, filled with the demo's data:

- the candidate portal and the client pages: no violation at all (axe's default rules:
  WCAG 2 A and AA and its best practices);
- the recruiter's admin: a walk of the dashboard, every model's change list, change form
  and add form, and the app's own pages (actions, logging a call, the mail preview, the
  second factor, import): no violation of our own making (see DJANGO_ADMIN_MARKUP).

And the 1–10 scale on the portal: a radio group of large tap targets, usable by keyboard.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, reverse
from playwright.sync_api import expect

from candidates.models import ClientContact
from demo.management.commands.seed_demo import DEMO_PASSWORD
from feedback.models import FeedbackRequest
from tests import personas
from tests.factories import link_path
from tests.support import skip_or_fail
from tvr_site.admin_site import site as recruiter_site

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

# Where Django admin's own templates, widgets and scripts write markup that we do not
# write: an element that a violation names counts as Django's, not ours, only when it
# lies inside one of these (axe names elements by CSS selector; the browser answers
# element.closest(selector)). Each entry names a component of Django's admin
# (django/contrib/admin/templates and static), never an element of our templates, our
# admin classes' HTML or our stylesheet; a violation anywhere else fails the test.
DJANGO_ADMIN_MARKUP = [
    ".breadcrumbs",  # admin/base.html: links told apart from the text by colour alone
    "#nav-sidebar",  # the collapsible app list (admin/nav_sidebar.html)
    "#toggle-nav-sidebar",
    "#changelist-filter",  # the change list's filters (admin/filter.html)
    "#changelist-search",  # the change list's search box (admin/search_form.html)
    "#changelist-form .actions",  # the bulk actions bar (admin/actions.html)
    ".theme-toggle",  # the light / dark switch (admin/color_theme_toggle.html)
    ".datetime",  # the date and time inputs of AdminSplitDateTime, one label for two
    ".selector",  # filter_horizontal's two lists (SelectFilter2.js): its help icons
    ".select2-container",  # autocomplete_fields' widget (the select2 that Django ships)
    ".inline-group .tabular",  # tabular inlines: cells labelled by the column's header
    # django-import-export's export form (import_export/export.html), not ours either.
    ".selectable-field-export-row",
]

RUN_AXE = """async (djangoAdmin) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  const isDjangos = (node) => {
    if (node.target.length !== 1 || typeof node.target[0] !== "string") return false;
    const element = document.querySelector(node.target[0]);
    return element !== null && djangoAdmin.some((selector) => element.closest(selector));
  };
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                                djangos: isDjangos(n)})),
  }));
}"""


@pytest.fixture
def axe_source() -> Path:
    if not AXE.exists():
        skip_or_fail(f"{AXE} is missing: run `make node_modules/.installed` (npm ci)")
    return AXE


def browser_as(new_context, live_server, axe_source, persona=None, **options):
    """A page with axe-core loaded into every document (through the browser's debugging
    protocol, which the pages' Content-Security-Policy does not govern) and the
    persona's session."""
    context = new_context(**options)
    if persona is not None:
        session = persona.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
    context.add_init_script(path=str(axe_source))
    return context.new_page()


def violations(page, *, djangos_allowed: bool = False) -> list[dict]:
    """axe-core's violations on the page as it stands; with `djangos_allowed`, only their
    nodes outside Django admin's own markup."""
    found = page.evaluate(RUN_AXE, DJANGO_ADMIN_MARKUP)
    if djangos_allowed:
        found = [
            {**v, "nodes": [node for node in v["nodes"] if not node["djangos"]]} for v in found
        ]
        found = [v for v in found if v["nodes"]]
    return found


def visit(page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response.status == status, f"{url}: {response.status}"
    page.wait_for_load_state("load")


def check(page, found: dict, name: str, **options) -> None:
    result = violations(page, **options)
    if result:
        found[name] = result


def report(found: dict) -> str:
    return "\n".join(
        f"{page}: {v['id']} ({v['help']}): {node['target']} {node['html']}"
        for page, found_there in found.items()
        for v in found_there
        for node in v["nodes"]
    )


# --- the candidate portal ------------------------------------------------------------------


def test_the_portal_pages_have_no_accessibility_violations(
    live_server, demo, new_context, axe_source, settings
):
    site = live_server.url
    pending = FeedbackRequest.objects.filter(party="candidate", status="pending").first()
    received = FeedbackRequest.objects.filter(party="candidate", status="received").first()
    cancelled = FeedbackRequest.objects.filter(party="candidate", status="cancelled").first()
    page = browser_as(new_context, live_server, axe_source, **PHONE)
    found = {}

    visit(page, site + link_path(pending))
    check(page, found, "the form")
    # Sent empty (past the browser's own check): the form with the server's errors.
    page.locator("form").evaluate("form => { form.noValidate = true; }")
    page.get_by_role("button", name="Send my feedback").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    check(page, found, "the form with errors")
    interest = page.get_by_role("group", name=re.compile(r"interest in the position"))
    interest.get_by_label("7", exact=True).check()
    page.get_by_role("group", name=re.compile(r"still interested")).get_by_label(
        "Not sure", exact=True
    ).check()
    page.get_by_role("button", name="Send my feedback").click()
    expect(page).to_have_url(re.compile(r"/thanks/$"))
    check(page, found, "thanks")
    visit(page, site + link_path(pending))
    check(page, found, "the form again, with the answer given")
    visit(page, site + link_path(received) + "thanks/")
    check(page, found, "thanks, from the demo")
    if cancelled is not None:
        visit(page, site + link_path(cancelled), status=410)
        check(page, found, "a cancelled interview's link")
    visit(page, site + "/portal/f/not-a-real-token/", status=404)
    check(page, found, "a link that is not one")
    settings.PORTAL_LINK_MAX_AGE = timedelta(seconds=-1)
    visit(page, site + link_path(pending), status=410)
    check(page, found, "an expired link")
    assert not found, report(found)


def test_the_interest_scale_is_a_radio_group_of_large_tap_targets(
    live_server, demo, new_context, axe_source
):
    pending = FeedbackRequest.objects.filter(party="candidate", status="pending").first()
    page = browser_as(new_context, live_server, axe_source, **PHONE)
    visit(page, live_server.url + link_path(pending))

    scale = page.get_by_role("group", name=re.compile(r"interest in the position"))
    radios = scale.get_by_role("radio")
    expect(radios).to_have_count(10)
    assert [radios.nth(i).get_attribute("value") for i in range(10)] == [
        str(n) for n in range(1, 11)
    ]
    # Every number is a target at least 44 px square (CSS px), and they do not overlap.
    boxes = [radios.nth(i).bounding_box() for i in range(10)]
    for number, box in enumerate(boxes, start=1):
        assert box["width"] >= 44, (number, box)
        assert box["height"] >= 44, (number, box)
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert a["x"] + a["width"] <= b["x"] or a["y"] + a["height"] <= b["y"], (a, b)
    # The whole row fits the phone's screen: nothing to scroll sideways for.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # A tap anywhere on a number's box chooses it.
    box = boxes[2]
    page.touchscreen.tap(box["x"] + box["width"] - 3, box["y"] + box["height"] - 3)
    expect(scale.get_by_label("3", exact=True)).to_be_checked()
    # The keyboard: Tab reaches the group, the arrows move the choice, as in any radio
    # group; the chosen box shows that it has the focus.
    scale.get_by_label("3", exact=True).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(scale.get_by_label("5", exact=True)).to_be_checked()
    expect(scale.get_by_label("5", exact=True)).to_be_focused()
    assert (
        page.locator("label[for='id_interest_level_4']").evaluate(
            "label => getComputedStyle(label).boxShadow"
        )
        != "none"
    )
    page.keyboard.press("ArrowLeft")
    expect(scale.get_by_label("4", exact=True)).to_be_checked()
    # The chosen number stands out from the others.
    chosen, other = (
        page.locator(f"label[for='id_interest_level_{i}']").evaluate(
            "label => getComputedStyle(label).backgroundColor"
        )
        for i in (3, 0)
    )
    assert chosen != other


# --- the client pages ----------------------------------------------------------------------


def test_the_client_pages_have_no_accessibility_violations(
    live_server, demo, new_context, axe_source
):
    site = live_server.url
    contact = ClientContact.objects.filter(user__isnull=False, positions__isnull=False).first()
    client = personas.signed_in_to_the_client_pages("demo contact", contact, password=DEMO_PASSWORD)
    position = contact.positions.first()
    request = FeedbackRequest.objects.filter(
        party="client",
        status__in=["pending", "overdue"],
        interview__application__position__in=[*contact.positions.all()],
    ).first()
    elsewhere = (
        FeedbackRequest.objects.filter(party="client", status="pending")
        .exclude(interview__application__position__client=contact.client)
        .first()
    )
    found = {}

    page = browser_as(new_context, live_server, axe_source, **DESKTOP)
    for path in (reverse("clients:login"), reverse("clients:password_reset")):
        visit(page, site + path)
        check(page, found, path)
    visit(page, site + reverse("clients:login"))
    page.get_by_label("Email").fill(contact.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    check(page, found, "sign-in refused")
    visit(page, site + reverse("clients:password_reset"))
    page.get_by_label("Email").fill(contact.email)
    page.get_by_role("button").last.click()
    expect(page).to_have_url(re.compile(reverse("clients:password_reset_done")))
    check(page, found, "reset sent")
    if elsewhere is not None:
        visit(page, site + link_path(elsewhere))
        check(page, found, "a signed link's form")
    page.context.close()

    for options in (DESKTOP, PHONE):
        page = browser_as(new_context, live_server, axe_source, client, **options)
        for path in (
            reverse("clients:home"),
            reverse("clients:requests"),
            reverse("clients:position", args=[position.pk]),
            reverse("clients:request", args=[request.pk]),
        ):
            visit(page, site + path)
            check(page, found, f"{path} at {options['viewport']['width']} px")
        page.context.close()
    page = browser_as(new_context, live_server, axe_source, client, **DESKTOP)
    visit(page, site + reverse("clients:position", args=[999_999]), status=404)
    check(page, found, "a position not theirs")
    assert not found, report(found)


# --- the recruiter's admin -----------------------------------------------------------------


def admin_pages(persona) -> list[str]:
    """The admin's pages a browser can open: the dashboard, each registered model's change
    list, add form and change form (of its first row), and every page of our own that
    takes an object (actions, logging a call, the mail preview, ...), each tried first
    with the test client so that only HTML pages are walked."""
    pages = [reverse("admin:index"), reverse("admin:index") + "?desk=everyone"]
    first = {}
    for model, model_admin in recruiter_site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        row = model_admin.get_queryset(_request_of(persona)).order_by("pk").first()
        first[info] = row
        pages.append(reverse(f"admin:{info}_changelist"))
        pages.append(reverse(f"admin:{info}_add"))
        if row is not None:
            pages.append(reverse(f"admin:{info}_change", args=[row.pk]))
    for name, takes_object in _own_admin_url_names():
        info = next((i for i in first if name.startswith(i + "_")), None)
        if takes_object:
            if info is None or first[info] is None:
                continue
            pages.append(reverse(f"admin:{name}", args=[first[info].pk]))
        else:
            pages.append(reverse(f"admin:{name}"))
    walked = []
    for path in dict.fromkeys(pages):
        response = persona.get(path)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            walked.append(path)
    return walked


# Django's own views on every model: their pages are walked above, or not HTML pages of
# their own (history and delete are Django's pages, autocomplete and jsi18n are JSON and
# script), or they sign the user out.
DJANGO_ADMIN_VIEWS = re.compile(
    r"(_changelist|_add|_change|_delete|_history|^autocomplete|^jsi18n|^logout|^login"
    # A mail's own HTML, shown by the outbox's page in a sandboxed frame: a mail, not a
    # page of the admin.
    r"|^feedback_outboundmessage_html"
    r"|^password_change.*|^view_on_site|^app_list|^index)$"
)


def _own_admin_url_names():
    """The names of the admin's URLs that our code adds, and whether each takes an object."""

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern

    for pattern in walk(recruiter_site.get_urls()):
        if DJANGO_ADMIN_VIEWS.search(pattern.name):
            continue
        yield pattern.name, bool(pattern.pattern.regex.groupindex)


def _request_of(persona):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = persona.user
    return request


def test_the_admin_pages_have_no_accessibility_violations_of_our_making(
    live_server, demo, new_context, axe_source
):
    admin = personas.administrator("admin", username="axe-admin")
    recruiter = personas.signed_in_to_the_admin(
        "demo recruiter", get_user_model().objects.get(username="recruiter"), password=DEMO_PASSWORD
    )
    site = live_server.url
    found = {}
    page = browser_as(new_context, live_server, axe_source, **DESKTOP)
    visit(page, site + reverse("admin:login"))
    check(page, found, "sign in", djangos_allowed=True)
    page.context.close()

    # A recruiter's dashboard (her desk, then everyone's); then every page, as the
    # administrator, who sees every model.
    dashboards = [reverse("admin:index"), reverse("admin:index") + "?desk=everyone"]
    walked = {}
    for persona, paths in ((recruiter, dashboards), (admin, admin_pages(admin))):
        page = browser_as(new_context, live_server, axe_source, persona, **DESKTOP)
        for path in paths:
            walked[path] = True
            visit(page, site + path)
            check(page, found, f"{persona.name}: {path}", djangos_allowed=True)
        page.context.close()
    # The walk went through the pages it claims to: every model, and our own pages.
    assert len(walked) > 3 * len(recruiter_site._registry) // 2
    assert any("/log-call/" in path for path in walked)
    assert not found, report(found)


def test_a_violation_of_our_making_is_found_on_an_admin_page(
    live_server, demo, new_context, axe_source
):
    """The filter above can fail: an image without a text alternative, put into a change
    list's content, is reported; the same inside Django's app list is Django's."""
    admin = personas.administrator("admin", username="axe-admin")
    page = browser_as(new_context, live_server, axe_source, admin, **DESKTOP)
    visit(page, live_server.url + reverse("admin:candidates_candidate_changelist"))
    assert violations(page, djangos_allowed=True) == []
    add_image = """(selector) => document.querySelector(selector).append(
        Object.assign(document.createElement("img"), {src: "/x.png"}))"""
    page.evaluate(add_image, "#content-main")
    assert [v["id"] for v in violations(page, djangos_allowed=True)] == ["image-alt"]
    page.evaluate("document.querySelector('#content-main > img').remove()")
    page.evaluate(add_image, "#nav-sidebar")
    assert "image-alt" in [v["id"] for v in violations(page)]
    assert violations(page, djangos_allowed=True) == []
