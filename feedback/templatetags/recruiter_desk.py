"""Small formatting for the recruiter's admin pages."""

import re
from datetime import timedelta

from django import template

from feedback.formatting import duration_text

register = template.Library()


@register.filter
def duration(delta: timedelta | None) -> str:
    return duration_text(delta)


@register.filter
def tel(phone: str | None) -> str:
    """A phone number as a tel: URI, e.g. "+1 312 555-0199" -> "tel:+13125550199"."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    return f"tel:{digits}" if digits else ""


@register.filter
def is_negative(delta: timedelta | None) -> bool:
    return bool(delta is not None and delta < timedelta(0))
