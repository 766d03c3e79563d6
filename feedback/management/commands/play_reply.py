"""Play a candidate's reply, as if it came in by text or by mail: for `make run`, where
no provider calls the webhooks. It goes through the same service the webhooks call."""

import uuid

from django.core.management.base import BaseCommand, CommandError

from core.phones import e164
from feedback import services


class Command(BaseCommand):
    help = (
        "Play a reply from a candidate: `play_reply +17735550111 '8 yes'` (a text) or "
        "`play_reply maya.okafor@mail.example '8 yes'` (a mail). STOP, START and HELP work "
        "by text."
    )

    def add_arguments(self, parser):
        parser.add_argument("sender", help="The candidate's phone number or email address.")
        parser.add_argument("text", help="What they reply, e.g. '8 yes', 'call me', 'STOP'.")

    def handle(self, *args, sender: str, text: str, **options):
        provider_id = f"local-{uuid.uuid4().hex}"
        if "@" in sender:
            inbound = services.email_inbound_receive(
                provider_id=provider_id, sender=sender, body=text
            )
        else:
            number = e164(sender)
            if not number:
                raise CommandError(f"Not a phone number: {sender!r}")
            inbound = services.sms_inbound_receive(
                provider_id=provider_id, sender=number, body=text
            )
        self.stdout.write(
            f"{inbound.get_channel_display()} from {inbound.sender}: "
            f"{inbound.get_outcome_display()}"
        )
        if inbound.request_id:
            self.stdout.write(f"  request {inbound.request_id}: {inbound.request}")
