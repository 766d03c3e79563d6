"""The iCalendar text of an interview invite, written with the icalendar library.

One event per interview, the same UID on every version of it; a calendar replaces what
it holds when a message brings a higher SEQUENCE (RFC 5546, 2.1.5). METHOD:REQUEST adds
or updates the event, METHOD:CANCEL takes it off."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT_ID = "-//TVR Feedback//Interview invites//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"

# The zone's rules are written for the year around the interview, which is all a
# calendar needs to place it (the default span writes seventy years of them).
ZONE_RULES_AROUND = timedelta(days=366)


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class InviteEvent:
    uid: str
    sequence: int
    method: str
    summary: str
    description: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    location: str
    url: str
    organizer: Person
    attendee: Person
    contact: str
    stamp: datetime


def _address(person: Person, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if person.name:
        address.params["CN"] = vText(person.name)
    for name, value in params.items():
        address.params[name.replace("_", "-").upper()] = vText(value)
    return address


def invite_calendar_text(event: InviteEvent) -> str:
    """The VCALENDAR of one invite (or its cancellation), with the VTIMEZONE of the
    interview's zone so the time reads right in any calendar, wherever it is."""
    zone = ZoneInfo(event.time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", event.method)
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", event.stamp)
    vevent.add("dtstart", event.starts_at.astimezone(zone))
    vevent.add("dtend", event.ends_at.astimezone(zone))
    vevent.add("summary", event.summary)
    vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    if event.contact:
        vevent.add("contact", event.contact)
    vevent.add("status", "CANCELLED" if event.method == CANCEL else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    vevent.add("organizer", _address(event.organizer))
    vevent.add(
        "attendee",
        _address(event.attendee, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp="FALSE"),
    )
    calendar.add_component(vevent)
    calendar.add_missing_timezones(
        first_date=(event.starts_at - ZONE_RULES_AROUND).date(),
        last_date=(event.ends_at + ZONE_RULES_AROUND).date(),
    )
    return calendar.to_ical().decode()
