"""Calendar invites with the real engine: the Celery worker of the loop's own system test
(tests/test_loop_integration.py) delivers them from the outbox to a real SMTP server. The
first attempt meets a server that refuses for now (4xx); the retry brings the invite, once,
as text/calendar; a reschedule and a cancel follow as new versions of the same event."""

import time
from datetime import timedelta

import icalendar
import pytest
import vobject
from django.utils import timezone

from feedback import services
from feedback.models import OutboundMessage, Party
from feedback.services.invites import invite_uid
from tests.factories import schedule_interview

# The loop's system test's stack: a real worker and beat on Redis, sharing the test database.
from tests.test_loop_integration import (  # noqa: F401
    SCENARIO_TIMEOUT,
    _redis_url,
    _set_policy,
    celery_stack,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker_url() -> str:
    return _redis_url()


@pytest.fixture(autouse=True)
def _invites_on(settings):
    settings.FEEDBACK = {**settings.FEEDBACK, "CALENDAR_INVITES": True}


@pytest.fixture
def fast_retries(monkeypatch):
    """The worker's backoff in seconds rather than half-minutes (set before it starts)."""
    monkeypatch.setenv("DELIVERY_BACKOFF_SECONDS", "1")


def _calendars(stack, message: OutboundMessage) -> list[str]:
    return [
        part.get_content()
        for mail in stack.mails_for(message)
        for part in mail.walk()
        if part.get_content_type() == "text/calendar"
    ]


def test_each_version_of_an_invite_arrives_once_as_text_calendar(
    fast_retries,
    celery_stack,  # noqa: F811 - the fixture imported above
):
    stack = celery_stack
    # Far from the interview: the loop asks nobody during this test.
    _set_policy(candidate=(3600, 7200, 10800), client=(3600, 7200, 10800))
    deadline = time.monotonic() + SCENARIO_TIMEOUT
    handler = stack.smtp
    refusals = {"left": 1}
    accept = handler.handle_DATA

    async def refuse_once(server, session, envelope):
        if refusals["left"]:
            refusals["left"] -= 1
            return "451 Try again later"
        return await accept(server, session, envelope)

    handler.handle_DATA = refuse_once
    ends_at = timezone.now() + timedelta(days=2)
    interview = schedule_interview(ends_at=ends_at)
    first = {
        m.request.party: m
        for m in OutboundMessage.objects.filter(channel="calendar").select_related("request")
    }
    assert set(first) == {Party.CANDIDATE, Party.CLIENT}
    stack.wait_until(
        "both invites sent",
        lambda: (
            all(len(stack.mails_for(m)) == 1 for m in first.values())
            and OutboundMessage.objects.filter(channel="calendar", status="sent").count() == 2
        ),
        deadline=deadline,
    )
    assert refusals["left"] == 0
    assert max(m.attempts for m in OutboundMessage.objects.filter(channel="calendar")) == 2

    new_end = ends_at + timedelta(hours=3)
    services.interview_reschedule(
        interview=interview, starts_at=new_end - timedelta(hours=1), ends_at=new_end
    )
    services.interview_cancel(interview=interview)
    stack.wait_until(
        "every version dealt with",
        lambda: (
            not OutboundMessage.objects.filter(
                channel="calendar", status__in=["queued", "sending"]
            ).exists()
        ),
        deadline=deadline,
    )
    stack.wait_for_fresh_sweeps(2, deadline=deadline)

    for party in Party.values:
        versions = list(
            OutboundMessage.objects.filter(channel="calendar", request__party=party).order_by("pk")
        )
        sent = [m for m in versions if m.status == "sent"]
        # The update may have been replaced by the cancel before a worker took it.
        assert [m.status for m in versions if m not in sent] in ([], ["cancelled"])
        assert versions[-1].status == "sent"
        methods, sequences = [], []
        for message in sent:
            (text,) = _calendars(stack, message)  # each version arrived exactly once
            event = icalendar.Calendar.from_ical(text)
            methods.append(str(event["METHOD"]))
            (vevent,) = event.walk("VEVENT")
            assert str(vevent["UID"]) == invite_uid(interview)
            sequences.append(int(vevent["SEQUENCE"]))
            assert vobject.readOne(text).vevent.uid.value == invite_uid(interview)
        assert methods[0] == "REQUEST"
        assert methods[-1] == "CANCEL"
        assert sequences == sorted(set(sequences))
        assert sequences[0] == 0
