"""The reminder policy (one row) and the timeline (read only)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse

from candidates.admin_filters import recruiter_filter, when_filter
from core.paginators import BigTableMixin

from .. import selectors
from ..models import ReminderPolicy, TimelineEvent
from .common import ViewOnlyAdmin


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
        ("Channels", {"fields": ["candidate_channels"]}),
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
    list_display = ["created_at", "application", "candidate", "kind", "summary", "actor"]
    list_filter = [
        "kind",
        recruiter_filter("application__position__recruiter"),
        "application__position__client",
        when_filter("created_at", "when", future=False),
    ]
    list_select_related = [
        "application__candidate",
        "application__position__client",
        "candidate",
        "actor",
    ]
    search_fields = [
        "summary",
        "application__candidate__first_name",
        "application__candidate__last_name",
        "candidate__first_name",
        "candidate__last_name",
    ]
    fields = [
        "created_at",
        "application",
        "candidate",
        "request",
        "kind",
        "summary",
        "actor",
        "data",
    ]
