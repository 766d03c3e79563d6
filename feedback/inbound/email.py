"""Mail in, through django-anymail: a candidate's reply (the inbound webhook) and what
the mail provider says of a message we sent (the tracking webhook), under /hooks/email/.

Every call must carry the basic-auth secret (ANYMAIL["WEBHOOK_SECRET"], which anymail
checks too): without one configured, or without the right one, it gets 403 and anymail
never reads it. A payload anymail cannot read is a 400, never a 500.
"""

import functools
import logging

from anymail.exceptions import AnymailError
from anymail.signals import inbound, tracking
from anymail.utils import get_request_basic_auth
from anymail.webhooks.amazon_ses import (
    AmazonSESInboundWebhookView,
    AmazonSESTrackingWebhookView,
)
from anymail.webhooks.mailgun import MailgunInboundWebhookView, MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView, PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView, SendGridTrackingWebhookView
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseBadRequest, HttpResponseForbidden
from django.urls import path
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt

from core.text import plain_text

from .. import services
from ..models import OutboundMessage

logger = logging.getLogger(__name__)

# The anymail events that mean something to the outbox; the rest are only logged.
TRACKED = {"delivered", "bounced", "complained", "rejected", "failed"}


def _guarded(view):
    @csrf_exempt
    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        secret = settings.ANYMAIL.get("WEBHOOK_SECRET") or ""
        given = get_request_basic_auth(request) or ""
        if not secret or not constant_time_compare(given, secret):
            return HttpResponseForbidden("Not signed by the mail provider.")
        try:
            return view(request, *args, **kwargs)
        except SuspiciousOperation:
            return HttpResponseForbidden("Not signed by the mail provider.")
        except (AnymailError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            logger.info("unreadable mail webhook payload", exc_info=True)
            return HttpResponseBadRequest("Not a payload this webhook can read.")

    return guarded


_VIEWS = {
    "amazon_ses": (AmazonSESInboundWebhookView, AmazonSESTrackingWebhookView),
    "mailgun": (MailgunInboundWebhookView, MailgunTrackingWebhookView),
    "postmark": (PostmarkInboundWebhookView, PostmarkTrackingWebhookView),
    "sendgrid": (SendGridInboundWebhookView, SendGridTrackingWebhookView),
}
urlpatterns = [
    route
    for esp, (inbound_view, tracking_view) in _VIEWS.items()
    for route in (
        path(f"{esp}/inbound/", _guarded(inbound_view.as_view()), name=f"email_{esp}_inbound"),
        path(f"{esp}/tracking/", _guarded(tracking_view.as_view()), name=f"email_{esp}_tracking"),
    )
]


def on_inbound(sender, event, esp_name, **kwargs):
    message = event.message
    sender_address = message.from_email.addr_spec if message.from_email else ""
    provider_id = event.event_id or message.get("Message-ID", "") or ""
    if not sender_address or not provider_id:
        raise ValueError("an inbound mail without a sender or an id")
    services.email_inbound_receive(
        provider_id=plain_text(f"{esp_name}:{provider_id}"),
        sender=plain_text(sender_address),
        body=plain_text(message.text or ""),
    )


def on_tracking(sender, event, esp_name, **kwargs):
    if event.event_type not in TRACKED:
        return
    status = {"rejected": "failed"}.get(event.event_type, event.event_type)
    outbox_id = (event.metadata or {}).get("outbox_id")
    services.outbox_delivery_status_record(
        channel=OutboundMessage.Channel.EMAIL,
        status=status,
        provider_id=plain_text(event.message_id or "") if not outbox_id else "",
        outbox_id=int(outbox_id) if str(outbox_id or "").isdigit() else None,
    )


inbound.connect(on_inbound, dispatch_uid="feedback.inbound_mail")
tracking.connect(on_tracking, dispatch_uid="feedback.mail_tracking")
