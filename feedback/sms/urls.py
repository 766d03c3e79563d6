from django.urls import path

from . import views

urlpatterns = [
    path("twilio/", views.twilio_inbound, name="sms_twilio_inbound"),
    path("twilio/status/", views.twilio_status, name="sms_twilio_status"),
]
