"""The engine the agency's wording renders in: Django's template language without the
tags that reach outside the text (include, extends, load, debug, url, csrf_token, …).
A template that does not compile here is refused when it is saved, with the error."""

import functools

from django.template import Engine, Template, TemplateSyntaxError, defaulttags
from django.template.library import Library

# Tags the authors may use: flow and formatting only. Everything else is an "invalid
# block tag" at compile time, so nothing reaches another file, a tag library, the URL
# map or a dump of the context.
ALLOWED_TAGS = (
    "autoescape",
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "now",
    "regroup",
    "resetcycle",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)
# Every default filter but the one that prints a value's repr (pprint).
REFUSED_FILTERS = ("pprint",)


def _library() -> Library:
    from django.template import defaultfilters

    library = Library()
    library.tags.update({name: defaulttags.register.tags[name] for name in ALLOWED_TAGS})
    library.filters.update(
        {
            name: function
            for name, function in defaultfilters.register.filters.items()
            if name not in REFUSED_FILTERS
        }
    )
    return library


class _WordingEngine(Engine):
    # Engine adds Django's default tag libraries (with include, extends, load) to any
    # `builtins`; this one starts from none.
    default_builtins = []


ENGINE = _WordingEngine(libraries={}, loaders=[], debug=False, string_if_invalid="")
ENGINE.template_builtins = [_library()]


@functools.lru_cache(maxsize=512)
def wording_compile(source: str) -> Template:
    """The compiled template of `source` (kept: the same text compiles once per process).
    Raises TemplateSyntaxError for a broken template or a refused tag or filter."""
    return Template(source, engine=ENGINE)


def wording_error(source: str) -> str | None:
    """Why `source` cannot be used as a message's text, or None if it can."""
    try:
        wording_compile(source)
    except TemplateSyntaxError as exc:
        return str(exc)
    return None
