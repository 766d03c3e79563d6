"""Writing a message from its wording: the agency's row where it has one, else the
shipped file; compiled by the sandboxed engine, rendered from plain values. The HTML body
is the part inside the mail's layout (templates/feedback/email/base.html), which stays
ours."""

import contextlib
from contextvars import ContextVar

from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe

from ..sms.segments import gsm7_text, segments
from .catalog import BY_KEY, HTML, PART_FILES, SUBJECT, TEXT
from .context import plain_context
from .engine import wording_compile
from .models import MessageWording

LAYOUT = "feedback/email/base.html"

# The agency's wording as read once for a run of messages (see wording_read_once); None
# outside such a run.
_read_once: ContextVar[dict | None] = ContextVar("wording_read_once", default=None)


@contextlib.contextmanager
def wording_read_once():
    """Within: the agency's wording is read once, when the first message is written, for
    every message written in the run (a delivery task's), instead of once a message. A
    change saved meanwhile applies from the next run on."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def _wording_row(key: str) -> MessageWording | None:
    run = _read_once.get()
    if run is None:
        return MessageWording.objects.filter(key=key).first()
    if "rows" not in run:
        run["rows"] = {row.key: row for row in MessageWording.objects.all()}
    return run["rows"].get(key)


def shipped_source(*, key: str, part: str) -> str:
    """The text of a part as shipped (templates/feedback/email/<key><part file>, or
    templates/feedback/sms/<name>.txt for a text)."""
    wording = BY_KEY.get(key)
    if wording is not None and wording.sms:
        return get_template(f"feedback/sms/{wording.sms}.txt").template.source
    return get_template(f"feedback/email/{key}{PART_FILES[part]}").template.source


def _render_part(source: str, context: dict, *, part: str) -> str:
    # A mail's text and subject are plain text: nothing in them is HTML-escaped.
    return wording_compile(source).render(Context(context, autoescape=part == HTML))


def wording_sources(*, key: str, parts: tuple[str, ...], row: MessageWording | None) -> dict:
    """The source of each part: the row's where it is not blank, else the shipped file's."""
    return {
        part: (getattr(row, part) if row is not None else "") or shipped_source(key=key, part=part)
        for part in parts
    }


def wording_render_sources(*, sources: dict, context: dict) -> dict:
    """Subject, text and HTML written from `sources` (a part not among them is empty:
    an invite has no HTML), with a context of plain values (see .context)."""
    plain = plain_context(context)
    written = {SUBJECT: "", TEXT: "", HTML: ""}
    if SUBJECT in sources:
        written[SUBJECT] = " ".join(_render_part(sources[SUBJECT], plain, part=SUBJECT).split())
    if TEXT in sources:
        written[TEXT] = _render_part(sources[TEXT], plain, part=TEXT)
    if HTML in sources:
        inner = _render_part(sources[HTML], plain, part=HTML)
        written[HTML] = render_to_string(
            LAYOUT,
            # The inner part was escaped by the engine as it was written.
            {"content": mark_safe(inner), "recruiter": plain.get("recruiter")},  # noqa: S308
        )
    return written


def wording_render(*, key: str, context: dict, html: bool = True) -> dict:
    """The message `key` (e.g. "candidate_request") written for `context`: the parts
    its catalog entry has (all three for a message the catalog does not list)."""
    wording = BY_KEY.get(key)
    parts = wording.parts if wording else (SUBJECT, TEXT, HTML)
    if not html:
        parts = tuple(part for part in parts if part != HTML)
    row = _wording_row(key)
    return wording_render_sources(
        sources=wording_sources(key=key, parts=parts, row=row), context=context
    )


def sms_versions(text: str) -> list[tuple[str, int]]:
    """The versions of a written text (one a line, longest first), each with the
    segments it costs."""
    versions = [gsm7_text(line.strip()) for line in text.splitlines() if line.strip()]
    return [(version, segments(version)) for version in versions]


def sms_chosen(versions: list[tuple[str, int]]) -> str:
    """The version sent: the first that fits one segment, else the last (the shortest)."""
    fitting = [version for version, count in versions if count == 1]
    return fitting[0] if fitting else (versions[-1][0] if versions else "")


def wording_sms_render(*, key: str, context: dict) -> str:
    """The text `key` (e.g. "sms_candidate_request") written for `context` from the
    agency's wording or the shipped file: the version that is sent."""
    text = wording_render(key=key, context=context, html=False)[TEXT]
    return sms_chosen(sms_versions(text))
