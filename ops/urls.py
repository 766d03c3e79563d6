from django.urls import path

from . import views

app_name = "ops"

urlpatterns = [
    path("health/", views.liveness, name="liveness"),
    path("health/ready/", views.ReadinessView.as_view(), name="readiness"),
    path("health/loop/", views.loop_detail, name="loop"),
    path("metrics", views.metrics, name="metrics"),
]
