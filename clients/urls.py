"""The client pages under /clients/: sign-in, the client's own pages, and the signed
feedback links that open one request without signing in."""

from django.urls import path

from feedback import views as link_views

from . import views

app_name = "clients"

urlpatterns = [
    # Signing in (public).
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("welcome/<uidb64>/<token>/", views.InvitationAcceptView.as_view(), name="invitation"),
    # The signed-in contact's pages (client_contact_required).
    path("", views.home, name="home"),
    path("positions/<int:position_id>/", views.position_detail, name="position"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:request_id>/", views.request_answer, name="request"),
    # A signed link opens its one request, without signing in.
    path(
        "feedback/<str:token>/",
        link_views.feedback_form,
        {"party": "client"},
        name="feedback",
    ),
    path(
        "feedback/<str:token>/thanks/",
        link_views.feedback_thanks,
        {"party": "client"},
        name="thanks",
    ),
]
