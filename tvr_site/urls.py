from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from tvr_site.admin_site import site as recruiter_site

# The apps (and django.contrib.auth) register on Django's default site; the recruiter's
# site, with the dashboard as its index, serves all of them under the same "admin:" names.
recruiter_site.adopt(admin.site)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", recruiter_site.urls),
    path("portal/", include("feedback.urls_portal")),
    path("clients/", include("clients.urls")),
    path("api/", include("api.urls")),
    # Providers' webhooks, each verified by its signature (docs/channels.md).
    path("hooks/sms/", include("feedback.sms.urls")),
    path("hooks/email/", include("feedback.inbound.email")),
    path("", include("ops.urls")),
]
