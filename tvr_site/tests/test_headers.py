"""The headers every page carries: a strict Content-Security-Policy (no inline script or
style anywhere), a Permissions-Policy, no token in a Referer from a page whose URL holds
one; and static files under hashed names with long cache lifetimes in production."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from feedback.models import OutboundMessage
from tests.factories import link_path

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
# An inline script, a style attribute of a tag, a style element (not the same words
# shown as escaped text, e.g. a mail's HTML source in the outbox).
NO_INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<[a-z][^>]*\sstyle=|<style\b", re.I)


def policy(response) -> dict[str, list[str]]:
    directives = (part.strip().split() for part in response["Content-Security-Policy"].split(";"))
    return {words[0]: words[1:] for words in directives if words}


@pytest.fixture
def pages(demo, recruiter, client_a, anonymous):
    """(who, url) of one page of each kind: the portal, the client pages, the admin."""
    from feedback.models import FeedbackRequest

    candidate_request = FeedbackRequest.objects.filter(party="candidate", status="pending").first()
    message = OutboundMessage.objects.exclude(body_html="").first()
    candidate = candidate_request.interview.application.candidate
    return [
        (anonymous, link_path(candidate_request)),
        (anonymous, reverse("clients:login")),
        (anonymous, reverse("admin:login")),
        (client_a, reverse("clients:home")),
        (client_a, reverse("clients:requests")),
        (recruiter, reverse("admin:index")),
        (recruiter, reverse("admin:index") + "?desk=everyone"),
        (recruiter, reverse("admin:candidates_application_changelist")),
        (recruiter, reverse("admin:candidates_candidate_add")),
        (recruiter, reverse("admin:feedback_outboundmessage_change", args=[message.pk])),
        (recruiter, reverse("admin:candidates_candidate_change", args=[candidate.pk])),
        (recruiter, reverse("admin:candidates_candidate_import")),
        (recruiter, reverse("api:docs")),
    ]


def test_every_page_has_a_strict_content_security_policy_and_no_inline_code(pages):
    for who, url in pages:
        response = who.get(url)
        assert response.status_code == 200, url
        csp = policy(response)
        assert csp["default-src"] == ["'self'"], url
        assert csp["script-src"] == ["'self'"], url
        assert csp["style-src"] == ["'self'"], url
        assert csp["frame-ancestors"] == ["'none'"], url
        html = response.content.decode()
        assert not NO_INLINE.findall(html), (url, NO_INLINE.findall(html)[:3])


def test_a_mails_html_preview_allows_its_inline_styles_and_nothing_else(recruiter, demo):
    message = OutboundMessage.objects.exclude(body_html="").first()
    response = recruiter.get(reverse("admin:feedback_outboundmessage_html", args=[message.pk]))
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'none'"]
    assert csp["style-src"] == ["'unsafe-inline'"]
    assert "script-src" not in csp
    assert csp["frame-ancestors"] == ["'self'"]


def test_every_page_denies_the_browsers_powerful_features(anonymous):
    header = anonymous.get(reverse("clients:login"))["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in header


def test_pages_whose_url_holds_a_token_never_send_their_address_as_referrer(
    demo, anonymous, client_a
):
    from feedback.models import FeedbackRequest

    candidate = FeedbackRequest.objects.filter(party="candidate", status="pending").first()
    client = FeedbackRequest.objects.filter(party="client", status="pending").first()
    for url in (link_path(candidate), link_path(client)):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert response["Referrer-Policy"] == "strict-origin", url
    # Other pages keep the referrer on this site only.
    assert anonymous.get(reverse("clients:login"))["Referrer-Policy"] == "same-origin"


def test_a_set_password_link_never_sends_its_address_as_referrer(anonymous, client_a):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = client_a.contact.user
    url = reverse(
        "clients:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    assert anonymous.get(url)["Referrer-Policy"] == "strict-origin"


# What the test run sets for itself, not for a deployment.
TEST_ONLY_ENV = {"DJANGO_ALLOW_ASYNC_UNSAFE", "TEST_RUN_ID", "CELERY_QUEUE"}


def production_env(tmp_path) -> dict:
    return {
        **{name: value for name, value in os.environ.items() if name not in TEST_ONLY_ENV},
        "DJANGO_SETTINGS_MODULE": "tvr_site.settings.production",
        "SECRET_KEY": "a-long-random-production-like-secret-key-for-the-test-0123456789",
        "ALLOWED_HOSTS": "tvr.example",
        "STATIC_ROOT": str(tmp_path / "static"),
    }


SERVE_A_HASHED_FILE = """
import django, json
django.setup()
from django.templatetags.static import static
from django.test import Client
url = static("css/portal.css")
response = Client().get(url, secure=True, HTTP_HOST="tvr.example")
print(json.dumps({"url": url, "status": response.status_code,
                  "cache": response.get("Cache-Control", "")}))
"""


def test_collectstatic_writes_hashed_names_served_with_a_long_cache_lifetime(tmp_path):
    env = production_env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/portal.css"]
    assert re.fullmatch(r"css/portal\.[0-9a-f]{12}\.css", hashed)
    assert (tmp_path / "static" / hashed).exists()

    served = subprocess.run(
        [sys.executable, "-c", SERVE_A_HASHED_FILE],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    answer = json.loads(served.stdout.strip().splitlines()[-1])
    assert answer["url"] == f"/static/{hashed}"
    assert answer["status"] == 200
    assert "immutable" in answer["cache"]
    assert int(re.search(r"max-age=(\d+)", answer["cache"])[1]) >= 365 * 24 * 3600


def test_the_production_settings_pass_the_deployment_checks(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
