"""Answers and the recruiter's actions on a request: a link opened, an answer given (portal,
client page, or a call logged by the recruiter), a new link sent, the interest an answer
sets, and what of a candidate's answer the client sees.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from candidates import services as candidate_services
from candidates.models import Application, Interview, Recruiter
from core.bulk import insert_one
from core.formatting import duration_text
from core.rows import model_columns, read_rows

from .. import selectors, tokens
from ..models import (
    REQUEST_PEOPLE,
    Feedback,
    FeedbackRequest,
    OutboundMessage,
    Party,
    TimelineEvent,
)
from ..rules import (
    CLIENT_SHAREABLE_PARTS,
    DEFAULT_SHARED_WITH_CLIENT,
    interest_status_for,
    request_allows,
    request_takes_answers,
)
from ..sharing import SHARED_LABELS
from .debrief import _debrief_check
from .messages import (
    _asked_by_sms,
    _context,
    _local_text,
    _recipient_email,
    _recruiter_for,
    sms_rendered,
)
from .outbox import _cancel_queued_asks, _queue_message, _queue_text, _queue_unwritten
from .timeline import timeline_record

Status = FeedbackRequest.Status
Kind = OutboundMessage.Kind


class FeedbackClosed(Exception):
    """The request no longer takes answers (its interview was cancelled)."""


class TooManyAnswers(Exception):
    """The link has taken as many answers as it may for a while; nothing was stored."""


def _locked_request(request: FeedbackRequest) -> FeedbackRequest:
    """The request's current row, locked until the transaction ends."""
    return (
        FeedbackRequest.objects.select_for_update(of=("self",))
        .select_related(*REQUEST_PEOPLE)
        .get(pk=request.pk)
    )


@transaction.atomic
def feedback_request_resend_link(
    *, request: FeedbackRequest, actor=None, now: datetime | None = None
) -> OutboundMessage:
    """Send the party a new link to answer: a new token, so every link sent before stops
    working (queued asks that carry the old one are cancelled). Raises ValidationError,
    with nothing changed, when there is nothing to resend."""
    now = now or timezone.now()
    request = _locked_request(request)
    party = request.get_party_display().lower()
    if "resend_link" not in request_allows(request.status):
        if request.status == Status.CANCELLED:
            raise ValidationError("This interview was cancelled: no feedback is needed.")
        if request.status == Status.RECEIVED:
            raise ValidationError(f"The {party} has already answered: there is no link to resend.")
        raise ValidationError(
            f"The {party} has not been asked yet (the first link goes out at "
            f"{_local_text(request.ask_at, _recruiter_for(request).time_zone)}); "
            "mark the interview completed to ask now."
        )
    recipient = _recipient_email(request)
    # A candidate who is texted gets the new link by text too.
    number = _asked_by_sms(request, default=selectors.policy_get().candidate_channels)
    if not recipient and not number:
        raise ValidationError(
            f"There is no email address to send it to (or the {party} has not agreed to "
            "email): call them instead."
        )
    resends = (
        request.messages.filter(kind=Kind.REQUEST, dedupe_key__startswith="resend-")
        .values("dedupe_key")
        .distinct()
        .count()
    )
    _cancel_queued_asks(request=request)
    request.token_key = uuid.uuid4()
    FeedbackRequest.objects.filter(pk=request.pk).update(token_key=request.token_key)
    dedupe_key = f"resend-{resends + 1}"
    sent = []
    if recipient:
        sent.append(
            _queue_message(
                request=request,
                kind=Kind.REQUEST,
                recipient=recipient,
                template=f"{request.party}_request",
                context=_context(request=request),
                dedupe_key=dedupe_key,
                now=now,
            )
        )
    if number:
        text = sms_rendered(template=f"{request.party}_request", request=request)
        sent.append(
            _queue_text(
                request=request,
                recipient=number,
                kind=Kind.REQUEST,
                body=text["body_text"],
                dedupe_key=dedupe_key,
            )
        )
    message = sent[0]
    where = " and ".join(m.recipient for m in sent)
    timeline_record(
        application=request.interview.application,
        request=request,
        kind=TimelineEvent.Kind.LINK_RESENT,
        summary=f"Sent the {party} a new feedback link ({where}); earlier links no longer work",
        actor=actor,
        data={"message_id": message.pk},
        now=now,
    )
    return message


@transaction.atomic
def feedback_log_call(
    *, request: FeedbackRequest, answers: dict, actor, now: datetime | None = None
) -> Feedback:
    """Feedback taken by phone: the party's answer (channel phone, entered by the
    recruiter), like one from the portal. The call is also the debrief the application may
    have been waiting for: that flag is cleared and the timeline says so."""
    request = _locked_request(request)
    if "log_call" not in request_allows(request.status):
        raise FeedbackClosed("This interview was cancelled; no feedback is needed.")
    now = now or timezone.now()
    if request.status == Status.SCHEDULED and request.interview.starts_at > now:
        raise ValidationError("This interview has not started yet: there is nothing to log.")
    feedback = feedback_submit(
        request=request,
        answers=answers,
        channel=Feedback.Channel.PHONE,
        entered_by=actor,
        now=now,
    )
    application = Application.objects.select_for_update().get(pk=request.interview.application_id)
    if application.debrief_needed_at is not None:
        candidate_services.application_clear_debrief(application=application)
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


def feedback_request_mark_opened(*, request: FeedbackRequest, now: datetime | None = None) -> None:
    if request.opened_at is None:
        now = now or timezone.now()
        FeedbackRequest.objects.filter(pk=request.pk, opened_at__isnull=True).update(opened_at=now)
        request.opened_at = now


@transaction.atomic
def feedback_submit(
    *,
    request: FeedbackRequest,
    answers: dict,
    channel: str = Feedback.Channel.PORTAL,
    entered_by=None,
    now: datetime | None = None,
) -> Feedback:
    """Store an answer (or an amendment), settle the request, update interest, tell the
    recruiter. A late answer clears "possibly waned" and records how late it was. A
    candidate who gives a time to call asks to be called, ticked or not. Given at `now`
    (default: the current time)."""
    request, recruiter_email = _locked_for_answer(column="id", value=request.pk)
    return _submit(
        request=request,
        recruiter_email=recruiter_email,
        answers=answers,
        channel=channel,
        entered_by=entered_by,
        now=now,
    )


@transaction.atomic
def feedback_submit_by_link(
    *, party: str, token_key: str, answers: dict, channel: str, now: datetime | None = None
) -> Feedback:
    """feedback_submit for the request a link's key opens (tokens.token_unsign), found by
    the statement that locks it: the portal's answer reads the request once. Raises
    tokens.LinkInvalid, with nothing stored, when no request of that party has the key."""
    key = FeedbackRequest._meta.get_field("token_key")
    found = _locked_for_answer(
        column="token_key",
        value=key.get_db_prep_value(key.to_python(token_key), connection),
        party=party,
    )
    if found is None:
        raise tokens.LinkInvalid("no such request (revoked or never issued)")
    request, recruiter_email = found
    return _submit(
        request=request, recruiter_email=recruiter_email, answers=answers, channel=channel, now=now
    )


def _for_update(of: str = "") -> str:
    """The locking clause of a plain SELECT (SQLite has none: it locks the database)."""
    features = connection.features
    if not features.has_select_for_update:
        return ""
    return f" FOR UPDATE OF {of}" if of and features.has_select_for_update_of else " FOR UPDATE"


def _locked_for_answer(
    *, column: str, value, party: str | None = None
) -> tuple[FeedbackRequest, str] | None:
    """The request's current row, locked until the transaction ends, with what the answer
    needs of its interview (its application, its round) and the recruiter's address.

    Plain SQL: every answer runs it, and the ORM's building of a three-join locking read
    was a noticeable part of the answer's CPU (docs/benchmarks.md, "Answer path"). The row
    lock orders us against a sweep marking the same request overdue: whichever commits
    first, the other sees its result. Only the request and what it names are read: the
    people behind them are the page's business, not the answer's. None when no request
    of `party` has that value."""
    quote = connection.ops.quote_name
    User = get_user_model()
    table = {m: quote(m._meta.db_table) for m in (FeedbackRequest, Interview, Recruiter, User)}
    sql = (
        f"SELECT {model_columns(FeedbackRequest, 'r')}, i.application_id, i.round, u.email"
        f" FROM {table[FeedbackRequest]} r"
        f" JOIN {table[Interview]} i ON i.id = r.interview_id"
        f" JOIN {table[Recruiter]} d ON d.id = r.desk_id"
        f" JOIN {table[User]} u ON u.id = d.user_id"
        f" WHERE r.{quote(column)} = %s" + (" AND r.party = %s" if party else "") + _for_update("r")
    )
    rows = read_rows(FeedbackRequest, sql, [value, party] if party else [value])
    if not rows:
        if party:
            return None
        raise FeedbackRequest.DoesNotExist
    request, (application_id, interview_round, recruiter_email) = rows[0]
    request.interview = Interview.from_db(
        connection.alias,
        ["id", "application_id", "round"],
        [request.interview_id, application_id, interview_round],
    )
    return request, recruiter_email


def _submit(
    *,
    request: FeedbackRequest,
    recruiter_email: str,
    answers: dict,
    channel: str,
    now: datetime | None,
    entered_by=None,
) -> Feedback:
    """feedback_submit's work, on the request locked by _locked_for_answer."""
    now = now or timezone.now()
    if not request_takes_answers(request.status):
        raise FeedbackClosed("This interview was cancelled; no feedback is needed.")
    # Read after the request's lock, so it is fresh (a sweep may just have marked the
    # interest possibly waned). Its lock is the one the debrief check needs: when both
    # sides answer at once, the second to take it sees the first one's committed answer.
    quote = connection.ops.quote_name
    ((application, _),) = read_rows(
        Application,
        f"SELECT {model_columns(Application, 'a')} FROM {quote(Application._meta.db_table)} a"
        " WHERE a.id = %s" + _for_update(),
        [request.interview.application_id],
    )
    request.interview.application = application
    fields = (
        Feedback.CANDIDATE_FIELDS if request.party == Party.CANDIDATE else Feedback.CLIENT_FIELDS
    )
    values = {name: answers[name] for name in fields if name in answers}
    if request.party == Party.CANDIDATE and values.get("preferred_call_time"):
        values["wants_call"] = True  # a time to call is a request to be called
    # The current answers of both sides in one read: this side's is the one amended, the
    # other side's is what the debrief check compares with.
    answered = read_rows(
        Feedback,
        f"SELECT {model_columns(Feedback, 'f')}, r.party FROM {quote(Feedback._meta.db_table)} f"
        f" JOIN {quote(FeedbackRequest._meta.db_table)} r ON r.id = f.request_id"
        " WHERE r.interview_id = %s AND f.is_current = %s ORDER BY f.id",
        [request.interview_id, True],
    )
    previous = next((a for a, _ in answered if a.request_id == request.pk), None)
    other_side = next((a for a, (party,) in answered if party != request.party), None)
    if previous and entered_by is None:
        # Without a current answer there is none at all, so nothing to count.
        _refuse_a_burst(request=request, now=now)
    if previous:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
        lateness = previous.lateness  # lateness belongs to the first answer
    else:
        lateness = now - request.due_at if now > request.due_at else None
    feedback = insert_one(
        Feedback(
            request=request,
            channel=channel,
            submitted_at=now,
            entered_by=entered_by,
            lateness=lateness,
            is_current=True,
            supersedes=previous,
            shared_with_client=previous.shared_with_client
            if previous
            else DEFAULT_SHARED_WITH_CLIENT,
            **values,
        )
    )
    was_overdue = request.status == Status.OVERDUE
    if request.status != Status.RECEIVED:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(FeedbackRequest._meta.db_table)}"
                " SET status = %s, received_at = %s, next_action_at = NULL WHERE id = %s",
                [Status.RECEIVED, connection.ops.adapt_datetimefield_value(now), request.pk],
            )
        request.status = Status.RECEIVED
    _cancel_queued_asks(request=request)

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
    _notify_recruiter(request=request, recipient=recruiter_email, feedback=feedback)
    if entered_by is None:
        # An answer a recruiter logged took a call: that call is the debrief.
        _debrief_check(
            request=request,
            feedback=feedback,
            application=application,
            other=other_side,
            now=now,
        )
    return feedback


def _refuse_a_burst(*, request: FeedbackRequest, now: datetime) -> None:
    """A link takes a few answers in a while (the party changing their mind, fixing a
    typo), not a stream: past ANSWERS_PER_LINK within ANSWERS_PER_LINK_WINDOW the
    answer is refused, with nothing stored. Counted under the request's lock, so two
    answers at once cannot both be the last allowed. A recruiter logging a call is not
    counted: they answer for the party, on their own say."""
    limit = settings.FEEDBACK["ANSWERS_PER_LINK"]
    window = settings.FEEDBACK["ANSWERS_PER_LINK_WINDOW"]
    recent = request.answers.filter(
        entered_by__isnull=True, submitted_at__gt=now - window, submitted_at__lte=now
    ).count()
    if recent >= limit:
        raise TooManyAnswers(
            f"This feedback has already been changed several times in the last "
            f"{duration_text(window)}. Please wait a few minutes before you change it "
            "again, or call your recruiter."
        )


def _notify_recruiter(*, request: FeedbackRequest, recipient: str, feedback: Feedback) -> None:
    """One "feedback received" message for a burst of answers: the first answer queues
    it, due after ANSWER_NOTICE_DELAY, without text; the answers that follow while it
    waits find it queued and add nothing. Its text is written when it is sent, from the
    answer current then (delivery), so it carries the last one.

    No lock on the message: the request's row lock, held until this answer commits, is
    what a worker writing the text waits for (messages._answer_context), so a notice
    found queued here carries this answer even if a worker claims it meanwhile; one that
    a worker claimed first is no longer queued, and this answer gets a message of its
    own. Either way the last answer is in a message that is sent exactly once."""
    with connection.cursor() as cursor:
        # Plain SQL, as the request's lock: every answer runs it.
        cursor.execute(
            f"SELECT id FROM {connection.ops.quote_name(OutboundMessage._meta.db_table)}"
            " WHERE request_id = %s AND kind = %s AND status = %s ORDER BY id LIMIT 1",
            [request.pk, Kind.FEEDBACK_RECEIVED, OutboundMessage.Status.QUEUED],
        )
        waiting = cursor.fetchone()
    if waiting is not None:
        return
    _queue_unwritten(
        request=request,
        kind=Kind.FEEDBACK_RECEIVED,
        # The request's desk is that recruiter (messages._recruiter_for), read with the
        # request's lock.
        recipient=recipient,
        dedupe_key=f"feedback-{feedback.pk}",
        delay=settings.FEEDBACK["ANSWER_NOTICE_DELAY"],
        fresh=True,
    )


def _apply_interest(*, application, request, feedback, was_overdue: bool, now) -> None:
    previous = application.interest_status
    status = interest_status_for(
        level=feedback.interest_level, still_interested=feedback.still_interested
    )
    candidate_services.application_set_interest(
        application=application, level=feedback.interest_level, status=status, now=now
    )
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


@transaction.atomic
def feedback_share_with_client(
    *, feedback: Feedback, parts: list[str], actor=None, now: datetime | None = None
) -> Feedback:
    """Choose what of a candidate's answer the client sees (rules.CLIENT_SHAREABLE_PARTS),
    and record on the timeline who shared what. Nothing is written when the parts are the
    ones stored (in any order). A part stored before that the list no longer knows may be
    kept or dropped, not added. Raises ValidationError, with nothing changed, for a
    client's own answer or a part that cannot be shared."""
    now = now or timezone.now()
    feedback = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("request__interview__application")
        .get(pk=feedback.pk)
    )
    request = feedback.request
    if request.party != Party.CANDIDATE:
        raise ValidationError("This is the client's own answer: there is nothing to share.")
    stored = list(feedback.shared_with_client or [])
    wanted = list(dict.fromkeys(parts))
    added = [part for part in wanted if part not in stored]
    removed = [part for part in stored if part not in wanted]
    refused = [part for part in added if part not in CLIENT_SHAREABLE_PARTS]
    if refused:
        raise ValidationError(f"Not something the client can be shown: {', '.join(refused)}.")
    if not added and not removed:
        return feedback
    Feedback.objects.filter(pk=feedback.pk).update(shared_with_client=wanted)
    feedback.shared_with_client = wanted

    def named(keys):
        return ", ".join(SHARED_LABELS.get(key, key).lower() for key in keys)

    summary = "; ".join(
        [
            *([f"Shared with the client: {named(added)}"] if added else []),
            *([f"no longer shared: {named(removed)}"] if removed else []),
        ]
    )
    timeline_record(
        application=request.interview.application,
        request=request,
        kind=TimelineEvent.Kind.SHARED_WITH_CLIENT,
        summary=summary[0].upper() + summary[1:],
        actor=actor,
        data={"feedback_id": feedback.pk, "shared": wanted, "added": added, "removed": removed},
        now=now,
    )
    return feedback
