"""Who is signing in, as the lockouts (django-axes) and the rate limits count them."""

from django.conf import settings
from django.shortcuts import render

USERNAME_MAX = 255


def client_ip(request) -> str | None:
    """The sender's address. Behind PROXY_COUNT proxies, the address the outermost of them
    saw, read from the right of X-Forwarded-For (the part a sender cannot write); without
    proxies, the connection's own address."""
    proxies = settings.PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_username(request, credentials) -> str | None:
    """The account a sign-in is for, written one way: the client pages take an email in
    any letter case, so "Ann@X.example" and "ann@x.example" count as one account."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    if username is None:
        return None
    # As the lockout table stores it (a longer one is no account's anyway).
    return username.strip().lower()[:USERNAME_MAX]


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE): what happened and when
    to try again, with 429 Too Many Requests."""
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)
