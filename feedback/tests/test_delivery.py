"""Delivering the outbox through a real SMTP server: once, with retries, never twice."""

import asyncio
import datetime as dt

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.utils import timezone

from conftest import free_port
from feedback import services
from feedback.models import OutboundMessage, TimelineEvent

from .desk import candidate_ask

pytestmark = pytest.mark.django_db


def test_a_queued_message_is_sent_once_with_text_and_html(asked, smtp_mail):
    message = candidate_ask()
    assert services.outbox_deliver(message_ids=[message.pk]) == ["sent"]
    received = smtp_mail.wait_for(lambda msgs: len(msgs) >= 1, timeout=5)
    assert len(received) == 1
    mail = received[0]
    assert mail["To"] == asked.application.candidate.email
    assert mail["X-TVR-Outbox-Id"] == str(message.pk)
    assert "/portal/f/" in mail.get_body(("plain",)).get_content()
    assert "<a href=" in mail.get_body(("html",)).get_content()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundMessage.Status.SENT, 1)
    assert message.sent_at is not None


def test_a_message_recorded_as_sent_is_never_sent_again(asked, smtp_mail):
    message = candidate_ask()
    services.outbox_deliver(message_ids=[message.pk])
    assert services.outbox_deliver(message_ids=[message.pk]) == ["skipped"]
    # Even the sweep's re-dispatch long after does not pick it up again.
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1), tick=False):
        assert services.outbox_redispatch_due(limit=100) == 1  # only the client's ask
        assert services.outbox_deliver(message_ids=[message.pk]) == ["skipped"]
    assert len(smtp_mail.messages) == 1


def test_an_unreachable_server_is_retried_with_backoff(asked, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    message = candidate_ask()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert services.outbox_deliver(message_ids=[message.pk]) == ["retry"]
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.QUEUED
    assert message.attempts == 1
    assert "Connection refused" in message.last_error or "Errno" in message.last_error
    assert message.next_attempt_at == start + settings.FEEDBACK["DELIVERY_BACKOFF_BASE"]
    # Not before the backoff has passed …
    with time_machine.travel(start + dt.timedelta(seconds=10), tick=False):
        assert services.outbox_deliver(message_ids=[message.pk]) == ["skipped"]
    # … then the second failure doubles it.
    with time_machine.travel(message.next_attempt_at, tick=False):
        assert services.outbox_deliver(message_ids=[message.pk]) == ["retry"]
    message.refresh_from_db()
    assert message.next_attempt_at - timezone.now() >= dt.timedelta(seconds=60)


def test_it_gives_up_after_the_last_attempt_and_says_so_on_the_timeline(asked, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.FEEDBACK = {**settings.FEEDBACK, "DELIVERY_MAX_ATTEMPTS": 2}
    message = candidate_ask()
    assert services.outbox_deliver(message_ids=[message.pk]) == ["retry"]
    message.refresh_from_db()
    with time_machine.travel(message.next_attempt_at, tick=False):
        assert services.outbox_deliver(message_ids=[message.pk]) == ["failed"]
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.MESSAGE_FAILED).count() == 1


class RejectingHandler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such mailbox"


def test_a_permanent_refusal_fails_at_once(asked, settings):
    controller = Controller(RejectingHandler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        message = candidate_ask()
        assert services.outbox_deliver(message_ids=[message.pk]) == ["failed"]
    finally:
        controller.stop()
    message.refresh_from_db()
    assert message.attempts == 1
    assert "550" in message.last_error


class SlowHandler:
    """Takes `rcpt_delay` seconds to answer RCPT and `data_delay` to accept a message."""

    def __init__(self, *, rcpt_delay=0.0, data_delay=0.0):
        self.rcpt_delay, self.data_delay = rcpt_delay, data_delay
        self.accepted = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.data_delay)
        self.accepted += 1
        return "250 OK"


@pytest.fixture
def slow_server(settings):
    def start(**delays):
        handler = SlowHandler(**delays)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_TIMEOUT = 1
        return handler

    started = []
    yield start
    for controller in started:
        controller.stop()


def test_a_server_that_times_out_on_a_command_is_retried(asked, slow_server):
    slow_server(rcpt_delay=3)
    message = candidate_ask()
    assert services.outbox_deliver(message_ids=[message.pk]) == ["retry"]
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.QUEUED
    assert "timed out" in message.last_error.lower()


def test_a_server_slow_to_accept_the_message_is_waited_for_not_sent_twice(
    asked, slow_server, settings
):
    """The answer to the message's end is when the server takes it: waited for longer
    than a command's (half the lease), so a slow server does not get it twice."""
    settings.FEEDBACK = {**settings.FEEDBACK, "DELIVERY_LEASE": dt.timedelta(seconds=8)}
    server = slow_server(data_delay=2)
    message = candidate_ask()
    assert services.outbox_deliver(message_ids=[message.pk]) == ["sent"]
    message.refresh_from_db()
    assert (message.status, message.attempts, server.accepted) == ("sent", 1, 1)


def test_a_server_that_never_accepts_within_half_the_lease_is_retried(asked, slow_server, settings):
    settings.FEEDBACK = {**settings.FEEDBACK, "DELIVERY_LEASE": dt.timedelta(seconds=2)}
    slow_server(data_delay=3)
    message = candidate_ask()
    assert services.outbox_deliver(message_ids=[message.pk]) == ["retry"]
    message.refresh_from_db()
    assert "timed out" in message.last_error.lower()


def test_an_ask_for_an_answered_request_is_not_sent(asked, smtp_mail):
    message = candidate_ask()
    services.feedback_submit(
        request=message.request, answers={"interest_level": 9, "still_interested": "yes"}
    )
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.CANCELLED
    assert services.outbox_deliver(message_ids=[message.pk]) == ["skipped"]
    assert smtp_mail.messages == []


class SessionCountingHandler:
    def __init__(self):
        self.sessions = 0
        self.messages = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        return "250 OK"


def _smtp_settings(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port


def test_one_connection_serves_many_messages(asked, settings):
    handler = SessionCountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        _smtp_settings(settings, controller.port)
        for message in OutboundMessage.objects.all():
            assert services.outbox_deliver(message_ids=[message.pk]) == ["sent"]
    finally:
        controller.stop()
    assert handler.messages == 2
    assert handler.sessions == 1


def test_a_connection_the_server_dropped_is_opened_again(asked, settings):
    port = free_port()
    first = Controller(SessionCountingHandler(), hostname="127.0.0.1", port=port)
    first.start()
    _smtp_settings(settings, port)
    client_ask, candidate = (
        OutboundMessage.objects.get(request__party="client"),
        candidate_ask(),
    )
    assert services.outbox_deliver(message_ids=[client_ask.pk]) == ["sent"]
    first.stop()  # the server goes away with our idle connection
    second_handler = SessionCountingHandler()
    second = Controller(second_handler, hostname="127.0.0.1", port=port)
    second.start()
    try:
        assert services.outbox_deliver(message_ids=[candidate.pk]) == ["sent"]
    finally:
        second.stop()
    assert second_handler.messages == 1


def test_a_message_that_cannot_be_written_is_retried_not_lost(asked, smtp_mail):
    # There is no client_debrief_alert template: writing this message's text fails.
    message = OutboundMessage.objects.get(request__party="client")
    OutboundMessage.objects.filter(pk=message.pk).update(kind=OutboundMessage.Kind.DEBRIEF_ALERT)

    assert services.outbox_deliver(message_ids=[message.pk]) == ["retry"]

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.QUEUED
    assert message.attempts == 1
    assert "could not write the message" in message.last_error
    assert message.next_attempt_at > timezone.now()
    assert smtp_mail.messages == []
