"""The outbox: every message the loop sends, as sent, and a retry for a failed one."""

import re

from csp.decorators import csp_replace
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.clickjacking import xframe_options_sameorigin

from candidates.admin_filters import when_filter
from core.admin_actions import action_page, admin_link, change_url, next_url, object_or_404
from core.paginators import BigTableMixin

from .. import services
from ..models import OutboundMessage
from .common import REQUEST_PATH, ViewOnlyAdmin

# A set-password link signs whoever follows it in as that client contact: staff reading
# the outbox must not be able to use one (the contact gets it by mail).
SECRET_LINK = re.compile(r"https?://[^\s\"'<>]*/clients/(?:welcome|reset)/[^\s\"'<>]*")


def without_secret_links(text: str) -> str:
    return SECRET_LINK.sub("[set-password link: sent to the contact only]", text)


# The preview of a mail's HTML: its inline styles, nothing else.
MAIL_PREVIEW_POLICY = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "script-src": None,
    "form-action": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'self'"],
}

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
        "delivery_status",
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
                    "provider_id",
                    "delivery_status",
                    "delivery_status_at",
                ]
            },
        ),
        (
            "Message",
            {"fields": ["subject", "text_as_sent", "html_preview", "html_source", "invite"]},
        ),
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

    @admin.display(description="Calendar invite (iCalendar)")
    def invite(self, obj):
        return format_html("<pre>{}</pre>", obj.body_calendar) if obj.body_calendar else "–"

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
        # sandbox: the stored HTML is shown, never run. A page of its own (html_view):
        # the mail's inline styles are allowed there, and nowhere else.
        return format_html(
            '<iframe sandbox src="{}" class="tvr-mail-preview" title="The mail as sent"></iframe>',
            reverse("admin:feedback_outboundmessage_html", args=[obj.pk]),
        )

    def html_view(self, request, object_id):
        """The message's HTML body alone (for the preview's frame), under a policy of its
        own: the inline styles every mail carries, and nothing else (no script, no
        request anywhere, framed by our own pages only)."""
        message = object_or_404(self.get_queryset(request), object_id)
        if not self.has_view_permission(request, message):
            raise PermissionDenied
        return HttpResponse(without_secret_links(message.body_html))

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
        mail_view = csp_replace(MAIL_PREVIEW_POLICY)(xframe_options_sameorigin(self.html_view))
        return [
            path(
                "<path:object_id>/html/",
                self.admin_site.admin_view(mail_view),
                name="feedback_outboundmessage_html",
            ),
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
