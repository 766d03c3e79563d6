"""Where the agency's other systems want to hear about the loop."""

import base64
import secrets

from django.db import models

from .events import EVENT_TYPES


def new_webhook_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class WebhookEndpoint(models.Model):
    """A subscription: a URL, the events it wants, and the secret its deliveries are
    signed with. Turned off by the loop after WEBHOOK_DISABLE_AFTER of failures."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(max_length=500)
    events = models.JSONField(
        default=list, help_text="The event types to deliver: " + ", ".join(EVENT_TYPES)
    )
    secret = models.CharField(max_length=100, default=new_webhook_secret, editable=False)
    enabled = models.BooleanField(default=True)
    # Since the first failure after the last success; cleared by a success.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "feedback"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def wants(self, event_type: str) -> bool:
        return self.enabled and event_type in (self.events or [])
