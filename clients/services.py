"""Writes for the client pages: inviting a client contact to sign in."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from candidates.models import ClientContact, Recruiter
from feedback import services as feedback_services
from feedback.models import OutboundMessage


def _password_link(*, user, url_name: str) -> str:
    """A link to a page that sets this user's password (valid for PASSWORD_RESET_TIMEOUT,
    and only until the password is set: the token covers the password hash)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse(url_name, kwargs={"uidb64": uidb64, "token": token})


def client_contact_invitation_link(*, user) -> str:
    return _password_link(user=user, url_name="clients:invitation")


def client_password_reset_link(*, user) -> str:
    return _password_link(user=user, url_name="clients:password_reset_confirm")


def client_password_reset_queue(*, user) -> OutboundMessage:
    """Queue the mail with a link that sets a new password. Through the outbox, like every
    mail: the page answers at once, and as fast for a known address as for an unknown."""
    return feedback_services.outbox_queue(
        kind=OutboundMessage.Kind.PASSWORD_RESET,
        recipient=user.email,
        template="client_password_reset",
        context={
            "email": user.email,
            "link": client_password_reset_link(user=user),
            "login_url": settings.SITE_URL + reverse("clients:login"),
        },
        # Every request its own mail (the rate limits bound how many).
        dedupe_key=f"password-reset-{user.pk}-{get_random_string(12)}",
    )


def _login_for(contact: ClientContact):
    """The contact's login, created (username = email, no usable password) or linked."""
    User = get_user_model()
    email = contact.email.strip()
    user = contact.user
    if user is None:
        user = User._default_manager.filter(username__iexact=email).first()
        if user is not None and ClientContact.objects.filter(user=user).exists():
            raise ValidationError(f"{email} already signs in for another contact.")
        if user is None:
            user = User(username=email.lower(), email=email)
            user.set_unusable_password()
            user.save()
        contact.user = user
        contact.save(update_fields=["user"])
    if user.is_staff or user.is_superuser:
        raise ValidationError(
            f"{contact.name}'s login is a staff account: staff cannot use the client pages."
        )
    if not user.is_active:
        raise ValidationError(f"{contact.name}'s login is deactivated.")
    if user.email != email:
        user.email = email  # the contact's address is the one we write to
        user.save(update_fields=["email"])
    return user


def _inviting_recruiter(*, contact: ClientContact, actor) -> Recruiter | None:
    recruiter = Recruiter.objects.filter(user=actor).first() if actor is not None else None
    if recruiter is None:
        position = contact.positions.select_related("recruiter__user").first()
        recruiter = position.recruiter if position else None
    return recruiter


@transaction.atomic
def client_contact_invite(*, contact: ClientContact, actor=None) -> OutboundMessage:
    """Give a client contact a login (if it has none) and queue an email with a link that
    sets its password and signs it in. Inviting again sends a fresh link."""
    contact = ClientContact.objects.select_for_update().get(pk=contact.pk)
    if not contact.email.strip():
        raise ValidationError(f"{contact.name} has no email address.")
    user = _login_for(contact)
    now = timezone.now()
    days = settings.PASSWORD_RESET_TIMEOUT // (24 * 3600)
    return feedback_services.outbox_queue(
        kind=OutboundMessage.Kind.INVITATION,
        recipient=contact.email.strip(),
        template="client_invitation",
        context={
            "contact": contact,
            "client": contact.client,
            "recruiter": _inviting_recruiter(contact=contact, actor=actor),
            "link": client_contact_invitation_link(user=user),
            "login_url": settings.SITE_URL + reverse("clients:login"),
            "valid_days": days,
        },
        # A double click sends one mail; inviting again a minute later sends another.
        dedupe_key=f"invitation-{contact.pk}-{now:%Y%m%d%H%M}",
        now=now,
    )
