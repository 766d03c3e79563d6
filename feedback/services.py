"""The after-interview loop: plan, ask, remind, give up, deliver, and take answers.

Every state change is a compare-and-set (`filter(pk=…, status=old).update(…)`) and its
side effects (outbox rows, timeline events) happen only when exactly one row changed,
so several sweeps and workers can run at once and nothing happens twice. Outbox rows
are unique per (request, kind, channel, dedupe_key) as a second line of defence.
"""

import logging
import time
import uuid
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    F,
    IntegerField,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, JSONObject
from django.template.loader import render_to_string
from django.utils import dateformat, timezone

from candidates.models import Application, Interview, Recruiter
from core import caching, clock
from core.bulk import AnyOf, insert_select, update_returning
from core.formatting import duration_text

from . import selectors
from .models import (
    REQUEST_PEOPLE,
    Feedback,
    FeedbackRequest,
    OutboundMessage,
    Party,
    ReminderPolicy,
    TimelineEvent,
)
from .rules import (
    DEFAULT_SHARED_WITH_CLIENT,
    OPEN_STATUSES,
    debrief_reason_for,
    interest_status_for,
)
from .transports import TransportError, transport_for

logger = logging.getLogger(__name__)

Status = FeedbackRequest.Status
Kind = OutboundMessage.Kind

# An ask that goes out later than this (quiet hours, downtime, an interview entered after
# the fact) moves the reminder and the deadline with it: a party always gets the
# policy's full window counted from the moment they were asked.
CATCH_UP_GRACE = timedelta(minutes=5)


class FeedbackClosed(Exception):
    """The request no longer takes answers (its interview was cancelled)."""


# --- timeline ---------------------------------------------------------------------------


def timeline_record(
    *,
    application: Application,
    kind: str,
    summary: str,
    request: FeedbackRequest | None = None,
    actor=None,
    data: dict | None = None,
    now: datetime | None = None,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        application=application,
        request=request,
        kind=kind,
        summary=summary[:300],
        actor=actor,
        data=data or {},
        created_at=now or timezone.now(),
    )


# --- planning ---------------------------------------------------------------------------


def _planned_times(*, party: str, ended_at: datetime) -> dict:
    ask, remind, deadline = selectors.policy_get().offsets_for(party)
    return {
        "ask_at": ended_at + ask,
        "remind_at": ended_at + remind if remind is not None else None,
        "due_at": ended_at + deadline,
    }


def feedback_requests_plan(
    *, interview: Interview, ended_at: datetime | None = None
) -> list[FeedbackRequest]:
    """Create or re-plan both parties' requests from the interview's end and the policy.

    A request already answered is left alone. Re-planning starts a new cycle: queued
    asks of the old cycle are cancelled and the new ones are new outbox rows.
    """
    ended_at = ended_at or interview.ends_at
    position_id = interview.application.position_id
    planned = []
    for party in Party.values:
        times = _planned_times(party=party, ended_at=ended_at)
        desk_id = (
            interview.candidate_owner_id
            if party == Party.CANDIDATE
            else interview.position_recruiter_id
        )
        request, created = FeedbackRequest.objects.get_or_create(
            interview=interview,
            party=party,
            defaults={
                **times,
                "desk_id": desk_id,
                "position_id": position_id,
                "status": Status.SCHEDULED,
                "next_action_at": times["ask_at"],
            },
        )
        if not created and request.status != Status.RECEIVED:
            _cancel_queued_asks(request=request)
            FeedbackRequest.objects.filter(pk=request.pk).update(
                **times,
                desk_id=desk_id,
                position_id=position_id,
                status=Status.SCHEDULED,
                next_action_at=times["ask_at"],
                asked_at=None,
                reminders_sent=0,
                overdue_at=None,
                cancelled_at=None,
                cycle=F("cycle") + 1,
            )
            request.refresh_from_db()
        planned.append(request)
    return planned


def feedback_requests_cancel(*, interview: Interview, now: datetime | None = None) -> int:
    """Settle the interview's open requests as cancelled; their queued asks are not sent."""
    now = now or timezone.now()
    open_requests = FeedbackRequest.objects.filter(interview=interview, status__in=OPEN_STATUSES)
    OutboundMessage.objects.filter(
        request__in=open_requests,
        kind__in=OutboundMessage.ASKING_KINDS,
        status=OutboundMessage.Status.QUEUED,
    ).update(status=OutboundMessage.Status.CANCELLED)
    return open_requests.update(status=Status.CANCELLED, cancelled_at=now, next_action_at=None)


def _cancel_queued_asks(*, request: FeedbackRequest) -> int:
    return OutboundMessage.objects.filter(
        request=request,
        kind__in=OutboundMessage.ASKING_KINDS,
        status=OutboundMessage.Status.QUEUED,
    ).update(status=OutboundMessage.Status.CANCELLED)


# --- the sweep --------------------------------------------------------------------------


@dataclass
class SweepResult:
    asked: int = 0
    reminded: int = 0
    deferred: int = 0
    overdue: int = 0
    reclaimed: int = 0
    redispatched: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def acted(self) -> int:
        return self.asked + self.reminded + self.overdue


def sweep_run(*, batch_size: int | None = None, max_batches: int | None = None) -> SweepResult:
    """Do what is due: asks, reminders, deadlines; then put lost messages back on track."""
    conf = settings.FEEDBACK
    batch_size = batch_size or conf["SWEEP_BATCH_SIZE"]
    max_batches = max_batches or conf["SWEEP_MAX_BATCHES"]
    result = SweepResult()
    for _ in range(max_batches):
        taken = _sweep_requests_batch(batch_size=batch_size, result=result)
        result.batches += 1
        if taken < batch_size:
            break
    result.reclaimed = outbox_reclaim_abandoned()
    result.redispatched = outbox_redispatch_due(limit=batch_size * 5)
    return result


# The columns the sweep decides on; the people behind a request are joined in SQL.
SWEEP_FIELDS = (
    "id",
    "party",
    "status",
    "ask_at",
    "remind_at",
    "due_at",
    "next_action_at",
    "reminders_sent",
    "cycle",
)


class SweepConflict(Exception):
    """A row the sweep holds changed under it: the batch rolls back and is swept again."""


def _sweep_requests_batch(*, batch_size: int, result: SweepResult) -> int:
    now = clock.now()  # what is due is the same for every sweep, whatever host it runs on
    policy = selectors.policy_get()
    with transaction.atomic():
        # SKIP LOCKED lets several sweeps share the due rows instead of queueing behind
        # each other. The rows stay locked until commit (SQLite: the transaction holds
        # the write lock from its start), so what is read here is what is written.
        due = list(
            FeedbackRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status__in=FeedbackRequest.ACTIVE_STATUSES, next_action_at__lte=now)
            .order_by("next_action_at")
            .only(*SWEEP_FIELDS)[:batch_size]
        )
        asks, reminders, deadlines = [], [], []
        for request in due:
            step = request.next_step
            if step == FeedbackRequest.Step.ASK:
                asks.append(request)
            elif step == FeedbackRequest.Step.REMIND and now < request.due_at:
                reminders.append(request)
            else:
                deadlines.append(request)
        # Each step is set-based: a few statements for the whole batch, whatever its size.
        quiet = _quiet_hours_until(requests=asks + reminders, now=now, policy=policy)
        result.deferred += _defer_quiet(asks=asks, reminders=reminders, quiet=quiet)
        result.asked += _ask_many(requests=[r for r in asks if r.pk not in quiet], now=now)
        result.reminded += _remind_many(
            requests=[r for r in reminders if r.pk not in quiet], now=now
        )
        result.overdue += _mark_overdue_many(requests=deadlines, now=now)
    return len(due)


def _compare_and_set_many(requests: list[FeedbackRequest], **changes) -> None:
    """Apply `changes` to rows that are still as read (status, reminder count, cycle).

    The batch holds these rows, so every one must match; if one does not, something
    changed them under the lock's guarantee, and the whole batch is rolled back rather
    than half applied (the next sweep reads the truth).
    """
    groups: dict[tuple, list[int]] = {}
    for request in requests:
        key = (request.status, request.reminders_sent, request.cycle)
        groups.setdefault(key, []).append(request.pk)
    for (status, reminders_sent, cycle), pks in groups.items():
        changed = (
            FeedbackRequest.objects.filter(AnyOf(F("pk"), pks))
            .filter(status=status, reminders_sent=reminders_sent, cycle=cycle)
            .update(**changes)
        )
        if changed != len(pks):
            raise SweepConflict(f"{len(pks) - changed} of {len(pks)} requests changed")


def _compare_and_set(request: FeedbackRequest, **changes) -> None:
    _compare_and_set_many([request], **changes)


def _quiet_hours_until(
    *, requests: list[FeedbackRequest], now: datetime, policy: ReminderPolicy
) -> dict[int, datetime]:
    """For requests whose recipient is in quiet hours now, when those end (by request id)."""
    start, end = policy.quiet_hours_start, policy.quiet_hours_end
    if not requests or start is None or end is None or start == end:
        return {}
    zones = FeedbackRequest.objects.filter(AnyOf(F("pk"), [r.pk for r in requests])).values_list(
        "pk", _RECIPIENT_TIME_ZONE
    )
    by_zone: dict[str, datetime | None] = {}
    quiet = {}
    for pk, zone in zones:
        if zone not in by_zone:
            by_zone[zone] = _quiet_until(time_zone=zone, now=now, start=start, end=end)
        if by_zone[zone] is not None:
            quiet[pk] = by_zone[zone]
    return quiet


def _quiet_until(*, time_zone: str, now: datetime, start, end) -> datetime | None:
    """If it is quiet hours (start–end, local) in `time_zone`, when they end (else None)."""
    tz = zoneinfo.ZoneInfo(time_zone)
    local = now.astimezone(tz)
    t = local.time()
    in_quiet = (start <= t or t < end) if start > end else (start <= t < end)
    if not in_quiet:
        return None
    end_day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=tz).astimezone(UTC)


def _defer_quiet(
    *, asks: list[FeedbackRequest], reminders: list[FeedbackRequest], quiet: dict
) -> int:
    """Asks and reminders wait for the recipient's quiet hours to end; a reminder that
    could only go out after the deadline is dropped."""
    deferred = 0
    for request in asks + reminders:
        until = quiet.get(request.pk)
        if until is None:
            continue
        if request.next_step == FeedbackRequest.Step.REMIND and until >= request.due_at:
            _compare_and_set(request, remind_at=None, next_action_at=request.due_at)
        else:
            _compare_and_set(request, next_action_at=until)
        deferred += 1
    return deferred


# Who a request asks, in SQL: the candidate, or the position's hiring contact.
_ADDRESSEE = "interview__application__candidate__"
_CONTACT = "position__hiring_contact__"  # the position kept on the request
_RECIPIENT_TIME_ZONE = Case(
    When(party=Party.CANDIDATE, then=F(f"{_ADDRESSEE}time_zone")),
    default=F(f"{_CONTACT}time_zone"),
)
# Where an ask goes; empty for a candidate who has not agreed to be emailed.
_RECIPIENT_EMAIL = Case(
    When(
        party=Party.CANDIDATE, **{f"{_ADDRESSEE}consent_email": True}, then=F(f"{_ADDRESSEE}email")
    ),
    When(party=Party.CLIENT, then=F(f"{_CONTACT}email")),
    default=Value(""),
    output_field=CharField(),
)
# The candidate's own recruiter calls the candidate; the position's handles the client:
# the request's desk (kept on the request: two joins instead of seven).
_RECRUITER_EMAIL = F("desk__user__email")


def _rows(requests: list[FeedbackRequest]) -> QuerySet[FeedbackRequest]:
    """The batch's requests as a queryset, for statements over all of them at once."""
    return FeedbackRequest.objects.filter(AnyOf(F("pk"), [r.pk for r in requests]))


def _timeline_many(*, requests: QuerySet, kind: str, summary, data, now: datetime) -> None:
    """One timeline event per request (INSERT … SELECT); `summary` and `data` are
    expressions over the request."""
    insert_select(
        TimelineEvent,
        source=requests,
        columns={
            "application": F("interview__application_id"),
            "request": F("pk"),
            "kind": Value(kind),
            "summary": summary,
            "data": data,
            "created_at": Value(now, output_field=DateTimeField()),
        },
    )


def _ask_many(*, requests: list[FeedbackRequest], now: datetime) -> int:
    """Ask the parties: the requests become pending, their asks go to the outbox (rendered
    by the worker that sends them) and the timeline says who was asked."""
    if not requests:
        return 0
    on_time = [r for r in requests if now - r.ask_at <= CATCH_UP_GRACE]
    _compare_and_set_many(
        on_time,
        status=Status.PENDING,
        asked_at=now,
        next_action_at=Case(
            When(remind_at__lt=F("due_at"), then=F("remind_at")), default=F("due_at")
        ),
    )
    # An ask that goes out late (quiet hours, downtime) moves the reminder and the
    # deadline with it. Rare, so one row at a time.
    shifts = {}
    for request in requests:
        shift = now - request.ask_at
        if shift <= CATCH_UP_GRACE:
            continue
        remind_at = request.remind_at + shift if request.remind_at else None
        due_at = request.due_at + shift
        _compare_and_set(
            request,
            status=Status.PENDING,
            asked_at=now,
            remind_at=remind_at,
            due_at=due_at,
            next_action_at=remind_at if remind_at and remind_at < due_at else due_at,
        )
        shifts[request.pk] = int(shift.total_seconds())
    asked = _rows(requests)
    _queue_many(requests=asked, kind=Kind.REQUEST, now=now)
    _timeline_many(
        requests=asked.alias(email=_RECIPIENT_EMAIL),
        kind=TimelineEvent.Kind.REQUEST_SENT,
        summary=Concat(
            Value("Asked the "),
            F("party"),
            Value(" for feedback"),
            Case(
                When(email="", then=Value(" (no email: no address or no consent)")),
                default=Value(""),
            ),
            output_field=CharField(),
        ),
        data=JSONObject(
            due_at=F("due_at"),
            shifted_seconds=Case(
                *(When(pk=pk, then=Value(seconds)) for pk, seconds in shifts.items()),
                default=Value(0),
                output_field=IntegerField(),
            ),
        ),
        now=now,
    )
    return len(requests)


def _remind_many(*, requests: list[FeedbackRequest], now: datetime) -> int:
    if not requests:
        return 0
    _compare_and_set_many(requests, reminders_sent=1, next_action_at=F("due_at"))
    reminded = _rows(requests)
    _queue_many(requests=reminded, kind=Kind.REMINDER, now=now)
    _timeline_many(
        requests=reminded,
        kind=TimelineEvent.Kind.REMINDER_SENT,
        summary=Concat(Value("Reminded the "), F("party"), output_field=CharField()),
        data=JSONObject(),
        now=now,
    )
    return len(requests)


def _mark_overdue_many(*, requests: list[FeedbackRequest], now: datetime) -> int:
    """Give up on requests whose deadline passed: mark them overdue, record it on the
    timeline (and, for a candidate, mark the application's interest possibly waned), and
    alert the recruiter."""
    if not requests:
        return 0
    _compare_and_set_many(requests, status=Status.OVERDUE, overdue_at=now, next_action_at=None)
    marked = _rows(requests)
    _timeline_many(
        requests=marked,
        kind=TimelineEvent.Kind.MARKED_OVERDUE,
        summary=Concat(
            Value("No "), F("party"), Value(" feedback by the deadline"), output_field=CharField()
        ),
        data=JSONObject(due_at=F("due_at")),
        now=now,
    )
    candidates = marked.filter(party=Party.CANDIDATE)
    # Recorded before the update below, so that the event keeps what the status was.
    _timeline_many(
        requests=candidates,
        kind=TimelineEvent.Kind.MARKED_POSSIBLY_WANED,
        summary=Value("Interest marked possibly waned: no answer by the deadline"),
        data=JSONObject(previous_status=F("interview__application__interest_status")),
        now=now,
    )
    Application.objects.filter(pk__in=candidates.values("interview__application_id")).update(
        interest_status=Application.InterestStatus.POSSIBLY_WANED, interest_updated_at=now
    )
    _queue_many(requests=marked, kind=Kind.OVERDUE_ALERT, now=now)
    return len(requests)


def _queue_many(*, requests: QuerySet[FeedbackRequest], kind: str, now: datetime) -> None:
    """Add the sweep's messages (asks, reminders, alerts) to the outbox, one per request
    and cycle; a row that exists already is kept. They are rendered by the worker that
    sends them, from feedback/email/<party>_<kind>_*, and stored before they are sent.
    Only the rows written here are dispatched, after commit."""
    recipient = _RECRUITER_EMAIL if kind == Kind.OVERDUE_ALERT else _RECIPIENT_EMAIL
    created = insert_select(
        OutboundMessage,
        source=requests.alias(recipient_email=recipient).exclude(recipient_email=""),
        columns={
            "request": F("pk"),
            "kind": Value(kind),
            "channel": Value(OutboundMessage.Channel.EMAIL),
            "dedupe_key": Concat(
                Value("cycle-"), Cast("cycle", CharField()), output_field=CharField()
            ),
            "recipient": F("recipient_email"),
            "subject": Value(""),
            "body_text": Value(""),
            "body_html": Value(""),
            "status": Value(OutboundMessage.Status.QUEUED),
            "attempts": Value(0),
            "last_error": Value(""),
            "next_attempt_at": Value(now, output_field=DateTimeField()),
            "dispatched_at": Value(now, output_field=DateTimeField()),
            "created_at": Value(now, output_field=DateTimeField()),
        },
        ignore_conflicts=True,
    )
    if created:
        transaction.on_commit(lambda: outbox_dispatch(message_ids=sorted(created)))


# --- messages ---------------------------------------------------------------------------


def _recruiter_for(request: FeedbackRequest):
    """The candidate's own recruiter calls the candidate; the position's handles the client."""
    application = request.interview.application
    if request.party == Party.CANDIDATE:
        return application.candidate.owner
    return application.position.recruiter


def _recipient_email(request: FeedbackRequest) -> str:
    """Where the ask goes; empty for a candidate who has not agreed to be emailed."""
    person = request.addressee
    if request.party == Party.CANDIDATE and not person.consent_email:
        return ""
    return person.email


def _recipient_time_zone(request: FeedbackRequest) -> str:
    return request.addressee.time_zone


def _local_text(moment: datetime, time_zone: str) -> str:
    """A moment as the reader says it, e.g. "Tuesday 3 March, 8:00 AM CST"."""
    return dateformat.format(moment.astimezone(zoneinfo.ZoneInfo(time_zone)), "l j F, g:i A T")


def _context(*, request: FeedbackRequest, **extra) -> dict:
    interview = request.interview
    application = interview.application
    recruiter = _recruiter_for(request)
    return {
        "request": request,
        "interview": interview,
        "interview_when": _local_text(interview.starts_at, _recipient_time_zone(request)),
        "due_when": _local_text(request.due_at, recruiter.time_zone),
        "application": application,
        "candidate": application.candidate,
        "position": application.position,
        "client": application.position.client,
        "contact": application.position.hiring_contact,
        "recruiter": recruiter,
        "link": selectors.feedback_request_link(request=request),
        "site_url": settings.SITE_URL,
        **extra,
    }


def _queue_message(
    *,
    request: FeedbackRequest,
    kind: str,
    recipient: str,
    template: str,
    context: dict,
    dedupe_key: str,
    now: datetime,
) -> OutboundMessage:
    """Add a message to the outbox once; it is dispatched to a worker after commit. It
    is due at once by the loop's clock (`now` may be a web host's, a few hundred
    milliseconds ahead of the worker that claims it)."""
    message, created = OutboundMessage.objects.get_or_create(
        request=request,
        kind=kind,
        channel=OutboundMessage.Channel.EMAIL,
        dedupe_key=dedupe_key,
        defaults={
            "recipient": recipient,
            **_rendered(template=template, context=context),
            "next_attempt_at": clock.now_in_sql(),
            "dispatched_at": clock.now_in_sql(),
        },
    )
    if created:
        transaction.on_commit(lambda: outbox_dispatch(message_ids=[message.pk]))
    return message


def _rendered(*, template: str, context: dict) -> dict:
    """A message's subject and bodies from feedback/email/<template>_*."""
    base = f"feedback/email/{template}"
    return {
        "subject": " ".join(render_to_string(f"{base}_subject.txt", context).split()),
        "body_text": render_to_string(f"{base}_body.txt", context),
        "body_html": render_to_string(f"{base}_body.html", context),
    }


def outbox_queue(
    *,
    kind: str,
    recipient: str,
    template: str,
    context: dict,
    dedupe_key: str,
    request: FeedbackRequest | None = None,
    now: datetime | None = None,
) -> OutboundMessage:
    """Queue a message that is not one of the loop's own steps, e.g. a client contact's
    invitation (which belongs to no request). Rendered from feedback/email/<template>_*."""
    return _queue_message(
        request=request,
        kind=kind,
        recipient=recipient,
        template=template,
        context=context,
        dedupe_key=dedupe_key,
        now=now or timezone.now(),
    )


def outbox_dispatch(*, message_ids: list[int]) -> None:
    """Hand messages to the workers, a few to a task. A broker outage is logged, not
    raised: the rows are safe in the database and the sweep dispatches them again."""
    from .tasks import deliver_messages

    # A task per message costs a broker round trip and a worker wake-up each; a task per
    # handful still spreads a burst over every worker process.
    size = settings.FEEDBACK["DELIVERY_CHUNK_SIZE"]
    chunks = [message_ids[i : i + size] for i in range(0, len(message_ids), size)]
    chunk = None
    try:
        # One producer (one broker connection) for the lot.
        with deliver_messages.app.producer_or_acquire() as producer:
            for chunk in chunks:
                deliver_messages.apply_async((chunk,), producer=producer)
    except Exception:  # noqa: BLE001 - any broker failure; the sweep retries
        logger.warning("could not dispatch messages %s; the sweep will retry", chunk)


def outbox_reclaim_abandoned() -> int:
    """Messages claimed by a worker that died mid-delivery go back to the queue."""
    lease = settings.FEEDBACK["DELIVERY_LEASE"]
    return OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SENDING, claimed_at__lt=clock.now() - lease
    ).update(
        status=OutboundMessage.Status.QUEUED,
        dispatched_at=None,
        last_error="worker lost during delivery; retrying",
    )


def outbox_redispatch_due(*, limit: int) -> int:
    """Dispatch queued messages that are due and whose task is not (or no longer) queued:
    retries after backoff, and tasks lost with a broker restart."""
    now = clock.now()
    stale = now - settings.FEEDBACK["REDISPATCH_AFTER"]
    with transaction.atomic():
        ids = list(
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundMessage.Status.QUEUED, next_attempt_at__lte=now)
            .exclude(dispatched_at__gte=stale)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            OutboundMessage.objects.filter(pk__in=ids).update(dispatched_at=now)
            transaction.on_commit(lambda: outbox_dispatch(message_ids=ids))
    return len(ids)


def _backoff(attempts: int) -> timedelta:
    conf = settings.FEEDBACK
    return min(
        conf["DELIVERY_BACKOFF_BASE"] * (2 ** max(attempts - 1, 0)), conf["DELIVERY_BACKOFF_MAX"]
    )


def outbox_deliver(*, message_ids: list[int]) -> list[str]:
    """Deliver a task's messages for up to DELIVERY_TASK_SECONDS, then hand the rest back
    to the queue, so that a long run of deliveries never keeps the sweep (or anything
    else) waiting for a worker process. Messages go a group at a time: one statement
    claims the group, then each is sent and recorded on its own before the next.
    Returns what happened to each message it dealt with, in order."""
    deadline = time.monotonic() + settings.FEEDBACK["DELIVERY_TASK_SECONDS"]
    # One query for the lot: a message's text names a dozen related rows, and one join
    # that wide costs more to plan than to run.
    loaded = _messages_to_send(message_ids=message_ids)
    outcomes: list[str] = []
    for start in range(0, len(message_ids), CLAIM_GROUP_SIZE):
        if outcomes and time.monotonic() > deadline:
            _hand_back(message_ids[start:])
            break
        group = message_ids[start : start + CLAIM_GROUP_SIZE]
        group_outcomes, rest = _deliver_group([loaded.get(pk) for pk in group], deadline=deadline)
        outcomes += group_outcomes
        if rest:
            _hand_back(rest + message_ids[start + CLAIM_GROUP_SIZE :])
            break
    return outcomes


def message_deliver(*, message_id: int) -> str:
    """Claim one message, send it, record the outcome. Returns what happened."""
    return outbox_deliver(message_ids=[message_id])[0]


# Messages claimed in one statement; each is recorded as sent on its own, the moment the
# server has accepted it, before the next one is sent.
CLAIM_GROUP_SIZE = 10
# A message and everything its text may name, in one query.
MESSAGE_PEOPLE = tuple(f"request__{path}" for path in REQUEST_PEOPLE)


def _messages_to_send(*, message_ids: list[int]) -> dict[int, OutboundMessage]:
    """The queued ones among `message_ids`, with everything their text may name."""
    messages = OutboundMessage.objects.select_related(*MESSAGE_PEOPLE).filter(
        AnyOf(F("pk"), message_ids), status=OutboundMessage.Status.QUEUED
    )
    return {message.pk: message for message in messages}


def _hand_back(message_ids: list[int]) -> None:
    """Back to the queue for another task, marked freshly dispatched so that the sweep's
    re-dispatch of lost tasks leaves them alone."""
    OutboundMessage.objects.filter(
        AnyOf(F("pk"), message_ids), status=OutboundMessage.Status.QUEUED
    ).update(dispatched_at=clock.now_in_sql())
    outbox_dispatch(message_ids=message_ids)


def _deliver_group(
    messages: list[OutboundMessage | None], *, deadline: float
) -> tuple[list[str], list[int]]:
    """Claim, send, record a group of messages. The claim is a compare-and-set from
    queued to sending, so one worker sends each; a message recorded as sent is never
    claimed again; an ask whose request was answered or cancelled meanwhile is not sent.
    Past `deadline` (after the first send) the claimed rest is released. Returns the
    outcome of each message dealt with, and the ids released."""
    outcome: dict[int, str] = {}
    settled = [m.pk for m in messages if m is not None and _lost_its_point(m)]
    if settled:
        cancelled = update_returning(
            OutboundMessage.objects.filter(
                AnyOf(F("pk"), settled), status=OutboundMessage.Status.QUEUED
            ),
            returning=("id",),
            status=OutboundMessage.Status.CANCELLED,
            last_error="request settled",
        )
        outcome.update((pk, "cancelled") for (pk,) in cancelled)
    to_claim = [m for m in messages if m is not None and m.pk not in settled]
    # Conditions on the outbox row alone: a condition through a join would be checked
    # against a snapshot taken before a concurrent claim committed, and both would win.
    # (Answering or cancelling a request cancels its queued asks in the same transaction,
    # so an ask whose request is settled is no longer queued.) "Due" and the claim's time
    # are the loop's clock, the same on every host (core/clock.py).
    won = {
        pk: (attempts, claimed_at)
        for pk, attempts, claimed_at in (
            update_returning(
                OutboundMessage.objects.filter(
                    AnyOf(F("pk"), [m.pk for m in to_claim]),
                    status=OutboundMessage.Status.QUEUED,
                    next_attempt_at__lte=clock.now_in_sql(),
                ),
                returning=("id", "attempts", "claimed_at"),
                status=OutboundMessage.Status.SENDING,
                claimed_at=clock.now_in_sql(),
                attempts=F("attempts") + 1,
            )
            if to_claim
            else ()
        )
    }
    claimed = [m for m in to_claim if m.pk in won]
    for message in claimed:
        message.status = OutboundMessage.Status.SENDING
        message.attempts, message.claimed_at = won[message.pk]
    released: list[int] = []
    for index, message in enumerate(claimed):
        if outcome and time.monotonic() > deadline:
            released = [m.pk for m in claimed[index:]]
            _release(_claim_of(message).filter(AnyOf(F("pk"), released)))
            break
        outcome[message.pk] = _send_claimed(message)
    outcomes = [
        "skipped" if m is None else outcome.get(m.pk, "skipped")
        for m in messages
        if m is None or m.pk not in released
    ]
    return outcomes, released


def _claim_of(message: OutboundMessage) -> QuerySet:
    """The rows of the claim `message` was taken in (one statement's claim shares its
    time), as long as they are still this claim's."""
    return OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SENDING, claimed_at=message.claimed_at
    )


def _send_claimed(message: OutboundMessage) -> str:
    """Write (if the sweep queued it without text), send and record one claimed message.
    Once the server has accepted it, recording that comes before anything else: no later
    step (another message's text, a failure's record, a database error) can lose it."""
    try:
        text = _text_to_store(message)
    except Exception as exc:  # noqa: BLE001 - a template bug fails the message, visibly
        logger.exception("could not write message %s", message.pk)
        error = f"could not write the message: {exc!r}"
        return _record_failure(message=message, error=error, permanent=False)
    for name, value in text.items():
        setattr(message, name, value)
    try:
        transport_for(message.channel).send(message)
    except TransportError as exc:
        return _record_failure(message=message, error=str(exc), permanent=exc.permanent, text=text)
    except Exception as exc:  # noqa: BLE001 - an unexpected transport bug is retried, not lost
        logger.exception("transport crashed on message %s", message.pk)
        return _record_failure(message=message, error=repr(exc), permanent=False, text=text)
    _record_sent(message, text=text)
    return "sent"


def _record_sent(message: OutboundMessage, *, text: dict) -> None:
    """The server has this message now: this record is what stops a second send, so it
    must not be lost to a database blip (a restart, a failover). It holds as long as
    nobody has claimed the message again: a lease that ran out during the outage only
    put it back in the queue (same claim, same attempt), and the record takes it out."""
    recorded = _until_the_database_answers(lambda: _write_sent(message, text=text))
    message.status, message.last_error = OutboundMessage.Status.SENT, ""
    if not recorded:
        logger.error(
            "message %s was claimed again before its delivery could be recorded; "
            "it may go out twice",
            message.pk,
        )


def _write_sent(message: OutboundMessage, *, text: dict) -> int:
    """One UPDATE per message sent, as plain SQL: this runs for every message, and
    building it through the ORM each time cost the worker noticeably more CPU per message
    (docs/benchmarks.md, "Recording each message")."""
    ops = connection.ops
    table = ops.quote_name(OutboundMessage._meta.db_table)
    written = [f"{ops.quote_name(name)} = %s" for name in text]
    if clock.uses_database():
        now_sql, now_params = "STATEMENT_TIMESTAMP()", []
    else:
        now_sql, now_params = "%s", [ops.adapt_datetimefield_value(clock.now())]
    sql = (
        f"UPDATE {table} SET status = %s, sent_at = {now_sql}, last_error = ''"
        + "".join(f", {column}" for column in written)
        + " WHERE id = %s AND claimed_at = %s AND attempts = %s AND status IN (%s, %s)"
    )
    params = [
        OutboundMessage.Status.SENT,
        *now_params,
        *text.values(),
        message.pk,
        ops.adapt_datetimefield_value(message.claimed_at),
        message.attempts,
        OutboundMessage.Status.SENDING,
        OutboundMessage.Status.QUEUED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _release(claimed: QuerySet) -> None:
    """Claimed but not sent (out of time): back to queued, the attempt not counted."""
    claimed.update(
        status=OutboundMessage.Status.QUEUED, claimed_at=None, attempts=F("attempts") - 1
    )


def _text_to_store(message: OutboundMessage) -> dict:
    """The text of a message the sweep queued without (from feedback/email/
    <party>_<kind>_*), stored when it is recorded; {} when it has its text."""
    if message.body_text or message.request is None:
        return {}
    request = message.request
    return _rendered(template=f"{request.party}_{message.kind}", context=_context(request=request))


def _lost_its_point(message: OutboundMessage) -> bool:
    """An ask or reminder whose request has been answered or cancelled."""
    return (
        message.kind in OutboundMessage.ASKING_KINDS
        and message.request is not None
        and message.request.status not in OPEN_STATUSES
    )


def _until_the_database_answers(write, *, patience: timedelta | None = None):
    """Run a write, retrying through a database outage for (most of) the delivery lease,
    after which the claim would be handed out again and the message sent twice."""
    patience = patience or settings.FEEDBACK["DELIVERY_LEASE"] * 0.8
    deadline = time.monotonic() + patience.total_seconds()
    pause = 0.1
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError):
            if time.monotonic() > deadline:
                raise
            logger.warning("database unavailable while recording a delivery; retrying")
            connection.close()  # the next query opens a fresh connection
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def _record_failure(
    *, message: OutboundMessage, error: str, permanent: bool, text: dict | None = None
) -> str:
    """A failed attempt: failed for good, or back to the queue after a backoff by the
    loop's clock. The text written for it is kept, so the outbox shows what could not be
    sent."""
    text = text or {}
    mine = _claim_of(message).filter(pk=message.pk)
    if permanent or message.attempts >= settings.FEEDBACK["DELIVERY_MAX_ATTEMPTS"]:
        with transaction.atomic():
            if (
                mine.update(status=OutboundMessage.Status.FAILED, last_error=error, **text)
                and message.request
            ):
                timeline_record(
                    application=message.request.interview.application,
                    request=message.request,
                    kind=TimelineEvent.Kind.MESSAGE_FAILED,
                    summary=f"{message.get_kind_display()} to {message.recipient} failed: {error}",
                    data={"message_id": message.pk, "attempts": message.attempts},
                )
        return "failed"
    mine.update(
        status=OutboundMessage.Status.QUEUED,
        last_error=error,
        next_attempt_at=clock.now() + _backoff(message.attempts),
        dispatched_at=None,
        **text,
    )
    return "retry"


@transaction.atomic
def outbox_retry_now(*, message: OutboundMessage, actor=None) -> bool:
    """Put a failed message back in the queue for immediate delivery; the application's
    timeline records who retried it. False (and nothing changed) unless it had failed."""
    now = clock.now()
    updated = OutboundMessage.objects.filter(
        pk=message.pk, status=OutboundMessage.Status.FAILED
    ).update(status=OutboundMessage.Status.QUEUED, next_attempt_at=now, dispatched_at=now)
    if not updated:
        return False
    if message.request_id:
        request = FeedbackRequest.objects.select_related("interview__application").get(
            pk=message.request_id
        )
        timeline_record(
            application=request.interview.application,
            request=request,
            kind=TimelineEvent.Kind.MESSAGE_RETRIED,
            summary=f"{message.get_kind_display()} to {message.recipient} retried"
            + (f" after: {message.last_error}" if message.last_error else ""),
            actor=actor,
            data={"message_id": message.pk, "attempts": message.attempts},
            now=now,
        )
    transaction.on_commit(lambda: outbox_dispatch(message_ids=[message.pk]))
    return True


# --- the recruiter's actions ------------------------------------------------------------


def _locked_request(request: FeedbackRequest) -> FeedbackRequest:
    """The request's current row, locked until the transaction ends."""
    return (
        FeedbackRequest.objects.select_for_update(of=("self",))
        .select_related(*REQUEST_PEOPLE)
        .get(pk=request.pk)
    )


@transaction.atomic
def feedback_request_resend_link(*, request: FeedbackRequest, actor=None) -> OutboundMessage:
    """Send the party a new link to answer: a new token, so every link sent before stops
    working (queued asks that carry the old one are cancelled). Raises ValidationError,
    with nothing changed, when there is nothing to resend."""
    now = timezone.now()
    request = _locked_request(request)
    party = request.get_party_display().lower()
    if request.status == Status.CANCELLED:
        raise ValidationError("This interview was cancelled: no feedback is needed.")
    if request.status == Status.RECEIVED:
        raise ValidationError(f"The {party} has already answered: there is no link to resend.")
    if request.status == Status.SCHEDULED:
        raise ValidationError(
            f"The {party} has not been asked yet (the first link goes out at "
            f"{_local_text(request.ask_at, _recruiter_for(request).time_zone)}); "
            "mark the interview completed to ask now."
        )
    recipient = _recipient_email(request)
    if not recipient:
        raise ValidationError(
            f"There is no email address to send it to (or the {party} has not agreed to "
            "email): call them instead."
        )
    resends = request.messages.filter(kind=Kind.REQUEST, dedupe_key__startswith="resend-").count()
    _cancel_queued_asks(request=request)
    request.token_key = uuid.uuid4()
    FeedbackRequest.objects.filter(pk=request.pk).update(token_key=request.token_key)
    message = _queue_message(
        request=request,
        kind=Kind.REQUEST,
        recipient=recipient,
        template=f"{request.party}_request",
        context=_context(request=request),
        dedupe_key=f"resend-{resends + 1}",
        now=now,
    )
    timeline_record(
        application=request.interview.application,
        request=request,
        kind=TimelineEvent.Kind.LINK_RESENT,
        summary=f"Sent the {party} a new feedback link ({recipient}); earlier links no longer work",
        actor=actor,
        data={"message_id": message.pk},
        now=now,
    )
    return message


@transaction.atomic
def feedback_log_call(*, request: FeedbackRequest, answers: dict, actor) -> Feedback:
    """Feedback taken by phone: the party's answer (channel phone, entered by the
    recruiter), like one from the portal. The call is also the debrief the application may
    have been waiting for: that flag is cleared and the timeline says so."""
    request = _locked_request(request)
    if request.status == Status.SCHEDULED and request.interview.starts_at > timezone.now():
        raise ValidationError("This interview has not started yet: there is nothing to log.")
    feedback = feedback_submit(
        request=request, answers=answers, channel=Feedback.Channel.PHONE, entered_by=actor
    )
    application = Application.objects.select_for_update().get(pk=request.interview.application_id)
    if application.debrief_needed_at is not None:
        Application.objects.filter(pk=application.pk).update(debrief_needed_at=None)
        timeline_record(
            application=application,
            request=request,
            kind=TimelineEvent.Kind.DEBRIEF_DONE,
            summary=f"Debrief call logged with the {request.get_party_display().lower()}"
            + (f" ({application.debrief_reason})" if application.debrief_reason else ""),
            actor=actor,
            data={
                "feedback_id": feedback.pk,
                "needed_since": application.debrief_needed_at.isoformat(),
            },
            now=feedback.submitted_at,
        )
    return feedback


# --- answers ----------------------------------------------------------------------------


def feedback_request_mark_opened(*, request: FeedbackRequest) -> None:
    if request.opened_at is None:
        now = timezone.now()
        FeedbackRequest.objects.filter(pk=request.pk, opened_at__isnull=True).update(opened_at=now)
        request.opened_at = now


@transaction.atomic
def feedback_submit(
    *,
    request: FeedbackRequest,
    answers: dict,
    channel: str = Feedback.Channel.PORTAL,
    entered_by=None,
) -> Feedback:
    """Store an answer (or an amendment), settle the request, update interest, tell the
    recruiter. A late answer clears "possibly waned" and records how late it was."""
    now = timezone.now()
    # The row lock orders us against a sweep marking the same request overdue: whichever
    # commits first, the other sees its result.
    request = _locked_request(request)
    if request.status == Status.CANCELLED:
        raise FeedbackClosed("This interview was cancelled; no feedback is needed.")
    # Rows joined to a locked row keep the snapshot from before the wait (PostgreSQL, READ
    # COMMITTED): re-read the interest a sweep may just have marked possibly waned.
    request.interview.application.refresh_from_db(fields=["interest_status", "interest_level"])
    fields = (
        Feedback.CANDIDATE_FIELDS if request.party == Party.CANDIDATE else Feedback.CLIENT_FIELDS
    )
    previous = request.answers.filter(is_current=True).first()
    if previous:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
        lateness = previous.lateness  # lateness belongs to the first answer
    else:
        lateness = now - request.due_at if now > request.due_at else None
    feedback = Feedback.objects.create(
        request=request,
        channel=channel,
        submitted_at=now,
        entered_by=entered_by,
        lateness=lateness,
        is_current=True,
        supersedes=previous,
        shared_with_client=previous.shared_with_client if previous else DEFAULT_SHARED_WITH_CLIENT,
        **{name: answers.get(name) for name in fields if name in answers},
    )
    was_overdue = request.status == Status.OVERDUE
    if request.status != Status.RECEIVED:
        FeedbackRequest.objects.filter(pk=request.pk).update(
            status=Status.RECEIVED, received_at=now, next_action_at=None
        )
        request.status = Status.RECEIVED
    _cancel_queued_asks(request=request)

    application = request.interview.application
    who = "phone" if channel == Feedback.Channel.PHONE else channel
    timeline_record(
        application=application,
        request=request,
        kind=TimelineEvent.Kind.FEEDBACK_AMENDED
        if previous
        else TimelineEvent.Kind.FEEDBACK_RECEIVED,
        summary=f"{request.get_party_display()} feedback {'amended' if previous else 'received'}"
        f" ({who})" + (f", {duration_text(lateness)} late" if lateness and not previous else ""),
        actor=entered_by,
        data={
            "feedback_id": feedback.pk,
            "late_seconds": int(lateness.total_seconds()) if lateness else 0,
        },
        now=now,
    )
    if request.party == Party.CANDIDATE:
        _apply_interest(
            application=application,
            request=request,
            feedback=feedback,
            was_overdue=was_overdue,
            now=now,
        )
    _queue_message(
        request=request,
        kind=Kind.FEEDBACK_RECEIVED,
        recipient=_recruiter_for(request).email,
        template=f"{request.party}_feedback_received",
        context=_context(
            request=request,
            feedback=feedback,
            amended=bool(previous),
            lateness_text=duration_text(feedback.lateness) if feedback.lateness else "",
        ),
        dedupe_key=f"feedback-{feedback.pk}",
        now=now,
    )
    if entered_by is None:
        # An answer a recruiter logged took a call: that call is the debrief.
        _debrief_check(request=request, feedback=feedback, now=now)
    return feedback


def _apply_interest(*, application, request, feedback, was_overdue: bool, now) -> None:
    previous = application.interest_status
    status = interest_status_for(
        level=feedback.interest_level, still_interested=feedback.still_interested
    )
    Application.objects.filter(pk=application.pk).update(
        interest_level=feedback.interest_level, interest_status=status, interest_updated_at=now
    )
    application.interest_level, application.interest_status = feedback.interest_level, status
    if was_overdue and previous == Application.InterestStatus.POSSIBLY_WANED:
        timeline_record(
            application=application,
            request=request,
            kind=TimelineEvent.Kind.INTEREST_RESTORED,
            summary=f"Late answer ({duration_text(feedback.lateness)} late) cleared"
            f" “possibly waned”: interest now {application.get_interest_status_display().lower()}",
            data={
                "late_seconds": int(feedback.lateness.total_seconds()) if feedback.lateness else 0
            },
            now=now,
        )


# --- two-sided debrief ------------------------------------------------------------------


def _debrief_check(*, request: FeedbackRequest, feedback: Feedback, now: datetime) -> None:
    """With both sides' answers in for an interview and in disagreement, put the
    application on the recruiter's call list and alert the candidate's recruiter once.

    Once flagged, further disagreeing amendments only update the reason until the call is
    logged (which clears the flag); the outbox row is unique per pair of answers.
    """
    interview = request.interview
    # Lock the application: when both sides answer at once, the second to take the lock
    # sees the first one's committed answer.
    application = Application.objects.select_for_update().get(pk=interview.application_id)
    other = (
        Feedback.objects.filter(request__interview=interview, is_current=True)
        .exclude(request__party=request.party)
        .select_related("request")
        .first()
    )
    if other is None:
        return
    candidate_answer, client_answer = (
        (feedback, other) if request.party == Party.CANDIDATE else (other, feedback)
    )
    why = debrief_reason_for(candidate=candidate_answer, client=client_answer)
    if not why:
        return
    reason = f"Round {interview.round}: {why}"[:300]
    if application.debrief_needed_at is not None:
        Application.objects.filter(pk=application.pk).update(debrief_reason=reason)
        return
    if not Application.objects.filter(pk=application.pk, debrief_needed_at__isnull=True).update(
        debrief_needed_at=now, debrief_reason=reason
    ):
        return
    timeline_record(
        application=application,
        request=request,
        kind=TimelineEvent.Kind.DEBRIEF_NEEDED,
        summary=f"Debrief needed. {reason}",
        data={
            "interview_id": interview.pk,
            "candidate_feedback_id": candidate_answer.pk,
            "client_feedback_id": client_answer.pk,
        },
        now=now,
    )
    candidate_request = (
        request
        if request.party == Party.CANDIDATE
        else FeedbackRequest.objects.select_related(*REQUEST_PEOPLE).get(
            pk=candidate_answer.request_id
        )
    )
    _queue_message(
        request=candidate_request,
        kind=Kind.DEBRIEF_ALERT,
        recipient=_recruiter_for(candidate_request).email,
        template="candidate_debrief_alert",
        context=_context(
            request=candidate_request,
            reason=why,
            candidate_feedback=candidate_answer,
            client_feedback=client_answer,
        ),
        dedupe_key=f"pair-{candidate_answer.pk}-{client_answer.pk}",
        now=now,
    )


# --- the dashboards' charts -------------------------------------------------------------


def dashboard_charts_refresh(*, now: datetime | None = None) -> int:
    """Compute everyone's charts and every recruiter's into the cache (the worker, each
    CHART_REFRESH_SECONDS), so that a dashboard view only reads them. How many desks."""
    now = now or timezone.now()
    # Recruiters who can sign in (a departed one's desk is computed if someone views it).
    desks = [None, *Recruiter.objects.filter(user__is_active=True).order_by("pk")]
    for recruiter in desks:
        caching.put(
            selectors.dashboard_charts_key(recruiter),
            selectors.dashboard_charts_compute(recruiter=recruiter, now=now),
            selectors.CHART_CACHE_SECONDS,
        )
    return len(desks)
