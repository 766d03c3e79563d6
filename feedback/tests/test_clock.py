"""The loop reads the database's clock, so hosts whose clocks differ still agree on
what is due and whose claim has lapsed."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from core import clock
from feedback import services
from feedback.models import OutboundMessage
from tests.factories import schedule_interview

pytestmark = [
    pytest.mark.django_db,
    # These interviews end "now": whatever the hour of the run, ask at once.
    pytest.mark.usefixtures("no_quiet_hours"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the database clock is PostgreSQL's"
    ),
]


@pytest.fixture
def database_clock(settings):
    settings.LOOP_CLOCK = "database"


def database_time() -> dt.datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def test_it_reads_the_databases_clock_not_this_processes(database_clock):
    with time_machine.travel(timezone.now() + dt.timedelta(hours=3), tick=True):
        before = database_time()
        now = clock.now()
        after = database_time()
        assert before <= now <= after
        assert timezone.now() - now > dt.timedelta(hours=2)


def test_local_reads_this_processes_clock(settings):
    settings.LOOP_CLOCK = "local"
    moment = dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        assert clock.now() == moment
        assert clock.now_in_sql() == moment


@pytest.mark.parametrize("worker_offset", [-5, 5])
def test_a_worker_whose_clock_is_off_sends_a_due_message_at_once(
    database_clock, no_quiet_hours, smtp_mail, worker_offset
):
    schedule_interview(ends_at=database_time() - dt.timedelta(seconds=1))
    services.sweep_run()  # the sweep host: its clock is the database's
    ask = OutboundMessage.objects.filter(kind="request").earliest("pk")
    worker_now = timezone.now() + dt.timedelta(seconds=worker_offset)
    with time_machine.travel(worker_now, tick=True):
        assert services.outbox_deliver(message_ids=[ask.pk]) == ["sent"]
    ask.refresh_from_db()
    # Stamped by the database's clock, whatever the worker's says.
    assert abs(ask.sent_at - database_time()) < dt.timedelta(seconds=2)
    assert abs(ask.claimed_at - ask.sent_at) < dt.timedelta(seconds=2)


def test_a_claim_lapses_by_the_databases_clock(database_clock, no_quiet_hours, settings):
    schedule_interview(ends_at=database_time() - dt.timedelta(seconds=1))
    services.sweep_run()
    ask = OutboundMessage.objects.filter(kind="request").earliest("pk")
    lease = settings.FEEDBACK["DELIVERY_LEASE"]
    OutboundMessage.objects.filter(pk=ask.pk).update(
        status=OutboundMessage.Status.SENDING, claimed_at=database_time() - lease / 2
    )
    # A sweep host whose clock runs a whole lease ahead does not take the claim early …
    with time_machine.travel(timezone.now() + lease, tick=True):
        assert services.outbox_reclaim_abandoned() == 0
    # … and takes it once the database's clock says the lease is over.
    OutboundMessage.objects.filter(pk=ask.pk).update(
        claimed_at=database_time() - lease - dt.timedelta(seconds=1)
    )
    with time_machine.travel(timezone.now() - lease, tick=True):
        assert services.outbox_reclaim_abandoned() == 1
