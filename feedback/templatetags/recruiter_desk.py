"""Small formatting for the recruiter's admin pages."""

import functools
from datetime import timedelta

from django import template
from django.urls import get_script_prefix, reverse

from core.formatting import duration_text, tel_uri

from ..rules import interest_band_for

register = template.Library()


@register.filter
def duration(delta: timedelta | None) -> str:
    return duration_text(delta)


@register.filter
def tel(phone: str | None) -> str:
    """A phone number as a tel: URI, e.g. "+1 312 555-0199" -> "tel:+13125550199"."""
    return tel_uri(phone)


@register.filter
def interest_band(level: int | None) -> str:
    """An interest level's band (high, moderate, low; unknown for none), e.g. for a CSS
    class: {{ answer.interest_level|interest_band }}."""
    return interest_band_for(level)


@register.filter
def is_negative(delta: timedelta | None) -> bool:
    return bool(delta is not None and delta < timedelta(0))


# A number no object has, to reverse an object URL once per view name and prefix.
_SENTINEL = "9081726354"


@functools.cache
def _url_with_sentinel(view_name: str, script_prefix: str) -> str:
    return reverse(view_name, args=[_SENTINEL])


@register.filter
def object_url(pk, view_name: str) -> str:
    """{% url view_name pk %} for a view that takes one object's pk, e.g.
    {{ r.pk|object_url:"admin:feedback_feedbackrequest_change" }}. The dashboard links
    every row it shows, and reversing a URL per row made a large part of the page's
    rendering; this reverses once per view name (docs/benchmarks.md)."""
    return _url_with_sentinel(view_name, get_script_prefix()).replace(_SENTINEL, str(int(pk)))
