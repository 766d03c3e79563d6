"""The sweep: do what is due (asks, reminders, deadlines), a batch of requests at a time and
set-based, then put lost messages back on track.

Every state change is a compare-and-set on the rows the batch holds; its side effects
(outbox rows, timeline events) are written in the same transaction, so several sweeps can
run at once and nothing happens twice.
"""

import time
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, JSONObject

from candidates import services as candidate_services
from candidates.models import Interview
from core import clock
from core.bulk import AnyOf, insert_select
from core.request_ids import current_request_id

from .. import selectors
from ..models import (
    FeedbackRequest,
    OutboundMessage,
    Party,
    ReminderPolicy,
    SweepRecord,
    TimelineEvent,
)
from ..rules import ACTIVE_STATUSES, CATCH_UP_GRACE
from ..webhooks.events import INTEREST_POSSIBLY_WANED
from .messages import (
    _RECIPIENT_EMAIL,
    _RECIPIENT_PHONE,
    _RECIPIENT_TIME_ZONE,
    _RECRUITER_EMAIL,
    _asked_by_email_sql,
    _asked_by_sms_sql,
)
from .outbox import outbox_dispatch, outbox_reclaim_abandoned, outbox_redispatch_due
from .webhooks import webhooks_queue_many

Status = FeedbackRequest.Status
Kind = OutboundMessage.Kind


@dataclass
class SweepResult:
    asked: int = 0
    reminded: int = 0
    deferred: int = 0
    overdue: int = 0
    waned: int = 0  # candidates' applications marked possibly waned by the deadlines
    reclaimed: int = 0
    redispatched: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def acted(self) -> int:
        return self.asked + self.reminded + self.overdue

    def counts(self) -> dict[str, int]:
        """What the sweep did, as the sweep task reports it."""
        return {"asked": self.asked, "reminded": self.reminded, "overdue": self.overdue}


def sweep_run(
    *,
    now: datetime | None = None,
    batch_size: int | None = None,
    max_batches: int | None = None,
) -> SweepResult:
    """Do what is due: asks, reminders, deadlines (feedback_requests_sweep, due by `now`);
    then put lost messages back on track (by the loop's clock: that is about the workers
    running now)."""
    started = time.monotonic()
    batch_size = batch_size or settings.FEEDBACK["SWEEP_BATCH_SIZE"]
    result = feedback_requests_sweep(now=now, batch_size=batch_size, max_batches=max_batches)
    result.reclaimed = outbox_reclaim_abandoned()
    result.redispatched = outbox_redispatch_due(limit=batch_size * 5)
    sweep_record_finished(result=result, duration_seconds=time.monotonic() - started)
    return result


def sweep_record_finished(*, result: SweepResult, duration_seconds: float) -> None:
    """Add a finished sweep to the sweeps' record (SweepRecord): one UPDATE, the time by
    the loop's clock (the database's, whatever host swept), counts added in SQL so that
    sweeps finishing at once on several hosts all count."""
    changes = {
        "last_finished_at": clock.now_in_sql(),
        "last_duration_seconds": duration_seconds,
        "runs": F("runs") + 1,
        "duration_seconds": F("duration_seconds") + duration_seconds,
        **{step: F(step) + getattr(result, step) for step in SweepRecord.STEPS},
    }
    record = SweepRecord.objects.filter(pk=SweepRecord.ROW)
    if not record.update(**changes):
        SweepRecord.objects.bulk_create([SweepRecord(pk=SweepRecord.ROW)], ignore_conflicts=True)
        record.update(**changes)


def feedback_requests_sweep(
    *,
    now: datetime | None = None,
    interview: Interview | None = None,
    batch_size: int | None = None,
    max_batches: int | None = None,
) -> SweepResult:
    """The sweep's steps for the requests: ask, remind and mark overdue what is due by
    `now` (default: the loop's clock, read afresh for each batch), a batch at a time.
    `interview`: only its requests, e.g. to play one interview's story on its own clock
    (the demo does)."""
    conf = settings.FEEDBACK
    batch_size = batch_size or conf["SWEEP_BATCH_SIZE"]
    max_batches = max_batches or conf["SWEEP_MAX_BATCHES"]
    result = SweepResult()
    for _ in range(max_batches):
        taken = _sweep_requests_batch(
            batch_size=batch_size, result=result, now=now, interview=interview
        )
        result.batches += 1
        if taken < batch_size:
            break
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


def _sweep_requests_batch(
    *,
    batch_size: int,
    result: SweepResult,
    now: datetime | None,
    interview: Interview | None,
) -> int:
    # What is due is the same for every sweep, whatever host it runs on.
    now = now or clock.now()
    policy = selectors.policy_get()
    scope = FeedbackRequest.objects.all() if interview is None else interview.feedback_requests
    with transaction.atomic():
        # SKIP LOCKED lets several sweeps share the due rows instead of queueing behind
        # each other. The rows stay locked until commit (SQLite: the transaction holds
        # the write lock from its start), so what is read here is what is written.
        due = list(
            scope.select_for_update(skip_locked=True, of=("self",))
            .filter(status__in=ACTIVE_STATUSES, next_action_at__lte=now)
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
        overdue, waned = _mark_overdue_many(requests=deadlines, now=now)
        result.overdue += overdue
        result.waned += waned
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


def _rows(requests: list[FeedbackRequest]) -> QuerySet[FeedbackRequest]:
    """The batch's requests as a queryset, for statements over all of them at once."""
    return FeedbackRequest.objects.filter(AnyOf(F("pk"), [r.pk for r in requests]))


def _timeline_many(*, requests: QuerySet, kind: str, summary, data, now: datetime) -> list[int]:
    """One timeline event per request (INSERT … SELECT); `summary` and `data` are
    expressions over the request. Returns the new events' ids."""
    return insert_select(
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
    default = selectors.policy_get().candidate_channels
    _timeline_many(
        requests=asked.alias(email=_RECIPIENT_EMAIL),
        kind=TimelineEvent.Kind.REQUEST_SENT,
        summary=Concat(
            Value("Asked the "),
            F("party"),
            Value(" for feedback"),
            Case(
                When(
                    _asked_by_sms_sql(default=default)
                    & (Q(email="") | ~_asked_by_email_sql(default=default)),
                    then=Value(" by text"),
                ),
                When(_asked_by_sms_sql(default=default), then=Value(" by email and text")),
                When(email="", then=Value(" (no email: no address or no consent)")),
                When(
                    ~_asked_by_email_sql(default=default),
                    then=Value(" (no text: no number or no consent)"),
                ),
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


def _mark_overdue_many(*, requests: list[FeedbackRequest], now: datetime) -> tuple[int, int]:
    """Give up on requests whose deadline passed: mark them overdue, record it on the
    timeline (and, for a candidate, mark the application's interest possibly waned), and
    alert the recruiter. Returns how many requests were marked and applications waned."""
    if not requests:
        return 0, 0
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
    waned_events = _timeline_many(
        requests=candidates,
        kind=TimelineEvent.Kind.MARKED_POSSIBLY_WANED,
        summary=Value("Interest marked possibly waned: no answer by the deadline"),
        data=JSONObject(previous_status=F("interview__application__interest_status")),
        now=now,
    )
    # The events' webhooks, set-based too, in this transaction.
    if waned_events:
        webhooks_queue_many(
            events=TimelineEvent.objects.filter(AnyOf(F("pk"), waned_events)),
            event_type=INTEREST_POSSIBLY_WANED,
            now=now,
        )
    waned = candidate_services.applications_mark_possibly_waned(
        application_ids=candidates.values("interview__application_id"), now=now
    )
    _queue_many(requests=marked, kind=Kind.OVERDUE_ALERT, now=now)
    return len(requests), waned


def _queue_many(*, requests: QuerySet[FeedbackRequest], kind: str, now: datetime) -> None:
    """Add the sweep's messages (asks, reminders, alerts) to the outbox, one per request
    and cycle; a row that exists already is kept. They are rendered by the worker that
    sends them, from feedback/email/<party>_<kind>_*, and stored before they are sent.
    Only the rows written here are dispatched, after commit."""
    recipient = _RECRUITER_EMAIL if kind == Kind.OVERDUE_ALERT else _RECIPIENT_EMAIL
    by_email = requests.alias(recipient_email=recipient).exclude(recipient_email="")
    asking = kind in OutboundMessage.ASKING_KINDS
    if asking:
        # The candidate's channels (their choice, else the policy's): email, text or both.
        default = selectors.policy_get().candidate_channels
        by_email = by_email.filter(_asked_by_email_sql(default=default))
    created = _insert_messages(
        source=by_email, kind=kind, channel=OutboundMessage.Channel.EMAIL, now=now
    )
    if asking:
        created += _insert_messages(
            source=requests.filter(_asked_by_sms_sql(default=default)).alias(
                recipient_email=_RECIPIENT_PHONE
            ),
            kind=kind,
            channel=OutboundMessage.Channel.SMS,
            now=now,
        )
    if created:
        transaction.on_commit(lambda: outbox_dispatch(message_ids=sorted(created)))


def _insert_messages(*, source: QuerySet, kind: str, channel: str, now: datetime) -> list[int]:
    """One unwritten message per request of `source` (to its `recipient_email`)."""
    return insert_select(
        OutboundMessage,
        source=source,
        columns={
            "request": F("pk"),
            "kind": Value(kind),
            "channel": Value(channel),
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
            "queued_by_request": Value(current_request_id()),
            "next_attempt_at": Value(now, output_field=DateTimeField()),
            "dispatched_at": Value(now, output_field=DateTimeField()),
            "created_at": Value(now, output_field=DateTimeField()),
        },
        ignore_conflicts=True,
    )
