"""The context a message's wording sees: plain values (text, numbers, dates, and small
dicts of them), never a model row. A row would let the author walk to anything it
relates to (`request.candidate.owner.user.password`); a dict holds only what is named
here. Text is made harmless on the way: lines on one line, free text without control
characters (a name with a line break cannot add a header-like line to a plain mail)."""

import datetime as dt
import functools
from decimal import Decimal

from django.db import models
from django.utils.safestring import SafeString, mark_safe

from candidates.models import (
    Application,
    Candidate,
    Client,
    ClientContact,
    Interview,
    Position,
    Recruiter,
)
from core.text import plain_text, single_line

from ..models import Feedback

# What of each kind of row a message may print: field names, or (name, how) for a value
# that is not a plain field (a full name, a choice's label).
_SHOWN = {
    Candidate: (
        "first_name",
        "last_name",
        ("full_name", lambda c: c.full_name),
        "email",
        "phone",
        "time_zone",
        "specialty",
    ),
    Recruiter: (
        ("full_name", lambda r: r.full_name),
        ("email", lambda r: r.email),
        "office_phone",
        "cell_phone",
        "signature",
        "time_zone",
    ),
    ClientContact: ("name", "title", "email", "phone", "time_zone"),
    Client: ("name", "city"),
    Position: ("title", "location"),
    Interview: (
        "round",
        ("kind", lambda i: i.get_kind_display()),
        "location",
        "video_link",
        "interviewers",
        "time_zone",
    ),
    # Its number, for the admin link in the recruiter's mails.
    Application: ("pk",),
    Feedback: (
        "interest_level",
        ("still_interested", lambda f: f.get_still_interested_display()),
        "went_well",
        "concerns",
        "questions",
        "wants_call",
        "preferred_call_time",
        ("decision", lambda f: f.get_decision_display()),
        "rating",
        "strengths",
        "next_step",
        "next_step_date",
    ),
}
_PLAIN = (int, float, Decimal, bool, dt.date, dt.datetime, dt.timedelta, type(None))


def _text(value: str, *, free: bool) -> str:
    if isinstance(value, SafeString):
        return mark_safe(single_line(value))  # noqa: S308 - it was safe, and stays so
    return plain_text(value) if free else single_line(value)


@functools.cache
def _shown_of(kind: type) -> tuple[tuple[str, object, bool], ...] | None:
    """What a message may print of a row of `kind`: (name, how to read it or None, whether
    it is free text); None for a kind not shown. Worked out once per kind."""
    shown = next(
        (names for shown_kind, names in _SHOWN.items() if issubclass(kind, shown_kind)), None
    )
    if shown is None:
        return None
    items = []
    for item in shown:
        name, read = item if isinstance(item, tuple) else (item, None)
        free = (
            read is None
            and name != "pk"
            and isinstance(kind._meta.get_field(name), models.TextField)
        )
        items.append((name, read, free))
    return tuple(items)


def _row(row: models.Model) -> dict | None:
    shown = _shown_of(type(row))
    if shown is None:
        return None
    return {
        name: _plain(read(row) if read else getattr(row, name), free=free)
        for name, read, free in shown
    }


def _plain(value, *, free: bool = False):
    if isinstance(value, str):
        return _text(value, free=free)
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, models.Model):
        return _row(value)
    return None  # anything else is not for a message to read


def plain_context(context: dict) -> dict:
    """`context` with every value plain (see the module's doc); a row of a kind not
    listed in _SHOWN, or any other object, becomes None."""
    return {name: _plain(value) for name, value in context.items()}


def variables_of(context: dict, prefix: str = "") -> list[tuple[str, object]]:
    """The names a template may use with a plain context, e.g. `candidate.first_name`,
    each with its value, in order."""
    names = []
    for name, value in context.items():
        if isinstance(value, dict):
            names += variables_of(value, prefix=f"{prefix}{name}.")
        else:
            names.append((f"{prefix}{name}", value))
    return names
