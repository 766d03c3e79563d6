"""Keys and an API client for the API's tests: a real key, made by the service the admin
uses, sent as the integration would send it."""

import pytest
from rest_framework.test import APIClient

from api.models import ApiKey
from api.services import api_key_create


class KeyClient(APIClient):
    """An API client that sends one key on every request."""

    def __init__(self, api_key: ApiKey | None, key: str | None):
        super().__init__()
        self.api_key, self.key = api_key, key
        if key:
            self.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")


def key_client(name: str, scope: str) -> KeyClient:
    return KeyClient(*api_key_create(name=name, scope=scope))


@pytest.fixture
def writer(db) -> KeyClient:
    """An integration with a read-write key: “ATS sync”."""
    return key_client("ATS sync", ApiKey.Scope.READ_WRITE)


@pytest.fixture
def reader(db) -> KeyClient:
    """An integration with a read-only key: “Reporting”."""
    return key_client("Reporting", ApiKey.Scope.READ)


@pytest.fixture
def keyless(db) -> KeyClient:
    """Someone calling the API without a key."""
    return KeyClient(None, None)
