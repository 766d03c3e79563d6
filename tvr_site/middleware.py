"""The project's middleware: the reader's time zone, and the request log's user id."""

import time
import zoneinfo
from functools import partial

import structlog
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty
from django_structlog.middlewares import RequestMiddleware

SIGNED_IN_AT = "tvr_signed_in_at"
LAST_SEEN = "tvr_last_seen"
# last_seen is written at most this often: a session saved on every request would cost a
# write per page for nothing (an idle limit of an hour does not need the second).
LAST_SEEN_RESOLUTION_SECONDS = 60


class SessionLifetimeMiddleware:
    """Ends a signed-in session that has lasted too long or sat idle too long: a staff
    session STAFF_SESSION_MAX_AGE after signing in or STAFF_SESSION_IDLE after its last
    request, a client contact's CLIENT_SESSION_IDLE after its last request. The request
    then goes on signed out (a page that needs a sign-in asks for one).

    Checked when the page first looks at request.user, like Django's own session check: a
    page that never does (a signed link) neither loads the session nor counts as a visit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and settings.SESSION_COOKIE_NAME in request.COOKIES:
            request.user = SimpleLazyObject(partial(self._checked, request, user))
        return self.get_response(request)

    @staticmethod
    def _checked(request, user):
        if not user.is_authenticated:
            return user
        session = request.session
        now = time.time()
        if user.is_staff or user.is_superuser:
            idle, max_age = settings.STAFF_SESSION_IDLE, settings.STAFF_SESSION_MAX_AGE
        else:
            idle, max_age = settings.CLIENT_SESSION_IDLE, None
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        last_seen = session.get(LAST_SEEN, now)
        too_old = max_age is not None and now - signed_in_at > max_age.total_seconds()
        if too_old or now - last_seen > idle.total_seconds():
            # What logout() does, without asking request.user (being worked out here).
            session.flush()
            return AnonymousUser()
        if LAST_SEEN not in session or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
            session[LAST_SEEN] = now
        return user


class TokenPageReferrerMiddleware:
    """A page whose URL carries a token (the portal, a client's signed feedback link, a
    set-password link) never sends its address in a Referer: at most the site's origin
    ("strict-origin"), so the token cannot leave in one.

    Not "no-referrer": under it the browser sends "Origin: null" with the page's own form
    (the portal's answer), which Django's CSRF check rightly refuses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and ("token" in match.kwargs or "uidb64" in match.kwargs):
            response["Referrer-Policy"] = settings.TOKEN_PAGE_REFERRER_POLICY
        return response


class ReaderTimeZoneMiddleware:
    """A recruiter reads every admin page in their own time zone; everyone else in UTC. (The
    client pages switch to the contact's zone themselves: see clients.access.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only the admin: elsewhere (the portal, signed links) looking at request.user
        # would load a session and a user that the page does not need.
        in_admin = request.path_info.startswith("/admin/")
        zone = self._zone_of(getattr(request, "user", None)) if in_admin else None
        if zone:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    @staticmethod
    def _zone_of(user):
        if user is None or not user.is_authenticated or not user.is_staff:
            return None
        recruiter = getattr(user, "recruiter", None)  # cached on the user for the request
        if recruiter is None:
            return None
        try:
            return zoneinfo.ZoneInfo(recruiter.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return None


class RequestLogMiddleware(RequestMiddleware):
    """django-structlog's request id and request lines, with the user's id only when the
    page loaded the user anyway: django-structlog's own loads the session and the user
    for every request, two queries more on pages that need neither (a signed link)."""

    @staticmethod
    def bind_user_id(request) -> None:
        user = getattr(request, "user", None)
        if isinstance(user, SimpleLazyObject):
            user = None if user._wrapped is empty else user._wrapped
        if user is not None:
            structlog.contextvars.bind_contextvars(user_id=user.pk)
