"""The sign-in and password-reset forms of the client pages: client contacts only."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.db.models import Q

from .backends import client_users, is_client_user

NOT_A_CLIENT = (
    "This sign-in is for our clients' hiring contacts. Recruiters sign in to the recruiter "
    "desk; candidates answer from the link in their email."
)


class ClientLoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match. The password is "
        "case-sensitive; the email is not.",
        "not_a_client": NOT_A_CLIENT,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.label = "Email"
        username.widget = forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "email", "maxlength": 254}
        )

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        # Staff and plain users authenticate through the admin's backend too: refuse them
        # here rather than sign them in to pages that are not theirs.
        if not is_client_user(user):
            raise ValidationError(self.error_messages["not_a_client"], code="not_a_client")


class ClientPasswordResetForm(PasswordResetForm):
    def get_users(self, email):
        """Client contacts with this address (theirs or their contact's). Unlike Django's
        default, a contact invited but not yet set up gets the link too: it sets a first
        password just as the invitation does."""
        users = client_users().filter(
            Q(email__iexact=email) | Q(client_contact__email__iexact=email)
        )
        return (user for user in users if user.email)
