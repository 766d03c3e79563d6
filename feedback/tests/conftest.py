"""Fixtures several of feedback's test modules share (a module may override one)."""

import datetime as dt

import pytest
import time_machine

from tests.factories import schedule_interview
from tests.fake_twilio import FakeTwilio

from .desk import interview_asked


@pytest.fixture
def dana(recruiter):
    """Dana Whitfield's desk: the `recruiter` persona's (who is signed in to the admin)."""
    return recruiter.recruiter


@pytest.fixture
def marcus(other_recruiter):
    """Marcus Reyes's desk: the `other_recruiter` persona's."""
    return other_recruiter.recruiter


@pytest.fixture
def interview(interview_end):
    """An interview scheduled the day before, ending at `interview_end`: nobody asked yet."""
    with time_machine.travel(interview_end - dt.timedelta(days=1), tick=False):
        return schedule_interview(ends_at=interview_end)


@pytest.fixture
def asked(interview_end):
    """An interview that has just ended, with both requests queued in the outbox."""
    return interview_asked(ends_at=interview_end)


@pytest.fixture(scope="module")
def twilio_server():
    """The fake of Twilio's Messages API (tests/fake_twilio.py), one per test module."""
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def twilio(twilio_server, settings):
    """Texts go to the fake provider, which starts each test with nothing received."""
    twilio_server.reset()
    settings.SMS_URL = twilio_server.sms_url
    return twilio_server
