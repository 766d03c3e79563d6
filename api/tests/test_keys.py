"""API keys: nothing without one, nothing beyond its scope, revocable, limited per key,
made in the admin and shown once."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiKey
from api.services import api_key_hash, api_key_revoke
from tests.factories import CandidateFactory, RecruiterFactory

pytestmark = pytest.mark.django_db

CANDIDATES = "/api/v1/candidates/"


def new_candidate() -> dict:
    return {
        "first_name": "Ana",
        "last_name": "Okafor",
        "email": "ana@example.com",
        "owner": RecruiterFactory().pk,
    }


def test_nothing_works_without_a_key(keyless):
    for path in (CANDIDATES, "/api/v1/timeline/", "/api/schema/"):
        response = keyless.get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"] == "Bearer"
    assert keyless.post(CANDIDATES, new_candidate(), format="json").status_code == 401


def test_a_wrong_key_is_refused(writer):
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION=f"Bearer {writer.key[:-2]}xx")
    assert forged.get(CANDIDATES).status_code == 401
    garbage = APIClient()
    garbage.credentials(HTTP_AUTHORIZATION="Bearer not-a-key")
    assert garbage.get(CANDIDATES).status_code == 401


def test_a_signed_in_recruiter_is_not_an_integration(recruiter):
    """The admin's session opens the schema's page, not the API's data."""
    assert recruiter.get(CANDIDATES).status_code == 401
    assert recruiter.get("/api/schema/").status_code == 200


def test_a_read_only_key_reads_but_cannot_write(reader):
    CandidateFactory()
    assert reader.get(CANDIDATES).status_code == 200
    response = reader.post(CANDIDATES, new_candidate(), format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "This API key is read-only."}


def test_a_read_write_key_writes(writer):
    assert writer.post(CANDIDATES, new_candidate(), format="json").status_code == 201


def test_a_revoked_key_opens_nothing(writer):
    assert writer.get(CANDIDATES).status_code == 200
    assert api_key_revoke(api_key=writer.api_key)
    assert writer.get(CANDIDATES).status_code == 401


def test_a_key_notes_when_it_was_last_used(writer):
    assert writer.api_key.last_used_at is None
    writer.get(CANDIDATES)
    writer.api_key.refresh_from_db()
    assert writer.api_key.last_used_at is not None


def test_the_key_is_kept_only_as_its_hash(writer):
    stored = ApiKey.objects.get(pk=writer.api_key.pk)
    assert stored.hashed_key == api_key_hash(writer.key)
    assert writer.key not in {str(value) for value in stored.__dict__.values()}


def test_each_key_has_its_own_rate_limit(settings, writer, reader):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "3/minute"},
    }
    statuses = [writer.get(CANDIDATES).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Another integration is not held back by the first one's burst.
    assert reader.get(CANDIDATES).status_code == 200


# --- in the admin -----------------------------------------------------------------------


def test_a_recruiter_makes_a_key_in_the_admin_and_sees_it_once(recruiter):
    response = recruiter.post(
        reverse("admin:api_apikey_add"),
        {"name": "Bullhorn sync", "scope": ApiKey.Scope.READ_WRITE},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    key = next(
        match.group(0) for text in shown if (match := re.search(r"tvr_[0-9a-f]{8}_[\w-]+", text))
    )
    api_key = ApiKey.objects.get(name="Bullhorn sync")
    assert api_key.created_by == recruiter.user
    assert api_key.hashed_key == api_key_hash(key)
    # The key works, and it is not shown again on the key's page.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(CANDIDATES).status_code == 200
    page = recruiter.get(reverse("admin:api_apikey_change", args=[api_key.pk]))
    assert page.status_code == 200
    assert key not in page.content.decode()


def test_a_recruiter_revokes_a_key_in_the_admin(recruiter, writer):
    response = recruiter.post(
        reverse("admin:api_apikey_changelist"),
        {"action": "revoke", "_selected_action": [writer.api_key.pk]},
        follow=True,
    )
    assert response.status_code == 200
    writer.api_key.refresh_from_db()
    assert writer.api_key.revoked_at is not None
    assert writer.get(CANDIDATES).status_code == 401


def test_the_api_keys_page_is_staff_only(client_a, anonymous):
    for persona in (client_a, anonymous):
        response = persona.get(reverse("admin:api_apikey_changelist"))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
