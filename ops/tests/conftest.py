"""Fixtures for the operations tests: the loop's record as a test wants it."""

import datetime as dt

import pytest
from django.utils import timezone

from feedback.models import OutboundMessage, SweepRecord


@pytest.fixture
def swept(db, clock):
    """A sweep finished just now (by the loop's clock, frozen by `clock`)."""
    return SweepRecord.objects.create(pk=SweepRecord.ROW, last_finished_at=timezone.now(), runs=1)


def queued_message(*, due_at: dt.datetime, **fields) -> OutboundMessage:
    """An outbox row, queued and due at `due_at`, that belongs to no request."""
    return OutboundMessage.objects.create(
        kind=fields.pop("kind", OutboundMessage.Kind.INVITATION),
        recipient="contact@lakeshore.example",
        subject="Welcome",
        body_text="Welcome",
        next_attempt_at=due_at,
        dispatched_at=due_at,
        **fields,
    )
