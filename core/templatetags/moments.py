"""The product's moment formats (core.formatting.MOMENT_FORMATS) for the templates:
{% load moments %}{{ interview.starts_at|moment:"long" }}, in the active time zone (the
reader's, or the one a {% timezone %} block sets), as Django's own "date" filter."""

from django import template

from core.formatting import MOMENT_FORMATS, moment_written

register = template.Library()


@register.filter(expects_localtime=True)
def moment(value, form: str = "short") -> str:
    """The moment as MOMENT_FORMATS[form] says ("short", "long" or "time"); empty for
    none, so that |default can follow."""
    if value in (None, ""):
        return ""
    return moment_written(value, MOMENT_FORMATS[form])
