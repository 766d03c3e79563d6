"""The feedback requests: a window on what the loop did, with the two things a recruiter
does to a request (log feedback taken by phone, send a new link), and which of them a
request allows (feedback.rules.request_allows, which the services enforce; listed by
`request_actions` on its page and on the application page)."""

from typing import NamedTuple

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from candidates.admin_filters import when_filter
from core.admin_actions import (
    action_page,
    admin_link,
    carry_out,
    change_url,
    next_url,
    object_or_404,
    with_next,
)
from core.admin_filters import StrictListFilter
from core.admin_inlines import ReadOnlyInline
from core.formatting import duration_text
from core.paginators import BigTableMixin
from core.text import limit_help

from .. import rules, selectors, services
from ..forms import FORM_FOR_PARTY
from ..models import Feedback, FeedbackRequest, OutboundMessage, Party
from ..rules import ACTIVE_STATUSES
from .common import REQUEST_PATH, ViewOnlyAdmin, request_recruiter_filter


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
        late = rules.past_the_deadline(now=timezone.now())
        if self.value() == "yes":
            return queryset.filter(late)
        if self.value() == "no":
            return queryset.exclude(late)
        return queryset


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
    # The first column is itself a link (to the application): the request's own link is
    # its status, not a link around another link.
    list_display_links = ["status"]
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
        if obj.status not in ACTIVE_STATUSES:
            return "–"
        left = obj.time_left(timezone.now())
        if left.total_seconds() < 0:
            return format_html('<strong class="tvr-late">{} late</strong>', duration_text(-left))
        return duration_text(left)

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
                "request_actions": request_actions(request.user, obj, next_to=change_url(obj)),
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
        if not request.user.has_perm(REQUEST_ACTIONS["log_call"].permission):
            raise PermissionDenied
        feedback_request = self._request(request, object_id)
        application = feedback_request.interview.application
        back = next_url(request, change_url(application))
        if "log_call" not in rules.request_allows(feedback_request.status):  # cancelled
            self.message_user(
                request, "This interview was cancelled: no feedback is needed.", messages.ERROR
            )
            return HttpResponseRedirect(back)
        bound = request.POST if request.method == "POST" else None
        form = FORM_FOR_PARTY[feedback_request.party](bound)
        for name, label in CALL_LABELS.get(feedback_request.party, {}).items():
            field = form.fields[name]
            # The call's own label; the help keeps only the length limit, if any.
            field.label = label
            field.help_text = (
                limit_help(field.max_length) if getattr(field, "max_length", None) else ""
            )
        if request.method == "POST" and form.is_valid():
            return carry_out(
                self,
                request,
                feedback_request,
                lambda: services.feedback_log_call(
                    request=feedback_request, answers=form.cleaned_data, actor=request.user
                ),
                done=lambda _: (
                    f"Call logged: {feedback_request.addressee_name}’s feedback on "
                    f"{application.position}."
                ),
                refusals=(ValidationError, services.FeedbackClosed),
                back_to=change_url(application),
            )
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
        if not request.user.has_perm(REQUEST_ACTIONS["resend_link"].permission):
            raise PermissionDenied
        feedback_request = self._request(request, object_id)
        if request.method == "POST":
            return carry_out(
                self,
                request,
                feedback_request,
                lambda: services.feedback_request_resend_link(
                    request=feedback_request, actor=request.user
                ),
                done=lambda message: (
                    f"A new link is on its way to {message.recipient}; the old one no longer works."
                ),
            )
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


class RequestAction(NamedTuple):
    label: str
    permission: str  # what the user needs, on top of the request allowing it


# What a recruiter can do to a request, in the order the pages offer them; each has its
# page at admin:feedback_feedbackrequest_<name>.
REQUEST_ACTIONS = {
    "log_call": RequestAction("Log a call", "feedback.add_feedback"),
    "resend_link": RequestAction("Send a new link", "feedback.change_feedbackrequest"),
}


def request_actions(
    user, feedback_request: FeedbackRequest, *, next_to: str
) -> list[tuple[str, str]]:
    """(label, url) of the actions `user` may take on this request now, each page coming
    back to `next_to`: what the request's page and the application page list."""
    allowed = rules.request_allows(feedback_request.status)
    return [
        (
            action.label,
            with_next(
                reverse(f"admin:feedback_feedbackrequest_{name}", args=[feedback_request.pk]),
                next_to,
            ),
        )
        for name, action in REQUEST_ACTIONS.items()
        if user.has_perm(action.permission) and name in allowed
    ]
