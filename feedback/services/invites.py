"""Calendar invites: scheduling an interview sends each party with an address an invite
(METHOD:REQUEST); a reschedule or a changed place sends the same event again with a higher
SEQUENCE; a cancel sends METHOD:CANCEL. Each version is one outbox row (channel
"calendar", unique per request and sequence), written in the change's transaction and
delivered once, with the outbox's retries, by feedback.invites.transport."""

from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from candidates.models import Interview
from core import clock
from core.request_ids import current_request_id

from ..invites.calendar import CANCEL, REQUEST, InviteEvent, Person, invite_calendar_text
from ..models import REQUEST_PEOPLE, FeedbackRequest, OutboundMessage
from .messages import _context, _recipient_email, _recruiter_for, _rendered
from .outbox import outbox_dispatch

Status = OutboundMessage.Status
# Versions that may be in the party's calendar: a cancel is only sent after one of these.
REACHED = (Status.SENT, Status.SENDING)


def invite_uid(interview: Interview) -> str:
    """The event's UID, the same on every version of the interview's invite."""
    host = urlsplit(settings.SITE_URL).hostname or "tvr-feedback"
    return f"interview-{interview.pk}@{host}"


def _where(interview: Interview) -> str:
    if interview.kind == Interview.Kind.VIDEO and interview.video_link:
        return interview.video_link
    return interview.location


def _organizer_email(recruiter) -> str:
    """The recruiter's address (replies to the invite reach them), else the sender's."""
    return recruiter.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _numbers(recruiter) -> str:
    numbers = [
        f"{phone} ({label})"
        for phone, label in ((recruiter.cell_phone, "cell"), (recruiter.office_phone, "office"))
        if phone
    ]
    return ", ".join([recruiter.full_name, *numbers])


def invite_context(*, request: FeedbackRequest) -> dict:
    """What an invite's wording may say: a request's names, and the interview's place."""
    interview = request.interview
    return _context(
        request=request,
        interview_kind=interview.get_kind_display(),
        where=_where(interview),
        recruiter_numbers=_numbers(_recruiter_for(request)),
    )


def _invite_row(*, request: FeedbackRequest, cancelled: bool, sequence: int) -> OutboundMessage:
    interview = request.interview
    recruiter = _recruiter_for(request)
    kind = OutboundMessage.Kind.INVITE_CANCELLED if cancelled else OutboundMessage.Kind.INVITE
    context = invite_context(request=request)
    text = _rendered(template=f"{request.party}_{kind}", context=context, html=False)
    recipient = _recipient_email(request)
    calendar = invite_calendar_text(
        InviteEvent(
            uid=invite_uid(interview),
            sequence=sequence,
            method=CANCEL if cancelled else REQUEST,
            summary=text["subject"],
            description=text["body_text"],
            starts_at=interview.starts_at,
            ends_at=interview.ends_at,
            time_zone=interview.time_zone,
            location=_where(interview),
            url=interview.video_link,
            organizer=Person(name=recruiter.full_name, email=_organizer_email(recruiter)),
            attendee=Person(name=request.addressee_name, email=recipient),
            contact=_numbers(recruiter),
            stamp=timezone.now(),
        )
    )
    now = clock.now_in_sql()
    return OutboundMessage.objects.create(
        request=request,
        kind=kind,
        channel=OutboundMessage.Channel.CALENDAR,
        dedupe_key=f"seq-{sequence}",
        recipient=recipient,
        subject=text["subject"][:300],
        body_text=text["body_text"],
        body_calendar=calendar,
        next_attempt_at=now,
        dispatched_at=now,
        queued_by_request=current_request_id(),
    )


@transaction.atomic
def interview_invites_queue(
    *, interview: Interview, cancelled: bool = False
) -> list[OutboundMessage]:
    """Queue the interview's invite (or its cancellation) to each party we may write to.
    The parties' requests are locked, so two changes at once number their versions one
    after the other. An older version still queued is not sent (the newer one says it
    all); a cancel goes only to a party whose calendar may hold the event."""
    if not settings.FEEDBACK["CALENDAR_INVITES"]:
        return []
    if not cancelled and interview.ends_at <= timezone.now():
        return []  # an interview entered after it took place (an import, the demo's past)
    requests = (
        FeedbackRequest.objects.select_for_update(of=("self",))
        .select_related(*REQUEST_PEOPLE)
        .filter(interview=interview)
        .order_by("party")
    )
    queued = []
    for request in requests:
        if not _recipient_email(request):
            continue
        versions = OutboundMessage.objects.filter(
            request=request, channel=OutboundMessage.Channel.CALENDAR
        )
        sequence = versions.count()
        versions.filter(status=Status.QUEUED).update(
            status=Status.CANCELLED, last_error="replaced by a newer version"
        )
        if cancelled and not versions.filter(status__in=REACHED).exists():
            continue
        queued.append(_invite_row(request=request, cancelled=cancelled, sequence=sequence))
    if queued:
        ids = [message.pk for message in queued]
        transaction.on_commit(lambda: outbox_dispatch(message_ids=ids))
    return queued


def interview_invites_drop_queued(*, interview: Interview) -> int:
    """An interview that took place, or did not (a no-show): versions of its invite not
    sent yet are moot."""
    return OutboundMessage.objects.filter(
        request__interview=interview,
        channel=OutboundMessage.Channel.CALENDAR,
        status=Status.QUEUED,
    ).update(status=Status.CANCELLED, last_error="the interview is over")
