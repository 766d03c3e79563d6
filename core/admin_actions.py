"""The page every one-object admin action uses (a confirmation or a small form, then a
service call), and the small helpers around it: links to an object's page, where to go
back to after an action, and a change form whose save a service may refuse."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms import Media
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from .admin_input import field_value


def next_url(request, default: str) -> str:
    """Where to go after an action: a safe `next` (GET or POST), else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)


def object_or_404(queryset, object_id: str):
    """The row of `queryset` whose id is `object_id` (from the URL of a one-object
    action), else Http404: also when it is no id at all ("abc", a number past bigint),
    which the query would have failed on."""
    try:
        pk = field_value(queryset.model._meta.pk, object_id)
    except ValidationError:
        raise Http404(f"No such {queryset.model._meta.verbose_name}.") from None
    return get_object_or_404(queryset, pk=pk)


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def admin_link(obj, label=None) -> str:
    """A link to an object's admin change page ("–" for no object)."""
    if obj is None:
        return "–"
    return format_html('<a href="{}">{}</a>', change_url(obj), label or obj)


def with_next(url: str, next_to: str) -> str:
    """`url` with where to go back to afterwards (read by `next_url`)."""
    return f"{url}?{urlencode({'next': next_to})}"


def action_page(
    request,
    model_admin: admin.ModelAdmin,
    obj,
    *,
    title: str,
    intro: str = "",
    form=None,
    submit: str = "Confirm",
    danger: bool = False,
    aside=None,
    template: str = "admin/tvr/action.html",
) -> TemplateResponse:
    """The page of a one-object action: what it will do, its form if any, one button."""
    media = model_admin.media + (form.media if form is not None else Media())
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": str(obj),
        "opts": model_admin.opts,
        "original": obj,
        "intro": intro,
        "form": form,
        "submit": submit,
        "danger": danger,
        "aside": aside,
        "media": media,
        "next": next_url(request, change_url(obj)),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, template, context)


class ServiceRefusalMixin:
    """For a ModelAdmin whose save calls a service that may refuse what the form allowed
    (ValidationError), e.g. because someone changed the row meanwhile: the admin's
    transaction is rolled back (nothing changed), and the refusal is shown on the page
    it came from instead of an error page."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refusal:
            self.message_user(request, " ".join(refusal.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def carry_out(
    model_admin: admin.ModelAdmin,
    request,
    obj,
    action: Callable[[], object],
    *,
    done: Callable[[object], str],
    refusals: tuple[type[Exception], ...] = (ValidationError,),
    back_to: str | None = None,
) -> HttpResponseRedirect:
    """A one-object action's POST: call its service (`action`); say what it did
    (`done(result)`) or why it refused (a ValidationError, or one of `refusals`), then go
    back to `next`, else `back_to`, else the object's page. The service decides; the page
    only reports."""
    try:
        result = action()
    except refusals as refusal:
        text = " ".join(getattr(refusal, "messages", None) or [str(refusal)])
        model_admin.message_user(request, text, messages.ERROR)
    else:
        model_admin.message_user(request, done(result), messages.SUCCESS)
    return HttpResponseRedirect(next_url(request, back_to or change_url(obj)))
