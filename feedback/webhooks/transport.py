"""The webhook transport: one outbox row POSTed to its endpoint, signed to the Standard
Webhooks spec. The `webhook-id` is the outbox row's, so it is the same on every retry and
a receiver can drop a repeat; the timestamp and signature are made afresh per attempt."""

import httpx
from django.conf import settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from ..models import OutboundMessage
from ..services.webhooks import webhook_endpoint_record_failure, webhook_endpoint_record_success
from ..transports import TransportError

# What of a receiver's answer is kept on the outbox row (the admin shows it).
RESPONSE_KEPT = 500


def webhook_id(message: OutboundMessage) -> str:
    return f"msg_{message.pk}"


class WebhookTransport:
    def send(self, message: OutboundMessage) -> None:
        endpoint = message.webhook_endpoint
        if endpoint is None or not endpoint.enabled:
            raise TransportError("the endpoint is turned off", permanent=True)
        now = timezone.now()
        headers = {
            "content-type": "application/json",
            "user-agent": "tvr-feedback-webhooks",
            "webhook-id": webhook_id(message),
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(endpoint.secret).sign(
                webhook_id(message), now, message.body_text
            ),
        }
        timeout = settings.FEEDBACK["WEBHOOK_TIMEOUT"].total_seconds()
        try:
            response = httpx.post(
                endpoint.url,
                content=message.body_text.encode(),
                headers=headers,
                timeout=timeout,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            self._failed(endpoint, f"{type(exc).__name__}: {exc}")
        if not 200 <= response.status_code < 300:
            self._failed(endpoint, f"HTTP {response.status_code}: {response.text[:RESPONSE_KEPT]}")
        webhook_endpoint_record_success(endpoint=endpoint)

    def _failed(self, endpoint, error: str):
        """Every failure is worth a retry (the spec's advice), until the endpoint has
        failed for WEBHOOK_DISABLE_AFTER and is turned off."""
        turned_off = webhook_endpoint_record_failure(endpoint=endpoint, error=error)
        raise TransportError(
            error + ("; the endpoint is now turned off" if turned_off else ""),
            permanent=turned_off,
        )
