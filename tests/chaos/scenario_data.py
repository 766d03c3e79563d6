"""Create a chaos scenario's interviews in the database named by DATABASE_URL.

    python -m tests.chaos.scenario_data --interviews 100 --ends-in 3

Sets a short policy (seconds, not hours; no quiet hours), then schedules the interviews
through the real service, all ending `ends-in` seconds from now. Prints one JSON line.
"""

import argparse
import json
import os
from datetime import timedelta

import django

# The staff login's authenticator secret (hex), known to the test that signs in with it.
ADMIN_TOTP_KEY = b"chaos-admin-totp-key".hex()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, required=True)
    parser.add_argument("--ends-in", type=float, default=3.0)
    parser.add_argument("--candidate-remind", type=float, default=2.0)
    parser.add_argument("--candidate-deadline", type=float, default=5.0)
    parser.add_argument("--client-remind", type=float, default=3.0)
    parser.add_argument("--client-deadline", type=float, default=6.0)
    parser.add_argument("--bounce", type=int, default=0, help="candidates whose mail bounces")
    parser.add_argument(
        "--texted", type=int, default=0, help="candidates asked by text only (SMS consent)"
    )
    parser.add_argument("--tag", default="c")
    parser.add_argument("--admin-password", default="", help="also create a staff login")
    parser.add_argument(
        "--webhook-url", default="", help="subscribe an endpoint at this URL to every event"
    )
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tvr_site.settings.test")
    django.setup()
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from candidates.models import Interview
    from feedback.models import FeedbackRequest
    from feedback.selectors import policy_get
    from tests.factories import (
        ApplicationFactory,
        CandidateFactory,
        PositionFactory,
        RecruiterFactory,
        schedule_interview,
    )

    policy = policy_get()
    policy.candidate_ask_after = policy.client_ask_after = timedelta(0)
    policy.candidate_remind_after = timedelta(seconds=options.candidate_remind)
    policy.candidate_deadline_after = timedelta(seconds=options.candidate_deadline)
    policy.client_remind_after = timedelta(seconds=options.client_remind)
    policy.client_deadline_after = timedelta(seconds=options.client_deadline)
    policy.quiet_hours_start = policy.quiet_hours_end = None
    policy.save()

    webhook_secret = ""
    if options.webhook_url:
        from feedback.models import WebhookEndpoint
        from feedback.webhooks.events import EVENT_TYPES

        webhook_secret = WebhookEndpoint.objects.create(
            name=f"Chaos receiver {options.tag}", url=options.webhook_url, events=list(EVENT_TYPES)
        ).secret

    recruiter = RecruiterFactory(user__username=f"chaos-recruiter-{options.tag}")
    if options.admin_password:
        from django.contrib.auth import get_user_model
        from django_otp.plugins.otp_totp.models import TOTPDevice

        admin = get_user_model().objects.create_superuser(
            username=f"chaos-admin-{options.tag}", email="", password=options.admin_password
        )
        TOTPDevice.objects.create(user=admin, name="chaos", key=ADMIN_TOTP_KEY)
    positions = [
        PositionFactory(
            recruiter=recruiter, client__name=f"Chaos Animal Hospital {options.tag}-{n}"
        )
        for n in range(3)
    ]
    # All in one transaction, then moved in time by however long the loading took: on a
    # loaded machine a hundred interviews take seconds to write, and the interviews must
    # end `ends-in` seconds after the system can see them, not after loading began.
    with transaction.atomic():
        started = timezone.now()
        ends_at = started + timedelta(seconds=options.ends_in)
        interview_ids, bounced = [], []
        for n in range(options.interviews):
            bounce = n < options.bounce
            texted = n < options.texted
            candidate = CandidateFactory(
                owner=recruiter,
                email=f"{options.tag}-{n}{'-bounce' if bounce else ''}@candidates.example",
                phone=f"+1773555{n:04d}",
                consent_sms=texted,
                contact_by="sms" if texted else "",
            )
            application = ApplicationFactory(candidate=candidate, position=positions[n % 3])
            interview = schedule_interview(application=application, ends_at=ends_at)
            interview_ids.append(interview.pk)
            if bounce:
                bounced.append(interview.pk)
        took = timezone.now() - started
        ends_at += took
        Interview.objects.filter(pk__in=interview_ids).update(
            starts_at=F("starts_at") + took, ends_at=F("ends_at") + took
        )
        FeedbackRequest.objects.filter(interview__in=interview_ids).update(
            **{name: F(name) + took for name in ("ask_at", "remind_at", "due_at", "next_action_at")}
        )
    print(json.dumps({"interviews": interview_ids, "bounced": bounced,
                      "ends_at": ends_at.isoformat(), "webhook_secret": webhook_secret,
                      "loading_seconds": round(took.total_seconds(), 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
