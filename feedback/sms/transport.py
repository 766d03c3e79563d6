"""Sends a text through Twilio (the official library, its base address taken from
SMS_URL) or prints it (console://). Raises TransportError like every transport.

Twilio takes no idempotency key for a new message, so a send whose answer was lost (the
connection dropped, a 5xx, a timeout) may have been taken all the same. Before any retry
the transport asks Twilio for the latest messages to that number and, when one carries
the very text (each ask carries its own link), records that one instead of sending again.
"""

import sys
import threading

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from core.phones import e164

from ..models import OutboundMessage
from ..transports import TransportError
from .config import SmsConfig, sms_config

# Twilio answers these with nothing taken and nothing to gain from trying again.
_RETRYABLE_STATUSES = {408, 409, 429}
# The latest messages to a number that a retry looks through for its own.
RECONCILE_LOOKBACK = 20


class SmsTransport:
    def __init__(self):
        self._local = threading.local()
        self.console = sys.stdout

    def send(self, message: OutboundMessage) -> None:
        config = sms_config()
        if config.provider == "console":
            self.console.write(
                f"SMS to {message.recipient} (outbox {message.pk}):\n{message.body_text}\n\n"
            )
            self.console.flush()
            message.provider_id = f"console-{message.pk}"
            return
        to = e164(message.recipient)
        if not to:
            raise TransportError(f"not a phone number: {message.recipient!r}", permanent=True)
        client = self._client(config)
        try:
            if message.attempts > 1:
                found = _already_taken(client, config, message, to=to)
                if found:
                    message.provider_id = found
                    return
            created = client.messages.create(
                to=to,
                from_=config.sender,
                body=message.body_text,
                status_callback=f"{settings.SITE_URL}/hooks/sms/twilio/status/",
            )
        except TwilioRestException as exc:
            permanent = 400 <= exc.status < 500 and exc.status not in _RETRYABLE_STATUSES
            raise TransportError(
                f"Twilio {exc.status} (code {exc.code}): {exc.msg}", permanent=permanent
            ) from exc
        except (requests.RequestException, TwilioException, OSError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}", permanent=False) from exc
        message.provider_id = created.sid

    def _client(self, config: SmsConfig) -> Client:
        cached = getattr(self._local, "client", None)
        if cached is None or cached[0] != config:
            timeout = settings.FEEDBACK["DELIVERY_LEASE"].total_seconds() / 2
            client = Client(
                config.account_sid,
                config.auth_token,
                http_client=TwilioHttpClient(timeout=timeout),
            )
            # The API's address from SMS_URL: api.twilio.com, or a local fake in tests.
            client.api.base_url = config.base_url
            cached = (config, client)
            self._local.client = cached
        return cached[1]


def _already_taken(client: Client, config: SmsConfig, message: OutboundMessage, *, to: str) -> str:
    """The SID of a message Twilio already has with this text to this number, or ""."""
    for sent in client.messages.list(to=to, from_=config.sender, limit=RECONCILE_LOOKBACK):
        if sent.body == message.body_text and sent.status not in ("failed", "canceled"):
            return sent.sid
    return ""
