"""What held when the site was tried as an attacker would, kept so by a test each: no
stored script in pages or mails, CSRF on every POST, no open redirect after signing in,
a new session key on signing in, and other sessions ended by a password change."""

import datetime as dt
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from feedback import services as feedback_services
from feedback.models import OutboundMessage, Party
from feedback.tests.desk import HOUR, answer, application_for, interview_asked
from tests import personas
from tests.factories import PASSWORD, link_path

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src=x onerror="alert(2)">'
NEW_PASSWORD = "Another-Long-Passphrase-2026!"


# --- stored XSS -----------------------------------------------------------------------------


def test_a_script_typed_into_a_name_or_an_answer_is_shown_as_text_in_pages_and_mails(
    recruiter, smtp_mail
):
    application = application_for(
        recruiter.recruiter, candidate__first_name=SCRIPT, candidate__last_name=IMAGE
    )
    ended = dt.datetime.now(dt.UTC).replace(microsecond=0) - 3 * HOUR
    interview = interview_asked(ends_at=ended, application=application)
    candidate_request = interview.feedback_requests.get(party=Party.CANDIDATE)
    portal = recruiter.get(link_path(candidate_request)).content.decode()  # before answering
    answer(interview, at=ended + HOUR, interest_level=8, concerns=f"{SCRIPT} {IMAGE}")

    pages = {
        "portal": portal,
        "dashboard": recruiter.get(reverse("admin:index")).content.decode(),
        "application": recruiter.get(
            reverse("admin:candidates_application_change", args=[application.pk])
        ).content.decode(),
    }
    received = OutboundMessage.objects.get(kind=OutboundMessage.Kind.FEEDBACK_RECEIVED)
    assert feedback_services.outbox_deliver(message_ids=[received.pk]) == ["sent"]
    [mail] = smtp_mail.wait_for(lambda messages: messages, timeout=10)
    pages["mail"] = mail.get_body(preferencelist=("html",)).get_content()

    for where, html in pages.items():
        assert SCRIPT not in html, where
        assert "<img src=x" not in html, where
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, where


# --- CSRF ---------------------------------------------------------------------------------------


def every_url(patterns=None, prefix="/") -> list[str]:
    """A path for every URL pattern of the site (any value where a path takes one)."""
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(pattern.pattern)
        if route.startswith("^(?P<app_label>"):
            route = "candidates/"
        route = re.sub(r"\(\?P<url>\.\*\)\$|\^|\$", "", route)
        route = re.sub(r"<int:\w+>", "1", route)
        route = re.sub(r"<(?:str:|path:)?\w+>", "x", route)
        route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
        if isinstance(pattern, URLResolver):
            found += every_url(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            found.append(prefix + route)
    return found


@pytest.mark.parametrize("who", ["anonymous", "recruiter", "client_a"])
def test_every_post_without_the_csrf_token_is_refused(who, request):
    persona = request.getfixturevalue(who)
    careful = personas.Persona(who, enforce_csrf_checks=True)
    careful.cookies = persona.cookies  # the same session, a browser that checks CSRF
    urls = every_url()
    assert len(urls) > 100
    accepted = []
    for url in urls:
        response = careful.post(url, {"username": "x", "password": "x", "email": "x@x.example"})
        if url.startswith("/api/"):
            # The API takes no cookie, only a key in the Authorization header, which a
            # forged cross-site form cannot send: a session's POST is not signed in (401);
            # the schema's pages take no POST at all (405, or 415 for a form's body).
            if response.status_code not in (401, 405, 415):
                accepted.append((url, response.status_code))
        elif url.startswith("/hooks/"):
            # The providers' callbacks take no cookie either: each is signed by its
            # provider (docs/channels.md), and an unsigned POST changes nothing (403).
            if response.status_code != 403:
                accepted.append((url, response.status_code))
        elif response.status_code != 403 or "security cookie" not in response.content.decode():
            accepted.append((url, response.status_code))
    assert accepted == []


# --- open redirects -----------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_signing_in_never_sends_anyone_to_another_site(anonymous, client_a, recruiter, target):
    client_login = anonymous.post(
        reverse("clients:login") + f"?next={target}",
        {"username": client_a.contact.email, "password": PASSWORD, "next": target},
    )
    assert client_login["Location"] == reverse("clients:home")
    staff = personas.Persona("staff")
    staff.post(
        reverse("admin:login"),
        {"username": recruiter.user.username, "password": PASSWORD, "next": target},
    )
    code = personas.totp_code(personas.authenticator_of(recruiter.user))
    verify = staff.post(reverse("admin:two_factor_verify"), {"code": code, "next": target})
    assert verify["Location"] == reverse("admin:index")


# --- sessions -----------------------------------------------------------------------------------


def test_signing_in_gives_a_new_session_key(recruiter, client_a):
    for url, username in [
        (reverse("admin:login"), recruiter.user.username),
        (reverse("clients:login"), client_a.contact.email),
    ]:
        visitor = personas.Persona("visitor")
        session = visitor.session
        session["seen"] = True
        session.save()
        before = session.session_key
        visitor.cookies["sessionid"] = before
        assert visitor.post(url, {"username": username, "password": PASSWORD}).status_code == 302
        assert visitor.cookies["sessionid"].value != before


def test_a_password_reset_ends_the_contacts_other_sessions(client_a, anonymous):
    assert client_a.get(reverse("clients:home")).status_code == 200
    user = client_a.contact.user
    user.refresh_from_db()  # as signing in left it (the link covers the last sign-in)
    link = reverse(
        "clients:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    form = anonymous.get(link)["Location"]
    done = anonymous.post(form, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert client_a.get(reverse("clients:home")).status_code == 302  # signed out


def test_a_staff_password_change_ends_the_other_sessions(recruiter):
    elsewhere = personas.signed_in_to_the_admin("the same recruiter, elsewhere", recruiter.user)
    changed = recruiter.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert recruiter.get(reverse("admin:index")).status_code == 200  # this session goes on
    assert elsewhere.get(reverse("admin:index")).status_code == 302  # the other ended
