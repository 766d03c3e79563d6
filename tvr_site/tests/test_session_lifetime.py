"""Sessions end on their own: a staff session 12 hours after signing in or after an hour
idle, a client contact's after 8 hours idle."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import personas

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
CLIENT_HOME = reverse("clients:home")


def signed_in(persona) -> bool:
    return "_auth_user_id" in persona.session


def test_a_staff_session_ends_after_an_hour_idle(clock):
    recruiter = personas.recruiter("recruiter")
    clock.shift(dt.timedelta(minutes=59))
    assert recruiter.get(INDEX).status_code == 200
    clock.shift(dt.timedelta(minutes=61))
    response = recruiter.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not signed_in(recruiter)


def test_a_busy_staff_session_still_ends_twelve_hours_after_signing_in(clock):
    recruiter = personas.recruiter("recruiter")
    answers = []
    for _ in range(15):  # a request every 50 minutes: 11 h 40 min, then 12 h 30 min
        clock.shift(dt.timedelta(minutes=50))
        answers.append(recruiter.get(INDEX).status_code)
    assert answers == [200] * 14 + [302]
    assert not signed_in(recruiter)


def test_a_client_session_lasts_through_a_working_day_but_not_eight_hours_idle(clock):
    contact = personas.client_contact("client", email="hiring@prairie.example")
    for _ in range(12):  # a request every 7 hours: more than 12 hours in all
        clock.shift(dt.timedelta(hours=7))
        assert contact.get(CLIENT_HOME).status_code == 200
    clock.shift(dt.timedelta(hours=8, minutes=1))
    assert contact.get(CLIENT_HOME).status_code == 302
    assert not signed_in(contact)
