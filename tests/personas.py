"""The people the permission tests act as: each a django test Client, signed in the way the
product signs that person in, that also says who it is.

The root conftest builds the five every app's tests share (`recruiter`, `other_recruiter`,
`client_a`, `client_b`, `anonymous`). A test that needs someone else (staff outside the
Recruiter group, an administrator, a user with no contact) builds them here too.
"""

import time

from django.test import Client
from django.urls import reverse
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from candidates.models import ClientContact, Recruiter
from tests.factories import PASSWORD, UserFactory, contact_with_login, recruiter_with_login

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class Persona(Client):
    """A test Client that stays signed in as one person: `user`, and their Recruiter
    (`recruiter`) or their ClientContact (`contact`) if they have one."""

    def __init__(self, name: str, /, *, user=None, recruiter=None, contact=None, **options):
        super().__init__(**options)
        self.name = name
        self.user = user
        self.recruiter: Recruiter | None = recruiter
        self.contact: ClientContact | None = contact

    def __repr__(self) -> str:
        return f"<Persona {self.name}>"


def anonymous(name: str = "anonymous") -> Persona:
    """Nobody signed in."""
    return Persona(name)


def authenticator_of(user) -> TOTPDevice:
    """The user's authenticator app (a confirmed TOTP device), set up if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app")


def totp_code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows now, as the app computes it (RFC 6238
    over the device's secret). A code is accepted once: if this step's code is spent (two
    sign-ins at one frozen moment), the next step's, which the device also accepts."""
    device.refresh_from_db()
    now_step = (int(time.time()) - device.t0) // device.step + device.drift
    step = max(now_step, device.last_t + 1)
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def signed_in_to_the_admin(name: str, user, *, password: str = PASSWORD) -> Persona:
    """Staff, signed in through the recruiter admin's login page (username and password),
    then the second factor's page (a code from their authenticator app, set up for them
    if they have none)."""
    persona = Persona(name, user=user, recruiter=Recruiter.objects.filter(user=user).first())
    device = authenticator_of(user)
    response = persona.post(
        reverse("admin:login"), {"username": user.username, "password": password}
    )
    _assert_signed_in(persona, response)
    response = persona.post(reverse("admin:two_factor_verify"), {"code": totp_code(device)})
    assert response.status_code == 302, f"{name} could not pass the second factor"
    assert persona.session.get("otp_device_id") == device.persistent_id, name
    return persona


def signed_in_to_the_client_pages(
    name: str, contact: ClientContact, *, password: str = PASSWORD
) -> Persona:
    """A client contact, signed in through /clients/login/ (email and password)."""
    persona = Persona(name, user=contact.user, contact=contact)
    response = persona.post(
        reverse("clients:login"), {"username": contact.email, "password": password}
    )
    _assert_signed_in(persona, response)
    return persona


def signed_in_by_force(name: str, user, *, backend: str = MODEL_BACKEND) -> Persona:
    """Someone whom no login page lets in where the test sends them (a user who is not
    staff, at the admin; staff, at the client pages), with a session all the same: the
    pages themselves must refuse them."""
    persona = Persona(name, user=user)
    persona.force_login(user, backend=backend)
    return persona


def administrator(name: str = "administrator", /, **user) -> Persona:
    """A superuser (no desk of their own), signed in to the admin with both factors."""
    admin = UserFactory(is_staff=True, is_superuser=True, **user)
    return signed_in_to_the_admin(name, admin)


def recruiter(name: str, /, **user) -> Persona:
    """A new recruiter (staff in the Recruiter group, with a desk of their own), signed in
    to the admin; `user`: the user's fields."""
    desk = recruiter_with_login(**{f"user__{field}": value for field, value in user.items()})
    return signed_in_to_the_admin(name, desk.user)


def client_contact(name: str, /, *, email: str, **contact) -> Persona:
    """A new contact of a client, with a login, signed in to the client pages; `contact`:
    the contact's fields (`client__name=…` names a new client)."""
    return signed_in_to_the_client_pages(name, contact_with_login(email=email, **contact))


def _assert_signed_in(persona: Persona, response) -> None:
    assert response.status_code == 302, f"{persona.name} could not sign in"
    assert persona.session.get("_auth_user_id") == str(persona.user.pk), persona.name
