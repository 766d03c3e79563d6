"""Who reaches the recruiter admin: recruiters (staff users in the "Recruiter" group, with
exactly the permissions they need) and administrators; nobody else reaches any admin
page, whatever its URL."""

import re
import zoneinfo

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, get_resolver, reverse
from django.utils import dateformat

from candidates.models import Candidate
from demo.management.commands.seed_demo import DEMO_PASSWORD
from feedback import roles
from feedback.models import FeedbackRequest, OutboundMessage
from tests import personas
from tests.factories import PASSWORD, UserFactory
from tvr_site.admin_site import site

pytestmark = pytest.mark.django_db

# Only the login page is open to everyone (it is how one gets in).
PUBLIC = {"login/"}
OUR_ACTIONS = {
    "feedback_feedbackrequest_log_call",
    "feedback_feedbackrequest_resend_link",
    "feedback_outboundmessage_retry",
    "candidates_application_withdraw",
    "candidates_interview_complete",
    "candidates_interview_no_show",
    "candidates_interview_cancel",
    "candidates_interview_reschedule",
}


def admin_url_patterns() -> list[tuple[str, str | None]]:
    """(path, name) of every URL pattern the admin serves, with real ids filled in."""
    admin_resolver = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "admin"
    )
    found = []

    def walk(patterns, prefix: str):
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            else:
                found.append((prefix + route, pattern.name))

    walk(admin_resolver.url_patterns, "")
    return [(concrete(route), name) for route, name in found]


def concrete(route: str) -> str:
    """A path for a route: ids of real rows of the route's model, a real app label."""
    model = None
    match = re.match(r"(\w+)/(\w+)/", route)
    if match:
        try:
            model = apps.get_model(match.group(1), match.group(2))
        except LookupError:
            model = None
    obj = model._default_manager.first() if model else None
    candidate = Candidate.objects.first()
    values = {
        "object_id": obj.pk if obj else (candidate.pk if route.startswith("r/") else 1),
        "content_type_id": ContentType.objects.get_for_model(Candidate).pk,
        "id": obj.pk if obj else 1,  # the user admin's password page
        "pk": obj.pk if obj else 1,  # the authenticator admin's own pages
    }
    if route.startswith("^(?P<app_label>"):
        return "candidates/"
    if route.startswith("(?P<url>"):
        return "candidates/nothing-here/"
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


@pytest.fixture
def patterns(demo):
    found = admin_url_patterns()
    names = {name for _, name in found}
    # The enumeration must reach every model's pages and our own action pages.
    assert names >= OUR_ACTIONS
    assert {f"{m._meta.app_label}_{m._meta.model_name}_change" for m in site._registry} <= names
    assert len(found) > 100
    return found


@pytest.fixture
def non_staff_user(db):
    """Someone with a login who is not staff, with a session all the same."""
    user = UserFactory(username="member-of-the-public", is_staff=False)
    return personas.signed_in_by_force("non-staff user", user)


@pytest.mark.parametrize("persona", ["anonymous", "non_staff_user", "client_a"])
def test_nobody_but_staff_reaches_any_admin_url(patterns, persona, request):
    client = request.getfixturevalue(persona)
    login = reverse("admin:login")
    reached = []
    for path, name in patterns:
        if path in PUBLIC:
            continue
        url = reverse("admin:index") + path
        # Django's admin sends a logout by someone not signed in as staff to the index,
        # which sends them to the login.
        to = reverse("admin:index") if name == "logout" else f"{login}?next="
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code != 302 or not response["Location"].startswith(to):
                reached.append((method.__name__, url, response.status_code))
    assert reached == []


@pytest.fixture
def staff_without_the_role(db):
    """Staff, with both factors passed, but not in the Recruiter group (no permissions)."""
    user = UserFactory(username="staff-without-the-role", is_staff=True)
    return personas.signed_in_to_the_admin("staff without the role", user)


def test_staff_without_the_recruiter_role_get_403_on_every_admin_url(
    patterns, staff_without_the_role
):
    client = staff_without_the_role
    index = reverse("admin:index")
    urls = [index + path for path, name in patterns if path not in PUBLIC and name != "logout"]
    urls.append(index + "?desk=everyone")
    reached = []
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code == 302 and "/two-factor/" in url:
                # The second factor, passed already, goes on to the page asked for: 403.
                response = client.get(response["Location"])
            if response.status_code != 403:
                reached.append((method.__name__, url, response.status_code))
    assert reached == []
    html = client.get(index + "?desk=everyone").content.decode()
    assert "Everyone" not in html
    assert "possibly waned" not in html.lower()


def test_the_login_page_lets_a_client_contact_in_nowhere(anonymous, client_a):
    response = anonymous.post(
        reverse("admin:login"), {"username": client_a.user.username, "password": PASSWORD}
    )
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in anonymous.session


# --- recruiters, in the Recruiter group (its permissions: test_roles.py) ----------------


def test_the_demo_recruiters_are_in_the_group_and_cannot_manage_users(demo):
    recruiter = get_user_model().objects.get(username="recruiter")
    assert list(recruiter.groups.values_list("name", flat=True)) == [roles.RECRUITER_GROUP]
    assert not recruiter.user_permissions.exists()
    client = personas.signed_in_to_the_admin(
        "the demo's recruiter", recruiter, password=DEMO_PASSWORD
    )
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:candidates_recruiter_add")).status_code == 403
    assert client.get(reverse("admin:feedback_outboundmessage_changelist")).status_code == 200


def test_a_recruiter_opens_every_action_page(recruiter, demo):
    request = FeedbackRequest.objects.filter(status="pending").first()
    message = OutboundMessage.objects.first()
    interview = request.interview
    pages = {
        "feedback_feedbackrequest_log_call": request,
        "feedback_feedbackrequest_resend_link": request,
        "feedback_outboundmessage_retry": message,
        "candidates_application_withdraw": interview.application,
        "candidates_interview_complete": interview,
        "candidates_interview_no_show": interview,
        "candidates_interview_cancel": interview,
        "candidates_interview_reschedule": interview,
    }
    assert set(pages) == OUR_ACTIONS
    for name, obj in pages.items():
        response = recruiter.get(reverse(f"admin:{name}", args=[obj.pk]))
        assert response.status_code == 200, name


def test_staff_without_the_permissions_cannot_act(demo):
    staff = UserFactory(username="temp-staff", is_staff=True)  # in no group
    client = personas.signed_in_to_the_admin("staff without a group", staff)
    request = FeedbackRequest.objects.filter(status="pending").first()
    message = OutboundMessage.objects.first()
    interview = request.interview
    status = interview.status
    for name, obj in [
        ("feedback_feedbackrequest_log_call", request),
        ("feedback_feedbackrequest_resend_link", request),
        ("feedback_outboundmessage_retry", message),
        ("candidates_application_withdraw", interview.application),
        ("candidates_interview_cancel", interview),
        ("candidates_interview_reschedule", interview),
    ]:
        url = reverse(f"admin:{name}", args=[obj.pk])
        assert client.get(url).status_code == 403, name
        assert client.post(url).status_code == 403, name
    interview.refresh_from_db()
    assert interview.status == status
    request.refresh_from_db()
    assert request.status == "pending"


def test_the_recruiter_site_serves_every_registration_of_the_default_site():
    reverse("admin:index")  # the URLs are built (and the registrations adopted)
    assert set(admin.site._registry) <= set(site._registry)
    assert site.site_header == "TVR Recruiter"


def test_admin_pages_show_times_in_the_recruiters_time_zone(recruiter, demo):
    from django.utils import timezone as tz

    from feedback.models import FeedbackRequest

    request = FeedbackRequest.objects.filter(status="pending").order_by("due_at").first()
    page = recruiter.get(reverse("admin:feedback_feedbackrequest_change", args=[request.pk]))
    assert page.status_code == 200
    local = tz.localtime(request.due_at, zoneinfo.ZoneInfo(recruiter.recruiter.time_zone))
    utc = tz.localtime(request.due_at, zoneinfo.ZoneInfo("UTC"))
    assert local.utcoffset() != utc.utcoffset()  # the recruiter is not on UTC
    html = page.content.decode()
    assert dateformat.format(local, "N j, Y, P") in html
    assert dateformat.format(utc, "N j, Y, P") not in html
