"""How spans of time and moments read to people, the same in mail, on the timeline and on
every page; and phone numbers as links."""

import re
import zoneinfo
from datetime import datetime, timedelta

from django.utils import dateformat, timezone
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext


def duration_text(delta: timedelta | None) -> str:
    """A span as a recruiter says it: "45 min", "2 h 5 min", "2.5 days" (sign ignored;
    empty for no span)."""
    if delta is None:
        return ""
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{round(hours / 24, 1):g} days"


# --- moments ----------------------------------------------------------------------------
#
# How a moment reads, by where it is read: the product's few formats, each written once,
# here. They are Django date formats (django.utils.dateformat), so that Python
# (moment_text) and the templates ({% load moments %}{{ x|moment:"short" }}, by the names
# in MOMENT_FORMATS) read the same string.

# In a sentence, e.g. "Tuesday 3 March, 8:00 AM CST": the mails, the headings of the
# portal's and the client's answer pages, the dashboard's clock.
MOMENT_LONG = "l j F, g:i A T"
# In a row, e.g. "Tue 3 Mar, 8:00 AM CST": lists and tables, the timeline, the admin's
# columns, the client pages' rows.
MOMENT_SHORT = "D j M, g:i A T"
# The time alone, e.g. "8:00 AM", where the page already says the day.
MOMENT_TIME = "g:i A"

MOMENT_FORMATS = {"long": MOMENT_LONG, "short": MOMENT_SHORT, "time": MOMENT_TIME}


def _clock(local: datetime) -> str:
    # "g:i A": dateformat's 12-hour clock, its AM and PM translated as it does.
    return (
        f"{local.hour % 12 or 12}:{local.minute:02d} {gettext('PM' if local.hour > 11 else 'AM')}"
    )


def _zone_name(local: datetime) -> str:
    # "T": blank where the local time is ambiguous or does not exist, as dateformat has it.
    zone = local.tzinfo
    if zone is None or zone.utcoffset(local.replace(fold=not local.fold)) != zone.utcoffset(local):
        return ""
    return str(zone.tzname(local))


# Each format written directly, with dateformat's very names and rules: every mail names
# two moments, and dateformat's reading of the format a character at a time was a
# noticeable part of writing one (docs/benchmarks.md, "Delivery, third pass").
# core/tests/test_formatting.py holds both equal across zones, changes of clock and
# languages.
_WRITERS = {
    MOMENT_LONG: lambda local: (
        f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month]}, "
        f"{_clock(local)} {_zone_name(local)}"
    ),
    MOMENT_SHORT: lambda local: (
        f"{WEEKDAYS_ABBR[local.weekday()]} {local.day} {MONTHS_3[local.month].title()}, "
        f"{_clock(local)} {_zone_name(local)}"
    ),
    MOMENT_TIME: _clock,
}


def moment_written(local: datetime, form: str) -> str:
    """`local` (a moment already in the reader's zone) in `form`, as
    dateformat.format writes it."""
    writer = _WRITERS.get(form)
    return writer(local) if writer is not None else dateformat.format(local, form)


def moment_text(
    moment: datetime | None, time_zone: str | None = None, form: str = MOMENT_SHORT
) -> str:
    """A moment in `form` (one of the MOMENT_ formats) in a named time zone, or in the
    active one (the reader's, as the pages show it) when `time_zone` is None; "–" for no
    moment."""
    if moment is None:
        return "–"
    zone = zoneinfo.ZoneInfo(time_zone) if time_zone else timezone.get_current_timezone()
    return moment_written(moment.astimezone(zone), form)


def tel_uri(phone: str | None) -> str:
    """A phone number as a tel: URI, e.g. "+1 312 555-0199" -> "tel:+13125550199" (empty
    for no number)."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    return f"tel:{digits}" if digits else ""
