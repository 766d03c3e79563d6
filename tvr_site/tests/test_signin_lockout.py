"""Both sign-ins lock out after five wrong passwords, per account and per address (either
trips it), for a quarter of an hour; the lockouts are listed, and cleared, in the admin."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse

from tests import personas
from tests.factories import PASSWORD, UserFactory, contact_with_login, recruiter_with_login

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = reverse("admin:login")
CLIENT_LOGIN = reverse("clients:login")


def sign_in(client, url, username, password, ip="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_admin_sign_in_locks_an_account_after_five_wrong_passwords(anonymous):
    user = recruiter_with_login().user
    with time_machine.travel(dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC), tick=False) as clock:
        # From five addresses: the account's own count trips it, at the fifth.
        answers = [
            sign_in(anonymous, ADMIN_LOGIN, user.username, "wrong", f"10.0.0.{n}").status_code
            for n in range(5)
        ]
        assert answers == [200, 200, 200, 200, 429]
        locked = sign_in(anonymous, ADMIN_LOGIN, user.username, PASSWORD, "10.0.0.9")
        assert locked.status_code == 429
        assert "Try again in 15 minutes" in locked.content.decode()
        assert "_auth_user_id" not in anonymous.session  # the right password, refused

        clock.shift(dt.timedelta(minutes=16))
        assert (
            sign_in(anonymous, ADMIN_LOGIN, user.username, PASSWORD, "10.0.0.9").status_code == 302
        )


def test_the_admin_sign_in_locks_an_address_after_five_wrong_passwords(anonymous):
    user = recruiter_with_login().user
    answers = [  # five accounts, one address
        sign_in(anonymous, ADMIN_LOGIN, f"guess{n}", "wrong").status_code for n in range(5)
    ]
    assert answers == [200, 200, 200, 200, 429]
    assert sign_in(anonymous, ADMIN_LOGIN, user.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in anonymous.session
    # From elsewhere the account is fine.
    assert sign_in(anonymous, ADMIN_LOGIN, user.username, PASSWORD, "10.0.0.2").status_code == 302


def test_the_client_sign_in_counts_an_address_in_any_letter_case_as_one_account(anonymous):
    contact = contact_with_login(email="tom@prairie.example")
    typed = ["tom@prairie.example", "TOM@prairie.example", " Tom@Prairie.Example"] * 2
    answers = [
        sign_in(anonymous, CLIENT_LOGIN, email, "wrong", f"10.0.0.{n}").status_code
        for n, email in enumerate(typed[:5])
    ]
    assert answers == [200, 200, 200, 200, 429]
    locked = sign_in(anonymous, CLIENT_LOGIN, contact.email, PASSWORD, "10.0.0.9")
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    assert "_auth_user_id" not in anonymous.session


def test_the_client_sign_in_locks_an_address_after_five_wrong_passwords(anonymous):
    contact = contact_with_login(email="tom@prairie.example")
    for n in range(5):
        sign_in(anonymous, CLIENT_LOGIN, f"guess{n}@prairie.example", "wrong")
    assert sign_in(anonymous, CLIENT_LOGIN, contact.email, PASSWORD).status_code == 429
    assert "_auth_user_id" not in anonymous.session


def test_an_administrator_sees_a_lockout_in_the_admin_and_clears_it(anonymous):
    user = recruiter_with_login().user
    for n in range(5):
        sign_in(anonymous, ADMIN_LOGIN, user.username, "wrong", f"10.0.0.{n}")
    assert sign_in(anonymous, ADMIN_LOGIN, user.username, PASSWORD, "10.0.0.9").status_code == 429

    administrator = personas.signed_in_to_the_admin(
        "administrator", UserFactory(is_staff=True, is_superuser=True), password=PASSWORD
    )
    listing = administrator.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert user.username in listing.content.decode()
    attempts = AccessAttempt.objects.filter(username=user.username)
    response = administrator.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [a.pk for a in attempts], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    assert sign_in(anonymous, ADMIN_LOGIN, user.username, PASSWORD, "10.0.0.9").status_code == 302


def test_a_recruiter_cannot_see_or_clear_lockouts(recruiter):
    assert recruiter.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
