"""The sign-in and password-reset forms of the client pages: client contacts only."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db.models import Q

from . import services
from .backends import client_users, is_client_user

# The one answer for every sign-in that does not get in: a wrong password, an unknown
# address, and an account that cannot use these pages (staff, deactivated) alike, so
# that this page never tells whether a password was right.
SIGN_IN_REFUSED = (
    "That email and password do not match a client sign-in. The password is "
    "case-sensitive; the email is not. Recruiters sign in to the recruiter desk."
)


class ClientLoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": SIGN_IN_REFUSED,
        "inactive": SIGN_IN_REFUSED,
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
            raise self.get_invalid_login_error()


class ClientPasswordResetForm(PasswordResetForm):
    def get_users(self, email):
        """Client contacts with this address (theirs or their contact's). Unlike Django's
        default, a contact invited but not yet set up gets the link too: it sets a first
        password just as the invitation does."""
        users = client_users().filter(
            Q(email__iexact=email) | Q(client_contact__email__iexact=email)
        )
        return (user for user in users if user.email)

    def save(self, **ignored):
        """Queue a reset mail for each client login with this address (none for an
        unknown one) through the outbox; Django's own would send it inside the request."""
        for user in self.get_users(self.cleaned_data["email"]):
            services.client_password_reset_queue(user=user)
