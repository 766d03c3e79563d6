"""Client contacts sign in with their email address, in any letter case.

Only for client contacts (a user linked to a ClientContact, not staff): the admin keeps
Django's ModelBackend and its usernames.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


def client_users():
    """Users who may use the client pages: linked to a contact, not staff, active."""
    return get_user_model()._default_manager.filter(
        client_contact__isnull=False, is_staff=False, is_superuser=False, is_active=True
    )


def is_client_user(user) -> bool:
    return client_users().filter(pk=user.pk).exists()


class ClientEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        email = (username or kwargs.get("email") or "").strip()
        if not email or password is None:
            return None
        users = list(
            client_users().filter(Q(email__iexact=email) | Q(client_contact__email__iexact=email))[
                :2
            ]
        )
        if len(users) != 1:
            # Unknown or ambiguous (two logins share the address): refuse, after spending
            # the time a password check takes, so the answer does not tell which.
            get_user_model()().set_password(password)
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
