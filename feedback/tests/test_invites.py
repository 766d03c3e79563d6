"""Calendar invites: one event per interview, sent to each party through the outbox; the
same UID with a higher SEQUENCE on every change, METHOD:CANCEL on a cancel. Each invite
is read back by two calendar parsers (icalendar, vobject) and delivered to a real SMTP
server as text/calendar."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
import vobject
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import OutboundMessage, Party
from feedback.services.invites import invite_uid
from tests.factories import ApplicationFactory, request_of, schedule_interview

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


def invites(**filters) -> list[OutboundMessage]:
    return list(
        OutboundMessage.objects.filter(
            channel=OutboundMessage.Channel.CALENDAR, **filters
        ).order_by("pk")
    )


def event_of(message: OutboundMessage):
    calendar = icalendar.Calendar.from_ical(message.body_calendar)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def deliver(message: OutboundMessage) -> str:
    OutboundMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    (outcome,) = services.outbox_deliver(message_ids=[message.pk])
    return outcome


@pytest.fixture(autouse=True)
def _invites_on(settings):
    settings.FEEDBACK = {**settings.FEEDBACK, "CALENDAR_INVITES": True}


@pytest.fixture
def interview():
    """An interview three days ahead, in Chicago."""
    ends_at = (timezone.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return schedule_interview(ends_at=ends_at, interviewers="Dr. Patel")


def test_scheduling_invites_the_candidate_and_the_hiring_contact(interview):
    application = interview.application
    candidate_invite, client_invite = sorted(invites(), key=lambda m: m.request.party)
    assert candidate_invite.request == request_of(interview, Party.CANDIDATE)
    assert candidate_invite.recipient == application.candidate.email
    assert client_invite.recipient == application.position.hiring_contact.email
    for message in (candidate_invite, client_invite):
        assert message.kind == OutboundMessage.Kind.INVITE
        assert message.status == OutboundMessage.Status.QUEUED
        calendar, event = event_of(message)
        assert calendar["METHOD"] == "REQUEST"
        assert str(event["UID"]) == invite_uid(interview)
        assert event["SEQUENCE"] == 0
        assert event["STATUS"] == "CONFIRMED"
        assert str(event["SUMMARY"]) == message.subject
        assert "mailto:" + message.recipient == str(event["ATTENDEE"])


def test_the_invite_carries_the_zone_place_numbers_and_the_coming_feedback_request(interview):
    recruiter = interview.application.candidate.owner
    candidate_invite = invites(request__party=Party.CANDIDATE)[0]
    calendar, event = event_of(candidate_invite)
    # The start in the interview's own zone, with that zone's rules in the calendar.
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert start.tzinfo is not None
    assert start == interview.starts_at
    assert start.utcoffset() == interview.starts_at.astimezone(CHICAGO).utcoffset()
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    assert event.decoded("DTEND") == interview.ends_at
    assert str(event["LOCATION"]) == interview.location
    description = str(event["DESCRIPTION"])
    assert "short feedback request" in description
    assert recruiter.cell_phone
    assert recruiter.cell_phone in description
    assert recruiter.cell_phone in str(event["CONTACT"])
    assert str(event["ORGANIZER"]) == f"mailto:{recruiter.email}"
    assert description.strip() == candidate_invite.body_text.strip()


def test_a_second_calendar_parser_reads_the_same_event(interview):
    message = invites(request__party=Party.CANDIDATE)[0]
    parsed = vobject.readOne(message.body_calendar)
    assert parsed.method.value == "REQUEST"
    assert parsed.vevent.uid.value == invite_uid(interview)
    assert int(parsed.vevent.sequence.value) == 0
    assert parsed.vevent.dtstart.value == interview.starts_at
    offset = interview.starts_at.astimezone(CHICAGO).utcoffset()
    assert parsed.vevent.dtstart.value.utcoffset() == offset
    assert parsed.vevent.location.value == interview.location
    assert "short feedback request" in parsed.vevent.description.value


def test_a_video_interview_gives_its_link_as_the_place(interview):
    interview = schedule_interview(
        application=ApplicationFactory(),
        kind="video",
        location="",
        video_link="https://meet.example/abc-defg",
    )
    message = invites(request__interview=interview, request__party=Party.CLIENT)[0]
    _, event = event_of(message)
    assert str(event["LOCATION"]) == "https://meet.example/abc-defg"
    assert str(event["URL"]) == "https://meet.example/abc-defg"


def test_a_reschedule_sends_the_same_event_with_a_higher_sequence(interview):
    first = invites(request__party=Party.CANDIDATE)[0]
    assert deliver(first) == "sent"
    new_end = interview.ends_at + dt.timedelta(days=1, hours=2)
    services.interview_reschedule(
        interview=interview, starts_at=new_end - dt.timedelta(hours=1), ends_at=new_end
    )
    sent, update = invites(request__party=Party.CANDIDATE)
    assert (sent.pk, sent.status) == (first.pk, OutboundMessage.Status.SENT)
    _, event = event_of(update)
    assert str(event["UID"]) == invite_uid(interview)
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTEND") == new_end
    assert vobject.readOne(update.body_calendar).vevent.dtend.value == new_end


def test_an_older_version_still_queued_is_not_sent(interview):
    services.interview_save(
        interview=_with(interview, location="Prairie View, Suite 4"), changed=["location"]
    )
    old, new = invites(request__party=Party.CLIENT)
    old.refresh_from_db()
    assert old.status == OutboundMessage.Status.CANCELLED
    assert event_of(new)[1]["SEQUENCE"] == 1
    assert str(event_of(new)[1]["LOCATION"]) == "Prairie View, Suite 4"
    assert deliver(old) == "skipped"


def test_a_detail_the_invite_does_not_show_sends_nothing(interview):
    services.interview_save(
        interview=_with(interview, interviewers="Dr. Lee"), changed=["interviewers"]
    )
    assert len(invites()) == 2


def test_a_cancel_sends_method_cancel_to_whoever_had_the_invite(interview):
    candidate_first, client_first = (invites(request__party=p)[0] for p in Party.values)
    assert deliver(candidate_first) == "sent"
    with time_machine.travel(interview.starts_at - dt.timedelta(hours=3), tick=False):
        services.interview_cancel(interview=interview)
    client_first.refresh_from_db()
    # The client's invite never left: it is not sent now, and nor is a cancel.
    assert client_first.status == OutboundMessage.Status.CANCELLED
    assert len(invites(request__party=Party.CLIENT)) == 1
    _, cancel = invites(request__party=Party.CANDIDATE)
    assert cancel.kind == OutboundMessage.Kind.INVITE_CANCELLED
    calendar, event = event_of(cancel)
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert (str(event["UID"]), event["SEQUENCE"]) == (invite_uid(interview), 1)
    parsed = vobject.readOne(cancel.body_calendar)
    assert (parsed.method.value, parsed.vevent.status.value) == ("CANCEL", "CANCELLED")
    assert "cancelled" in cancel.subject.lower()


def test_a_no_show_sends_no_cancel(interview):
    for message in invites():
        deliver(message)
    with time_machine.travel(interview.ends_at + dt.timedelta(minutes=5), tick=False):
        services.interview_cancel(interview=interview, no_show=True)
    assert len(invites()) == 2


def test_an_invite_to_an_interview_that_is_over_is_not_sent(interview):
    message = invites()[0]
    with time_machine.travel(interview.ends_at + dt.timedelta(minutes=1), tick=False):
        assert services.outbox_deliver(message_ids=[message.pk]) == ["cancelled"]


def test_nothing_is_sent_when_the_agency_turns_invites_off(settings):
    settings.FEEDBACK = {**settings.FEEDBACK, "CALENDAR_INVITES": False}
    schedule_interview()
    assert invites() == []


def test_no_invite_to_a_candidate_who_has_not_agreed_to_mail():
    application = ApplicationFactory(candidate__consent_email=False)
    schedule_interview(application=application)
    assert [m.request.party for m in invites()] == [Party.CLIENT]


def test_the_invite_arrives_once_as_text_calendar(interview, smtp_mail):
    message = invites(request__party=Party.CANDIDATE)[0]
    assert deliver(message) == "sent"
    assert deliver(message) == "skipped"
    (mail,) = smtp_mail.messages
    assert mail["To"] == message.recipient
    parts = {part.get_content_type(): part for part in mail.walk()}
    assert "text/plain" in parts
    calendar_part = parts["text/calendar"]
    assert calendar_part.get_param("method") == "REQUEST"
    received = calendar_part.get_content()
    assert icalendar.Calendar.from_ical(received).walk("VEVENT")[0]["UID"] == invite_uid(interview)
    assert vobject.readOne(received).vevent.dtstart.value == interview.starts_at


def _with(interview, **changes):
    for name, value in changes.items():
        setattr(interview, name, value)
    return interview


def test_the_outbox_shows_the_invite_as_queued(interview, recruiter):
    message = invites()[0]
    page = recruiter.get(
        reverse("admin:feedback_outboundmessage_change", args=[message.pk])
    ).content.decode()
    assert "BEGIN:VCALENDAR" in page
    assert f"UID:{invite_uid(interview)}" in page


def test_an_interview_in_another_zone_keeps_its_own(interview):
    ends_at = interview.ends_at + dt.timedelta(days=1)
    other = schedule_interview(
        application=ApplicationFactory(), ends_at=ends_at, time_zone="Europe/Berlin"
    )
    message = invites(request__interview=other, request__party=Party.CANDIDATE)[0]
    calendar, event = event_of(message)
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert event.decoded("DTSTART") == other.starts_at
    parsed = vobject.readOne(message.body_calendar).vevent.dtstart.value
    assert parsed == other.starts_at
    assert parsed.utcoffset() == other.starts_at.astimezone(ZoneInfo("Europe/Berlin")).utcoffset()


def test_a_recruiter_without_an_address_organises_from_the_sender(settings):
    settings.DEFAULT_FROM_EMAIL = "TVR Feedback <feedback@tvr.example>"
    application = ApplicationFactory(candidate__owner__user__email="")
    schedule_interview(application=application)
    message = invites(request__party=Party.CANDIDATE)[0]
    assert str(event_of(message)[1]["ORGANIZER"]) == "mailto:feedback@tvr.example"
