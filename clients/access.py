"""Who may use the client pages: a signed-in client contact, and nobody else.

Every client page is wrapped in `client_contact_required`. It puts the contact (with its
client) on `request.client_contact`; the views read only through `clients.selectors`,
which scope every query by that contact's client. A lookup outside the scope raises
Http404, shown as the same "not found" page as an id that does not exist, so that another
client's objects cannot even be told to exist.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from . import selectors


def client_contact_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("clients:login"))
        contact = (
            None if user.is_staff or user.is_superuser else selectors.contact_for_user(user=user)
        )
        if contact is None:
            response = render(request, "clients/not_a_client.html", status=403)
        else:
            request.client_contact = contact
            # Dates on the pages read in the contact's own time zone.
            with timezone.override(contact.time_zone):
                try:
                    response = view(request, *args, **kwargs)
                except Http404:
                    response = not_found(request)
        add_never_cache_headers(response)  # private pages: never kept by a shared cache
        return response

    return wrapped


def not_found(request):
    return render(
        request,
        "clients/not_found.html",
        {"contact": getattr(request, "client_contact", None)},
        status=404,
    )
