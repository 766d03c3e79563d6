"""The loop by text and by mail reply, on the real engine: a Celery worker and beat
(subprocesses), the test database shared with them, a real SMTP server, and a local fake
of Twilio's Messages API (the one thing outside this machine) that the worker's Twilio
library talks to. The candidate's replies come in through the signed webhooks.
"""

import base64
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from candidates.models import Application
from feedback.models import Feedback, FeedbackRequest, OutboundMessage, Party
from tests.factories import ApplicationFactory, schedule_interview
from tests.fake_twilio import FakeTwilio, signed_post
from tests.test_loop_integration import (
    SCENARIO_TIMEOUT,
    _delivered,
    _redis_url,
    _set_policy,
)
from tests.test_loop_integration import celery_stack as loop_stack

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

NUMBER = "+17735550123"
MAIL_SECRET = "postmark:loop-test-secret"


@pytest.fixture
def broker_url() -> str:
    """Redis only here: the loop's run on RabbitMQ is test_loop_integration's."""
    return _redis_url()


@pytest.fixture
def twilio(monkeypatch, settings):
    """The fake provider, named in SMS_URL for this process (the webhooks' signatures) and
    for the worker the stack starts after this (its environment)."""
    fake = FakeTwilio().start()
    monkeypatch.setenv("SMS_URL", fake.sms_url)
    monkeypatch.setenv("DELIVERY_BACKOFF_SECONDS", "1")
    settings.SMS_URL = fake.sms_url
    settings.ANYMAIL = {"WEBHOOK_SECRET": MAIL_SECRET}
    yield fake
    fake.stop()


# The loop test's worker and beat (started after `twilio`, so they see its SMS_URL).
celery_stack = loop_stack


@pytest.fixture
def stack(twilio, request):
    return request.getfixturevalue("celery_stack")


def _candidate_application(**candidate):
    fields = {"phone": NUMBER, "consent_sms": True, **candidate}
    return ApplicationFactory(**{f"candidate__{k}": v for k, v in fields.items()})


def _request_for(interview) -> FeedbackRequest:
    return interview.feedback_requests.get(party=Party.CANDIDATE)


def _sent_text(request, kind):
    return OutboundMessage.objects.filter(
        request=request, kind=kind, channel="sms", status=OutboundMessage.Status.SENT
    ).first()


def _recruiter_told(stack, request):
    return _delivered(stack, request, OutboundMessage.Kind.FEEDBACK_RECEIVED)


def test_the_full_loop_by_text_ask_remind_reply_8_yes(stack, twilio, client, settings):
    _set_policy(candidate=(0, 3, 60), client=(0, 120, 240))
    interview = schedule_interview(
        application=_candidate_application(contact_by="sms"),
        ends_at=timezone.now() + timedelta(seconds=2),
    )
    request = _request_for(interview)
    deadline = time.monotonic() + SCENARIO_TIMEOUT

    ask = stack.wait_until(
        "the ask by text", lambda: _sent_text(request, "request"), deadline=deadline
    )
    reminder = stack.wait_until(
        "the reminder by text", lambda: _sent_text(request, "reminder"), deadline=deadline
    )
    texts = twilio.to(NUMBER)
    assert [t["body"] for t in texts] == [ask.body_text, reminder.body_text]
    assert [t["sid"] for t in texts] == [ask.provider_id, reminder.provider_id]
    assert not OutboundMessage.objects.filter(request=request, channel="email").exists()

    params = {"MessageSid": "SM" + "8" * 32, "From": NUMBER, "Body": "8 yes"}
    assert signed_post(client, "/hooks/sms/twilio/", params, site_url=settings.SITE_URL)
    feedback = Feedback.objects.get(request=request)
    assert (feedback.channel, feedback.interest_level, feedback.still_interested) == (
        "sms",
        8,
        "yes",
    )
    interview.application.refresh_from_db()
    assert interview.application.interest_status == Application.InterestStatus.HIGH
    _, mail = stack.wait_until(
        "the recruiter's notice", lambda: _recruiter_told(stack, request), deadline=deadline
    )
    assert mail["To"] == interview.application.candidate.owner.email
    assert "8/10" in mail["Subject"]


def test_the_full_loop_by_mail_reply(stack, client):
    _set_policy(candidate=(0, 3, 60), client=(0, 120, 240))
    interview = schedule_interview(
        application=_candidate_application(contact_by="email"),
        ends_at=timezone.now() + timedelta(seconds=2),
    )
    request = _request_for(interview)
    candidate = interview.application.candidate
    deadline = time.monotonic() + SCENARIO_TIMEOUT

    _, mail = stack.wait_until(
        "the ask by mail",
        lambda: _delivered(stack, request, OutboundMessage.Kind.REQUEST),
        deadline=deadline,
    )
    assert "reply with a number from 1 to 10" in mail.get_body(("plain",)).get_content()
    stack.wait_until(
        "the reminder by mail",
        lambda: _delivered(stack, request, OutboundMessage.Kind.REMINDER),
        deadline=deadline,
    )
    reply = {
        "FromFull": {"Email": candidate.email, "Name": candidate.full_name},
        "ToFull": [{"Email": "feedback@tvr.example", "Name": ""}],
        "Subject": f"Re: {mail['Subject']}",
        "MessageID": "loop-reply-1",
        "TextBody": "8 yes\n\nOn Tue, Dana wrote:\n> Or just reply with a number from 1 to 10",
        "Headers": [],
    }
    auth = "Basic " + base64.b64encode(MAIL_SECRET.encode()).decode()
    response = client.post(
        "/hooks/email/postmark/inbound/",
        json.dumps(reply),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth,
    )
    assert response.status_code == 200
    feedback = Feedback.objects.get(request=request)
    assert (feedback.channel, feedback.interest_level, feedback.still_interested) == (
        "email",
        8,
        "yes",
    )
    interview.application.refresh_from_db()
    assert interview.application.interest_status == Application.InterestStatus.HIGH
    stack.wait_until(
        "the recruiter's notice", lambda: _recruiter_told(stack, request), deadline=deadline
    )


def test_stop_is_honoured_for_a_text_already_queued(stack, twilio, client, settings):
    """The provider fails the ask once, so it waits in the queue for its retry; STOP
    arrives meanwhile; the worker's retry finds the number opted out and sends nothing
    but the opt-out's confirmation."""
    _set_policy(candidate=(0, 50, 100), client=(0, 120, 240))
    twilio.plan.extend(["500"])
    interview = schedule_interview(
        application=_candidate_application(contact_by="sms"),
        ends_at=timezone.now() + timedelta(seconds=2),
    )
    request = _request_for(interview)
    deadline = time.monotonic() + SCENARIO_TIMEOUT
    ask = stack.wait_until(
        "the ask to fail once",
        lambda: OutboundMessage.objects.filter(
            request=request, kind="request", channel="sms", attempts=1, status="queued"
        ).first(),
        deadline=deadline,
    )
    params = {"MessageSid": "SM" + "5" * 32, "From": NUMBER, "Body": "STOP"}
    assert signed_post(client, "/hooks/sms/twilio/", params, site_url=settings.SITE_URL)
    confirmation = stack.wait_until(
        "the opt-out's confirmation",
        lambda: OutboundMessage.objects.filter(kind="auto_reply", status="sent").first(),
        deadline=deadline,
    )
    ask.refresh_from_db()
    assert ask.status == OutboundMessage.Status.CANCELLED
    assert [t["body"] for t in twilio.to(NUMBER)] == [confirmation.body_text]
