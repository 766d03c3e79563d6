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
from django.template.response import TemplateResponse

from core.admin_input import checked_admin_class, refuse_nul
from feedback import charts, selectors


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
