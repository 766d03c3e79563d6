"""What a message says and to whom: the people behind a request, the moments as its reader
says them, and the text rendered from feedback/email/<template>_*.
"""

import copy
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, CharField, F, Value, When
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from core.formatting import MOMENT_LONG, duration_text, moment_text
from core.text import plain_text, single_line

from .. import selectors
from ..models import FeedbackRequest, OutboundMessage, Party

# --- who a message goes to --------------------------------------------------------------
#
# One rule, two spellings: in Python for one request in hand (answers, resends, the text
# of every message), and in SQL for the sweep's set-based statements over a whole batch
# (feedback.services.sweep). Each pair below says the same thing; a change to one is a
# change to the other. feedback/tests/test_recipients.py holds them equal.
#
# The party asked is the candidate, or the position's hiring contact; the recruiter who
# hears about it is the candidate's own (the candidate's owner) for the candidate's
# request, the position's recruiter for the client's.

# SQL: the candidate, through the interview; the contact, through the position kept on
# the request.
_ADDRESSEE = "interview__application__candidate__"
_CONTACT = "position__hiring_contact__"


def _recruiter_for(request: FeedbackRequest):
    """The candidate's own recruiter calls the candidate; the position's handles the client."""
    application = request.interview.application
    if request.party == Party.CANDIDATE:
        return application.candidate.owner
    return application.position.recruiter


# In SQL: the request's desk, the copy of that recruiter kept on the request (two joins
# instead of seven).
_RECRUITER_EMAIL = F("desk__user__email")


def _recipient_email(request: FeedbackRequest) -> str:
    """Where the ask goes; empty for a candidate who has not agreed to be emailed."""
    person = request.addressee
    if request.party == Party.CANDIDATE and not person.consent_email:
        return ""
    return person.email


_RECIPIENT_EMAIL = Case(
    When(
        party=Party.CANDIDATE, **{f"{_ADDRESSEE}consent_email": True}, then=F(f"{_ADDRESSEE}email")
    ),
    When(party=Party.CLIENT, then=F(f"{_CONTACT}email")),
    default=Value(""),
    output_field=CharField(),
)


def _recipient_time_zone(request: FeedbackRequest) -> str:
    """The zone the party reads their messages in (and keeps quiet hours in)."""
    return request.addressee.time_zone


_RECIPIENT_TIME_ZONE = Case(
    When(party=Party.CANDIDATE, then=F(f"{_ADDRESSEE}time_zone")),
    default=F(f"{_CONTACT}time_zone"),
)


# --- what a message says ------------------------------------------------------------------


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


def _answer_context(*, request: FeedbackRequest) -> dict:
    """What a "feedback received" message says: the request's current answer, as it is
    when the message is written (so one message for a burst of amendments carries the
    last of them)."""
    # An answer being stored holds its request's row lock until it commits, and finds
    # this message queued without locking it (answers._notify_recruiter): wait for that
    # answer, so the text read next carries it.
    with transaction.atomic():
        list(FeedbackRequest.objects.select_for_update().filter(pk=request.pk).values_list("pk"))
    feedback = request.answers.filter(is_current=True).first()
    return {
        "feedback": feedback,
        "amended": bool(feedback and feedback.supersedes_id),
        "lateness_text": duration_text(feedback.lateness) if feedback and feedback.lateness else "",
    }


def _written_at_send_time(*, message: OutboundMessage) -> dict:
    """The text of a message queued without any (the sweep's asks, reminders and
    alerts; the recruiter's "feedback received"), written from the rows as they are now."""
    request = message.request
    extra = (
        _answer_context(request=request)
        if message.kind == OutboundMessage.Kind.FEEDBACK_RECEIVED
        else {}
    )
    return _rendered(
        template=f"{request.party}_{message.kind}", context=_context(request=request, **extra)
    )


def _rendered(*, template: str, context: dict) -> dict:
    """A message's subject and bodies from feedback/email/<template>_*. Every message is
    written here, from a context made harmless first (see `_harmless`)."""
    base = f"feedback/email/{template}"
    copies: dict = {}
    context = {name: _harmless(value, copies=copies) for name, value in context.items()}
    return {
        "subject": " ".join(render_to_string(f"{base}_subject.txt", context).split()),
        "body_text": render_to_string(f"{base}_body.txt", context),
        "body_html": render_to_string(f"{base}_body.html", context),
    }


def _harmless(value, *, copies: dict | None = None):
    """`value` as a message may print it: lines (names, titles, phones) on one line and
    free text without control characters. The forms refuse both already; this holds for
    rows written around them too (an import, a shell), so that a name with a line break
    cannot add a line that reads like a header to a plain-text mail. Model rows are
    copied, never changed, with every related row they carry. `copies`: the rows copied
    so far for one message, so that a row its context reaches by several paths (the
    candidate through the request, the interview, the application) is copied once."""
    if isinstance(value, SafeString):
        return mark_safe(single_line(value))  # noqa: S308 - it was safe, and stays so
    if isinstance(value, str):
        return single_line(value)
    if not isinstance(value, models.Model):
        return value
    copies = {} if copies is None else copies
    if id(value) in copies:
        return copies[id(value)]
    # A shallow copy of the row and of its state (what copy.copy makes, without the
    # pickling protocol's detour).
    safe = copies[id(value)] = object.__new__(type(value))
    safe.__dict__.update(value.__dict__)
    safe._state = copy.copy(value._state)
    for field in value._meta.concrete_fields:
        text = getattr(value, field.attname)
        if not isinstance(text, str):
            continue
        if isinstance(field, models.TextField):
            setattr(safe, field.attname, plain_text(text))
        elif isinstance(field, models.CharField):
            setattr(safe, field.attname, single_line(text))
    safe._state.fields_cache = {
        name: _harmless(related, copies=copies)
        for name, related in value._state.fields_cache.items()
    }
    return safe
