"""A message the server has accepted is recorded as sent before the next one is sent,
and nothing that fails afterwards can lose that record."""

import datetime as dt

import pytest
import time_machine
from django.db import OperationalError

from feedback import services
from feedback.models import OutboundMessage
from feedback.services import delivery
from feedback.transports import TRANSPORTS
from tests.factories import schedule_interview

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_asked(interview_end):
    """Three interviews that have just ended: six asks queued (two per interview)."""
    with time_machine.travel(interview_end - dt.timedelta(hours=2), tick=False):
        for _ in range(3):
            schedule_interview(ends_at=interview_end)
    with time_machine.travel(interview_end, tick=False):
        services.sweep_run()
    return list(OutboundMessage.objects.order_by("pk").values_list("pk", flat=True))


class SpyTransport:
    """The real email transport, watched: after each accepted message it notes what the
    database says of that message, and can make a later step fail."""

    def __init__(self, real, on_sent=None):
        self.real = real
        self.on_sent = on_sent
        self.sent: list[int] = []

    def send(self, message):
        self.real.send(message)
        self.sent.append(message.pk)
        if self.on_sent:
            self.on_sent(message)


@pytest.fixture
def spy(monkeypatch):
    def install(**options):
        spy = SpyTransport(TRANSPORTS[OutboundMessage.Channel.EMAIL], **options)
        monkeypatch.setitem(TRANSPORTS, OutboundMessage.Channel.EMAIL, spy)
        return spy

    return install


def statuses(pks) -> list[str]:
    by_pk = dict(OutboundMessage.objects.filter(pk__in=pks).values_list("pk", "status"))
    return [by_pk[pk] for pk in pks]


def test_each_message_is_recorded_as_sent_before_the_next_is_sent(three_asked, smtp_mail, spy):
    seen_before_each_send: list[list[str]] = []
    watcher = spy()
    real_send = watcher.send

    def send(message):
        seen_before_each_send.append(statuses(watcher.sent))
        real_send(message)

    watcher.send = send
    assert services.outbox_deliver(message_ids=three_asked) == ["sent"] * 6

    # Before the n-th send, the n-1 messages the server already had were recorded sent.
    assert seen_before_each_send == [["sent"] * n for n in range(6)]
    assert len(smtp_mail.messages) == 6


def test_a_database_error_after_a_send_keeps_the_record_of_the_messages_accepted(
    three_asked, smtp_mail, spy, monkeypatch
):
    first, second = three_asked[:2]

    def database_gone(*, message, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    def fail_the_second(message):
        if message.pk == second:
            raise RuntimeError("the transport crashed after the server took it")

    spy(on_sent=fail_the_second)
    # The second message's failure cannot be recorded either: the database went away.
    monkeypatch.setattr(delivery, "_record_failure", database_gone)
    with pytest.raises(OperationalError):
        services.outbox_deliver(message_ids=three_asked)

    assert statuses([first]) == ["sent"]
    assert len(smtp_mail.messages) == 2


def test_the_record_outlives_a_lease_that_ran_out_during_a_database_outage(
    three_asked, smtp_mail, spy
):
    """The sweep put the claim back in the queue while the worker waited for the database
    (the lease ran out); nobody claimed it again, so the late record still holds."""
    message_id = three_asked[0]

    def lease_ran_out(message):
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=OutboundMessage.Status.QUEUED, dispatched_at=None
        )

    spy(on_sent=lease_ran_out)
    assert services.outbox_deliver(message_ids=[message_id]) == ["sent"]
    assert statuses([message_id]) == ["sent"]
    assert services.outbox_deliver(message_ids=[message_id]) == ["skipped"]
    assert len(smtp_mail.messages) == 1


def test_a_message_claimed_again_meanwhile_is_not_recorded_by_the_old_claim(
    three_asked, smtp_mail, spy, caplog
):
    message_id = three_asked[0]

    def claimed_again(message):
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=OutboundMessage.Status.SENDING,
            claimed_at=message.claimed_at + dt.timedelta(minutes=3),
            attempts=message.attempts + 1,
        )

    spy(on_sent=claimed_again)
    assert services.outbox_deliver(message_ids=[message_id]) == ["sent"]
    message = OutboundMessage.objects.get(pk=message_id)
    assert (message.status, message.attempts) == (OutboundMessage.Status.SENDING, 2)
    assert "may go out twice" in caplog.text
