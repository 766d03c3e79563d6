"""Helpers for the tests of the recruiter admin's pages, whichever app holds the page:
their URLs, the values a browser would post from a page's form, the demo's interviews."""

import datetime as dt
from html.parser import HTMLParser

from django.urls import reverse

from candidates.models import Interview


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


class FormReader(HTMLParser):
    """The values a browser would post from the page's main form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = self._textarea = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


def form_data(response) -> dict:
    reader = FormReader()
    reader.feed(response.content.decode())
    data = {name: values if len(values) > 1 else values[0] for name, values in reader.data.items()}
    data.pop("csrfmiddlewaretoken", None)
    data.pop("q", None)  # the admin's search box, when there is one
    return data


def split(moment: dt.datetime, name: str) -> dict:
    """The admin's date and time inputs for a moment (the site's time zone is UTC)."""
    return {f"{name}_0": f"{moment:%Y-%m-%d}", f"{name}_1": f"{moment:%H:%M:%S}"}


def interview_of(first_name: str) -> Interview:
    """The demo candidate's latest interview (some have had an earlier round)."""
    return Interview.objects.filter(application__candidate__first_name=first_name).latest(
        "starts_at"
    )
