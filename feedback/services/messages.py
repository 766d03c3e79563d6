"""What a message says and to whom: the people behind a request, the moments as its reader
says them, and the text rendered from feedback/email/<template>_*.
"""

from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string

from core.formatting import MOMENT_LONG, moment_text

from .. import selectors
from ..models import FeedbackRequest, Party


def _recruiter_for(request: FeedbackRequest):
    """The candidate's own recruiter calls the candidate; the position's handles the client."""
    application = request.interview.application
    if request.party == Party.CANDIDATE:
        return application.candidate.owner
    return application.position.recruiter


def _recipient_email(request: FeedbackRequest) -> str:
    """Where the ask goes; empty for a candidate who has not agreed to be emailed."""
    person = request.addressee
    if request.party == Party.CANDIDATE and not person.consent_email:
        return ""
    return person.email


def _recipient_time_zone(request: FeedbackRequest) -> str:
    return request.addressee.time_zone


def _local_text(moment: datetime, time_zone: str) -> str:
    """A moment as the reader says it in a sentence, e.g. "Tuesday 3 March, 8:00 AM CST"."""
    return moment_text(moment, time_zone, MOMENT_LONG)


def _context(*, request: FeedbackRequest, **extra) -> dict:
    interview = request.interview
    application = interview.application
    recruiter = _recruiter_for(request)
    return {
        "request": request,
        "interview": interview,
        "interview_when": _local_text(interview.starts_at, _recipient_time_zone(request)),
        "due_when": _local_text(request.due_at, recruiter.time_zone),
        "application": application,
        "candidate": application.candidate,
        "position": application.position,
        "client": application.position.client,
        "contact": application.position.hiring_contact,
        "recruiter": recruiter,
        "link": selectors.feedback_request_link(request=request),
        "site_url": settings.SITE_URL,
        **extra,
    }


def _rendered(*, template: str, context: dict) -> dict:
    """A message's subject and bodies from feedback/email/<template>_*."""
    base = f"feedback/email/{template}"
    return {
        "subject": " ".join(render_to_string(f"{base}_subject.txt", context).split()),
        "body_text": render_to_string(f"{base}_body.txt", context),
        "body_html": render_to_string(f"{base}_body.html", context),
    }
