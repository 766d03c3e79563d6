"""The recruiter desk's second factor (django-otp): after the password, a staff user
enters a code from an authenticator app (TOTP) or one of their backup codes. A staff user
with no authenticator yet enrols first: a QR code (and its secret as text) to scan, one
code to prove it, and ten backup codes shown once.

The admin site (tvr_site.admin_site) sends every staff session that has not passed this
step here, before any admin page, so there is no way around it.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin

from core.two_factor import (
    has_authenticator,
    qr_svg,
    secret_text,
    staff_authenticator_confirm,
    staff_authenticator_pending,
    staff_two_factor_reset,
)

# --- views -------------------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _next_query(request) -> str:
    return urlencode({"next": _next(request)})


def _staff_step(view):
    """Signed-in, active staff only; anyone else signs in first."""

    @never_cache
    @sensitive_post_parameters("code")
    def wrapped(request, site):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if user.is_verified():
            return HttpResponseRedirect(_next(request))
        return view(request, site)

    return wrapped


@_staff_step
def enrol(request, site):
    if has_authenticator(request.user):
        return HttpResponseRedirect(f"{reverse('admin:two_factor_verify')}?{_next_query(request)}")
    device = staff_authenticator_pending(user=request.user)
    form = CodeForm(request.POST or None)
    context = {**site.each_context(request), "title": "Set up your authenticator app"}
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            codes = staff_authenticator_confirm(device=device)
            otp_login(request, device)
            return TemplateResponse(
                request,
                "admin/tvr/two_factor_backup_codes.html",
                {**context, "title": "Your backup codes", "codes": codes, "next": _next(request)},
            )
        form.add_error("code", "That code is not right. Check the app's clock and try again.")
    return TemplateResponse(
        request,
        "admin/tvr/two_factor_enrol.html",
        {
            **context,
            "form": form,
            "qr": qr_svg(device),
            "secret": secret_text(device),
            "next": _next(request),
        },
    )


@_staff_step
def verify(request, site):
    if not has_authenticator(request.user):
        return HttpResponseRedirect(f"{reverse('admin:two_factor_enrol')}?{_next_query(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            return HttpResponseRedirect(_next(request))
        form.add_error("code", "That code is not right. Enter the current one, or a backup code.")
    return TemplateResponse(
        request,
        "admin/tvr/two_factor_verify.html",
        {
            **site.each_context(request),
            "title": "Enter your code",
            "form": form,
            "next": _next(request),
        },
    )


# --- the admin --------------------------------------------------------------------------------


class AuthenticatorAdmin(TOTPDeviceAdmin):
    """django-otp's list of authenticators (secrets hidden: OTP_ADMIN_HIDE_SENSITIVE_DATA),
    with the reset an administrator gives a recruiter who lost their phone."""

    actions = ["reset_two_factor"]

    @admin.action(
        description="Reset two-factor (the user sets up an authenticator at the next sign-in)",
        permissions=["delete"],
    )
    def reset_two_factor(self, request, queryset):
        for device in queryset.select_related("user"):
            user = device.user
            staff_two_factor_reset(user=user)
            # In the user's history (the admin log), with who did it.
            self.log_change(request, user, "Reset two-factor authentication.")
            self.message_user(
                request, f"{user}: two-factor reset; they enrol again.", messages.SUCCESS
            )
