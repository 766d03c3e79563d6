"""The agency's wording of its messages (feedback/wording/): saved only when every part
compiles in the sandboxed engine (a broken one is refused with the error, never met at
send time), reset to the shipped files, and previewed on a real request with the
variables it may use."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from ..models import REQUEST_PEOPLE, Feedback, FeedbackRequest, OutboundMessage, Party
from ..wording.catalog import BY_KEY, KEYWORD_TEXTS, TEXT, Wording
from ..wording.context import plain_context, variables_of
from ..wording.engine import wording_error
from ..wording.models import MessageWording
from ..wording.rendering import (
    shipped_source,
    sms_chosen,
    sms_versions,
    wording_render_sources,
    wording_sources,
)
from .invites import invite_context
from .messages import _answer_context, _context, _recruiter_for, keyword_text_context, sms_context

Kind = OutboundMessage.Kind


def _wording(key: str) -> Wording:
    try:
        return BY_KEY[key]
    except KeyError:
        raise ValidationError({"key": f"No message is called {key!r}."}) from None


def message_wording_errors(*, key: str, sources: dict[str, str]) -> dict[str, str]:
    """Why each given part cannot be used (syntax, an unknown or refused tag or filter),
    by part; {} when all can. A blank part stands for the shipped file."""
    wording = _wording(key)
    errors = {}
    for part in wording.parts:
        source = sources.get(part) or ""
        if source and (error := wording_error(source)):
            errors[part] = f"This template cannot be used: {error}"
    return errors


@transaction.atomic
def message_wording_save(*, key: str, sources: dict[str, str], actor=None) -> MessageWording:
    """Store the agency's wording of `key`. Raises ValidationError (by part, nothing
    stored) if a part does not compile. A part left blank, or the same as the shipped
    file, follows the shipped file."""
    wording = _wording(key)
    if errors := message_wording_errors(key=key, sources=sources):
        raise ValidationError(errors)
    values = {}
    for part in ("subject", "body_text", "body_html"):
        source = (sources.get(part) or "") if part in wording.parts else ""
        same = source.strip() == shipped_source(key=key, part=part).strip() if source else True
        values[part] = "" if same else source
    row, _ = MessageWording.objects.update_or_create(
        key=key, defaults={**values, "updated_by": actor}
    )
    return row


def message_wording_reset(*, key: str) -> bool:
    """Back to the shipped files. True if there was wording of the agency's to drop."""
    _wording(key)
    deleted, _ = MessageWording.objects.filter(key=key).delete()
    return bool(deleted)


@dataclass
class Preview:
    request: FeedbackRequest | None
    written: dict | None
    variables: list[tuple[str, object]]
    sources: dict
    # A text's versions as written, each with its segments, and the one sent.
    versions: list[tuple[str, int]] = field(default_factory=list)
    chosen: str = ""


def _preview_request(wording: Wording) -> FeedbackRequest | None:
    """The latest real request the message could be about (one with an answer, for the
    messages that report one)."""
    requests = FeedbackRequest.objects.select_related(*REQUEST_PEOPLE).filter(party=wording.party)
    if wording.kind in (Kind.FEEDBACK_RECEIVED, Kind.DEBRIEF_ALERT):
        requests = requests.filter(answers__is_current=True)
    return requests.order_by("-pk").first()


def _current_answer(request: FeedbackRequest, party: str) -> Feedback | None:
    return Feedback.objects.filter(
        request__interview=request.interview_id, request__party=party, is_current=True
    ).first()


def message_wording_context(*, key: str, request: FeedbackRequest) -> dict:
    """The context the message `key` is written with, for `request`: the same names
    the loop gives it when it sends one."""
    wording = _wording(key)
    kind = wording.kind
    if wording.sms in KEYWORD_TEXTS:
        return keyword_text_context()
    if wording.sms:
        return sms_context(request=request)
    if kind in (Kind.INVITE, Kind.INVITE_CANCELLED):
        return invite_context(request=request)
    if kind == Kind.FEEDBACK_RECEIVED:
        return _context(request=request, **_answer_context(request=request))
    if kind == Kind.DEBRIEF_ALERT:
        return _context(
            request=request,
            reason="(why the two sides disagree)",
            candidate_feedback=_current_answer(request, Party.CANDIDATE),
            client_feedback=_current_answer(request, Party.CLIENT),
        )
    if kind in (Kind.INVITATION, Kind.PASSWORD_RESET):
        # A client contact's own mails (clients.services): no request, a contact.
        contact = request.interview.application.position.hiring_contact
        return {
            "contact": contact,
            "client": contact.client,
            "recruiter": _recruiter_for(request),
            "email": contact.email,
            "link": f"{settings.SITE_URL}/clients/…/ (the contact's own set-password link)",
            "login_url": settings.SITE_URL + reverse("clients:login"),
            "valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600),
        }
    return _context(request=request)


def message_wording_preview(*, key: str, sources: dict[str, str] | None = None) -> Preview:
    """`key` written on the latest real request, from `sources` (unsaved text; a blank
    part is the shipped file) or else the wording in force. Raises ValidationError if a
    given part does not compile."""
    wording = _wording(key)
    if sources is None:
        row = MessageWording.objects.filter(key=key).first()
        sources = wording_sources(key=key, parts=wording.parts, row=row)
    else:
        if errors := message_wording_errors(key=key, sources=sources):
            raise ValidationError(errors)
        sources = {
            part: sources.get(part) or shipped_source(key=key, part=part) for part in wording.parts
        }
    request = _preview_request(wording)
    if request is None:
        return Preview(request=None, written=None, variables=[], sources=sources)
    context = message_wording_context(key=key, request=request)
    written = wording_render_sources(sources=sources, context=context)
    preview = Preview(
        request=request,
        written=written,
        variables=variables_of(plain_context(context)),
        sources=sources,
    )
    if wording.sms:
        preview.versions = sms_versions(written[TEXT])
        preview.chosen = written[TEXT] = sms_chosen(preview.versions)
    return preview
