"""The columns of interviews in import and export files, and of the feedback export
(docs/import.md).

An imported interview is saved by the interview form's service, `interview_save`: a new
one is scheduled (its feedback requests planned, the timeline told who imported it),
new times reschedule it (its requests move), other details are written as they are. A row
that changes nothing is skipped, so importing the same file again plans nothing again."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources

from candidates.models import Application, Interview
from candidates.resources import choice, related
from core.imports import (
    ExternalIdResource,
    SpreadsheetDateTimeWidget,
    is_blank,
    local_moment,
    spreadsheet_text,
)

from .models import Feedback
from .services.interviews import INTERVIEW_DETAILS, INTERVIEW_TIMES, interview_save


def moment(column: str) -> fields.Field:
    return fields.Field(
        attribute=column, column_name=column, widget=SpreadsheetDateTimeWidget("time_zone")
    )


class InterviewResource(ExternalIdResource):
    keep_when_blank = ("time_zone", "kind", "round")
    application = related(Application, "application_external_id", "application")
    kind = choice("kind", Interview.Kind.choices)
    starts_at = moment("starts_at")
    ends_at = moment("ends_at")
    # Read only: an interview's status moves through its actions (completed, cancelled…).
    status = fields.Field(attribute="status", column_name="status", readonly=True)

    class Meta:
        model = Interview
        name = "Interviews"
        fields = ["external_id", "application", "round", "kind", "starts_at", "ends_at"]
        fields += ["time_zone", "location", "video_link", "interviewers", "status"]

    def import_instance(self, instance, row, **kwargs):
        new = instance.pk is None
        if is_blank(row.get("time_zone")) and not new:
            # Times without an offset are read in the interview's own time zone.
            row = {**row, "time_zone": instance.time_zone}
        application_id = instance.application_id
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as refusal:
            errors = refusal.update_error_dict(errors)
        if new and is_blank(row.get("round")):
            instance.round = None  # the next round, which scheduling works out
        if not new and instance.application_id != application_id:
            errors.setdefault("application", []).append(
                "An interview stays with its application: import a new interview instead."
            )
        if errors:
            raise ValidationError(errors)

    def not_validated(self, instance) -> set[str]:
        extra = {"round"} if instance.round is None else set()  # worked out when scheduled
        return super().not_validated(instance) | extra

    def write(self, *, instance, created, changed, actor):
        changed = [name for name in changed if name in (*INTERVIEW_TIMES, *INTERVIEW_DETAILS)]
        saved = interview_save(interview=instance, changed=changed, actor=actor)
        if created:  # the row's result names the stored interview
            for field in Interview._meta.concrete_fields:
                setattr(instance, field.attname, getattr(saved, field.attname))
            instance._state.adding, instance._state.db = False, saved._state.db

    def dehydrate_starts_at(self, interview):
        return local_moment(interview.starts_at, interview.time_zone)

    def dehydrate_ends_at(self, interview):
        return local_moment(interview.ends_at, interview.time_zone)


def _answer_application(answer: Feedback):
    return answer.request.interview.application


class FeedbackExportResource(resources.Resource):
    """The answers of a span of days, a row each (amendments too, `current` says which
    is the party's latest): when, how, how late, the interest, and the records' external
    ids to match them with the agency's ATS. Moments are in the reader's time zone."""

    submitted_at = fields.Field(column_name="submitted_at")
    party = fields.Field(column_name="party")
    channel = fields.Field(attribute="channel", column_name="channel")
    candidate = fields.Field(column_name="candidate")
    candidate_external_id = fields.Field(column_name="candidate_external_id")
    client = fields.Field(column_name="client")
    position = fields.Field(column_name="position")
    application_external_id = fields.Field(column_name="application_external_id")
    interview_external_id = fields.Field(column_name="interview_external_id")
    interview_ends_at = fields.Field(column_name="interview_ends_at")
    due_at = fields.Field(column_name="due_at")
    on_time = fields.Field(column_name="on_time")
    lateness_minutes = fields.Field(column_name="lateness_minutes")
    interest_level = fields.Field(attribute="interest_level", column_name="interest_level")
    still_interested = fields.Field(attribute="still_interested", column_name="still_interested")
    interest_status_now = fields.Field(column_name="interest_status_now")
    wants_call = fields.Field(column_name="wants_call")
    concerns = fields.Field(column_name="concerns")
    decision = fields.Field(attribute="decision", column_name="decision")
    rating = fields.Field(attribute="rating", column_name="rating")
    current = fields.Field(column_name="current")
    entered_by = fields.Field(column_name="entered_by")

    @classmethod
    def get_display_name(cls):
        return "Feedback (answers)"

    @staticmethod
    def _local(moment):
        return timezone.localtime(moment).replace(tzinfo=None) if moment else None

    def dehydrate_submitted_at(self, answer):
        return self._local(answer.submitted_at)

    def dehydrate_party(self, answer):
        return answer.request.party

    def dehydrate_candidate(self, answer):
        return _answer_application(answer).candidate.full_name

    def dehydrate_candidate_external_id(self, answer):
        return _answer_application(answer).candidate.external_id

    def dehydrate_client(self, answer):
        return _answer_application(answer).position.client.name

    def dehydrate_position(self, answer):
        return _answer_application(answer).position.title

    def dehydrate_application_external_id(self, answer):
        return _answer_application(answer).external_id

    def dehydrate_interview_external_id(self, answer):
        return answer.request.interview.external_id

    def dehydrate_interview_ends_at(self, answer):
        return self._local(answer.request.interview.ends_at)

    def dehydrate_due_at(self, answer):
        return self._local(answer.request.due_at)

    # Lateness is what the answer was recorded with (feedback_submit: after the request's
    # deadline, the first answer's for an amendment); empty means on time.
    def dehydrate_on_time(self, answer):
        return "no" if answer.lateness else "yes"

    def dehydrate_lateness_minutes(self, answer):
        return round(answer.lateness / timedelta(minutes=1)) if answer.lateness else None

    def dehydrate_concerns(self, answer):
        return spreadsheet_text(answer.concerns)

    def dehydrate_interest_status_now(self, answer):
        return _answer_application(answer).interest_status

    def dehydrate_wants_call(self, answer):
        return "yes" if answer.wants_call else "no"

    def dehydrate_current(self, answer):
        return "yes" if answer.is_current else "no"

    def dehydrate_entered_by(self, answer):
        user = answer.entered_by
        return (user.get_full_name() or user.get_username()) if user else ""
