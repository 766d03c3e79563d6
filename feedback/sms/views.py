"""Twilio's webhooks: a text to our number (/hooks/sms/twilio/) and the delivery status of
one we sent (/hooks/sms/twilio/status/). Each is verified by Twilio's request signature
(X-Twilio-Signature over our public URL and the form); anything else gets 403 and
changes nothing. Thin: verify, read the form, call one service."""

import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from core.phones import e164
from core.text import plain_text

from .. import services
from ..models import OutboundMessage
from .config import sms_config

logger = logging.getLogger(__name__)

# What Twilio reads back: nothing to say now (our answers go through the outbox).
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_BODY = 1600  # Twilio's own limit for a text's body
# The values of a status callback's MessageStatus (Twilio's Message resource docs).
TWILIO_STATUSES = frozenset(
    {
        "accepted",
        "scheduled",
        "queued",
        "sending",
        "sent",
        "delivered",
        "undelivered",
        "failed",
        "read",
        "canceled",
        "partially_delivered",
    }
)


def _signed_by_twilio(request) -> bool:
    config = sms_config()
    signature = request.headers.get("X-Twilio-Signature", "")
    if config.provider != "twilio" or not signature:
        return False
    # The URL Twilio called is our public one (SITE_URL), whatever proxy sits in front.
    url = settings.SITE_URL + request.get_full_path()
    params = {key: request.POST.get(key) for key in request.POST}
    return RequestValidator(config.auth_token).validate(url, params, signature)


@csrf_exempt
@require_POST
def twilio_inbound(request):
    if not _signed_by_twilio(request):
        return HttpResponseForbidden("Not signed by the SMS provider.")
    sid = plain_text(request.POST.get("MessageSid", ""))
    sender = e164(plain_text(request.POST.get("From", "")))
    body = request.POST.get("Body", "")
    if not (sid and sender) or len(sid) > 64 or len(body) > MAX_BODY:
        return HttpResponseBadRequest("MessageSid, From (a phone number) and Body expected.")
    services.sms_inbound_receive(provider_id=sid, sender=sender, body=plain_text(body))
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
@require_POST
def twilio_status(request):
    if not _signed_by_twilio(request):
        return HttpResponseForbidden("Not signed by the SMS provider.")
    sid = plain_text(request.POST.get("MessageSid", ""))
    status = request.POST.get("MessageStatus", "")
    code = request.POST.get("ErrorCode", "")
    if not sid or status not in TWILIO_STATUSES or len(sid) > 64 or not code.isascii():
        return HttpResponseBadRequest("MessageSid and a MessageStatus Twilio sends expected.")
    try:
        error_code = int(code) if code else None
    except ValueError:
        return HttpResponseBadRequest("ErrorCode is a number.")
    services.outbox_delivery_status_record(
        channel=OutboundMessage.Channel.SMS,
        provider_id=sid,
        status=status,
        error_code=error_code,
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
