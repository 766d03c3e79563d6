from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("f/<str:token>/", views.feedback_form, {"party": "candidate"}, name="feedback"),
    path("s/<str:code>/", views.short_link, name="short"),
    path("f/<str:token>/thanks/", views.feedback_thanks, {"party": "candidate"}, name="thanks"),
]
