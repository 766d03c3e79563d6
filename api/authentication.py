"""`Authorization: Bearer <key>`: the key's actor is the request's user, the key its auth."""

import hmac

from rest_framework import authentication, exceptions

from .models import ApiKey
from .services import KEY_PREFIX, api_key_hash, api_key_touch


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None  # no key: NotAuthenticated (401) for every API view
        api_key = self._key(key.strip())
        if api_key is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        api_key_touch(api_key=api_key)
        return api_key.actor, api_key

    def _key(self, key: str) -> ApiKey | None:
        parts = key.split("_", 2)  # the secret may hold "_" too
        if len(parts) != 3 or parts[0] != KEY_PREFIX:
            return None
        api_key = (
            ApiKey.objects.select_related("actor")
            .filter(prefix=parts[1], revoked_at__isnull=True)
            .first()
        )
        if api_key is None or not hmac.compare_digest(api_key.hashed_key, api_key_hash(key)):
            return None
        return api_key

    def authenticate_header(self, request):
        return self.keyword
