"""Mail in through anymail's webhooks (Postmark's payloads here): a reply with a number is
the candidate's answer; a bounce or complaint fails the message and suppresses the
address. Without the webhook secret: 403, nothing changes."""

import base64
import json

import pytest

from candidates.models import Application
from feedback import services
from feedback.inbound.models import InboundMessage, Suppression
from feedback.models import Feedback, OutboundMessage, TimelineEvent

from .desk import candidate_ask

pytestmark = pytest.mark.django_db

SECRET = "postmark:s3cret-webhook-pass"
INBOUND = "/hooks/email/postmark/inbound/"
TRACKING = "/hooks/email/postmark/tracking/"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}


def post(client, path, payload, *, secret=SECRET):
    headers = {}
    if secret:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(secret.encode()).decode()
    return client.post(path, json.dumps(payload), content_type="application/json", **headers)


def mail_from(address: str, text: str, message_id: str = "a8c1040e-1") -> dict:
    return {
        "FromFull": {"Email": address, "Name": "Candidate"},
        "ToFull": [{"Email": "feedback@tvr.example", "Name": ""}],
        "Subject": "Re: How did it go?",
        "MessageID": message_id,
        "TextBody": text,
        "HtmlBody": "",
        "Headers": [],
    }


REPLY = (
    "8 yes\n\nThanks!\n\n-- \nDr Ana Ruiz\n773 555 0199\n\n"
    "On Tue, 3 Mar 2026 at 10:00, Dana <dana@tvr.example> wrote:\n"
    "> Or just reply with a number from 1 to 10\n> 10 is the highest\n"
)


def test_a_mail_reply_with_a_number_is_the_answer_to_the_latest_open_request(asked, client):
    candidate = asked.application.candidate
    assert post(client, INBOUND, mail_from(candidate.email.upper(), REPLY)).status_code == 200
    feedback = Feedback.objects.get()
    assert (feedback.channel, feedback.interest_level, feedback.still_interested) == (
        "email",
        8,
        "yes",
    )
    asked.application.refresh_from_db()
    assert asked.application.interest_status == Application.InterestStatus.HIGH
    assert OutboundMessage.objects.filter(kind="feedback_received").exists()


def test_the_same_mail_twice_is_one_answer(asked, client):
    payload = mail_from(asked.application.candidate.email, "9")
    post(client, INBOUND, payload)
    post(client, INBOUND, payload)
    assert Feedback.objects.count() == 1
    assert InboundMessage.objects.count() == 1


def test_a_mail_it_cannot_read_is_kept_as_a_note_and_the_recruiter_told(asked, client):
    post(client, INBOUND, mail_from(asked.application.candidate.email, "Can we talk Tuesday?"))
    assert not Feedback.objects.exists()
    assert TimelineEvent.objects.filter(kind="reply_unread").count() == 1
    assert OutboundMessage.objects.filter(kind="reply_unread").count() == 1


@pytest.mark.parametrize("secret", ["", "postmark:wrong"], ids=["no auth", "wrong auth"])
@pytest.mark.parametrize("path", [INBOUND, TRACKING])
def test_without_the_secret_a_webhook_gets_403_and_changes_nothing(asked, client, secret, path):
    payload = mail_from(asked.application.candidate.email, "9")
    assert post(client, path, payload, secret=secret).status_code == 403
    assert not InboundMessage.objects.exists()


def test_with_no_secret_configured_every_call_gets_403(asked, client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    payload = mail_from(asked.application.candidate.email, "9")
    assert post(client, INBOUND, payload, secret=":").status_code == 403


@pytest.mark.parametrize("payload", [{"nothing": 1}, [], "text", {"FromFull": 7}])
def test_a_payload_anymail_cannot_read_is_a_400(asked, client, payload):
    assert post(client, INBOUND, payload).status_code == 400


def bounce(message, record="Bounce", kind="HardBounce"):
    return {
        "RecordType": record,
        "Type": kind,
        "TypeCode": 1,
        "ID": 42,
        "MessageID": "pm-1",
        "Email": message.recipient,
        "BouncedAt": "2026-03-03T15:05:00Z",
        "Metadata": {"outbox_id": str(message.pk)},
        "Description": "The server was unable to deliver your message",
        "Details": "smtp;550 5.1.1 no such user",
    }


def test_a_hard_bounce_fails_the_message_for_good_and_suppresses_the_address(asked, client):
    message = candidate_ask()
    services.outbox_deliver(message_ids=[message.pk])
    assert post(client, TRACKING, bounce(message)).status_code == 200
    post(client, TRACKING, bounce(message))
    message.refresh_from_db()
    assert (message.status, message.delivery_status) == ("failed", "bounced")
    assert Suppression.objects.get(channel="email", address=message.recipient).reason == "bounce"
    assert TimelineEvent.objects.filter(kind="address_suppressed").count() == 1


def test_a_complaint_suppresses_and_nothing_more_goes_to_the_address(asked, client):
    message = candidate_ask()
    services.outbox_deliver(message_ids=[message.pk])
    complaint = {**bounce(message, record="SpamComplaint", kind="SpamComplaint")}
    post(client, TRACKING, complaint)
    assert Suppression.objects.get(address=message.recipient).reason == "complaint"
    resent = services.feedback_request_resend_link(request=message.request)
    assert services.outbox_deliver(message_ids=[resent.pk]) == ["cancelled"]
