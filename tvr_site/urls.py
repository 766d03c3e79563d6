from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "TVR Recruiter"
admin.site.site_title = "TVR Recruiter"
admin.site.index_title = "Recruiter desk"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("portal/", include("feedback.urls_portal")),
    path("clients/", include("feedback.urls_clients")),
]
