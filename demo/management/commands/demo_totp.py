"""Print the current second-factor code of the demo recruiters (they share the demo's
known authenticator secret, DEMO_TOTP_SECRET), for signing in to the demo's admin without
an authenticator app."""

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .seed_demo import DEMO_TOTP_KEY, MAIN_RECRUITER_USERNAME


def current_code(username: str = MAIN_RECRUITER_USERNAME) -> str | None:
    """The code the demo authenticator shows now for this demo recruiter (None if the
    user has no demo authenticator)."""
    device = TOTPDevice.objects.filter(
        user__username=username, key=DEMO_TOTP_KEY, confirmed=True
    ).first()
    if device is None:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo recruiter."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default=MAIN_RECRUITER_USERNAME)

    def handle(self, *args, username: str, **options):
        code = current_code(username)
        if code is None:
            self.stderr.write(f"{username} has no demo authenticator (run seed_demo first).")
            raise SystemExit(1)
        self.stdout.write(code)
