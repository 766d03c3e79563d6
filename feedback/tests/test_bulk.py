"""The set-based writes behind delivery's claim and record: only rows that still match
are written, and the claim says which rows it won."""

import datetime as dt

import pytest
import time_machine
from django.db.models import F

from core.bulk import AnyOf, update_returning
from feedback import services
from feedback.models import OutboundMessage
from tests.factories import schedule_interview

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status


@pytest.fixture
def two_queued(interview_end):
    """The two asks the sweep queues when an interview ends."""
    with time_machine.travel(interview_end - dt.timedelta(hours=2), tick=False):
        schedule_interview(ends_at=interview_end)
    with time_machine.travel(interview_end, tick=False):
        services.sweep_run()
    return list(OutboundMessage.objects.order_by("pk"))


def test_update_returning_says_which_rows_it_changed(two_queued):
    first, second = two_queued
    OutboundMessage.objects.filter(pk=second.pk).update(status=Status.SENT)

    won = update_returning(
        OutboundMessage.objects.filter(AnyOf(F("pk"), [first.pk, second.pk]), status=Status.QUEUED),
        returning=("id", "attempts"),
        status=Status.SENDING,
        attempts=F("attempts") + 1,
    )

    assert won == [(first.pk, 1)]
    second.refresh_from_db()
    assert second.status == Status.SENT
