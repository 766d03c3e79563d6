"""The interview lifecycle: schedule, reschedule, cancel (or no-show), mark completed, and
an application withdrawn. Each change re-plans or settles the interview's feedback requests
and is recorded on the application's timeline with the acting user. The interview rows are
this lifecycle's own; the application's stage is set through candidates.services."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candidates import services as candidate_services
from candidates.models import (
    Application,
    Interview,
    interview_times_validate,
)
from core.formatting import moment_text

from ..models import TimelineEvent
from ..rules import application_withdrawable, interview_transitions
from .invites import interview_invites_drop_queued, interview_invites_queue
from .planning import feedback_requests_cancel, feedback_requests_plan
from .timeline import timeline_record


def _local(interview: Interview, moment: datetime) -> str:
    """A moment of the interview in its own time zone, as the timeline says it."""
    return moment_text(moment, interview.time_zone)


def _locked(interview: Interview) -> Interview:
    """The interview's current row, locked until the transaction ends: a concurrent change
    waits, then sees this one's result and is refused by the status checks."""
    return Interview.objects.select_for_update().select_related("application").get(pk=interview.pk)


@transaction.atomic
def interview_schedule(
    *,
    application: Application,
    starts_at: datetime,
    ends_at: datetime,
    kind: str = Interview.Kind.IN_PERSON,
    time_zone: str = "UTC",
    round: int | None = None,
    location: str = "",
    video_link: str = "",
    interviewers: str = "",
    external_id: str = "",
    actor=None,
    now: datetime | None = None,
) -> Interview:
    """A new interview on the application's desks, its feedback requests planned from its
    end, recorded on the timeline at `now` (default: the current time). `external_id`:
    its id in the agency's ATS, when it comes from there (an import)."""
    interview_times_validate(starts_at=starts_at, ends_at=ends_at)
    if round is None:
        round = application.interviews.count() + 1
    # The desks, read under lock: an owner or recruiter changed at the same time
    # (candidates.services) either waits for this interview to exist or is seen here.
    candidate_owner_id, position_recruiter_id = (
        Application.objects.select_for_update()
        .filter(pk=application.pk)
        .values_list("candidate_owner_id", "position__recruiter_id")
        .get()
    )
    interview = Interview.objects.create(
        application=application,
        candidate_owner_id=candidate_owner_id,
        position_recruiter_id=position_recruiter_id,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        time_zone=time_zone,
        round=round,
        location=location,
        video_link=video_link,
        interviewers=interviewers,
        external_id=external_id,
    )
    if application.stage == Application.Stage.SUBMITTED:
        candidate_services.application_set_stage(
            application=application, stage=Application.Stage.INTERVIEWING
        )
    feedback_requests_plan(interview=interview)
    interview_invites_queue(interview=interview)
    timeline_record(
        application=application,
        kind=TimelineEvent.Kind.INTERVIEW_SCHEDULED,
        summary=f"Round {round} {interview.get_kind_display().lower()} interview scheduled for "
        f"{_local(interview, starts_at)}",
        actor=actor,
        data={"interview_id": interview.pk},
        now=now,
    )
    return interview


# What a reschedule moves, and the plain details a form may write as they are (nothing
# the loop reads). The status, the application and the desks move only through services.
INTERVIEW_TIMES = ("starts_at", "ends_at")
INTERVIEW_DETAILS = ("round", "kind", "time_zone", "location", "video_link", "interviewers")
# The details an invite shows: a change to one sends the parties an updated invite.
INVITE_DETAILS = ("kind", "time_zone", "location", "video_link")


@transaction.atomic
def interview_save(
    *, interview: Interview, changed: list[str], actor=None, now: datetime | None = None
) -> Interview:
    """The interview form's save. A new interview (no pk yet) is scheduled, in the next
    round if it has none. An existing one gets its changed plain details written
    (location, link, interviewers, …: nothing the loop reads), and new times reschedule
    it, which moves its requests. Returns the stored row."""
    if interview.pk is None:
        return interview_schedule(
            application=interview.application,
            starts_at=interview.starts_at,
            ends_at=interview.ends_at,
            kind=interview.kind,
            time_zone=interview.time_zone,
            round=interview.round,
            location=interview.location,
            video_link=interview.video_link,
            interviewers=interview.interviewers,
            external_id=interview.external_id,
            actor=actor,
            now=now,
        )
    details = [name for name in changed if name not in INTERVIEW_TIMES]
    if not_details := set(details) - set(INTERVIEW_DETAILS):
        raise ValueError(f"not a plain detail of an interview: {sorted(not_details)}")
    if details:
        interview.save(update_fields=[*details, "updated_at"])
    if not set(INTERVIEW_TIMES) & set(changed):
        if set(INVITE_DETAILS) & set(details) and interview.status == Interview.Status.SCHEDULED:
            interview_invites_queue(interview=interview)
        return interview
    return interview_reschedule(
        interview=interview,
        starts_at=interview.starts_at,
        ends_at=interview.ends_at,
        actor=actor,
        now=now,
    )


@transaction.atomic
def interview_reschedule(
    *,
    interview: Interview,
    starts_at: datetime,
    ends_at: datetime,
    actor=None,
    now: datetime | None = None,
) -> Interview:
    """New times move every request not yet answered, with its pending messages."""
    interview_times_validate(starts_at=starts_at, ends_at=ends_at)
    interview = _locked(interview)
    if "reschedule" not in interview_transitions(interview.status):
        raise ValidationError("A cancelled or no-show interview cannot be rescheduled.")
    old_start = interview.starts_at
    interview.starts_at, interview.ends_at = starts_at, ends_at
    interview.status = Interview.Status.SCHEDULED
    interview.save(update_fields=["starts_at", "ends_at", "status", "updated_at"])
    feedback_requests_plan(interview=interview)
    interview_invites_queue(interview=interview)
    timeline_record(
        application=interview.application,
        kind=TimelineEvent.Kind.INTERVIEW_RESCHEDULED,
        summary=f"Round {interview.round} moved from {_local(interview, old_start)} to "
        f"{_local(interview, starts_at)}",
        actor=actor,
        data={"interview_id": interview.pk, "from": old_start.isoformat()},
        now=now,
    )
    return interview


@transaction.atomic
def interview_cancel(
    *, interview: Interview, actor=None, no_show: bool = False, now: datetime | None = None
) -> Interview:
    """Cancelled or no-show: nobody is asked for feedback; pending asks are not sent.
    Refused (rules.interview_transitions) once the interview is settled."""
    interview = _locked(interview)
    if ("no_show" if no_show else "cancel") not in interview_transitions(interview.status):
        raise ValidationError("This interview is already cancelled.")
    interview.status = Interview.Status.NO_SHOW if no_show else Interview.Status.CANCELLED
    interview.save(update_fields=["status", "updated_at"])
    now = now or timezone.now()
    feedback_requests_cancel(interview=interview, now=now)
    if no_show:
        interview_invites_drop_queued(interview=interview)
    else:
        interview_invites_queue(interview=interview, cancelled=True)
    timeline_record(
        application=interview.application,
        kind=TimelineEvent.Kind.INTERVIEW_NO_SHOW
        if no_show
        else TimelineEvent.Kind.INTERVIEW_CANCELLED,
        summary=f"Round {interview.round} " + ("no-show" if no_show else "cancelled"),
        actor=actor,
        data={"interview_id": interview.pk},
        now=now,
    )
    return interview


@transaction.atomic
def interview_mark_completed(
    *, interview: Interview, actor=None, now: datetime | None = None
) -> Interview:
    """Marked completed at `now` (default: the current time); before its planned end, both
    parties are asked from then on instead."""
    interview = _locked(interview)
    if "complete" not in interview_transitions(interview.status):
        raise ValidationError("Only a scheduled interview can be marked completed.")
    now = now or timezone.now()
    interview.status = Interview.Status.COMPLETED
    interview.save(update_fields=["status", "updated_at"])
    if now < interview.ends_at:
        feedback_requests_plan(interview=interview, ended_at=now)
    timeline_record(
        application=interview.application,
        kind=TimelineEvent.Kind.INTERVIEW_COMPLETED,
        summary=f"Round {interview.round} marked completed",
        actor=actor,
        data={"interview_id": interview.pk},
        now=now,
    )
    return interview


@transaction.atomic
def application_withdraw(
    *,
    application: Application,
    actor=None,
    reason: str = "",
    now: datetime | None = None,
) -> Application:
    """The candidate is out of the process: the application is closed, interviews still to
    come are cancelled, and nobody is asked for feedback any more (queued asks are not
    sent). Raises ValidationError, with nothing changed, if it is already closed."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application_withdrawable(application.stage):
        raise ValidationError(
            f"This application is already closed ({application.get_stage_display().lower()})."
        )
    now = now or timezone.now()
    previous = application.stage
    candidate_services.application_set_stage(
        application=application, stage=Application.Stage.WITHDRAWN
    )
    cancelled_interviews = []
    for interview in application.interviews.filter(
        status=Interview.Status.SCHEDULED, starts_at__gt=now
    ).order_by("starts_at"):
        interview_cancel(interview=interview, actor=actor, now=now)
        cancelled_interviews.append(interview.pk)
    # Interviews that did take place: their open requests are moot now.
    stopped = sum(
        feedback_requests_cancel(interview=interview, now=now)
        for interview in application.interviews.exclude(pk__in=cancelled_interviews)
    )
    timeline_record(
        application=application,
        kind=TimelineEvent.Kind.APPLICATION_WITHDRAWN,
        summary="Application withdrawn" + (f": {reason}" if reason else ""),
        actor=actor,
        data={
            "previous_stage": previous,
            "cancelled_interview_ids": cancelled_interviews,
            "stopped_requests": stopped,
        },
        now=now,
    )
    return application
