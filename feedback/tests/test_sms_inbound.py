"""Texts in, through Twilio's signed webhooks: STOP and its synonyms, START, HELP, and
replies that become answers; delivery status callbacks. Once each, signed or refused."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from candidates.models import Application
from feedback import services
from feedback.inbound.models import InboundMessage, Suppression
from feedback.models import Feedback, OutboundMessage, TimelineEvent
from tests.fake_twilio import AUTH_TOKEN, signed_post

from .test_sms import NUMBER, asked_by, deliver, outbox

pytestmark = pytest.mark.django_db

INBOUND = "/hooks/sms/twilio/"
STATUS = "/hooks/sms/twilio/status/"


@pytest.fixture
def text_in(client, settings, twilio):
    sids = iter(range(1, 10_000))

    def send(body: str, *, sender: str = NUMBER, sid: str | None = None):
        params = {
            "MessageSid": sid or f"SMin{next(sids):030d}",
            "From": sender,
            "To": "+15005550006",
            "Body": body,
            "AccountSid": "AC" + "0" * 32,
        }
        return signed_post(client, INBOUND, params, site_url=settings.SITE_URL)

    return send


def answers_sent(kind=OutboundMessage.Kind.AUTO_REPLY):
    return list(OutboundMessage.objects.filter(kind=kind, channel="sms").order_by("pk"))


@pytest.fixture
def asked(interview_end, twilio):
    interview = asked_by(interview_end)
    return interview


@pytest.mark.parametrize(
    "word", ["STOP", "stop", "StopAll", "UNSUBSCRIBE", "cancel", "End", "QUIT."]
)
def test_stop_and_its_synonyms_opt_out_at_once_confirmed_once(asked, text_in, word):
    candidate = asked.application.candidate
    assert text_in(word).status_code == 200
    candidate.refresh_from_db()
    assert candidate.consent_sms is False
    assert Suppression.objects.get(address=NUMBER).reason == "opt_out"
    assert TimelineEvent.objects.filter(candidate=candidate, kind="consent_changed").count() == 1
    text_in(word)
    (confirmation,) = answers_sent()
    assert "no more texts" in confirmation.body_text
    assert confirmation.recipient == NUMBER


def test_stop_is_honoured_for_a_text_already_queued(asked, text_in, twilio):
    (queued,) = outbox("sms")
    text_in("STOP")
    assert deliver(queued) in ("cancelled", "skipped")
    queued.refresh_from_db()
    assert queued.status == OutboundMessage.Status.CANCELLED
    (confirmation,) = answers_sent()
    assert deliver(confirmation) == "sent"
    assert [m["body"] for m in twilio.to(NUMBER)] == [confirmation.body_text]


def test_an_opted_out_number_is_refused_at_send_time_whatever_queued_it(asked, twilio):
    (queued,) = outbox("sms")
    Suppression.objects.create(
        channel="sms", address=NUMBER, reason="opt_out", at=queued.created_at
    )
    assert deliver(queued) == "cancelled"
    assert "suppressed" in queued.last_error
    assert twilio.to(NUMBER) == []


def test_start_opts_back_in_and_the_next_stop_is_confirmed_again(asked, text_in):
    candidate = asked.application.candidate
    text_in("STOP")
    text_in("START")
    candidate.refresh_from_db()
    assert candidate.consent_sms is True
    assert not Suppression.objects.filter(address=NUMBER).exists()
    changes = TimelineEvent.objects.filter(candidate=candidate, kind="consent_changed")
    assert [e.data["given"] for e in changes.order_by("created_at", "pk")] == [False, True]
    text_in("stop")
    bodies = [m.body_text for m in answers_sent()]
    assert len(bodies) == 3
    assert "no more texts" in bodies[0]
    assert "on again" in bodies[1]
    assert "no more texts" in bodies[2]


def test_help_answers_with_the_agencys_name_and_number(asked, text_in, settings):
    text_in("HELP")
    (answer,) = answers_sent()
    assert settings.AGENCY_NAME in answer.body_text
    assert settings.AGENCY_PHONE in answer.body_text


def test_a_reply_8_yes_is_the_candidates_answer_as_from_the_portal(asked, text_in):
    application = asked.application
    text_in("8 yes")
    feedback = Feedback.objects.get(request__interview=asked)
    assert (feedback.channel, feedback.interest_level, feedback.still_interested) == (
        "sms",
        8,
        "yes",
    )
    application.refresh_from_db()
    assert application.interest_status == Application.InterestStatus.HIGH
    assert OutboundMessage.objects.filter(
        request__interview=asked, kind="feedback_received"
    ).exists()
    assert InboundMessage.objects.get().outcome == "answer"


def test_a_late_reply_clears_possibly_waned(interview_end, twilio, text_in):
    interview = asked_by(interview_end)
    with time_machine.travel(interview_end + dt.timedelta(hours=3), tick=False):
        services.sweep_run()
    interview.application.refresh_from_db()
    assert interview.application.interest_status == "possibly_waned"
    text_in("7, not sure")
    interview.application.refresh_from_db()
    assert interview.application.interest_status != "possibly_waned"
    assert TimelineEvent.objects.filter(kind="interest_restored").count() == 1


def test_a_repeated_webhook_changes_nothing_twice(asked, text_in):
    text_in("9", sid="SM" + "1" * 32)
    text_in("9", sid="SM" + "1" * 32)
    assert Feedback.objects.count() == 1
    assert InboundMessage.objects.count() == 1


def test_a_reply_it_cannot_read_is_a_note_the_recruiter_hears_of_and_one_text_back(asked, text_in):
    text_in("hello? who is this")
    text_in("what do you mean")
    assert not Feedback.objects.exists()
    notes = TimelineEvent.objects.filter(kind="reply_unread")
    assert notes.count() == 2
    assert "hello? who is this" in notes.last().summary
    recruiter = asked.application.candidate.owner
    told = OutboundMessage.objects.filter(kind="reply_unread")
    assert {m.recipient for m in told} == {recruiter.email}
    assert told.count() == 2
    (link,) = answers_sent()
    assert "/portal/s/" in link.body_text


def test_a_text_from_a_number_we_do_not_know_changes_nothing(asked, text_in):
    text_in("8", sender="+17735550199")
    assert not Feedback.objects.exists()
    assert InboundMessage.objects.get().outcome == "unknown_sender"


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_X_TWILIO_SIGNATURE": "bm90IGEgc2lnbmF0dXJl"}],
    ids=["unsigned", "badly signed"],
)
@pytest.mark.parametrize("path", [INBOUND, STATUS])
def test_unsigned_or_badly_signed_calls_get_403_and_change_nothing(asked, client, headers, path):
    params = {"MessageSid": "SM" + "2" * 32, "From": NUMBER, "Body": "STOP"}
    params["MessageStatus"] = "failed"
    assert client.post(path, params, **headers).status_code == 403
    assert not InboundMessage.objects.exists()
    assert not Suppression.objects.exists()


def test_a_call_signed_with_another_token_gets_403(asked, client, settings):
    params = {"MessageSid": "SM" + "3" * 32, "From": NUMBER, "Body": "STOP"}
    response = signed_post(client, INBOUND, params, site_url=settings.SITE_URL, token="other")
    assert response.status_code == 403
    assert not Suppression.objects.exists()


def test_without_twilio_configured_every_call_gets_403(asked, client, settings):
    settings.SMS_URL = "console://"
    params = {"MessageSid": "SM" + "4" * 32, "From": NUMBER, "Body": "STOP"}
    response = signed_post(client, INBOUND, params, site_url=settings.SITE_URL, token=AUTH_TOKEN)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "params",
    [{}, {"MessageSid": "SMx", "From": "not a number", "Body": "8"}, {"From": NUMBER}],
)
def test_a_signed_call_without_what_it_needs_is_a_400(asked, client, settings, params):
    assert signed_post(client, INBOUND, params, site_url=settings.SITE_URL).status_code == 400


def status(client, settings, sid, value, **extra):
    params = {"MessageSid": sid, "MessageStatus": value, **extra}
    return signed_post(client, STATUS, params, site_url=settings.SITE_URL)


def test_delivery_status_updates_the_outbox_row_once(asked, client, settings):
    (text,) = outbox("sms")
    deliver(text)
    assert status(client, settings, text.provider_id, "sent").status_code == 200
    assert status(client, settings, text.provider_id, "delivered").status_code == 200
    text.refresh_from_db()
    assert (text.delivery_status, text.status) == ("delivered", "sent")
    first = text.delivery_status_at
    status(client, settings, text.provider_id, "delivered")
    status(client, settings, text.provider_id, "sent")
    text.refresh_from_db()
    assert (text.delivery_status, text.delivery_status_at) == ("delivered", first)


def test_a_number_that_can_never_take_a_text_fails_it_and_is_suppressed(asked, client, settings):
    (text,) = outbox("sms")
    deliver(text)
    status(client, settings, text.provider_id, "undelivered", ErrorCode="30006")
    status(client, settings, text.provider_id, "undelivered", ErrorCode="30006")
    text.refresh_from_db()
    assert (text.status, text.delivery_status) == ("failed", "undelivered")
    assert Suppression.objects.get(address=NUMBER).reason == "bounce"
    assert TimelineEvent.objects.filter(kind="address_suppressed").count() == 1


def test_a_passing_failure_fails_the_message_but_keeps_the_number(asked, client, settings):
    (text,) = outbox("sms")
    deliver(text)
    status(client, settings, text.provider_id, "failed", ErrorCode="30001")
    text.refresh_from_db()
    assert text.status == "failed"
    assert not Suppression.objects.exists()


def test_a_number_typed_any_way_is_texted_in_e164_and_its_replies_found(
    interview_end, twilio, text_in
):
    interview = asked_by(interview_end, phone="(773) 555-0123")
    (text,) = outbox("sms")
    deliver(text)
    assert len(twilio.to(NUMBER)) == 1
    text_in("10!")
    assert Feedback.objects.get(request__interview=interview).interest_level == 10


def test_the_play_reply_command_plays_a_text_and_a_mail(interview_end, twilio):
    from django.core.management import call_command

    texted = asked_by(interview_end)
    call_command("play_reply", "(773) 555-0123", "8 yes")
    feedback = Feedback.objects.get(request__interview=texted)
    assert (feedback.channel, feedback.interest_level) == ("sms", 8)
    mailed = asked_by(interview_end, contact_by="email", phone="+17735550177")
    call_command("play_reply", mailed.application.candidate.email, "6")
    feedback = Feedback.objects.get(request__interview=mailed)
    assert (feedback.channel, feedback.interest_level) == ("email", 6)


def test_erasing_the_candidate_erases_what_they_texted(asked, text_in):
    candidate = asked.application.candidate
    text_in("who is this? I am Dr Zed")
    text_in("STOP")
    services.person_erase_records(
        candidate=candidate, words=[candidate.full_name], now=timezone.now()
    )
    assert {(m.body, m.sender) for m in InboundMessage.objects.all()} == {("(erased)", "")}
    note = TimelineEvent.objects.get(kind="reply_unread")
    assert "Dr Zed" not in note.summary
    assert note.data == {}
    assert not OutboundMessage.objects.filter(recipient=NUMBER).exists()


def test_a_recruiter_reads_the_texts_in_and_the_suppressed_numbers_and_cannot_edit_them(
    asked, text_in, recruiter
):
    text_in("STOP")
    for model in (InboundMessage, Suppression):
        opts = model._meta
        changelist = f"/admin/{opts.app_label}/{opts.model_name}/"
        page = recruiter.get(changelist)
        assert page.status_code == 200
        assert NUMBER in page.content.decode()
        assert recruiter.get(f"{changelist}{model.objects.get().pk}/change/").status_code == 200
        assert recruiter.get(f"{changelist}add/").status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {"MessageSid": "SM" + "6" * 32, "MessageStatus": "\x00"},
        {"MessageSid": "SM" + "6" * 32, "MessageStatus": "exploded"},
        {"MessageSid": "SM" + "6" * 32, "MessageStatus": "failed", "ErrorCode": "x"},
        {"MessageStatus": "delivered"},
    ],
)
def test_a_signed_status_that_is_no_twilio_status_is_a_400_and_changes_nothing(
    asked, client, settings, params
):
    (text,) = outbox("sms")
    deliver(text)
    params = {**params, "MessageSid": params.get("MessageSid") and text.provider_id}
    params = {k: v for k, v in params.items() if v}
    assert signed_post(client, STATUS, params, site_url=settings.SITE_URL).status_code == 400
    text.refresh_from_db()
    assert (text.status, text.delivery_status) == ("sent", "")
