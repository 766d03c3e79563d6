"""The client sign-in gives one answer to every sign-in that does not get in: it never
tells that a password was right for an account that cannot use these pages."""

import pytest
from django.urls import reverse

from clients.forms import SIGN_IN_REFUSED
from tests.factories import PASSWORD, UserFactory, contact_with_login

pytestmark = pytest.mark.django_db

LOGIN = reverse("clients:login")


def refusal(client, username, password):
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    return response.context["form"].errors.as_data()["__all__"][0].message


def test_a_staff_password_a_wrong_one_and_an_unknown_address_get_the_same_error(
    anonymous, recruiter
):
    contact = contact_with_login(email="tom@prairie.example")
    contact.user.is_active = False
    contact.user.save()
    staff = recruiter.user
    plain = UserFactory(username="plain@nowhere.example", email="plain@nowhere.example")

    answers = {
        "staff, right password": refusal(anonymous, staff.username, PASSWORD),
        "staff, wrong password": refusal(anonymous, staff.username, "wrong"),
        "unknown address": refusal(anonymous, "nobody@nowhere.example", PASSWORD),
        "deactivated contact, right password": refusal(anonymous, contact.email, PASSWORD),
        "user with no contact, right password": refusal(anonymous, plain.username, PASSWORD),
    }

    assert set(answers.values()) == {SIGN_IN_REFUSED}
