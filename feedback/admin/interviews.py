"""The interview page: created, rescheduled, completed, cancelled or marked no-show through
feedback.services (the form's save is one call to interview_save; feedback requests are
planned or settled and the timeline records who did it), with each party's request shown,
and the list with its filters and bulk actions.
"""

import zoneinfo
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch
from django.urls import path, reverse
from django.utils import timezone

from candidates.admin_filters import recruiter_filter, when_filter
from candidates.models import Interview, interview_times_validate
from core.admin_actions import (
    ServiceRefusalMixin,
    action_page,
    carry_out,
    change_url,
    object_or_404,
    with_next,
)
from core.admin_filters import ExistsFilter
from core.admin_imports import SpreadsheetImportExportMixin
from core.admin_inlines import ReadOnlyInline
from core.formatting import moment_text
from core.paginators import BigTableMixin

from .. import rules, services
from ..models import FeedbackRequest
from ..resources import InterviewResource


class FeedbackRequestInline(ReadOnlyInline):
    model = FeedbackRequest
    fields = ["party", "status", "ask_at", "due_at", "reminders_sent", "received_at"]
    readonly_fields = fields


def refuse_end_before_start(form: forms.Form, cleaned: dict) -> None:
    """The form's error on "ends_at" if the interview would not end after it starts (both
    interview forms; the scheduling services refuse it too, by the same rule)."""
    starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
    if starts_at and ends_at:
        try:
            interview_times_validate(starts_at=starts_at, ends_at=ends_at)
        except ValidationError as refusal:
            form.add_error("ends_at", refusal)


class InterviewAdminForm(forms.ModelForm):
    # Empty means "the next round", which the scheduling service works out.
    round = forms.IntegerField(min_value=1, required=False, help_text="Empty: the next round.")
    # Video links typed without a scheme are https (Django 6's default, chosen now).
    video_link = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Interview
        fields = [
            "application",
            "round",
            "kind",
            "starts_at",
            "ends_at",
            "time_zone",
            "location",
            "video_link",
            "interviewers",
        ]

    def clean_round(self):
        round_ = self.cleaned_data.get("round")
        if round_ is None and self.instance.pk:
            return self.instance.round
        return round_

    def _post_clean(self):
        super()._post_clean()
        if self.instance.pk is None and "round" in self.cleaned_data:
            # Empty stays empty (the next round), even if the field was not posted at all.
            self.instance.round = self.cleaned_data["round"]

    def clean(self):
        cleaned = super().clean()
        # Caught here, on the form, so the recruiter sees it next to the field instead of
        # the service refusing after the form was accepted.
        refuse_end_before_start(self, cleaned)
        return cleaned


class RescheduleForm(forms.Form):
    """New times, read in the interview's own time zone (the view activates it)."""

    starts_at = forms.SplitDateTimeField(widget=AdminSplitDateTime, label="Starts")
    ends_at = forms.SplitDateTimeField(widget=AdminSplitDateTime, label="Ends")

    def clean(self):
        cleaned = super().clean()
        refuse_end_before_start(self, cleaned)
        return cleaned


# name -> (button and page title, what it does, the service, what the message says)
INTERVIEW_STATUS_ACTIONS = {
    "complete": (
        "Mark completed",
        "The interview took place. If its planned end is still ahead, both parties are "
        "asked for feedback now instead of at the end.",
        services.interview_mark_completed,
        "marked completed",
    ),
    "no_show": (
        "Mark no-show",
        "The candidate did not attend: nobody is asked for feedback, and requests or "
        "reminders still queued are not sent.",
        partial(services.interview_cancel, no_show=True),
        "marked no-show",
    ),
    "cancel": (
        "Cancel interview",
        "The interview will not take place: nobody is asked for feedback, and requests or "
        "reminders still queued are not sent.",
        partial(services.interview_cancel, no_show=False),
        "cancelled",
    ),
}


def interview_actions(interview: Interview, *, next_to: str) -> list[tuple[str, str]]:
    """(label, url) of what can be done to the interview in its current status
    (feedback.rules.interview_transitions, which the services enforce)."""
    labels = {name: spec[0] for name, spec in INTERVIEW_STATUS_ACTIONS.items()}
    labels["reschedule"] = "Reschedule"
    return [
        (
            labels[name],
            with_next(reverse(f"admin:candidates_interview_{name}", args=[interview.pk]), next_to),
        )
        for name in rules.interview_transitions(interview.status)
    ]


class InterviewFeedbackOverdueFilter(ExistsFilter):
    title = "feedback overdue"
    parameter_name = "overdue"

    def related(self, request):
        return FeedbackRequest.objects.filter(
            interview=OuterRef("pk"), status=FeedbackRequest.Status.OVERDUE
        )


@admin.register(Interview)
class InterviewAdmin(
    SpreadsheetImportExportMixin, ServiceRefusalMixin, BigTableMixin, admin.ModelAdmin
):
    resource_classes = [InterviewResource]
    form = InterviewAdminForm
    list_display = [
        "candidate",
        "position",
        "client",
        "round",
        "kind",
        "starts_local",
        "status",
        "feedback_status",
    ]
    list_filter = [
        when_filter("starts_at", "starts"),
        "status",
        InterviewFeedbackOverdueFilter,
        "kind",
        recruiter_filter("application__position__recruiter"),
        "application__position__client",
    ]
    list_select_related = ["application__candidate", "application__position__client"]
    change_form_template = "admin/candidates/interview/change_form.html"
    search_fields = [
        "application__candidate__first_name",
        "application__candidate__last_name",
        "application__position__title",
        "application__position__client__name",
    ]
    autocomplete_fields = ["application"]
    actions = ["mark_completed", "mark_cancelled", "mark_no_show"]

    def get_queryset(self, request):
        # The feedback cell shows each request's party and status: only those are read
        # (whole rows would convert every timestamp of every request on the page).
        requests = FeedbackRequest.objects.only("id", "interview_id", "party", "status")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("feedback_requests", queryset=requests))
        )

    def get_readonly_fields(self, request, obj=None):
        # Status moves only through the actions below (they re-plan or settle feedback).
        # The ATS's id comes with an import (docs/import.md); it is not a detail to edit.
        readonly = ["status", "created_at", "external_id"]
        if obj is not None:
            readonly.append("application")
            if "reschedule" not in rules.interview_transitions(obj.status):
                # The service refuses to reschedule it; don't offer what would fail.
                readonly += ["starts_at", "ends_at"]
        return readonly

    def get_inlines(self, request, obj):
        # The requests exist only once the interview is scheduled.
        return [FeedbackRequestInline] if obj is not None else []

    @admin.display(description="Candidate", ordering="application__candidate__last_name")
    def candidate(self, obj):
        return obj.application.candidate

    @admin.display(description="Position", ordering="application__position__title")
    def position(self, obj):
        return obj.application.position.title

    @admin.display(description="Client", ordering="application__position__client__name")
    def client(self, obj):
        return obj.application.position.client

    @admin.display(description="Starts (interview's time zone)", ordering="starts_at")
    def starts_local(self, obj):
        return moment_text(obj.starts_at, obj.time_zone)

    @admin.display(description="Feedback")
    def feedback_status(self, obj):
        requests = sorted(obj.feedback_requests.all(), key=lambda r: r.party)
        return ", ".join(f"{r.get_party_display()}: {r.get_status_display()}" for r in requests)

    # -- writes go through the services --

    def save_model(self, request, obj, form, change):
        saved = services.interview_save(
            interview=obj, changed=form.changed_data if change else [], actor=request.user
        )
        # The admin goes on with `obj` (log entry, redirect): make it the stored row.
        for field in Interview._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding, obj._state.db = False, saved._state.db

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None and request.method == "GET":
            interview = self.get_object(request, object_id)
            if interview is not None and self.has_change_permission(request, interview):
                extra_context = {
                    **(extra_context or {}),
                    "interview_actions": interview_actions(
                        interview, next_to=change_url(interview)
                    ),
                }
        # A refusal of the service (e.g. someone cancelled the interview meanwhile) is
        # shown on the page (ServiceRefusalMixin).
        return super().changeform_view(request, object_id, form_url, extra_context)

    # -- actions --

    def _apply_to_each(self, request, queryset, action: str) -> None:
        """One service call per interview, each in its own transaction, with its outcome
        (`action` names one of INTERVIEW_STATUS_ACTIONS)."""
        _title, _intro, service, done = INTERVIEW_STATUS_ACTIONS[action]
        for interview in queryset.select_related(
            "application__candidate", "application__position__client"
        ):
            try:
                service(interview=interview, actor=request.user)
            except ValidationError as refusal:
                self.message_user(
                    request, f"{interview}: {' '.join(refusal.messages)}", messages.ERROR
                )
            else:
                self.message_user(request, f"{interview}: {done}.", messages.SUCCESS)

    @admin.action(description="Mark completed (ask for feedback now)", permissions=["change"])
    def mark_completed(self, request, queryset):
        self._apply_to_each(request, queryset, "complete")

    @admin.action(description="Mark cancelled", permissions=["change"])
    def mark_cancelled(self, request, queryset):
        self._apply_to_each(request, queryset, "cancel")

    @admin.action(description="Mark no-show", permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._apply_to_each(request, queryset, "no_show")

    # -- one interview at a time: completed, no-show, cancelled, rescheduled --

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            *(
                path(
                    f"<path:object_id>/{name.replace('_', '-')}/",
                    wrap(partial(self.status_action_view, action=name)),
                    name=f"candidates_interview_{name}",
                )
                for name in INTERVIEW_STATUS_ACTIONS
            ),
            path(
                "<path:object_id>/reschedule/",
                wrap(self.reschedule_view),
                name="candidates_interview_reschedule",
            ),
            *super().get_urls(),
        ]

    def _interview_to_change(self, request, object_id) -> Interview:
        interview = object_or_404(
            self.get_queryset(request).select_related(
                "application__candidate", "application__position__client"
            ),
            object_id,
        )
        if not self.has_change_permission(request, interview):
            raise PermissionDenied
        return interview

    def status_action_view(self, request, object_id, action: str):
        interview = self._interview_to_change(request, object_id)
        title, intro, service, done = INTERVIEW_STATUS_ACTIONS[action]
        if request.method == "POST":
            return carry_out(
                self,
                request,
                interview,
                lambda: service(interview=interview, actor=request.user),
                done=lambda _: f"{interview}: {done}.",
            )
        return action_page(
            request,
            self,
            interview,
            title=title,
            intro=intro,
            submit=title,
            danger=action != "complete",
        )

    def reschedule_view(self, request, object_id):
        interview = self._interview_to_change(request, object_id)
        tz = zoneinfo.ZoneInfo(interview.time_zone)
        if request.method == "POST":
            form = RescheduleForm(request.POST)
            with timezone.override(tz):
                valid = form.is_valid()
            if valid:
                return carry_out(
                    self,
                    request,
                    interview,
                    lambda: services.interview_reschedule(
                        interview=interview,
                        starts_at=form.cleaned_data["starts_at"],
                        ends_at=form.cleaned_data["ends_at"],
                        actor=request.user,
                    ),
                    done=lambda _: f"{interview}: rescheduled.",
                )
        else:
            # Naive local times: the widget shows them as they are, in the interview's zone.
            form = RescheduleForm(
                initial={
                    "starts_at": interview.starts_at.astimezone(tz).replace(tzinfo=None),
                    "ends_at": interview.ends_at.astimezone(tz).replace(tzinfo=None),
                }
            )
        return action_page(
            request,
            self,
            interview,
            title="Reschedule",
            intro=f"New times, in the interview's time zone ({interview.time_zone}). Feedback "
            "requests not yet answered move with it: their ask, reminder and deadline are "
            "planned again from the new end, and messages still queued for the old times "
            "are cancelled.",
            form=form,
            submit="Reschedule",
        )
