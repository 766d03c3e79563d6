"""The recruiter's admin for the feedback loop: mostly a window on what the loop did.

Statuses and times are the loop's to manage (feedback.services); here a recruiter reads
them, chooses what the client sees of an answer, retries a failed message and edits the
reminder policy.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from candidates.admin import ReadOnlyInline

from . import selectors, services
from .models import Feedback, FeedbackRequest, OutboundMessage, Party, ReminderPolicy, TimelineEvent

# How a request, answer or event names its application in lists (see their __str__).
REQUEST_PATH = ["interview__application__candidate", "interview__application__position__client"]


def admin_link(obj, label=None) -> str:
    """A link to an object's admin change page."""
    if obj is None:
        return "–"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label or obj)


def humanize_lateness(lateness) -> str:
    if not lateness:
        return "on time"
    minutes = int(lateness.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min late" if hours else f"{minutes} min late"


class KeptRecordAdmin(admin.ModelAdmin):
    """Rows the loop writes and the audit trail relies on: never deleted one by one here.

    The model's delete permission is kept on purpose: deleting a candidate, application or
    interview in the admin takes these rows with it, and the admin requires the permission
    for every row it cascades to.
    """

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)


class ViewOnlyAdmin(KeptRecordAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- requests and answers ---------------------------------------------------------------


class AnswerInline(ReadOnlyInline):
    model = Feedback
    fk_name = "request"
    fields = [
        "submitted_at",
        "channel",
        "interest_level",
        "still_interested",
        "decision",
        "is_current",
    ]
    readonly_fields = fields


class MessageInline(ReadOnlyInline):
    model = OutboundMessage
    fields = ["kind", "recipient", "status", "attempts", "created_at", "sent_at"]
    readonly_fields = fields


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(ViewOnlyAdmin):
    list_display = [
        "application",
        "party",
        "status",
        "due_at",
        "next_action_at",
        "reminders_sent",
        "interview_link",
    ]
    list_filter = ["party", "status", "interview__application__position__client"]
    list_select_related = REQUEST_PATH
    search_fields = [
        "interview__application__candidate__first_name",
        "interview__application__candidate__last_name",
        "interview__application__candidate__email",
        "interview__application__position__title",
        "interview__application__position__client__name",
    ]
    date_hierarchy = "due_at"
    fieldsets = [
        (None, {"fields": ["application", "interview_link", "party", "status", "portal_link"]}),
        (
            "The loop",
            {
                "fields": [
                    "ask_at",
                    "asked_at",
                    "remind_at",
                    "reminders_sent",
                    "due_at",
                    "next_action_at",
                    "opened_at",
                    "received_at",
                    "overdue_at",
                    "cancelled_at",
                    "cycle",
                    "created_at",
                ]
            },
        ),
    ]
    readonly_fields = [name for _, options in fieldsets for name in options["fields"]]
    inlines = [AnswerInline, MessageInline]

    @admin.display(description="Application")
    def application(self, obj):
        return admin_link(obj.interview.application)

    @admin.display(description="Interview")
    def interview_link(self, obj):
        return admin_link(obj.interview, f"Round {obj.interview.round}")

    @admin.display(description="Answer link")
    def portal_link(self, obj):
        # A bearer link: whoever holds it can answer as this party. Staff may copy it to
        # send by hand, e.g. in a text message.
        link = selectors.feedback_request_link(request=obj)
        return format_html('<a href="{0}" target="_blank" rel="noopener">{0}</a>', link)


def shareable_parts() -> list[tuple[str, str]]:
    """What of a candidate's answer the recruiter can show the client."""
    return [("interest_band", "Interest band (high / moderate / low)")] + [
        (name, str(Feedback._meta.get_field(name).verbose_name).capitalize())
        for name in services.CANDIDATE_FIELDS
    ]


class FeedbackAdminForm(forms.ModelForm):
    shared_with_client = forms.MultipleChoiceField(
        choices=shareable_parts,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The parts of this answer the client sees on their pages.",
    )

    class Meta:
        model = Feedback
        fields = ["shared_with_client"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("shared_with_client")
        if field is not None:
            # Keep whatever is stored even if this list does not know it (yet).
            known = {value for value, _ in field.choices}
            stored = self.instance.shared_with_client or []
            field.choices = [*field.choices, *((v, v) for v in stored if v not in known)]


@admin.register(Feedback)
class FeedbackAdmin(KeptRecordAdmin):
    form = FeedbackAdminForm
    list_display = [
        "request",
        "channel",
        "submitted_at",
        "interest_level",
        "still_interested",
        "decision",
        "lateness_display",
        "is_current",
    ]
    list_filter = ["request__party", "channel", "is_current", "still_interested", "decision"]
    list_select_related = [f"request__{path}" for path in REQUEST_PATH]
    search_fields = [
        "request__interview__application__candidate__first_name",
        "request__interview__application__candidate__last_name",
        "request__interview__application__position__client__name",
    ]
    date_hierarchy = "submitted_at"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "request_link",
                    "channel",
                    "submitted_at",
                    "lateness_display",
                    "entered_by",
                    "is_current",
                    "supersedes",
                ]
            },
        ),
        (
            "Candidate's answer",
            {
                "fields": [
                    "interest_level",
                    "still_interested",
                    "went_well",
                    "concerns",
                    "questions",
                    "wants_call",
                    "preferred_call_time",
                ]
            },
        ),
        (
            "Client's answer",
            {"fields": ["decision", "rating", "strengths", "next_step", "next_step_date"]},
        ),
        ("Shared with the client", {"fields": ["shared_with_client"]}),
    ]
    answer_fields = [
        name
        for _, options in fieldsets
        for name in options["fields"]
        if name != "shared_with_client"
    ]

    def has_add_permission(self, request):
        return False  # answers come from the portal, the client pages or a logged call

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.request.party == Party.CLIENT:
            return [*self.answer_fields, "shared_with_client"]  # the client's own answer
        return self.answer_fields

    @admin.display(description="Request")
    def request_link(self, obj):
        return admin_link(obj.request)

    @admin.display(description="Lateness", ordering="lateness")
    def lateness_display(self, obj):
        return humanize_lateness(obj.lateness)


# --- outbox -----------------------------------------------------------------------------


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ViewOnlyAdmin):
    list_display = [
        "recipient",
        "kind",
        "status",
        "attempts",
        "short_error",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["recipient", "subject"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "recipient",
                    "kind",
                    "channel",
                    "status",
                    "attempts",
                    "last_error",
                    "request_link",
                ]
            },
        ),
        (
            "Delivery",
            {
                "fields": [
                    "created_at",
                    "next_attempt_at",
                    "dispatched_at",
                    "claimed_at",
                    "sent_at",
                    "dedupe_key",
                ]
            },
        ),
        ("Message", {"fields": ["subject", "body_text", "html_preview", "body_html"]}),
    ]
    readonly_fields = [name for _, options in fieldsets for name in options["fields"]]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related(*(f"request__{p}" for p in REQUEST_PATH))
        )

    @admin.display(description="Last error")
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.display(description="Request")
    def request_link(self, obj):
        return admin_link(obj.request)

    @admin.display(description="HTML as sent")
    def html_preview(self, obj):
        if not obj.body_html:
            return "–"
        # sandbox: the stored HTML is shown, never run.
        return format_html(
            '<iframe sandbox srcdoc="{}" style="width:100%;max-width:720px;height:420px;'
            'border:1px solid #ccc"></iframe>',
            obj.body_html,
        )

    def has_retry_permission(self, request):
        return request.user.has_perm("feedback.change_outboundmessage")

    @admin.action(description="Retry now (failed messages)", permissions=["retry"])
    def retry_now(self, request, queryset):
        for message in queryset:
            if services.outbox_retry_now(message=message):
                self.message_user(request, f"{message}: queued again.", messages.SUCCESS)
            else:
                self.message_user(
                    request,
                    f"{message}: not retried; only failed messages can be "
                    f"(this one is {message.get_status_display().lower()}).",
                    messages.WARNING,
                )


# --- policy and timeline ----------------------------------------------------------------


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    """One row: the list page opens it directly."""

    fieldsets = [
        (
            "Candidate (from the interview's end)",
            {
                "fields": [
                    "candidate_ask_after",
                    "candidate_remind_after",
                    "candidate_deadline_after",
                ]
            },
        ),
        (
            "Client (from the interview's end)",
            {"fields": ["client_ask_after", "client_remind_after", "client_deadline_after"]},
        ),
        (
            "Quiet hours (empty: none)",
            {"fields": ["quiet_hours_start", "quiet_hours_end", "updated_at"]},
        ),
    ]
    readonly_fields = ["updated_at"]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        policy = selectors.policy_get()
        return HttpResponseRedirect(
            reverse("admin:feedback_reminderpolicy_change", args=[policy.pk])
        )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ReminderPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TimelineEvent)
class TimelineEventAdmin(ViewOnlyAdmin):
    list_display = ["created_at", "application", "kind", "summary", "actor"]
    list_filter = ["kind", "application__position__client", "application__position__recruiter"]
    list_select_related = ["application__candidate", "application__position__client", "actor"]
    search_fields = [
        "summary",
        "application__candidate__first_name",
        "application__candidate__last_name",
    ]
    date_hierarchy = "created_at"
    fields = ["created_at", "application", "request", "kind", "summary", "actor", "data"]
