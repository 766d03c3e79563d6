from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication

from . import views
from .authentication import ApiKeyAuthentication
from .permissions import StaffOrApiKey

app_name = "api"

# The schema and its page: for a key, or for staff signed in to the admin (the page's
# own requests carry the admin's session). Swagger UI's files are served from here, its
# start-up script from a URL of its own (no inline script: the site's CSP forbids it).
_DOCS = {
    "authentication_classes": [ApiKeyAuthentication, SessionAuthentication],
    "permission_classes": [StaffOrApiKey],
}

v1 = [
    path("clients/", views.ClientsApi.as_view(), name="clients"),
    path("clients/<int:pk>/", views.ClientApi.as_view(), name="client"),
    path("contacts/", views.ContactsApi.as_view(), name="contacts"),
    path("contacts/<int:pk>/", views.ContactApi.as_view(), name="contact"),
    path("positions/", views.PositionsApi.as_view(), name="positions"),
    path("positions/<int:pk>/", views.PositionApi.as_view(), name="position"),
    path("candidates/", views.CandidatesApi.as_view(), name="candidates"),
    path("candidates/<int:pk>/", views.CandidateApi.as_view(), name="candidate"),
    path("applications/", views.ApplicationsApi.as_view(), name="applications"),
    path("applications/<int:pk>/", views.ApplicationApi.as_view(), name="application"),
    path(
        "applications/<int:pk>/withdraw/",
        views.ApplicationWithdrawApi.as_view(),
        name="application-withdraw",
    ),
    path(
        "applications/<int:pk>/timeline/",
        views.ApplicationTimelineApi.as_view(),
        name="application-timeline",
    ),
    path("interviews/", views.InterviewsApi.as_view(), name="interviews"),
    path("interviews/<int:pk>/", views.InterviewApi.as_view(), name="interview"),
    path(
        "interviews/<int:pk>/reschedule/",
        views.InterviewRescheduleApi.as_view(),
        name="interview-reschedule",
    ),
    path(
        "interviews/<int:pk>/complete/",
        views.InterviewCompleteApi.as_view(),
        name="interview-complete",
    ),
    path(
        "interviews/<int:pk>/cancel/", views.InterviewCancelApi.as_view(), name="interview-cancel"
    ),
    path("feedback-requests/", views.FeedbackRequestsApi.as_view(), name="feedback-requests"),
    path(
        "feedback-requests/<int:pk>/",
        views.FeedbackRequestApi.as_view(),
        name="feedback-request",
    ),
    path("answers/", views.AnswersApi.as_view(), name="answers"),
    path("answers/<int:pk>/", views.AnswerApi.as_view(), name="answer"),
    path("timeline/", views.TimelineApi.as_view(), name="timeline"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(**_DOCS), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html", **_DOCS
        ),
        name="docs",
    ),
]
