from django.urls import path

from . import views

app_name = "clients"

urlpatterns = [
    path("feedback/<str:token>/", views.feedback_form, {"party": "client"}, name="feedback"),
    path("feedback/<str:token>/thanks/", views.feedback_thanks, {"party": "client"}, name="thanks"),
]
