"""Staff's second factor (django-otp): enrolling an authenticator app (TOTP) with backup
codes, resetting it, and reading what a user has. The admin site's pages that use these
are in tvr_site.two_factor."""

import base64
from urllib.parse import urlencode

import segno
from django.db import transaction
from django.urls import reverse
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODES = 10
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_NAME = "Backup codes"


# --- writes ----------------------------------------------------------------------------------


def staff_authenticator_pending(*, user) -> TOTPDevice:
    """The authenticator being enrolled (not confirmed yet): the same secret on every
    visit to the page until a code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


@transaction.atomic
def staff_authenticator_confirm(*, device: TOTPDevice) -> list[str]:
    """Make the enrolled authenticator the user's, with fresh backup codes (returned, to
    show once); earlier devices go."""
    user = device.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    backup = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    return codes


@transaction.atomic
def staff_two_factor_reset(*, user) -> int:
    """Remove the user's authenticator and backup codes: their next admin page asks them
    to enrol again (a session verified by a removed device is verified no more)."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    removed_backup, _ = StaticDevice.objects.filter(user=user).delete()
    return removed + removed_backup


# --- reads -------------------------------------------------------------------------------------


def has_authenticator(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def second_factor_url(request) -> str:
    """Where a staff session that has not passed the second factor goes next."""
    enrolled = has_authenticator(request.user)
    name = "admin:two_factor_verify" if enrolled else "admin:two_factor_enrol"
    return f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it when typed in (base32, in fours)."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code (markup without any style attribute)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff")
