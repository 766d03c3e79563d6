"""An application added or changed from outside the admin's own pages (the API): saved by
candidates.services, with its desks, and recorded on its timeline with who did it."""

from datetime import datetime

from django.db import transaction

from candidates import services as candidate_services
from candidates.models import Application

from ..models import TimelineEvent
from .timeline import timeline_record


@transaction.atomic
def application_save_recorded(
    *,
    application: Application,
    fields: list[str] | None = None,
    actor=None,
    now: datetime | None = None,
) -> Application:
    """Save a new application, or these `fields` of one, and say so on its timeline
    (nothing is recorded when no field changed)."""
    added = application.pk is None
    if not added and not fields:
        return application
    candidate_services.application_save(application=application, fields=None if added else fields)
    timeline_record(
        application=application,
        kind=TimelineEvent.Kind.APPLICATION_ADDED
        if added
        else TimelineEvent.Kind.APPLICATION_CHANGED,
        summary="Application added"
        if added
        else "Application changed: " + ", ".join(sorted(fields or [])),
        actor=actor,
        data={} if added else {"fields": sorted(fields or [])},
        now=now,
    )
    return application
