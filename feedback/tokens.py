"""Signed portal links: unguessable, bound to one request, expiring, with no personal data.

A token signs the request's random `token_key` (a UUID), never an id or a name. Each
party has its own salt, so a candidate's link can never open a client page and back.
Rotating `token_key` revokes every link issued before.
"""

from django.conf import settings
from django.core import signing

SALTS = {"candidate": "feedback.portal.candidate", "client": "feedback.portal.client"}


class LinkInvalid(Exception):
    """Tampered, malformed, unknown or revoked."""


class LinkExpired(Exception):
    """Signed by us but older than PORTAL_LINK_MAX_AGE; carries the key it was for."""

    def __init__(self, token_key: str):
        super().__init__("link expired")
        self.token_key = token_key


def token_make(*, party: str, token_key) -> str:
    return signing.TimestampSigner(salt=SALTS[party]).sign(str(token_key))


def token_unsign(*, party: str, token: str) -> str:
    """Return the token_key a token carries, or raise LinkInvalid / LinkExpired."""
    signer = signing.TimestampSigner(salt=SALTS[party])
    try:
        return signer.unsign(token, max_age=settings.PORTAL_LINK_MAX_AGE)
    except signing.SignatureExpired:
        return _raise_expired(signer, token)
    except signing.BadSignature as exc:
        raise LinkInvalid from exc


def _raise_expired(signer, token):
    raise LinkExpired(signer.unsign(token))
