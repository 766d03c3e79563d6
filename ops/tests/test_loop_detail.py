"""/health/loop/: the loop's detail, for recruiters and administrators only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ops.heartbeat import worker_heartbeat_beat
from tests import personas
from tests.factories import UserFactory

from .conftest import queued_message

LOOP = reverse("ops:loop")

pytestmark = pytest.mark.django_db


def test_a_recruiter_reads_the_loops_detail(recruiter, swept, clock):
    worker_heartbeat_beat(hostname="worker@host-a")
    queued_message(due_at=timezone.now() - dt.timedelta(seconds=30))
    queued_message(due_at=timezone.now() - dt.timedelta(seconds=10))
    clock.shift(dt.timedelta(seconds=4))

    response = recruiter.get(LOOP)

    assert response.status_code == 200
    detail = response.json()
    assert detail["healthy"] is True
    assert detail["problems"] == []
    assert detail["last_sweep_age_seconds"] == 4.0
    assert detail["queued_messages"] == 2
    assert detail["oldest_queued_age_seconds"] == 34.0
    assert detail["workers_seen_last_minute"] == 1
    assert detail["workers"] == ["worker@host-a"]


def test_the_detail_says_why_the_loop_is_unhealthy(recruiter, swept, clock):
    clock.shift(dt.timedelta(minutes=10))
    response = recruiter.get(LOOP)
    assert response.status_code == 503
    assert response.json()["problems"] == ["no sweep has finished for 600 s"]


def test_a_superuser_reads_it_too(db, swept):
    assert personas.administrator().get(LOOP).status_code == 200


def test_a_superuser_without_the_second_factor_is_refused(db, swept):
    admin = personas.signed_in_by_force(
        "administrator", UserFactory(is_staff=True, is_superuser=True)
    )
    assert admin.get(LOOP).status_code == 403


def test_anonymous_is_sent_to_sign_in(anonymous):
    response = anonymous.get(LOOP)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_the_recruiter_role_is_refused(db, swept):
    staff = personas.signed_in_by_force("staff, not a recruiter", UserFactory(is_staff=True))
    assert staff.get(LOOP).status_code == 403


def test_a_client_contact_is_refused(client_a, swept):
    assert client_a.get(LOOP).status_code == 403
