"""The recruiter's admin site: Django's admin, branded "TVR Recruiter", whose index is the
recruiter's day (feedback.selectors.dashboard_get), plus the page every one-object action
uses (a confirmation or a small form, then a service call).

The apps register their ModelAdmins on Django's default site as usual (`@admin.register`);
this site serves all of them (see `adopt`, called where the URLs are mounted), so an app
needs to know nothing about it. It serves each with the input checks of
core.admin_input, Django's own (users, groups) included.
"""

from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.admin_input import checked_admin_class, refuse_nul
from core.two_factor import second_factor_url
from feedback import charts, selectors
from feedback.roles import is_recruiter

from . import two_factor


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

    def has_permission(self, request):
        """Staff who have passed the second factor and hold the recruiter role."""
        user = request.user
        return super().has_permission(request) and user.is_verified() and is_recruiter(user)

    def admin_view(self, view, cacheable=False):
        """Every admin page (lists, forms, actions, autocomplete): a staff session that has
        not passed the second factor goes to it first; staff without the recruiter role
        get 403 (not the login page again: they are signed in); a NUL byte in the query
        string gets a 400 (see admin_input.refuse_nul)."""
        checked = super().admin_view(view, cacheable)

        @wraps(checked)
        def inner(request, *args, **kwargs):
            refuse_nul(request)
            user = request.user
            signing_out = request.resolver_match and request.resolver_match.url_name == "logout"
            if user.is_active and user.is_staff and not signing_out:
                if not user.is_verified():
                    return redirect(second_factor_url(request))
                if not is_recruiter(user):
                    raise PermissionDenied("the recruiter desk is for recruiters")
            return checked(request, *args, **kwargs)

        return inner

    def get_urls(self):
        # The second factor's pages: for signed-in staff who have not passed it yet, so
        # outside admin_view.
        return [
            path("two-factor/enrol/", two_factor.enrol, {"site": self}, name="two_factor_enrol"),
            path("two-factor/code/", two_factor.verify, {"site": self}, name="two_factor_verify"),
            *super().get_urls(),
        ]

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
# The authenticators' list with the reset action (instead of django-otp's own).
site.register(TOTPDevice, checked_admin_class(two_factor.AuthenticatorAdmin))
