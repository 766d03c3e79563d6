"""Reads behind the links and the candidate portal: the reminder policy, the request a
link opens (and the link itself), its current answer, and what a candidate has coming
up and pending."""

import base64
import functools
import uuid
from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from candidates.models import Candidate, Interview

from .. import tokens
from ..models import REQUEST_PEOPLE, Feedback, FeedbackRequest, Party, ReminderPolicy
from ..rules import AWAITED_STATUSES


def policy_get() -> ReminderPolicy:
    policy, _ = ReminderPolicy.objects.get_or_create(pk=1)
    return policy


def feedback_request_short_link(*, request: FeedbackRequest) -> str:
    """The short link a text carries: the request's random key (122 bits, base64url), which
    opens the signed link. Rotating the key revokes it like every link."""
    code = base64.urlsafe_b64encode(request.token_key.bytes).decode().rstrip("=")
    return f"{settings.SITE_URL}{reverse('portal:short', kwargs={'code': code})}"


def feedback_request_link_for_short(*, code: str) -> str | None:
    """The signed link a short code opens, or None for a code that opens nothing."""
    try:
        raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
        token_key = uuid.UUID(bytes=raw)
    except (ValueError, TypeError):
        return None
    request = FeedbackRequest.objects.filter(token_key=token_key, party=Party.CANDIDATE).first()
    return feedback_request_link(request=request) if request else None


def feedback_request_get_by_token(*, party: str, token: str) -> FeedbackRequest:
    """The request a link opens, with the people its page names (an answer being stored
    is found by services.feedback_submit_by_link instead). Raises tokens.LinkInvalid or
    tokens.LinkExpired."""
    token_key = tokens.token_unsign(party=party, token=token)
    request = (
        FeedbackRequest.objects.select_related(*REQUEST_PEOPLE)
        .filter(token_key=token_key, party=party)
        .first()
    )
    if request is None:
        raise tokens.LinkInvalid("no such request (revoked or never issued)")
    return request


def feedback_request_for_expired_link(*, party: str, token_key: str) -> FeedbackRequest | None:
    """For an expired link's page: who to call instead."""
    return (
        FeedbackRequest.objects.select_related("interview__application__candidate__owner__user")
        .filter(token_key=token_key, party=party)
        .first()
    )


def feedback_request_link(*, request: FeedbackRequest) -> str:
    """The absolute signed link that opens this one request."""
    token = tokens.token_make(party=request.party, token_key=request.token_key)
    name = "portal:feedback" if request.party == Party.CANDIDATE else "clients:feedback"
    before, after = _path_around_token(
        name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    )
    return f"{settings.SITE_URL}{before}{token}{after}"


_TOKEN_MARK = "__token__"


@functools.cache
def _path_around_token(name: str, script_prefix: str, urlconf: str) -> tuple[str, str]:
    """The link's path before and after its token, reversed once per URL configuration
    rather than for every message (a noticeable part of writing one). A token's
    characters (letters, digits, "-", "_", ":") are left as they are by reverse()."""
    before, after = reverse(name, kwargs={"token": _TOKEN_MARK}, urlconf=urlconf).split(_TOKEN_MARK)
    return before, after


def feedback_current(*, request: FeedbackRequest) -> Feedback | None:
    return request.answers.filter(is_current=True).first()


def candidate_upcoming_interviews(
    *, candidate: Candidate, now: datetime | None = None
) -> QuerySet[Interview]:
    now = now or timezone.now()
    return (
        Interview.objects.filter(
            application__candidate=candidate,
            status=Interview.Status.SCHEDULED,
            ends_at__gt=now,
        )
        .select_related("application__position__client")
        .order_by("starts_at")
    )


def candidate_pending_requests(
    *, candidate: Candidate, exclude: FeedbackRequest | None = None
) -> QuerySet[FeedbackRequest]:
    qs = FeedbackRequest.objects.filter(
        interview__application__candidate=candidate,
        party=Party.CANDIDATE,
        status__in=AWAITED_STATUSES,
    ).select_related("interview__application__position__client")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.order_by("due_at")
