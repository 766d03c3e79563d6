"""The recruiter's admin site: Django's admin, branded "TVR Recruiter", whose index is the
recruiter's day (feedback.selectors.dashboard_get), plus the page every one-object action
uses (a confirmation or a small form, then a service call).

The apps register their ModelAdmins on Django's default site as usual (`@admin.register`);
this site serves all of them (see `adopt`, called where the URLs are mounted), so an app
needs to know nothing about it. It serves each with the input checks of
tvr_site.admin_input, Django's own (users, groups) included.
"""

from functools import wraps

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import Media
from django.http import Http404
from django.shortcuts import get_object_or_404, resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from feedback import charts, selectors

from .admin_input import checked_admin_class, field_value, refuse_nul


class RecruiterAdminSite(admin.AdminSite):
    site_header = "TVR Recruiter"
    site_title = "TVR Recruiter"
    index_title = "Recruiter desk"
    index_template = "admin/tvr/dashboard.html"

    def adopt(self, site: admin.AdminSite) -> None:
        """Serve every model registered on `site` and not (yet) here, with its ModelAdmin
        (and the input checks of CheckedInputMixin)."""
        for model, model_admin in list(site._registry.items()):
            if not self.is_registered(model):
                self.register(model, checked_admin_class(type(model_admin)))

    def admin_view(self, view, cacheable=False):
        """Every admin page (lists, forms, actions, autocomplete) refuses a NUL byte in
        its query string with a 400 (see admin_input.refuse_nul)."""
        checked = super().admin_view(view, cacheable)

        @wraps(checked)
        def inner(request, *args, **kwargs):
            refuse_nul(request)
            return checked(request, *args, **kwargs)

        return inner

    def index(self, request, extra_context=None):
        """The dashboard: the signed-in recruiter's desk, or everyone's (?desk=everyone)."""
        everyone = request.GET.get("desk") == "everyone"
        dashboard = selectors.dashboard_get(user=request.user, everyone=everyone)
        owner = dashboard.recruiter
        figures = dashboard.charts
        site_context = self.each_context(request)
        context = {
            **site_context,
            "title": f"{owner.full_name}’s day" if owner else "Everyone’s day",
            "subtitle": None,
            # each_context has built it (Django's index builds it a second time).
            "app_list": site_context["available_apps"],
            "dashboard": dashboard,
            "response_chart": charts.bar_chart_svg(
                bars=figures.response_times.bars,
                label="Time from interview end to the candidate's answer, last 30 days",
            ),
            "interest_chart": charts.bar_chart_svg(
                bars=figures.interest_spread,
                label="Applications in process by interest level",
            ),
            **(extra_context or {}),
        }
        request.current_app = self.name
        return TemplateResponse(request, self.index_template, context)


site = RecruiterAdminSite(name="admin")


# --- one-object actions -----------------------------------------------------------------


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
