"""How spans of time and moments read to people, the same in mail, on the timeline and on
every page; and phone numbers as links."""

import re
import zoneinfo
from datetime import timedelta


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


def local_text(moment, time_zone: str) -> str:
    """A moment in a named time zone, saying which: "Tue 03 Mar 2026 09:00 CST" ("–" for
    no moment)."""
    if moment is None:
        return "–"
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone)).strftime("%a %d %b %Y %H:%M %Z")


def tel_uri(phone: str | None) -> str:
    """A phone number as a tel: URI, e.g. "+1 312 555-0199" -> "tel:+13125550199" (empty
    for no number)."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    return f"tel:{digits}" if digits else ""
