"""Texts: asked by the channels the candidate (or the agency) chose, sent through Twilio's
library to a local fake of its API, once, with consent, within one segment."""

import datetime as dt
import io

import pytest
import time_machine

from feedback import services
from feedback.models import OutboundMessage, ReminderPolicy, TimelineEvent
from feedback.sms.segments import gsm7_length, segments
from feedback.transports import transport_for
from tests.factories import ApplicationFactory
from tests.fake_twilio import FROM_NUMBER

from .desk import interview_asked

pytestmark = pytest.mark.django_db

NUMBER = "+17735550123"


def texted_application(**candidate):
    fields = {"phone": NUMBER, "consent_sms": True, "contact_by": "sms", **candidate}
    return ApplicationFactory(**{f"candidate__{k}": v for k, v in fields.items()})


def asked_by(interview_end, **candidate):
    return interview_asked(ends_at=interview_end, application=texted_application(**candidate))


def outbox(channel: str, kind: str = "request"):
    return list(
        OutboundMessage.objects.filter(channel=channel, kind=kind, request__party="candidate")
    )


def deliver(message: OutboundMessage) -> str:
    (outcome,) = services.outbox_deliver(message_ids=[message.pk])
    message.refresh_from_db()
    return outcome


def test_a_candidate_who_chose_sms_is_texted_and_not_emailed(interview_end, twilio):
    asked_by(interview_end)
    (text,) = outbox("sms")
    assert outbox("email") == []
    assert (text.recipient, text.status) == (NUMBER, OutboundMessage.Status.QUEUED)
    assert deliver(text) == "sent"
    (sent,) = twilio.to(NUMBER)
    assert sent["from"] == FROM_NUMBER
    assert sent["body"] == text.body_text
    assert text.provider_id == sent["sid"]
    assert sent["status_callback"].endswith("/hooks/sms/twilio/status/")


def test_the_text_fits_one_gsm7_segment_with_the_short_link_and_the_recruiters_name(
    interview_end, twilio
):
    interview = asked_by(interview_end)
    (text,) = outbox("sms")
    deliver(text)
    recruiter = interview.application.candidate.owner
    assert gsm7_length(text.body_text) is not None
    assert segments(text.body_text) == 1
    assert recruiter.full_name in text.body_text
    assert "/portal/s/" in text.body_text


def test_the_short_link_opens_the_signed_portal_link(interview_end, twilio, client):
    asked_by(interview_end)
    (text,) = outbox("sms")
    deliver(text)
    link = next(word for word in text.body_text.split() if "/portal/s/" in word)
    response = client.get(link.split("8000", 1)[-1])
    assert response.status_code == 302
    assert "/portal/f/" in response["Location"]
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/portal/s/AAAAAAAAAAAAAAAAAAAAAA/").status_code == 404
    assert client.get("/portal/s/not-base64!/").status_code == 404


@pytest.mark.parametrize(
    ("contact_by", "default", "channels"),
    [
        ("email", "sms", {"email"}),
        ("sms", "email", {"sms"}),
        ("both", "email", {"email", "sms"}),
        ("", "both", {"email", "sms"}),
        ("", "email", {"email"}),
        ("", "sms", {"sms"}),
    ],
)
def test_each_candidate_is_asked_by_their_channels_else_the_agencys(
    interview_end, contact_by, default, channels
):
    ReminderPolicy.objects.update_or_create(pk=1, defaults={"candidate_channels": default})
    asked_by(interview_end, contact_by=contact_by)
    asked = {m.channel for m in OutboundMessage.objects.filter(request__party="candidate")}
    assert asked == channels
    event = TimelineEvent.objects.get(kind="request_sent", request__party="candidate")
    said = {
        frozenset({"email"}): "Asked the candidate for feedback",
        frozenset({"sms"}): "Asked the candidate for feedback by text",
        frozenset({"email", "sms"}): "Asked the candidate for feedback by email and text",
    }
    assert event.summary == said[frozenset(channels)]


def test_the_timeline_says_when_a_candidate_who_chose_texts_could_not_be_texted(interview_end):
    asked_by(interview_end, consent_sms=False)
    event = TimelineEvent.objects.get(kind="request_sent", request__party="candidate")
    assert event.summary == "Asked the candidate for feedback (no text: no number or no consent)"


def test_no_text_without_consent_or_without_a_number(interview_end):
    asked_by(interview_end, consent_sms=False)
    asked_by(interview_end + dt.timedelta(minutes=1), phone="")
    assert outbox("sms") == []


def test_consent_withdrawn_after_the_text_was_queued_stops_it_at_send_time(interview_end, twilio):
    interview = asked_by(interview_end)
    (text,) = outbox("sms")
    candidate = interview.application.candidate
    type(candidate).objects.filter(pk=candidate.pk).update(consent_sms=False)
    assert deliver(text) == "cancelled"
    assert text.status == OutboundMessage.Status.CANCELLED
    assert "consent" in text.last_error
    assert twilio.to(NUMBER) == []


def test_a_text_is_not_sent_in_the_recipients_quiet_hours(twilio):
    # 22:30 in Chicago: the policy's quiet hours (21:00-08:00) there.
    late = dt.datetime(2026, 3, 3, 4, 30, tzinfo=dt.UTC)
    interview_asked(ends_at=late, application=texted_application())
    assert outbox("sms") == []
    with time_machine.travel(dt.datetime(2026, 3, 3, 14, 1, tzinfo=dt.UTC), tick=False):
        services.sweep_run()
    assert len(outbox("sms")) == 1


def test_a_reminder_is_texted_too(interview_end, twilio):
    asked_by(interview_end)
    with time_machine.travel(interview_end + dt.timedelta(minutes=61), tick=False):
        services.sweep_run()
    assert len(outbox("sms", "reminder")) == 1


def test_a_5xx_is_retried_and_a_refused_number_fails_for_good(interview_end, twilio):
    asked_by(interview_end)
    (text,) = outbox("sms")
    twilio.plan.append("500")
    assert deliver(text) == "retry"
    assert "Twilio 500" in text.last_error
    twilio.invalid_numbers.add(NUMBER)
    OutboundMessage.objects.filter(pk=text.pk).update(next_attempt_at=text.created_at)
    assert deliver(text) == "failed"
    assert "21211" in text.last_error
    assert twilio.messages == []


def test_a_send_whose_answer_was_lost_is_not_sent_again_on_retry(interview_end, twilio):
    asked_by(interview_end)
    (text,) = outbox("sms")
    twilio.plan.append("kill")  # Twilio takes it, the connection drops before the answer
    assert deliver(text) == "retry"
    OutboundMessage.objects.filter(pk=text.pk).update(next_attempt_at=text.created_at)
    assert deliver(text) == "sent"
    (sent,) = twilio.to(NUMBER)
    assert text.provider_id == sent["sid"]
    assert twilio.requests.count("POST") == 1


def test_a_dropped_connection_before_twilio_took_it_is_sent_on_retry(interview_end, twilio):
    asked_by(interview_end)
    (text,) = outbox("sms")
    twilio.plan.append("kill_before")
    assert deliver(text) == "retry"
    OutboundMessage.objects.filter(pk=text.pk).update(next_attempt_at=text.created_at)
    assert deliver(text) == "sent"
    assert len(twilio.to(NUMBER)) == 1


def test_a_number_that_is_no_phone_number_fails_for_good_before_twilio(interview_end, twilio):
    asked_by(interview_end, phone="12")
    (text,) = outbox("sms")
    assert deliver(text) == "failed"
    assert "not a phone number" in text.last_error
    assert twilio.requests == []


def test_console_sms_prints_the_text_and_keeps_it_in_the_outbox(interview_end, settings):
    settings.SMS_URL = "console://"
    asked_by(interview_end)
    (text,) = outbox("sms")
    transport = transport_for("sms")
    transport.console, printed = io.StringIO(), None
    try:
        assert deliver(text) == "sent"
        printed = transport.console.getvalue()
    finally:
        import sys

        transport.console = sys.stdout
    assert NUMBER in printed
    assert text.body_text in printed
    assert text.status == OutboundMessage.Status.SENT


def test_a_new_link_goes_by_text_too_and_the_old_short_link_stops_working(
    interview_end, twilio, client
):
    interview = asked_by(interview_end, contact_by="sms")
    (first,) = outbox("sms")
    deliver(first)
    old_link = next(w for w in first.body_text.split() if "/portal/s/" in w)
    request = interview.feedback_requests.get(party="candidate")
    services.feedback_request_resend_link(request=request)
    resent = OutboundMessage.objects.get(channel="sms", dedupe_key="resend-1")
    assert deliver(resent) == "sent"
    new_link = next(w for w in resent.body_text.split() if "/portal/s/" in w)
    assert new_link != old_link
    assert client.get(old_link.split("8000", 1)[-1]).status_code == 404
    assert client.get(new_link.split("8000", 1)[-1]).status_code == 302
    assert len(twilio.to(NUMBER)) == 2
