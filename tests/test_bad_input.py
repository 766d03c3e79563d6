"""No URL, query string or form of the product answers 500 to bad input.

Every URL pattern of the project (walked from the resolver: the recruiter admin's site
and each ModelAdmin's own URLs, the portal, the client pages) is requested with real ids
and tokens and with hostile values in each path parameter, as each kind of user; every
form a page shows is posted back full of hostile values; every admin change list gets
each of its list filters, its search and its ordering with each hostile value; the query
parameters the views read are fed the same values. A bad value must get a clear 4xx, or
the page with its error, never a 5xx.

Run it on PostgreSQL: that is where a NUL byte in text and an integer past bigint fail
(SQLite takes both). One assertion lists every failure (URL, persona, status and the
exception or error logged), so one run shows them all. Each request runs in a savepoint
that is rolled back, so that one bad request neither breaks nor changes the next.
"""

import copy
import datetime as dt
import functools
import inspect
import itertools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice

from api.models import ApiKey
from api.services import api_key_create
from candidates.models import Candidate
from clients import selectors as client_selectors
from feedback import selectors, services
from feedback.models import FeedbackRequest, Party, WebhookEndpoint
from feedback.services import wording as wording_services
from feedback.tests.desk import HOUR, answer, interview_asked
from privacy.models import RetentionRule
from tests.factories import (
    ApplicationFactory,
    ClientFactory,
    PositionFactory,
    UserFactory,
    link_path,
    schedule_interview,
    token_of,
)
from tests.personas import Persona, signed_in_to_the_admin
from tvr_site.admin_site import site

pytestmark = pytest.mark.django_db

BIGINT_MAX = "9223372036854775807"
TEN_KB = "x" * 10_240

# The table of hostile values, one of each kind: for every path parameter of the
# project's pages, every query parameter and every list filter.
HOSTILE = [
    BIGINT_MAX,  # bigint's largest: past an int column, and an OFFSET past the end
    "99999999999999999999",  # past bigint
    "-1",
    "abc",  # text where a number is expected
    "1.5",
    "²",  # a digit to str.isdigit(), not to int()
    "\x00",  # PostgreSQL can neither store nor compare NUL in text
    "Ünïcødé ✓ 日本語 🐾",
    TEN_KB,
]
# And the edges, for the project's own parameters and filters (they parse them).
EDGES = ["9223372036854775808", "-9223372036854775809", "0", ""]
# Fewer where each is many requests: a form field (each form is posted once with each in
# every field), a query parameter the page only compares or checks as a whole (the
# recruiter desk's "desk", a "next" address), an action's selection.
HOSTILE_FEW = ["99999999999999999999", "abc", "\x00", TEN_KB]
# An id in a path to one of Django's own admin pages (theirs to read: the NUL byte is
# refused before them).
HOSTILE_IDS = ["99999999999999999999", "abc"]

# Each kind of user, least privileged first: the root conftest's anonymous, client_a and
# recruiter, and an administrator.
PERSONAS = ("anonymous", "client", "recruiter", "superuser")

# The query parameters every admin change list takes (django.contrib.admin.views.main).
CHANGELIST_PARAMS = ["q", "o", "p", "all", "e", "_to_field", "_popup", "_facets"]

PROJECT = Path(__file__).resolve().parent.parent
# The API's views (api/) are left to schemathesis, which sends them hostile requests with
# a real key (api/tests/test_schemathesis.py): none of the personas here holds one.
PROJECT_APPS = ("core", "candidates", "feedback", "clients", "demo", "tvr_site")


# --- the world the valid values come from --------------------------------------------------


@dataclass
class World:
    recruiter: object
    contact: object
    position: object
    interview: object
    client_request: FeedbackRequest
    candidate_request: FeedbackRequest

    def first_row(self, model):
        row = model._default_manager.order_by("pk").first()
        assert row is not None, f"the world has no {model.__name__} row: create one"
        return row


@pytest.fixture
def world(recruiter, client_a):
    """The rows the real values come from: the recruiter persona's desk and client A's."""
    desk, contact = recruiter.recruiter, client_a.contact
    position = PositionFactory(client=contact.client, hiring_contact=contact, recruiter=desk)
    application = ApplicationFactory(position=position, candidate__owner=desk)
    ClientFactory()  # a second client: the lists' client filters show (and take) a choice
    ended = timezone.now().replace(microsecond=0) - 3 * HOUR
    interview = interview_asked(ends_at=ended, application=application)
    answer(interview, at=ended + HOUR, interest_level=8, still_interested="yes")
    # An interview still to come, and the other party's answer pending.
    schedule_interview(
        application=ApplicationFactory(position=position, candidate__owner=desk),
        ends_at=timezone.now() + dt.timedelta(days=2),
    )
    # The agency's integrations: an API key and a webhook endpoint (off: nothing is sent).
    api_key_create(name="ATS sync", scope=ApiKey.Scope.READ_WRITE)
    WebhookEndpoint.objects.create(
        name="ATS", url="https://ats.example/hooks", events=["feedback.received"], enabled=False
    )
    # What came back: a text a candidate sent (STOP), kept with the number it suppressed.
    services.sms_inbound_receive(provider_id="SM-world", sender="+17735550123", body="STOP")
    # The agency's wording of one message (the others follow the shipped files).
    wording_services.message_wording_save(
        key="candidate_request", sources={"subject": "Your interview, {{ candidate.first_name }}"}
    )
    # The retention rule's one row (a migration makes it; a flushed test database has
    # lost it).
    RetentionRule.objects.get_or_create(pk=1)
    requests = {r.party: r for r in interview.feedback_requests.all()}
    return World(
        recruiter=desk,
        contact=contact,
        position=position,
        interview=interview,
        client_request=requests[Party.CLIENT],
        candidate_request=requests[Party.CANDIDATE],
    )


@pytest.fixture
def personas(world, anonymous, client_a, recruiter) -> dict[str, Persona]:
    """Each of PERSONAS, whose 5xx answers are failures to list, not exceptions."""
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    clients = {
        "anonymous": anonymous,
        "client": client_a,
        "recruiter": recruiter,
        "superuser": signed_in_to_the_admin("superuser", root),
    }
    assert tuple(clients) == PERSONAS
    # Backup codes (the superuser's authenticator came with the sign-in).
    backup = StaticDevice.objects.create(user=root, name="Backup codes")
    backup.token_set.create(token="backup01")
    # A wrong password, after every sign-in (a success clears the count): a lockout count
    # and a failure logged, which the admin lists.
    Client().post(reverse("admin:login"), {"username": "nobody", "password": "wrong"})
    for client in clients.values():
        client.raise_request_exception = False
    return clients


# --- requests, each in a savepoint, failures collected ------------------------------------


class ErrorLog(logging.Handler):
    """What was logged as an error during one request, one line each."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record):
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            self.lines.append(f"logged {type(error).__name__}: {shown(str(error))}")
        else:
            self.lines.append(f"logged {record.name}: {shown(record.getMessage())}")


class Quiet(logging.Filter):
    """For the other handlers: a failure's message is shortened and its traceback left
    out (the URLs here carry 10 KB values; the assertion lists each failure)."""

    def filter(self, record):
        record.msg, record.args = shown(record.getMessage()), ()
        record.exc_info = record.exc_text = None
        return True


def shown(value) -> str:
    """A value as the failure message shows it (10 KB strings shortened)."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:40]}…({len(text)} chars)"


def is_health_answer(url: str, response) -> bool:
    """The health pages answer 503 by design when the loop is unhealthy (here no sweep
    runs): that is their answer, not a failure. A crash there is still a 500."""
    return url.startswith("/health/") and response.status_code == 503


@dataclass
class Fuzzer:
    personas: dict[str, Persona]
    log: ErrorLog
    requests: int = 0
    failures: list[str] = field(default_factory=list)

    def request(self, persona: str, method: str, url: str, data=None, *, after=None, **extra):
        """One request in a savepoint rolled back; `after`: a page opened first in the
        same savepoint (following its redirects), for a form that needs its session."""
        client = self.personas[persona]
        cookies = copy.deepcopy(client.cookies)  # a logout or a message must not carry over
        self.log.lines.clear()
        with transaction.atomic():
            if after is not None:
                client.get(after, follow=True)
            send = client.get if method == "GET" else client.post
            response = send(url, data or {}, **extra)
            transaction.set_rollback(True)
        client.cookies = cookies
        self.requests += 1
        if response.status_code >= 500 and not is_health_answer(url, response):
            self.failures.append(self.describe(persona, method, url, data, response))
        return response

    def describe(self, persona, method, url, data, response) -> str:
        what = f"{response.status_code} {method} {shown(url)}"
        if data:
            what += f" {shown(data) if len(data) < 3 else shown(next(iter(data.values())))}"
        lines = [f"{what} as {persona}"]
        if response.exc_info:
            kind, error, _ = response.exc_info
            lines.append(f"    raised {kind.__name__}: {shown(str(error))}")
        lines += [f"    {line}" for line in self.log.lines]
        return "\n".join(lines)

    def assert_no_server_errors(self):
        assert not self.failures, (
            f"{len(self.failures)} of {self.requests} requests answered 5xx:\n"
            + "\n".join(self.failures)
        )


@pytest.fixture
def fuzzer(personas):
    root = logging.getLogger()
    log, quiet, handlers = ErrorLog(), Quiet(), list(root.handlers)
    root.handlers.insert(0, log)  # first: it sees each record before Quiet shortens it
    for handler in handlers:
        handler.addFilter(quiet)
    # Thousands of 4xx are expected: only errors are logged.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    yield Fuzzer(personas=personas, log=log)
    request_log.setLevel(level)
    for handler in handlers:
        handler.removeFilter(quiet)
    root.removeHandler(log)


# --- every URL pattern ---------------------------------------------------------------------


def _template(pattern) -> str:
    """A pattern as text with "{name}" for each parameter: "<path:object_id>/" and
    "^(?P<app_label>auth|…)/$" alike."""
    text = str(pattern)
    if not isinstance(pattern, RegexPattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    text = text.removeprefix("^").removesuffix("$")
    out, at = [], 0
    while (start := text.find("(?P<", at)) != -1:
        out.append(text[at:start])
        name_end = text.index(">", start)
        depth, end = 1, name_end + 1
        while depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        out.append("{" + text[start + 4 : name_end] + "}")
        at = end
    out.append(text[at:])
    rest = "".join(out)
    assert not re.search(r"[\\^$*+?()|\[\]]", rest), f"a regex this test cannot fill: {text}"
    return rest


def url_templates(patterns=None, prefix: str = "/") -> list[tuple[str, object]]:
    """Every URL of the project as a template ("/admin/candidates/interview/{object_id}/
    complete/") with its view, from the resolver itself."""
    templates = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = prefix + _template(pattern.pattern)
        if isinstance(pattern, URLResolver):
            templates += url_templates(pattern.url_patterns, text)
        else:
            templates.append((text, pattern.callback))
    return templates


def is_project_view(callback) -> bool:
    """Whether the view is the project's own code (not one of Django's admin pages)."""
    view = inspect.unwrap(callback)
    while isinstance(view, functools.partial):
        view = inspect.unwrap(view.func)
    view = getattr(view, "view_class", view)
    return getattr(view, "__module__", "").split(".")[0] in PROJECT_APPS


def params_of(template: str) -> list[str]:
    return re.findall(r"{(\w+)}", template)


def fill(template: str, values: dict[str, str]) -> str:
    return template.format(**{name: quote(value, safe="") for name, value in values.items()})


def model_of(template: str):
    """The model whose ModelAdmin serves this admin URL, if any."""
    for model in site._registry:
        if template.startswith(f"/admin/{model._meta.app_label}/{model._meta.model_name}/"):
            return model
    return None


def valid_values(world: World, template: str) -> dict[str, str]:
    """Real values for a URL's parameters: ids of rows that exist, tokens that open."""
    contact_user = world.contact.user
    values = {}
    for name in params_of(template):
        model = model_of(template)
        if name in ("object_id", "id", "pk") and model is not None:
            value = world.first_row(model).pk
        elif template.startswith("/admin/r/"):
            candidate = world.first_row(Candidate)
            value = {
                "content_type_id": ContentType.objects.get_for_model(Candidate).pk,
                "object_id": candidate.pk,
            }[name]
        elif name == "app_label":
            value = "candidates"
        elif name == "url":
            value = "no/such/page/"
        elif name == "code" and template.startswith("/portal/s/"):
            link = selectors.feedback_request_short_link(request=world.candidate_request)
            value = link.rstrip("/").rsplit("/", 1)[-1]
        elif name == "token" and template.startswith("/portal/"):
            value = token_of(world.candidate_request)
        elif name == "token" and template.startswith("/clients/feedback/"):
            value = token_of(world.client_request)
        elif name == "token":
            value = default_token_generator.make_token(contact_user)
        elif name == "uidb64":
            value = urlsafe_base64_encode(force_bytes(contact_user.pk))
        elif name == "position_id":
            value = world.position.pk
        elif name == "request_id":
            value = world.client_request.pk
        elif template.startswith("/api/v1/"):
            value = 1  # any: without a key, the API answers 401 before it reads an id
        else:
            pytest.fail(f"no valid value for {{{name}}} in {template}: add one to valid_values")
        values[name] = str(value)
    return values


def reaches(response) -> bool:
    """Whether the persona got to the page itself (not sent to sign in, not refused)."""
    if response.status_code == 403:
        return False
    return not (response.status_code in (301, 302) and "login" in response.get("Location", ""))


def form_data(html: str) -> tuple[list[str], dict[str, str]]:
    """The names of the fields of the page's POST forms, and the formsets' management
    fields with their values (how many forms a formset has is Django's to bound)."""
    names, management = [], {}
    for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", html, re.S | re.I):
        for tag in re.findall(r"<(?:input|select|textarea|button)\b[^>]*>", form):
            name = re.search(r'\bname="([^"]+)"', tag)
            if name is None or name[1] == "csrfmiddlewaretoken":
                continue
            if re.search(r"-[A-Z_]+_FORMS$", name[1]):
                management[name[1]] = re.search(r'\bvalue="([^"]*)"', tag)[1]
            else:
                names.append(name[1])
    return list(dict.fromkeys(names)), management


def query_params_read() -> list[str]:
    """The query parameters the project's own code reads (request.GET.get("…"), …)."""
    names = set()
    for app in PROJECT_APPS:
        for source in (PROJECT / app).rglob("*.py"):
            if "tests" in source.parts or "migrations" in source.parts:
                continue
            names |= set(
                re.findall(r"\.GET(?:\.get|\.getlist)?[\(\[]\s*[\"'](\w+)[\"']", source.read_text())
            )
    return sorted(names)


def autocomplete_queries() -> list[dict[str, str]]:
    """The admin's autocomplete query of every autocomplete field, in ModelAdmins and
    their inlines."""
    queries = []
    for model, model_admin in site._registry.items():
        inlines = [inline(model, site) for inline in model_admin.inlines]
        for owner in (model_admin, *inlines):
            for name in owner.autocomplete_fields:
                opts = owner.model._meta
                queries.append(
                    {"app_label": opts.app_label, "model_name": opts.model_name, "field_name": name}
                )
    return queries


# Pages that no persona opens even with real values, and why.
NO_PAGE = {
    "/admin/r/{content_type_id}/{object_id}/": "a candidate has no page on the site",
    "/admin/{url}": "the admin's catch-all: a 404 for any other address",
}


def test_no_url_answers_500_to_hostile_path_values_query_strings_or_forms(world, fuzzer):
    """Each URL is opened with real values as every persona. The first persona that gets
    to the page itself (the least privileged: anonymous for the portal, the contact for
    the client pages, the recruiter for the admin, the superuser where only they may go)
    then gets it with hostile path values and query parameters, and its forms posted
    full of hostile values; a persona sent to sign in (or refused) gets a hostile path
    once."""
    templates = url_templates()
    assert "/admin/candidates/interview/{object_id}/complete/" in dict(templates)
    assert "/clients/requests/{request_id}/" in dict(templates)
    project_params = query_params_read()
    assert {"awaiting", "answered", "page", "desk", "next"} <= set(project_params)
    autocompletes = autocomplete_queries()
    assert len(autocompletes) >= 8
    unopened, posted = [], set()

    for template, view in templates:
        valid = valid_values(world, template)
        query = autocompletes[0] if template == "/admin/autocomplete/" else {}
        url = fill(template, valid)
        own = is_project_view(view)
        statuses, fuzzed, refused = [], False, False
        for persona in PERSONAS:
            response = fuzzer.request(persona, "GET", url, query)
            if not reaches(response):
                if valid and not refused:  # the page's guard, given a hostile path
                    fuzzer.request(persona, "GET", fill(template, dict.fromkeys(valid, "\x00")))
                    refused = True
                continue
            statuses.append(response.status_code)
            if fuzzed:
                continue
            fuzzed = True
            for name in valid:
                for value in HOSTILE if own else HOSTILE_IDS:
                    fuzzer.request(persona, "GET", fill(template, {**valid, name: value}))
            # The query parameters the page reads: the project's pages those the project's
            # code reads (every value, and the edges, on the client pages, which page their
            # lists with them);
            # Django's add page its form's initial values; the autocomplete its search.
            names, values = (project_params, HOSTILE_FEW) if own else ([], [])
            if template.startswith("/clients/") and persona == "client":
                values = HOSTILE + EDGES
            if template.endswith("/add/") and response.status_code == 200:
                names, values = list(response.context["adminform"].form.fields), HOSTILE
            for value in values:
                fuzzer.request(persona, "GET", url, dict.fromkeys(names, value))
            if query:
                for each, value in itertools.product(autocompletes, HOSTILE):
                    fuzzer.request(persona, "GET", url, {**each, "term": value})
                for value in HOSTILE:
                    fuzzer.request(persona, "GET", url, {**query, "page": value})
            # The page's forms (after its redirect: a set-password link opens its form
            # there), each field given each hostile value.
            page, after = response, None
            if response.status_code in (301, 302):
                page = fuzzer.request(persona, "GET", url, follow=True)
                after = url
            target = page.request["PATH_INFO"]
            if page.status_code != 200 or target in posted:
                continue
            posted.add(target)
            fields, management = form_data(page.content.decode())
            for value in HOSTILE_FEW if fields else ():
                data = {**dict.fromkeys(fields, value), **management}
                fuzzer.request(persona, "POST", quote(target), data, after=after)
        if valid and statuses and min(statuses) >= 400:
            unopened.append(template)

    # The real values are real: each page opens for whoever may see it.
    # The API's data opens with an API key only, which no persona holds: here each of its
    # URLs gets hostile paths without one (api/tests/test_schemathesis.py, with one).
    api_data = {t for t, _ in templates if t.startswith("/api/v1/") and params_of(t)}
    assert api_data
    assert set(unopened) == set(NO_PAGE) | api_data
    fuzzer.assert_no_server_errors()


def is_project_filter(spec) -> bool:
    return type(spec).__module__.split(".")[0] in PROJECT_APPS


def changelist_params(response, model, first: bool, covered: set[str]) -> list[tuple]:
    """(parameter, values) for a change list: its list filters (the project's own with
    the edges too), its search; on the first list also ordering, paging and Django's other
    change list parameters; and a lookup on one field of each kind not yet tried on
    another list (`covered`): the admin takes a lookup on any field of the model."""
    cl = response.context["cl"]
    params = [
        (name, HOSTILE + EDGES if is_project_filter(spec) else HOSTILE)
        for spec in cl.filter_specs
        for name in spec.expected_parameters()
    ]
    params.append(("q", HOSTILE))
    if cl.date_hierarchy:
        params += [(f"{cl.date_hierarchy}__{part}", HOSTILE) for part in ("year", "month", "day")]
    if first:
        params += [(name, HOSTILE_FEW) for name in CHANGELIST_PARAMS if name != "q"]
        params.append(("id__in", HOSTILE))
    for model_field in model._meta.concrete_fields:
        kind = model_field.get_internal_type()
        if kind not in covered:
            covered.add(kind)
            params.append((model_field.name, HOSTILE))
    return params


def test_no_admin_list_filter_search_ordering_or_action_answers_500_to_hostile_values(
    world, fuzzer
):
    changelists, covered = 0, set()
    for model, model_admin in site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        # The recruiter where the list is theirs to read, else the administrator.
        persona = "recruiter" if model_admin.has_view_permission(_request(world)) else "superuser"
        response = fuzzer.request(persona, "GET", url)
        if response.status_code != 200:  # e.g. the reminder policy's list opens its one row
            continue
        for name, values in changelist_params(response, model, not changelists, covered):
            for value in values:
                fuzzer.request(persona, "GET", url, {name: value})
        changelists += 1
        # An action on a selection that is no id.
        action_form = response.context["action_form"]
        choices = action_form.fields["action"].choices if action_form else []
        for action in [name for name, _ in choices if name]:
            for value in HOSTILE_FEW:
                data = {"action": action, "index": "0", "_selected_action": value}
                fuzzer.request(persona, "POST", url, data)
    assert changelists >= 10

    fuzzer.assert_no_server_errors()


def _request(world):
    """A request of the recruiter, for asking a ModelAdmin what they may see."""
    request = RequestFactory().get("/admin/")
    request.user = world.recruiter.user
    return request


# --- each fix, on its own --------------------------------------------------------------


def test_the_client_request_lists_take_a_page_past_the_last_as_the_last_they_go_to(world, personas):
    url = reverse("clients:requests")
    for param in ("awaiting", "answered"):
        for page, number in ((BIGINT_MAX, client_selectors.MAX_PAGE), ("-1", 1), ("²", 1)):
            response = personas["client"].get(url, {param: page})
            assert response.status_code == 200
            assert response.context[param].number == number


def test_a_custom_admin_action_with_an_id_that_is_no_id_is_not_found(world, personas):
    for name in ("complete", "no-show", "cancel", "reschedule"):
        for bad in ("abc", "-1", "99999999999999999999", "1.5"):
            url = f"/admin/candidates/interview/{quote(bad)}/{name}/"
            assert personas["recruiter"].get(url).status_code == 404, url
    for url in (
        "/admin/candidates/application/abc/withdraw/",
        "/admin/feedback/feedbackrequest/abc/log-call/",
        "/admin/feedback/feedbackrequest/abc/resend-link/",
        "/admin/feedback/outboundmessage/abc/retry/",
    ):
        assert personas["superuser"].get(url).status_code == 404, url


def test_a_list_filter_value_it_does_not_know_shows_the_admins_error_page(world, personas):
    url = reverse("admin:feedback_feedback_changelist")
    for query in (
        {"lateness": "abc"},  # any field of the model filters; this one is an interval
        {"lateness": BIGINT_MAX},  # seconds past what a duration holds
        {"request__id__in": f"1,{BIGINT_MAX}0"},
        {"recruiter": "²"},
        {"recruiter": "99999999999999999999"},  # past bigint (SQLite: an OverflowError)
        {"submitted": "yesterday"},
    ):
        response = personas["recruiter"].get(url, query)
        assert response.status_code == 302, query
        assert response["Location"].endswith("?e=1")
    for query in ({"lateness": "01:00:00"}, {"recruiter": "mine"}, {"submitted": "past7"}):
        assert personas["recruiter"].get(url, query).status_code == 200, query


def test_an_admin_form_given_an_id_that_is_no_id_shows_its_error(world, personas):
    url = reverse("admin:candidates_position_change", args=[world.position.pk])
    data = {"title": "Vet", "client": "abc", "recruiter": "99999999999999999999"}
    response = personas["recruiter"].post(url, data)
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) >= {"client", "recruiter"}


def test_a_many_to_many_field_given_an_id_that_is_no_id_shows_its_error(world, personas):
    url = reverse("admin:auth_group_add")
    for permission in ("99999999999999999999", "abc"):
        response = personas["superuser"].post(url, {"name": "Desk", "permissions": permission})
        assert response.status_code == 200
        assert "permissions" in response.context["adminform"].form.errors


def test_the_add_page_leaves_out_initial_values_their_field_cannot_hold(world, personas):
    url = reverse("admin:candidates_interview_add")
    application = world.interview.application
    query = {"application": application.pk, "starts_at": "abc", "round": "99999999999999999999"}
    response = personas["recruiter"].get(url, query)
    assert response.status_code == 200
    assert response.context["adminform"].form.initial == {"application": application.pk}


def test_an_admin_action_on_a_selection_that_is_no_id_is_a_bad_request(world, personas):
    url = reverse("admin:candidates_interview_changelist")
    for selected in ("abc", "99999999999999999999"):
        data = {"action": "mark_completed", "index": "0", "_selected_action": selected}
        assert personas["recruiter"].post(url, data).status_code == 400


def test_a_nul_byte_in_an_admin_query_string_is_a_bad_request(world, personas):
    url = reverse("admin:feedback_feedbackrequest_changelist")
    for query in ({"status__exact": "\x00"}, {"q": "Oka\x00for"}):
        assert personas["recruiter"].get(url, query).status_code == 400
    autocomplete = reverse("admin:autocomplete")
    query = {
        "term": "\x00",
        "app_label": "candidates",
        "model_name": "interview",
        "field_name": "application",
    }
    assert personas["recruiter"].get(autocomplete, query).status_code == 400


def test_the_answer_pages_still_open_with_a_valid_link(world, personas):
    # The sweep above would pass with every page a 404: the real values do open them.
    assert personas["anonymous"].get(link_path(world.candidate_request)).status_code == 200
    url = reverse("clients:request", args=[world.client_request.pk])
    assert personas["client"].get(url).status_code == 200
    url = reverse("admin:candidates_interview_complete", args=[world.interview.pk])
    assert personas["recruiter"].get(url).status_code == 200
