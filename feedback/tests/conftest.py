"""Fixtures several of feedback's test modules share (a module may override one)."""

import datetime as dt

import pytest
import time_machine

from feedback import services
from tests.factories import schedule_interview


@pytest.fixture
def interview(interview_end):
    """An interview scheduled the day before, ending at `interview_end`: nobody asked yet."""
    with time_machine.travel(interview_end - dt.timedelta(days=1), tick=False):
        return schedule_interview(ends_at=interview_end)


@pytest.fixture
def asked(interview_end):
    """An interview that has just ended, with both requests queued in the outbox."""
    with time_machine.travel(interview_end - dt.timedelta(hours=2), tick=False):
        interview = schedule_interview(ends_at=interview_end)
    with time_machine.travel(interview_end, tick=False):
        services.sweep_run()
    return interview
