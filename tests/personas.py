"""The people the permission tests act as: each a django test Client, signed in the way the
product signs that person in, that also says who it is.

The root conftest builds the five every app's tests share (`recruiter`, `other_recruiter`,
`client_a`, `client_b`, `anonymous`). A test that needs someone else (staff outside the
Recruiter group, an administrator, a user with no contact) builds them here too.
"""

from django.test import Client
from django.urls import reverse

from candidates.models import ClientContact, Recruiter
from tests.factories import PASSWORD, contact_with_login, recruiter_with_login

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


def signed_in_to_the_admin(name: str, user, *, password: str = PASSWORD) -> Persona:
    """Staff, signed in through the recruiter admin's login page (username and password)."""
    persona = Persona(name, user=user, recruiter=Recruiter.objects.filter(user=user).first())
    response = persona.post(
        reverse("admin:login"), {"username": user.username, "password": password}
    )
    _assert_signed_in(persona, response)
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
