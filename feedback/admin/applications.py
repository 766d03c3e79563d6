"""The application page: the whole story of a candidate for a position (interviews, each
party's requests and answers, what the client sees, the timeline) with what the recruiter
can do from there, and the list with the call list and overdue feedback filters.

Interest comes from feedback, so it is read here, never edited; saving and withdrawing go
through candidates.services.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from candidates import services as candidate_services
from candidates.admin_filters import recruiter_filter, user_time_zone
from candidates.models import Application, Interview
from candidates.resources import ApplicationResource
from core.admin_actions import (
    action_page,
    carry_out,
    change_url,
    object_or_404,
    with_next,
)
from core.admin_filters import StrictListFilter
from core.admin_imports import SpreadsheetImportExportMixin
from core.formatting import duration_text, moment_text
from core.paginators import BigTableMixin
from core.text import line_form_field

from .. import rules, selectors, services
from ..models import FeedbackRequest, Party
from ..sharing import feedback_shared_parts
from .interviews import interview_actions
from .requests import request_actions


def interest_badge(application: Application) -> str:
    level = f"{application.interest_level}/10" if application.interest_level else "–"
    status = application.get_interest_status_display()
    if application.interest_status == Application.InterestStatus.POSSIBLY_WANED:
        # The one state the recruiter must act on (call the candidate): make it stand out.
        return format_html(
            '<strong>{}</strong> · <strong class="tvr-alert-text">{}</strong>', level, status
        )
    return format_html("<strong>{}</strong> · {}", level, status)


class NeedsCallFilter(StrictListFilter):
    """The dashboard's call list as a filter (feedback.selectors.applications_to_call)."""

    title = "on the call list"
    parameter_name = "call"

    def lookups(self, request, model_admin):
        return [("yes", "Yes")]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return queryset.filter(pk__in=selectors.applications_to_call().values("pk"))


class ApplicationFeedbackOverdueFilter(StrictListFilter):
    title = "feedback overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("any", "Either side"), *Party.choices]

    def queryset(self, request, queryset):
        if self.value() not in ("any", *Party.values):
            return queryset
        overdue = FeedbackRequest.objects.filter(
            interview__application=OuterRef("pk"), status=FeedbackRequest.Status.OVERDUE
        )
        if self.value() != "any":
            overdue = overdue.filter(party=self.value())
        return queryset.filter(Exists(overdue))


class WithdrawForm(forms.Form):
    reason = line_form_field(
        required=False,
        help_text="Optional; kept on the timeline, e.g. “accepted another offer”.",
    )


@dataclass(frozen=True)
class RequestCard:
    """One party's request on the application page, with what the recruiter can do."""

    story: selectors.RequestStory
    shared: list  # what the client sees of the current candidate answer
    actions: list[tuple[str, str]]  # (label, url), see requests.request_actions


@dataclass(frozen=True)
class InterviewCard:
    story: selectors.InterviewStory
    local_start: str
    requests: list[RequestCard]
    actions: list[tuple[str, str]]  # (label, url)


@admin.register(Application)
class ApplicationAdmin(SpreadsheetImportExportMixin, BigTableMixin, admin.ModelAdmin):
    resource_classes = [ApplicationResource]
    list_display = [
        "candidate",
        "position_title",
        "client",
        "recruiter",
        "stage",
        "interest",
        "next_interview",
    ]
    list_filter = [
        "interest_status",
        NeedsCallFilter,
        ApplicationFeedbackOverdueFilter,
        "stage",
        recruiter_filter("position__recruiter"),
        "position__client",
        "created_at",
    ]
    list_select_related = ["candidate", "position__client", "position__recruiter__user"]
    search_fields = [
        "candidate__first_name",
        "candidate__last_name",
        "candidate__email",
        "position__title",
        "position__client__name",
    ]
    autocomplete_fields = ["candidate", "position"]
    change_form_template = "admin/candidates/application/change_form.html"
    # Interest comes from feedback (with a timeline entry saying why); to change it, log
    # the candidate's feedback instead of editing the numbers.
    # The ATS's id comes with an import (docs/import.md).
    readonly_fields = [
        "interest_summary",
        "interest_updated_at",
        "debrief",
        "created_at",
        "external_id",
    ]
    fieldsets = [
        (
            "Interest (from the candidate's feedback)",
            {"fields": ["interest_summary", "interest_updated_at", "debrief"]},
        ),
        (None, {"fields": ["candidate", "position", "stage", "created_at", "external_id"]}),
    ]

    def get_queryset(self, request):
        upcoming = Interview.objects.filter(
            application=OuterRef("pk"),
            status=Interview.Status.SCHEDULED,
            starts_at__gte=timezone.now(),
        ).order_by("starts_at")
        return (
            super()
            .get_queryset(request)
            .annotate(
                next_interview_at=Subquery(upcoming.values("starts_at")[:1]),
                next_interview_tz=Subquery(upcoming.values("time_zone")[:1]),
            )
        )

    @admin.display(description="Position", ordering="position__title")
    def position_title(self, obj):
        return obj.position.title

    @admin.display(description="Client", ordering="position__client__name")
    def client(self, obj):
        return obj.position.client

    @admin.display(description="Recruiter", ordering="position__recruiter__user__last_name")
    def recruiter(self, obj):
        return obj.position.recruiter

    @admin.display(description="Interest", ordering="interest_level")
    def interest(self, obj):
        return interest_badge(obj)

    @admin.display(description="Next interview", ordering="next_interview_at")
    def next_interview(self, obj):
        # In the interview's time zone ("–" for none).
        return moment_text(obj.next_interview_at, obj.next_interview_tz)

    @admin.display(description="Interest")
    def interest_summary(self, obj):
        return interest_badge(obj)

    def save_model(self, request, obj, form, change):
        # On its candidate's and position's desks; only what the form changed is written.
        candidate_services.application_save(
            application=obj, fields=form.changed_data if change else None
        )

    @admin.display(description="Debrief")
    def debrief(self, obj):
        if obj.debrief_needed_at is None:
            return "–"
        return format_html(
            "<strong>Call needed</strong> (waiting {}): {}",
            duration_text(timezone.now() - obj.debrief_needed_at),
            obj.debrief_reason,
        )

    # -- the whole story on the change page --

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if application is not None:
            extra_context.update(self._story_context(request, application))
        return super().change_view(request, object_id, form_url, extra_context)

    def _story_context(self, request, application) -> dict:
        story = selectors.application_story(application=application)
        here = change_url(application)
        user = request.user
        can_move = user.has_perm("candidates.change_interview")
        interviews = []
        for interview_story in story.interviews:
            interview = interview_story.interview
            cards = []
            for request_story in interview_story.requests:
                feedback_request = request_story.request
                current = next((a for a in request_story.answers if a.is_current), None)
                cards.append(
                    RequestCard(
                        story=request_story,
                        shared=feedback_shared_parts(feedback=current)
                        if feedback_request.party == Party.CANDIDATE
                        else [],
                        actions=request_actions(user, feedback_request, next_to=here),
                    )
                )
            interviews.append(
                InterviewCard(
                    story=interview_story,
                    local_start=moment_text(interview.starts_at, interview.time_zone),
                    requests=cards,
                    actions=interview_actions(interview, next_to=here) if can_move else [],
                )
            )
        withdraw = ""
        if self.has_change_permission(request, application) and rules.application_withdrawable(
            application.stage
        ):
            withdraw = with_next(
                reverse("admin:candidates_application_withdraw", args=[application.pk]), here
            )
        return {
            "story": story,
            "interview_cards": interviews,
            "story_time_zone": str(user_time_zone(user)),
            "withdraw_url": withdraw,
        }

    # -- mark withdrawn --

    def get_urls(self):
        return [
            path(
                "<path:object_id>/withdraw/",
                self.admin_site.admin_view(self.withdraw_view),
                name="candidates_application_withdraw",
            ),
            *super().get_urls(),
        ]

    def withdraw_view(self, request, object_id):
        application = object_or_404(
            self.get_queryset(request).select_related("candidate", "position__client"),
            object_id,
        )
        if not self.has_change_permission(request, application):
            raise PermissionDenied
        form = WithdrawForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            return carry_out(
                self,
                request,
                application,
                lambda: services.application_withdraw(
                    application=application,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                ),
                done=lambda _: f"{application}: marked withdrawn.",
            )
        return action_page(
            request,
            self,
            application,
            title="Mark withdrawn",
            intro="The candidate leaves this process: interviews still to come are "
            "cancelled and nobody is asked for feedback any more. The timeline keeps "
            "everything.",
            form=form,
            submit="Mark withdrawn",
            danger=True,
        )
