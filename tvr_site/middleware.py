"""The project's middleware: the reader's time zone, and the request log's user id."""

import zoneinfo

import structlog
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty
from django_structlog.middlewares import RequestMiddleware


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
