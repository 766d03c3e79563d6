"""What a message says and to whom: the people behind a request, the moments as its reader
says them, and the text rendered from feedback/email/<template>_*.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Case, CharField, F, Q, Value, When

from core.formatting import MOMENT_LONG, duration_text, moment_text

from .. import selectors
from ..models import FeedbackRequest, OutboundMessage, Party
from ..wording.rendering import wording_render, wording_sms_render

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


# A candidate is asked by email, by text, or both: their own choice (contact_by), else
# the agency's (ReminderPolicy.candidate_channels). A text also needs their consent and a
# number. In Python for one candidate, in SQL for the sweep's batch (over a request);
# feedback/tests/test_sms_recipients.py holds them equal.


def candidate_channels(*, contact_by: str, default: str) -> set[str]:
    choice = contact_by or default
    return {"email", "sms"} if choice == "both" else {choice}


def _asked_by_sms(request: FeedbackRequest, *, default: str) -> str:
    """The number a candidate's ask is texted to, or ""."""
    if request.party != Party.CANDIDATE:
        return ""
    person = request.addressee
    wanted = "sms" in candidate_channels(contact_by=person.contact_by, default=default)
    return person.phone if wanted and person.consent_sms else ""


def _asked_by_email_sql(*, default: str) -> Q:
    """A request whose ask may go by email (the candidate's choice or the default)."""
    chosen = f"{_ADDRESSEE}contact_by"
    by_default = default in ("email", "both")
    return (
        Q(party=Party.CLIENT)
        | Q(**{f"{chosen}__in": ["email", "both"]})
        | (Q(**{chosen: ""}) if by_default else Q(pk__in=[]))
    )


def _asked_by_sms_sql(*, default: str) -> Q:
    chosen = f"{_ADDRESSEE}contact_by"
    by_default = default in ("sms", "both")
    wanted = Q(**{f"{chosen}__in": ["sms", "both"]}) | (
        Q(**{chosen: ""}) if by_default else Q(pk__in=[])
    )
    return (
        Q(party=Party.CANDIDATE)
        & wanted
        & Q(**{f"{_ADDRESSEE}consent_sms": True})
        & ~Q(**{f"{_ADDRESSEE}phone": ""})
    )


_RECIPIENT_PHONE = F(f"{_ADDRESSEE}phone")


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
        "agency_name": settings.AGENCY_NAME,
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
    if message.channel == OutboundMessage.Channel.SMS:
        return sms_rendered(template=f"{request.party}_{message.kind}", request=request)
    extra = (
        _answer_context(request=request)
        if message.kind == OutboundMessage.Kind.FEEDBACK_RECEIVED
        else {}
    )
    return _rendered(
        template=f"{request.party}_{message.kind}", context=_context(request=request, **extra)
    )


def sms_context(*, request: FeedbackRequest, **extra) -> dict:
    """What a text about `request` is written with: the request's context, the short
    link, and the names a text has room for."""
    context = _context(request=request, **extra)
    context["link"] = selectors.feedback_request_short_link(request=request)
    context["recruiter_name"] = context["recruiter"].full_name
    context["agency_phone"] = settings.AGENCY_PHONE
    return context


def keyword_text_context() -> dict:
    """What a text answering HELP, STOP or START is written with: no request, the
    agency only."""
    return {"agency_name": settings.AGENCY_NAME, "agency_phone": settings.AGENCY_PHONE}


def sms_rendered(*, template: str, request: FeedbackRequest, **extra) -> dict:
    """A text from the agency's wording of sms_<template> or feedback/sms/<template>.txt.
    The template may hold several versions, longest first, one a line: the first that
    fits one GSM-7 segment is sent, else the last (the shortest)."""
    text = wording_sms_render(key=f"sms_{template}", context=sms_context(request=request, **extra))
    return {"subject": "", "body_text": text, "body_html": ""}


def _rendered(*, template: str, context: dict, html: bool = True) -> dict:
    """A message's subject and bodies (no HTML body for an invite): the one place every
    message is written, from the agency's wording of `template` or its shipped files
    (feedback/wording/), with a context of plain values."""
    return wording_render(key=template, context=context, html=html)
