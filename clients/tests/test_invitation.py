"""Signing in: the recruiter's invitation (through the outbox and a real SMTP server), the
email login in any letter case, and the password reset by email."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from candidates.models import ClientContact
from clients import services
from clients.forms import SIGN_IN_REFUSED
from feedback import services as feedback_services
from feedback.models import OutboundMessage
from tests.factories import (
    PASSWORD,
    ClientContactFactory,
    PositionFactory,
    contact_with_login,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lakeshore-ICU-2026!"
HOME = reverse("clients:home")
LOGIN = reverse("clients:login")


def link_in(text: str, path: str) -> str:
    return re.search(rf"{re.escape(settings.SITE_URL)}{re.escape(path)}\S+/", text).group(0)


def signed_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id).username if user_id else None


@pytest.fixture
def contact(db):
    contact = ClientContactFactory(
        name="Dr. Rebecca Lindqvist", email="Rebecca.Lindqvist@lakeshore.example"
    )
    PositionFactory(client=contact.client, hiring_contact=contact)
    return contact


# --- the invitation ----------------------------------------------------------------------


def test_an_invitation_creates_a_login_without_a_password_and_queues_a_mail(contact):
    recruiter = PositionFactory(client=contact.client, hiring_contact=contact).recruiter

    message = services.client_contact_invite(contact=contact, actor=recruiter.user)

    contact.refresh_from_db()
    user = contact.user
    assert user.username == "rebecca.lindqvist@lakeshore.example"
    assert user.email == contact.email
    assert not user.has_usable_password()
    assert not user.is_staff
    assert message.kind == OutboundMessage.Kind.INVITATION
    assert message.request is None
    assert message.recipient == contact.email
    assert message.status == OutboundMessage.Status.QUEUED
    assert "/clients/welcome/" in message.body_text
    assert recruiter.full_name in message.body_text
    assert contact.client.name in message.subject


def test_the_invited_contact_sets_a_password_from_the_mail_and_is_signed_in(
    contact, anonymous, smtp_mail
):
    message = services.client_contact_invite(contact=contact, actor=None)
    contact.refresh_from_db()
    assert feedback_services.outbox_deliver(message_ids=[message.pk]) == ["sent"]
    [mail] = smtp_mail.wait_for(lambda msgs: msgs, timeout=10)
    assert mail["To"] == contact.email
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = urlsplit(link_in(text, "/clients/welcome/")).path

    # The token leaves the address bar before the form is shown.
    response = anonymous.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    assert form_url.endswith("/set-password/")
    assert "Welcome: choose your password" in anonymous.get(form_url).content.decode()

    response = anonymous.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1] == (HOME, 302)
    assert "Your password is set. Welcome!" in response.content.decode()
    assert contact.client.name in response.content.decode()
    assert signed_in_as(anonymous) == contact.user.username
    # The link worked once.
    anonymous.logout()
    assert 'id="link-invalid"' in anonymous.get(link).content.decode()

    # From now on: the email, in any case, and the new password.
    response = anonymous.post(
        LOGIN, {"username": "REBECCA.lindqvist@Lakeshore.example", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_an_invitation_link_expires(contact, anonymous):
    message = services.client_contact_invite(contact=contact)
    link = urlsplit(link_in(message.body_text, "/clients/welcome/")).path
    later = dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later, tick=False):
        response = anonymous.get(link)
    assert response.status_code == 200
    assert "This invitation no longer works" in response.content.decode()


def test_inviting_again_links_the_same_login_and_sends_a_fresh_link(contact):
    first = services.client_contact_invite(contact=contact)
    with time_machine.travel(dt.timedelta(minutes=2)):
        second = services.client_contact_invite(contact=contact)
    assert first.pk != second.pk
    assert get_user_model().objects.filter(username__iexact=contact.email).count() == 1
    assert link_in(first.body_text, "/clients/welcome/") != link_in(
        second.body_text, "/clients/welcome/"
    )


def test_a_double_click_sends_one_invitation(contact):
    with time_machine.travel(dt.datetime(2026, 3, 3, 15, 0, 10, tzinfo=dt.UTC), tick=False):
        first = services.client_contact_invite(contact=contact)
        again = services.client_contact_invite(contact=contact)
    assert first.pk == again.pk
    assert OutboundMessage.objects.filter(kind=OutboundMessage.Kind.INVITATION).count() == 1


def test_staff_and_logins_of_other_contacts_are_never_invited(contact, recruiter):
    contact.user = recruiter.user
    contact.save()
    with pytest.raises(ValidationError, match="staff account"):
        services.client_contact_invite(contact=contact)

    taken = contact_with_login(email="shared@clinic.example")
    other = ClientContactFactory(email="Shared@clinic.example")
    with pytest.raises(ValidationError, match="already signs in for another contact"):
        services.client_contact_invite(contact=other)
    assert ClientContact.objects.get(pk=other.pk).user is None
    assert taken.user.client_contact == taken
    assert not OutboundMessage.objects.exists()


def test_a_set_password_link_for_a_staff_login_does_not_open(anonymous, recruiter):
    staff = recruiter.user
    uid = urlsafe_base64_encode(force_bytes(staff.pk))
    token = default_token_generator.make_token(staff)
    for name in ("invitation", "password_reset_confirm"):
        response = anonymous.get(reverse(f"clients:{name}", args=[uid, token]))
        assert response.status_code == 200
        assert 'id="link-invalid"' in response.content.decode()


def test_the_admin_action_sends_the_invitation(contact, recruiter):
    response = recruiter.post(
        reverse("admin:candidates_clientcontact_changelist"),
        {"action": "send_invitation", "_selected_action": [contact.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert f"Invitation to {contact.email} queued." in response.content.decode()
    message = OutboundMessage.objects.get(kind=OutboundMessage.Kind.INVITATION)
    assert message.recipient == contact.email


# --- signing in and resetting the password ------------------------------------------------


def test_the_login_takes_the_email_in_any_case_and_refuses_a_wrong_password(anonymous, db):
    contact = contact_with_login(email="tom@prairie.example")
    bad = anonymous.post(LOGIN, {"username": "tom@prairie.example", "password": "wrong"})
    assert bad.status_code == 200
    assert SIGN_IN_REFUSED in bad.content.decode()
    assert signed_in_as(anonymous) is None

    good = anonymous.post(LOGIN, {"username": " TOM@Prairie.example ", "password": PASSWORD})
    assert good.status_code == 302
    assert signed_in_as(anonymous) == contact.user.username


def test_the_login_by_the_contacts_address_when_the_login_has_another(anonymous, db):
    contact = contact_with_login(email="tom@prairie.example")
    contact.email = "t.hendricks@prairie.example"
    contact.save()
    response = anonymous.post(
        LOGIN, {"username": "T.Hendricks@prairie.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert signed_in_as(anonymous) == contact.user.username


def test_an_inactive_contact_cannot_sign_in(anonymous, db):
    contact = contact_with_login(email="tom@prairie.example")
    contact.user.is_active = False
    contact.user.save()
    response = anonymous.post(LOGIN, {"username": "tom@prairie.example", "password": PASSWORD})
    assert response.status_code == 200
    assert signed_in_as(anonymous) is None


def test_the_password_reset_by_email(anonymous, recruiter, smtp_mail):
    contact = contact_with_login(email="tom@prairie.example")
    staff = recruiter.user

    # Nothing goes to a staff address, nor to an unknown one; the page says the same.
    for email in (staff.email, "nobody@nowhere.example"):
        response = anonymous.post(reverse("clients:password_reset"), {"email": email})
        assert response["Location"] == reverse("clients:password_reset_done")
    response = anonymous.post(reverse("clients:password_reset"), {"email": "Tom@Prairie.example"})
    assert response["Location"] == reverse("clients:password_reset_done")

    # Queued in the outbox (sent by a worker, never inside the request): one message.
    [message] = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.PASSWORD_RESET)
    assert feedback_services.outbox_deliver(message_ids=[message.pk]) == ["sent"]
    [mail] = smtp_mail.wait_for(lambda msgs: msgs, timeout=10)
    assert mail["To"] == "tom@prairie.example"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = urlsplit(link_in(text, "/clients/reset/")).path
    form_url = anonymous.get(link)["Location"]
    response = anonymous.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("clients:password_reset_complete")

    response = anonymous.post(LOGIN, {"username": "tom@prairie.example", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_in_as(anonymous) == contact.user.username
    assert len(smtp_mail.messages) == 1


def test_signing_out_ends_the_session(client_a):
    assert client_a.get(HOME).status_code == 200
    response = client_a.post(reverse("clients:logout"))
    assert response["Location"] == LOGIN
    assert client_a.get(HOME).status_code == 302


def test_staff_reading_the_outbox_never_see_the_set_password_link(contact, recruiter):
    message = services.client_contact_invite(contact=contact, actor=None)
    assert "/clients/welcome/" in message.body_text  # the contact's mail carries it

    pages = [
        recruiter.get(reverse("admin:feedback_outboundmessage_changelist")),
        recruiter.get(reverse("admin:feedback_outboundmessage_change", args=[message.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert contact.email in html
        assert "/clients/welcome/" not in html
        assert "set-password link: sent to the contact only" in html
