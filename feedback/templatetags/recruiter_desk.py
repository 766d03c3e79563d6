"""Small formatting for the recruiter's admin pages."""

import re
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration(delta: timedelta | None) -> str:
    """A span as a recruiter says it: "45 min", "2 h 5 min", "3 days" (sign ignored)."""
    if delta is None:
        return ""
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


@register.filter
def tel(phone: str | None) -> str:
    """A phone number as a tel: URI, e.g. "+1 312 555-0199" -> "tel:+13125550199"."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    return f"tel:{digits}" if digits else ""


@register.filter
def is_negative(delta: timedelta | None) -> bool:
    return bool(delta is not None and delta < timedelta(0))
