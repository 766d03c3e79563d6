"""Staff pass a second factor (django-otp) before any admin page: enrolment first for
someone with no authenticator, a code after the password for someone with one; an
administrator can reset a recruiter's authenticator."""

import datetime as dt
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import personas
from tests.factories import PASSWORD, UserFactory, recruiter_with_login

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
ENROL = reverse("admin:two_factor_enrol")
VERIFY = reverse("admin:two_factor_verify")


def password_only(user) -> Client:
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_a_recruiter_without_an_authenticator_enrols_before_any_admin_page(clock):
    user = recruiter_with_login().user
    client = password_only(user)

    for page in (INDEX, reverse("admin:candidates_candidate_changelist")):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(ENROL)

    page = client.get(ENROL)
    html = page.content.decode()
    assert "<svg" in html  # the QR code
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = page.context["secret"].replace(" ", "")
    assert secret
    assert secret in html.replace(" ", "")

    assert client.post(ENROL, {"code": "000000"}).status_code == 200  # a wrong code
    clock.shift(dt.timedelta(seconds=5))  # each wrong code makes the next wait (throttling)
    done = client.post(ENROL, {"code": personas.totp_code(device), "next": INDEX})
    codes = done.context["codes"]
    assert len(codes) == 10
    assert all(code in done.content.decode() for code in codes)
    assert client.get(INDEX).status_code == 200
    # Shown once: the enrolment page now sends the verified user on.
    assert client.get(ENROL).status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_a_recruiter_with_an_authenticator_enters_a_code_after_the_password(clock):
    user = recruiter_with_login().user
    device = personas.authenticator_of(user)
    client = password_only(user)

    response = client.get(INDEX)
    assert response["Location"].startswith(VERIFY)
    wrong = client.post(VERIFY, {"code": "123456"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert client.get(INDEX).status_code == 302
    clock.shift(dt.timedelta(seconds=5))  # each wrong code makes the next wait (throttling)

    right = client.post(VERIFY, {"code": personas.totp_code(device), "next": INDEX})
    assert right["Location"] == INDEX
    assert client.get(INDEX).status_code == 200


def test_a_backup_code_works_once():
    user = recruiter_with_login().user
    personas.authenticator_of(user)
    backup = StaticDevice.objects.create(user=user, name="Backup codes")
    StaticToken.objects.create(device=backup, token="k3y5t0ne")

    first = password_only(user)
    assert first.post(VERIFY, {"code": "k3y5t0ne"}).status_code == 302
    assert first.get(INDEX).status_code == 200
    second = password_only(user)
    assert second.post(VERIFY, {"code": "k3y5t0ne"}).status_code == 200  # spent
    assert second.get(INDEX).status_code == 302


def test_the_next_address_after_the_code_stays_on_this_site():
    user = recruiter_with_login().user
    device = personas.authenticator_of(user)
    client = password_only(user)
    response = client.post(
        VERIFY, {"code": personas.totp_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == INDEX


def test_an_administrator_resets_a_recruiters_authenticator_and_it_is_logged(recruiter):
    administrator = personas.administrator()
    device = TOTPDevice.objects.get(user=recruiter.user)
    assert recruiter.get(INDEX).status_code == 200

    response = administrator.post(
        reverse("admin:otp_totp_totpdevice_changelist"),
        {"action": "reset_two_factor", "_selected_action": [device.pk]},
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=recruiter.user).exists()
    # The recruiter's session is verified no more: enrolment again.
    assert recruiter.get(INDEX)["Location"].startswith(ENROL)
    entry = LogEntry.objects.get(object_id=str(recruiter.user.pk))
    assert entry.user == administrator.user
    assert "Reset two-factor" in entry.get_change_message()


def test_a_recruiter_cannot_reset_anyones_authenticator(recruiter, other_recruiter):
    device = TOTPDevice.objects.get(user=other_recruiter.user)
    response = recruiter.post(
        reverse("admin:otp_totp_totpdevice_changelist"),
        {"action": "reset_two_factor", "_selected_action": [device.pk]},
    )
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_no_admin_page_shows_an_authenticators_secret():
    administrator = personas.administrator()
    device = TOTPDevice.objects.get(user=administrator.user)
    page = administrator.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    config = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
    assert administrator.get(config).status_code == 403
    assert not re.search(r"secret=[A-Z2-7]+", page.content.decode())


def test_a_staff_user_in_no_group_passes_the_second_factor_and_then_gets_403():
    staff = personas.signed_in_to_the_admin("staff", UserFactory(is_staff=True))
    assert staff.get(INDEX).status_code == 403
