"""The recruiter's admin for who, where and when.

Thin: plain data is edited in place, but anything that moves the feedback loop (creating,
rescheduling, completing or cancelling an interview) goes through candidates.services, so
requests are planned and the timeline records who did it.
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.html import format_html

from feedback.models import FeedbackRequest, TimelineEvent

from . import services
from .models import (
    Application,
    Candidate,
    Client,
    ClientContact,
    Interview,
    Position,
    Recruiter,
)


class ReadOnlyInline(admin.TabularInline):
    """Shows related rows with a link to their own page; they are changed there."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- people and organisations -----------------------------------------------------------


@admin.register(Recruiter)
class RecruiterAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "office_phone", "cell_phone", "time_zone"]
    list_select_related = ["user"]
    search_fields = [
        "user__first_name",
        "user__last_name",
        "user__username",
        "user__email",
    ]
    autocomplete_fields = ["user"]

    @admin.display(description="Name", ordering="user__last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.display(description="Email", ordering="user__email")
    def email(self, obj):
        return obj.email


class ClientContactInline(admin.TabularInline):
    model = ClientContact
    extra = 0
    fields = ["name", "title", "email", "phone", "time_zone", "user"]
    autocomplete_fields = ["user"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "time_zone", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "city", "kind"]
    readonly_fields = ["created_at"]
    inlines = [ClientContactInline]


@admin.register(ClientContact)
class ClientContactAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "client", "email", "phone", "has_login"]
    list_filter = ["client"]
    list_select_related = ["client", "user"]
    search_fields = ["name", "email", "title", "client__name"]
    autocomplete_fields = ["client", "user"]

    @admin.display(description="Can log in", boolean=True, ordering="user")
    def has_login(self, obj):
        return obj.user_id is not None


class ApplicationInline(ReadOnlyInline):
    model = Application
    fields = ["candidate", "position", "stage", "interest_level", "interest_status"]
    readonly_fields = fields


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["title", "client", "location", "recruiter", "hiring_contact", "status"]
    list_filter = ["status", "client", "recruiter"]
    list_select_related = ["client", "recruiter__user", "hiring_contact__client"]
    search_fields = ["title", "location", "client__name"]
    autocomplete_fields = ["client", "recruiter", "hiring_contact"]
    readonly_fields = ["created_at"]
    inlines = [ApplicationInline]


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["full_name", "specialty", "email", "phone", "time_zone", "owner"]
    list_filter = ["owner", "consent_email", "consent_sms"]
    list_select_related = ["owner__user"]
    search_fields = ["first_name", "last_name", "email", "phone", "specialty"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at"]
    inlines = [ApplicationInline]

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj):
        return obj.full_name


# --- applications -----------------------------------------------------------------------


class InterviewInline(ReadOnlyInline):
    model = Interview
    fields = ["round", "kind", "starts_at", "ends_at", "time_zone", "status"]
    readonly_fields = fields


class TimelineInline(ReadOnlyInline):
    model = TimelineEvent
    fk_name = "application"
    # Each row is titled by the event itself (its time and summary).
    fields = ["kind", "actor"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    show_change_link = False
    verbose_name_plural = "timeline (newest first)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


def interest_badge(application: Application) -> str:
    level = f"{application.interest_level}/10" if application.interest_level else "–"
    status = application.get_interest_status_display()
    if application.interest_status == Application.InterestStatus.POSSIBLY_WANED:
        # The one state the recruiter must act on (call the candidate): make it stand out.
        return format_html(
            '<strong>{}</strong> · <strong style="color:#ba2121">{}</strong>', level, status
        )
    return format_html("<strong>{}</strong> · {}", level, status)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "candidate",
        "position_title",
        "client",
        "stage",
        "interest",
        "interest_updated_at",
    ]
    list_filter = ["interest_status", "stage", "position__client", "position__recruiter"]
    list_select_related = ["candidate", "position__client"]
    search_fields = [
        "candidate__first_name",
        "candidate__last_name",
        "candidate__email",
        "position__title",
        "position__client__name",
    ]
    autocomplete_fields = ["candidate", "position"]
    date_hierarchy = "created_at"
    # Interest comes from feedback (with a timeline entry saying why); to change it, log
    # the candidate's feedback instead of editing the numbers.
    readonly_fields = ["interest_summary", "interest_updated_at", "created_at"]
    fieldsets = [
        (
            "Interest (from the candidate's feedback)",
            {"fields": ["interest_summary", "interest_updated_at"]},
        ),
        (None, {"fields": ["candidate", "position", "stage", "created_at"]}),
    ]
    inlines = [InterviewInline, TimelineInline]

    @admin.display(description="Position", ordering="position__title")
    def position_title(self, obj):
        return obj.position.title

    @admin.display(description="Client", ordering="position__client__name")
    def client(self, obj):
        return obj.position.client

    @admin.display(description="Interest", ordering="interest_level")
    def interest(self, obj):
        return interest_badge(obj)

    @admin.display(description="Interest")
    def interest_summary(self, obj):
        return interest_badge(obj)


# --- interviews -------------------------------------------------------------------------


class FeedbackRequestInline(ReadOnlyInline):
    model = FeedbackRequest
    fields = ["party", "status", "ask_at", "due_at", "reminders_sent", "received_at"]
    readonly_fields = fields


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

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        # Caught here, on the form, so the recruiter sees it next to the field instead of
        # the service refusing after the form was accepted.
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "The interview must end after it starts.")
        return cleaned


SETTLED_STATUSES = (Interview.Status.CANCELLED, Interview.Status.NO_SHOW)


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    form = InterviewAdminForm
    list_display = [
        "candidate",
        "position",
        "round",
        "kind",
        "starts_local",
        "status",
        "feedback_status",
    ]
    list_filter = [
        "status",
        "kind",
        "application__position__client",
        "application__position__recruiter",
    ]
    list_select_related = ["application__candidate", "application__position"]
    search_fields = [
        "application__candidate__first_name",
        "application__candidate__last_name",
        "application__position__title",
        "application__position__client__name",
    ]
    autocomplete_fields = ["application"]
    date_hierarchy = "starts_at"
    actions = ["mark_completed", "mark_cancelled", "mark_no_show"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("feedback_requests")

    def get_readonly_fields(self, request, obj=None):
        # Status moves only through the actions below (they re-plan or settle feedback).
        readonly = ["status", "created_at"]
        if obj is not None:
            readonly.append("application")
            if obj.status in SETTLED_STATUSES:
                # The service refuses to reschedule these; don't offer what would fail.
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

    @admin.display(description="Starts (interview's time zone)", ordering="starts_at")
    def starts_local(self, obj):
        return obj.local_starts_at.strftime("%a %d %b %Y %H:%M %Z")

    @admin.display(description="Feedback")
    def feedback_status(self, obj):
        requests = sorted(obj.feedback_requests.all(), key=lambda r: r.party)
        return ", ".join(f"{r.get_party_display()}: {r.get_status_display()}" for r in requests)

    # -- writes go through the services --

    def save_model(self, request, obj, form, change):
        if not change:
            scheduled = services.interview_schedule(
                application=obj.application,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
                kind=obj.kind,
                time_zone=obj.time_zone,
                round=form.cleaned_data.get("round"),
                location=obj.location,
                video_link=obj.video_link,
                interviewers=obj.interviewers,
                actor=request.user,
            )
            # The admin goes on with `obj` (log entry, redirect): make it the saved row.
            for field in Interview._meta.concrete_fields:
                setattr(obj, field.attname, getattr(scheduled, field.attname))
            obj._state.adding = False
            obj._state.db = scheduled._state.db
            return
        time_fields = {"starts_at", "ends_at"}
        details = [name for name in form.changed_data if name not in time_fields]
        if details:
            obj.save(update_fields=details)  # plain details: no effect on the loop
        if time_fields & set(form.changed_data):
            # A fresh copy: the service records the old start on the timeline.
            stored = Interview.objects.select_related("application").get(pk=obj.pk)
            services.interview_reschedule(
                interview=stored, starts_at=obj.starts_at, ends_at=obj.ends_at, actor=request.user
            )
            obj.status = stored.status

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refusal:
            # A service refused what the form allowed (e.g. someone cancelled the interview
            # meanwhile). The admin's transaction was rolled back: nothing changed.
            self.message_user(request, " ".join(refusal.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # -- actions --

    def _apply_to_each(self, request, queryset, service, done: str) -> None:
        """One service call per interview, each in its own transaction, with its outcome."""
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
        self._apply_to_each(
            request, queryset, services.interview_mark_completed, "marked completed"
        )

    @admin.action(description="Mark cancelled", permissions=["change"])
    def mark_cancelled(self, request, queryset):
        self._apply_to_each(
            request, queryset, partial(services.interview_cancel, no_show=False), "cancelled"
        )

    @admin.action(description="Mark no-show", permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._apply_to_each(
            request, queryset, partial(services.interview_cancel, no_show=True), "marked no-show"
        )
