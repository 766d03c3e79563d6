"""Print the demo logins and a working candidate portal link and client feedback link.

`make run` prints this in its banner, after `seed_demo`. Links are signed afresh on
every run, so they are never expired.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import timezone

from feedback import selectors
from feedback.models import FeedbackRequest, Party
from feedback.rules import OPEN_STATUSES

from .demo_totp import current_code
from .seed_demo import CLIENTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, RECRUITERS, demo_loaded


def open_demo_request(party: str) -> FeedbackRequest | None:
    """The most recently asked open request of the demo recruiters' candidates, e.g. the
    interview that ended minutes ago."""
    recruiters = [spec["username"] for spec in RECRUITERS.values()]
    return (
        FeedbackRequest.objects.filter(
            party=party,
            # Its link shows the form: asked (or due to be asked any second), not answered.
            status__in=OPEN_STATUSES,
            ask_at__lte=timezone.now(),
            interview__application__candidate__owner__user__username__in=recruiters,
        )
        .select_related("interview__application__candidate", "interview__application__position")
        .order_by("-ask_at")
        .first()
    )


class Command(BaseCommand):
    help = "Print the demo logins and a candidate portal link and a client feedback link."

    def handle(self, *args, **options):
        if not demo_loaded():
            self.stdout.write("No demo data: run `manage.py seed_demo` first.")
            return
        admin_url = settings.SITE_URL + reverse("admin:index")
        lines = [f"Demo logins (password for all: {DEMO_PASSWORD})"]
        for spec in RECRUITERS.values():
            name = f"{spec['first_name']} {spec['last_name']}"
            lines.append(f"  Recruiter  {spec['username']:<40} {name}, {admin_url}")
        lines.append(
            f"  Recruiters' second factor: add the secret {DEMO_TOTP_SECRET} to an "
            "authenticator app, or run `manage.py demo_totp` for the current code "
            f"(now {current_code() or 'n/a'})."
        )
        for spec in CLIENTS.values():
            contact = spec["contact"]
            if contact["can_log_in"]:
                lines.append(
                    f"  Client     {contact['email']:<40} {contact['name']}, {spec['name']}"
                )
        lines.append(f"  Client pages sign-in: {settings.SITE_URL + reverse('clients:login')}")
        for party, label in [(Party.CANDIDATE, "Candidate portal"), (Party.CLIENT, "Client")]:
            request = open_demo_request(party)
            if request is None:
                lines.append(f"\n{label} link: none open (seed_demo --reset makes new ones)")
                continue
            application = request.interview.application
            lines.append(
                f"\n{label} feedback link ({application.candidate}, "
                f"{application.position.title}):\n  "
                + selectors.feedback_request_link(request=request)
            )
        self.stdout.write("\n".join(lines))
