"""The candidates app's writes to its own rows: saving applications, candidates and
positions with the desk copies they carry, and the application fields the feedback loop
sets (interest, debrief, stage). It imports no other app; other apps follow a desk
change through candidates.signals.desks_changed."""

from datetime import datetime

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.functions import Now
from django.utils import timezone

from .models import Application, Candidate, Client, ClientContact, Interview, Position
from .signals import desks_changed

# --- desks ------------------------------------------------------------------------------
#
# A candidate's side of an application (its interviews, the candidate's feedback requests)
# is on the desk of the candidate's owner, the client's side on the position's recruiter's.
# Applications, interviews and feedback requests keep copies (`candidate_owner`,
# `position_recruiter`, a request's `desk` and `position`) so that the dashboard reads a
# desk, and the client pages a client's requests, as an index range instead of joining
# every row to its candidate and position; these services keep the copies right whenever
# the owner, the recruiter or an application's candidate or position changes: candidates'
# own here, the feedback requests' by feedback's receiver of `desks_changed`
# (candidates.signals), in the same transaction. Each reads the desk from a locked row (or
# writes the rows a concurrent reader locks), so a change made at the same moment as
# another is never lost between them.


@transaction.atomic
def application_save(*, application: Application, fields: list[str] | None = None) -> Application:
    """Save a new application, or these `fields` of one (the others, e.g. the interest the
    loop wrote meanwhile, are left as stored), on its candidate's and position's desks."""
    (application.candidate_owner_id,) = (
        Candidate.objects.select_for_update()
        .filter(pk=application.candidate_id)
        .values_list("owner_id")
        .get()
    )
    (position_recruiter_id,) = (
        Position.objects.select_for_update()
        .filter(pk=application.position_id)
        .values_list("recruiter_id")
        .get()
    )
    if application.pk is None or fields is None:
        application.save()
    else:
        application.save(update_fields=[*fields, "candidate_owner", "updated_at"])
    Interview.objects.filter(application=application).update(
        candidate_owner_id=application.candidate_owner_id,
        position_recruiter_id=position_recruiter_id,
    )
    desks_changed.send(
        sender=Application, application=application, position_recruiter_id=position_recruiter_id
    )
    return application


@transaction.atomic
def candidate_save(*, candidate: Candidate, changed: list[str]) -> Candidate:
    """Save a candidate; a new owner takes their applications and interviews along."""
    candidate.save()
    if "owner" in changed:
        _desks_follow_candidate(candidate=candidate)
    return candidate


@transaction.atomic
def position_save(*, position: Position, changed: list[str]) -> Position:
    """Save a position; a new recruiter takes the client's side of its interviews."""
    position.save()
    if "recruiter" in changed:
        _desks_follow_position(position=position)
    return position


def client_save(*, client: Client) -> Client:
    """Save a client (new or changed): nothing else follows from it."""
    client.save()
    return client


def client_contact_save(*, contact: ClientContact) -> ClientContact:
    """Save a client contact (new or changed); their login, if any, is the client pages'
    to manage (clients.services)."""
    contact.save()
    return contact


def _desks_follow_candidate(*, candidate: Candidate) -> None:
    """The candidate's owner changed: their applications and interviews move with them
    (and, through desks_changed, the other apps' copies)."""
    Application.objects.filter(candidate=candidate).update(candidate_owner_id=candidate.owner_id)
    Interview.objects.filter(application__candidate=candidate).update(
        candidate_owner_id=candidate.owner_id
    )
    desks_changed.send(sender=Candidate, candidate=candidate)


def _desks_follow_position(*, position: Position) -> None:
    """The position's recruiter changed: the client's side of its interviews moves (and,
    through desks_changed, the other apps' copies)."""
    Interview.objects.filter(application__position=position).update(
        position_recruiter_id=position.recruiter_id
    )
    desks_changed.send(sender=Position, position=position)


# --- what the feedback loop sets on an application ----------------------------------------
#
# The loop decides these (feedback.rules, feedback.services) and writes them here, each as
# the single statement it was: an answer's interest, "possibly waned" at a deadline, the
# debrief call list, the stage an interview or a withdrawal moves to.


def application_set_stage(*, application: Application, stage: str) -> None:
    """Move the application to `stage` (the instance too)."""
    Application.objects.filter(pk=application.pk).update(stage=stage, updated_at=Now())
    application.stage = stage


def application_set_interest(
    *, application: Application, level: int | None, status: str, now: datetime
) -> None:
    """The interest a candidate's answer says (the instance too)."""
    # Plain SQL: every candidate's answer runs it (docs/benchmarks.md, "Answer path").
    # `updated_at` is the database's time, as Now() writes it elsewhere.
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(Application._meta.db_table)}"
            " SET interest_level = %s, interest_status = %s, interest_updated_at = %s,"
            f" updated_at = {'STATEMENT_TIMESTAMP()' if postgres else '%s'} WHERE id = %s",
            [
                level,
                status,
                connection.ops.adapt_datetimefield_value(now),
                *([] if postgres else [connection.ops.adapt_datetimefield_value(timezone.now())]),
                application.pk,
            ],
        )
    application.interest_level, application.interest_status = level, status


def applications_mark_possibly_waned(*, application_ids: QuerySet, now: datetime) -> int:
    """No answer by the deadline: these applications' interest may have waned.
    `application_ids` is a query of ids (a subquery: one statement for a batch)."""
    return Application.objects.filter(pk__in=application_ids).update(
        interest_status=Application.InterestStatus.POSSIBLY_WANED,
        interest_updated_at=now,
        updated_at=Now(),
    )


def application_flag_debrief(*, application: Application, reason: str, now: datetime) -> bool:
    """Put the application on the recruiter's call list, unless it is on it already (then
    nothing changes). True if this call put it there."""
    return bool(
        Application.objects.filter(pk=application.pk, debrief_needed_at__isnull=True).update(
            debrief_needed_at=now, debrief_reason=reason, updated_at=Now()
        )
    )


def application_set_debrief_reason(*, application: Application, reason: str) -> None:
    """A new reason for a debrief already on the call list."""
    Application.objects.filter(pk=application.pk).update(debrief_reason=reason, updated_at=Now())


def application_clear_debrief(*, application: Application) -> None:
    """The debrief call was made: off the call list (the reason is kept)."""
    Application.objects.filter(pk=application.pk).update(debrief_needed_at=None, updated_at=Now())


# --- the person's data (privacy records consent and erases through these) ---------------

# The candidate's flag for each consent channel: what the loop reads before it writes.
CONSENT_FLAGS = {"email": "consent_email", "sms": "consent_sms"}


def candidate_set_consent(*, candidate: Candidate, channel: str, given: bool) -> None:
    """Set the consent flag the loop reads for `channel` ("email" or "sms")."""
    flag = CONSENT_FLAGS[channel]
    Candidate.objects.filter(pk=candidate.pk).update(**{flag: given})
    setattr(candidate, flag, given)


@transaction.atomic
def candidate_anonymise(*, candidate: Candidate, now: datetime) -> bool:
    """Replace who the person is with "Erased candidate #id": no contact details, no
    consent (so nothing more is sent), the row and its applications kept. False, with
    nothing changed, when they were erased already."""
    locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.erased_at is not None:
        return False
    erased = {
        "first_name": "Erased candidate",
        "last_name": f"#{candidate.pk}",
        "email": "",
        "phone": "",
        "specialty": "",
        "consent_email": False,
        "consent_sms": False,
        "erased_at": now,
    }
    Candidate.objects.filter(pk=candidate.pk).update(**erased)
    for name, value in erased.items():
        setattr(candidate, name, value)
    return True
