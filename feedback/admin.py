"""The recruiter's admin for the feedback loop: mostly a window on what the loop did.

Statuses and times are the loop's to manage (feedback.services); here a recruiter reads
them, chooses what the client sees of an answer, logs feedback taken by phone, sends a new
link, retries a failed message and edits the reminder policy. Each action is a service
call, recorded on the application's timeline with the recruiter who did it.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from candidates.admin import ReadOnlyInline, with_next
from candidates.admin_filters import recruiter_filter, when_filter
from core.admin_actions import action_page, change_url, next_url, object_or_404
from core.admin_filters import StrictListFilter
from core.paginators import BigTableMixin

from . import rules, selectors, services
from .forms import FORM_FOR_PARTY
from .models import Feedback, FeedbackRequest, OutboundMessage, Party, ReminderPolicy, TimelineEvent
from .templatetags.recruiter_desk import duration as _span

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


class RequestOverdueFilter(StrictListFilter):
    """Past the deadline: marked overdue, or pending with the sweep about to mark it."""

    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        late = Q(status=FeedbackRequest.Status.OVERDUE) | Q(
            status=FeedbackRequest.Status.PENDING, due_at__lt=timezone.now()
        )
        if self.value() == "yes":
            return queryset.filter(late)
        if self.value() == "no":
            return queryset.exclude(late)
        return queryset


def request_recruiter_filter(prefix: str = ""):
    """By recruiter: a candidate's side is the owner's, a client's side the position's."""
    base = recruiter_filter(f"{prefix}interview__application__position__recruiter")

    class RequestRecruiterFilter(base):
        def queryset(self, request, queryset):
            value = self.value()
            if value == "mine":
                suffix, target = "__user", request.user
            elif value:
                suffix, target = "_id", int(value)  # an id (StrictListFilter checked)
            else:
                return queryset
            # The desk kept on the request (candidates.services, "desks").
            return queryset.filter(**{f"{prefix}desk{suffix}": target})

    return RequestRecruiterFilter


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(BigTableMixin, ViewOnlyAdmin):
    list_display = [
        "application",
        "party",
        "status",
        "due_at",
        "time_left",
        "reminders_sent",
        "opened_at",
        "interview_link",
    ]
    list_filter = [
        RequestOverdueFilter,
        "party",
        "status",
        request_recruiter_filter(),
        "interview__application__position__client",
        when_filter("due_at", "deadline", parameter="due"),
    ]
    list_select_related = REQUEST_PATH
    change_form_template = "admin/feedback/feedbackrequest/change_form.html"
    search_fields = [
        "interview__application__candidate__first_name",
        "interview__application__candidate__last_name",
        "interview__application__candidate__email",
        "interview__application__position__title",
        "interview__application__position__client__name",
    ]
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

    @admin.display(description="Time left", ordering="due_at")
    def time_left(self, obj):
        if obj.status not in (FeedbackRequest.Status.SCHEDULED, FeedbackRequest.Status.PENDING):
            return "–"
        left = obj.time_left(timezone.now())
        if left.total_seconds() < 0:
            return format_html('<strong class="tvr-late">{} late</strong>', _span(-left))
        return _span(left)

    @admin.display(description="Answer link")
    def portal_link(self, obj):
        # A bearer link: whoever holds it can answer as this party. Staff may copy it to
        # send by hand, e.g. in a text message.
        link = selectors.feedback_request_link(request=obj)
        return format_html('<a href="{0}" target="_blank" rel="noopener">{0}</a>', link)

    # -- log a call, send a new link --

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/log-call/",
                wrap(self.log_call_view),
                name="feedback_feedbackrequest_log_call",
            ),
            path(
                "<path:object_id>/resend-link/",
                wrap(self.resend_link_view),
                name="feedback_feedbackrequest_resend_link",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context = {
                **(extra_context or {}),
                "request_actions": request_actions(request, obj),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _request(self, request, object_id) -> FeedbackRequest:
        return object_or_404(
            FeedbackRequest.objects.select_related(
                "interview__application__candidate",
                "interview__application__position__client",
                "interview__application__position__hiring_contact",
            ),
            object_id,
        )

    def log_call_view(self, request, object_id):
        """Feedback taken by phone: the portal's (or client's) form, stored as channel
        "phone" and entered by this recruiter."""
        if not request.user.has_perm("feedback.add_feedback"):
            raise PermissionDenied
        feedback_request = self._request(request, object_id)
        application = feedback_request.interview.application
        back = next_url(request, change_url(application))
        if feedback_request.status == FeedbackRequest.Status.CANCELLED:
            self.message_user(
                request, "This interview was cancelled: no feedback is needed.", messages.ERROR
            )
            return HttpResponseRedirect(back)
        bound = request.POST if request.method == "POST" else None
        form = FORM_FOR_PARTY[feedback_request.party](bound)
        for name, label in CALL_LABELS.get(feedback_request.party, {}).items():
            form.fields[name].label, form.fields[name].help_text = label, ""
        if request.method == "POST" and form.is_valid():
            try:
                services.feedback_log_call(
                    request=feedback_request, answers=form.cleaned_data, actor=request.user
                )
            except (ValidationError, services.FeedbackClosed) as refusal:
                text = " ".join(getattr(refusal, "messages", [str(refusal)]))
                self.message_user(request, text, messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Call logged: {feedback_request.addressee_name}’s feedback on "
                    f"{application.position}.",
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(back)
        return action_page(
            request,
            self,
            feedback_request,
            title=f"Log a call with {feedback_request.addressee_name}",
            intro="What they told you on the phone, as they would have answered on the "
            "portal. It is stored as their answer (channel: phone, entered by you); an "
            "earlier answer is kept as amended.",
            form=form,
            submit="Save the call",
            aside={
                "phone": feedback_request.addressee.phone,
                "current": selectors.feedback_current(request=feedback_request),
            },
            template="admin/tvr/log_call.html",
        )

    def resend_link_view(self, request, object_id):
        if not request.user.has_perm("feedback.change_feedbackrequest"):
            raise PermissionDenied
        feedback_request = self._request(request, object_id)
        back = next_url(request, change_url(feedback_request))
        if request.method == "POST":
            try:
                message = services.feedback_request_resend_link(
                    request=feedback_request, actor=request.user
                )
            except ValidationError as refusal:
                self.message_user(request, " ".join(refusal.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"A new link is on its way to {message.recipient}; the old one no longer "
                    "works.",
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(back)
        return action_page(
            request,
            self,
            feedback_request,
            title="Send a new feedback link",
            intro=f"{feedback_request.addressee_name} gets the request again with a new "
            "link. Every link sent before stops working (use this when a link was lost, "
            "forwarded or leaked).",
            submit="Send a new link",
        )


# The portal's questions, as the recruiter reads them while on the phone.
CALL_LABELS = {
    Party.CANDIDATE: {
        "interest_level": "Their interest in the position now, 1 to 10",
        "still_interested": "Still interested?",
        "went_well": "What went well",
        "concerns": "Concerns",
        "questions": "Questions, or anything to tell the employer",
        "wants_call": "Wants another call",
        "preferred_call_time": "Best time to call",
    },
}


def request_actions(request, feedback_request: FeedbackRequest) -> list[tuple[str, str]]:
    """(label, url) of the actions the user may take on this request now."""
    here = change_url(feedback_request)
    actions = []
    if (
        request.user.has_perm("feedback.add_feedback")
        and feedback_request.status != FeedbackRequest.Status.CANCELLED
    ):
        url = reverse("admin:feedback_feedbackrequest_log_call", args=[feedback_request.pk])
        actions.append(("Log a call", with_next(url, here)))
    if request.user.has_perm("feedback.change_feedbackrequest") and feedback_request.status in (
        FeedbackRequest.Status.PENDING,
        FeedbackRequest.Status.OVERDUE,
    ):
        url = reverse("admin:feedback_feedbackrequest_resend_link", args=[feedback_request.pk])
        actions.append(("Send a new link", with_next(url, here)))
    return actions


def shareable_parts() -> list[tuple[str, str]]:
    """What of a candidate's answer the recruiter can show the client (the client pages
    show exactly these)."""
    return [("interest_band", "Interest band (high / moderate / low / not interested)")] + [
        (name, str(Feedback._meta.get_field(name).verbose_name).capitalize())
        for name in rules.CLIENT_SHAREABLE_PARTS
        if name != "interest_band"
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
class FeedbackAdmin(BigTableMixin, KeptRecordAdmin):
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
    list_filter = [
        "request__party",
        "channel",
        "is_current",
        "still_interested",
        "decision",
        request_recruiter_filter(prefix="request__"),
        when_filter("submitted_at", "submitted", parameter="submitted", future=False),
    ]
    list_select_related = [f"request__{path}" for path in REQUEST_PATH]
    search_fields = [
        "request__interview__application__candidate__first_name",
        "request__interview__application__candidate__last_name",
        "request__interview__application__position__client__name",
    ]
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


# A set-password link signs whoever follows it in as that client contact: staff reading
# the outbox must not be able to use one (the contact gets it by mail).
SECRET_LINK = re.compile(r"https?://[^\s\"'<>]*/clients/(?:welcome|reset)/[^\s\"'<>]*")


def without_secret_links(text: str) -> str:
    return SECRET_LINK.sub("[set-password link: sent to the contact only]", text)


# The sweep queues asks, reminders and alerts without text; the worker that sends one
# writes it (and stores it before sending).
NOT_WRITTEN_YET = "(written when it is sent)"


@admin.register(OutboundMessage)
class OutboundMessageAdmin(BigTableMixin, ViewOnlyAdmin):
    list_display = [
        "recipient",
        "kind",
        "status",
        "attempts",
        "short_error",
        "rendered",
        "application",
        "created_at",
        "sent_at",
    ]
    list_filter = [
        "status",
        "kind",
        "channel",
        when_filter("created_at", "created", parameter="created", future=False),
    ]
    search_fields = ["recipient", "subject"]
    actions = ["retry_now"]
    change_form_template = "admin/feedback/outboundmessage/change_form.html"
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
        ("Message", {"fields": ["subject", "text_as_sent", "html_preview", "html_source"]}),
    ]
    readonly_fields = [name for _, options in fieldsets for name in options["fields"]]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related(*(f"request__{p}" for p in REQUEST_PATH))
        )

    @admin.display(description="Last error")
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.display(description="Message (as rendered)")
    def rendered(self, obj):
        if not obj.body_text:
            return NOT_WRITTEN_YET
        # The subject; the text as sent opens in place.
        return format_html(
            '<details class="tvr-message"><summary>{}</summary><pre>{}</pre></details>',
            obj.subject,
            without_secret_links(obj.body_text),
        )

    @admin.display(description="Text")
    def text_as_sent(self, obj):
        if not obj.body_text:
            return NOT_WRITTEN_YET
        return format_html("<pre>{}</pre>", without_secret_links(obj.body_text))

    @admin.display(description="HTML source")
    def html_source(self, obj):
        if not obj.body_html:
            return "–"
        return format_html("<pre>{}</pre>", without_secret_links(obj.body_html))

    @admin.display(description="About")
    def application(self, obj):
        if obj.request is None:
            return "–"
        application = obj.request.interview.application
        return admin_link(application, application.candidate.full_name)

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
            without_secret_links(obj.body_html),
        )

    def has_retry_permission(self, request):
        return request.user.has_perm("feedback.change_outboundmessage")

    @admin.action(description="Retry now (failed messages)", permissions=["retry"])
    def retry_now(self, request, queryset):
        for message in queryset:
            if services.outbox_retry_now(message=message, actor=request.user):
                self.message_user(request, f"{message}: queued again.", messages.SUCCESS)
            else:
                self.message_user(
                    request,
                    f"{message}: not retried; only failed messages can be "
                    f"(this one is {message.get_status_display().lower()}).",
                    messages.WARNING,
                )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/retry/",
                self.admin_site.admin_view(self.retry_view),
                name="feedback_outboundmessage_retry",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if (
            obj is not None
            and obj.status == OutboundMessage.Status.FAILED
            and self.has_retry_permission(request)
        ):
            url = reverse("admin:feedback_outboundmessage_retry", args=[obj.pk])
            extra_context = {**(extra_context or {}), "retry_url": url}
        return super().change_view(request, object_id, form_url, extra_context)

    def retry_view(self, request, object_id):
        if not self.has_retry_permission(request):
            raise PermissionDenied
        message = object_or_404(OutboundMessage.objects.all(), object_id)
        if request.method == "POST":
            if services.outbox_retry_now(message=message, actor=request.user):
                self.message_user(
                    request,
                    f"{message.get_kind_display()} to {message.recipient}: queued again "
                    "(by you, now).",
                    messages.SUCCESS,
                )
            else:
                message.refresh_from_db()
                self.message_user(
                    request,
                    "Not retried: only a failed message can be retried (this one is "
                    f"{message.get_status_display().lower()}).",
                    messages.ERROR,
                )
            return HttpResponseRedirect(next_url(request, change_url(message)))
        return action_page(
            request,
            self,
            message,
            title="Retry now",
            intro=f"Send it again now. It failed after {message.attempts} attempt(s): "
            f"{message.last_error or 'no error recorded'}.",
            submit="Retry now",
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
class TimelineEventAdmin(BigTableMixin, ViewOnlyAdmin):
    list_display = ["created_at", "application", "kind", "summary", "actor"]
    list_filter = [
        "kind",
        recruiter_filter("application__position__recruiter"),
        "application__position__client",
        when_filter("created_at", "when", future=False),
    ]
    list_select_related = ["application__candidate", "application__position__client", "actor"]
    search_fields = [
        "summary",
        "application__candidate__first_name",
        "application__candidate__last_name",
    ]
    fields = ["created_at", "application", "request", "kind", "summary", "actor", "data"]
