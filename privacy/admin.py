"""The candidate's page as privacy shapes it (consent, export, erasure), and the retention
rule. The candidate's page is registered here, once (the rightmost app that shapes it):
candidates.admin.CandidateAdmin with privacy's inlines and buttons."""

import json

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.urls import path, reverse

from candidates.admin import CandidateAdmin
from candidates.models import Candidate
from core.admin_actions import action_page, carry_out, object_or_404
from core.admin_inlines import ReadOnlyInline
from feedback.models import TimelineEvent

from . import services
from .models import Consent, RetentionRule

EXPORT_PERMISSION = "privacy.export_candidate_data"
ERASE_PERMISSION = "privacy.erase_candidate"


def can_export(user) -> bool:
    return user.has_perm(EXPORT_PERMISSION)


def can_erase(user) -> bool:
    return user.has_perm(ERASE_PERMISSION)


class ConsentHistoryInline(ReadOnlyInline):
    """Every statement of consent, newest first: the history is never edited."""

    model = Consent
    verbose_name_plural = "consent history"
    fields = ["channel", "given", "at", "source", "recorded_by", "recorded_at"]
    readonly_fields = fields
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("privacy.view_consent")


class ConsentAddInline(admin.TabularInline):
    """A new statement of consent (saved through privacy.services.consent_record)."""

    model = Consent
    verbose_name = "consent given or withdrawn"
    verbose_name_plural = "record consent"
    fields = ["channel", "given", "at", "source"]
    extra = 1
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Empty means now (a filled-in default would make the blank row look changed).
        at = formset.form.base_fields["at"]
        at.required = False
        at.help_text = "Empty: now."
        return formset


class PersonTimelineInline(ReadOnlyInline):
    """The person's own events: consent, exports, erasure."""

    model = TimelineEvent
    fk_name = "candidate"
    verbose_name_plural = "privacy timeline"
    fields = ["created_at", "kind", "summary", "actor"]
    readonly_fields = fields
    show_change_link = False
    ordering = ["-created_at", "-id"]


@admin.register(Candidate)
class CandidatePrivacyAdmin(CandidateAdmin):
    change_form_template = "admin/privacy/candidate/change_form.html"
    inlines = [
        *CandidateAdmin.inlines,
        ConsentHistoryInline,
        ConsentAddInline,
        PersonTimelineInline,
    ]
    # The consent flags follow the consent recorded below them (consent_record).
    readonly_fields = [*CandidateAdmin.readonly_fields, "consent_email", "consent_sms", "erased_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.erased_at is not None:
            # An erased person is a placeholder for the counts: nothing to edit.
            editable = [field.name for field in obj._meta.fields if field.editable]
            return list(dict.fromkeys([*editable, *self.readonly_fields]))
        return self.readonly_fields

    def get_inlines(self, request, obj):
        if obj is not None and obj.erased_at is not None:
            return [i for i in self.inlines if i is not ConsentAddInline]
        return self.inlines

    def save_formset(self, request, form, formset, change):
        if formset.model is not Consent:
            return super().save_formset(request, form, formset, change)
        # The new statements, unsaved (and listed for the admin's change message); each
        # is recorded by the service, which moves the flag and writes the timeline.
        for consent in formset.save(commit=False):
            services.consent_record(
                candidate=form.instance,
                channel=consent.channel,
                given=consent.given,
                source=consent.source,
                at=consent.at,
                actor=request.user,
            )
        return None

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/export/",
                wrap(self.export_view),
                name="candidates_candidate_export",
            ),
            path(
                "<path:object_id>/erase/",
                wrap(self.erase_view),
                name="candidates_candidate_erase",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        actions = []
        if can_export(request.user):
            actions.append(
                ("Export data", reverse("admin:candidates_candidate_export", args=[object_id]))
            )
        if can_erase(request.user):
            actions.append(
                ("Erase…", reverse("admin:candidates_candidate_erase", args=[object_id]))
            )
        extra_context = {**(extra_context or {}), "privacy_actions": actions}
        return super().change_view(request, object_id, form_url, extra_context)

    def _candidate(self, request, object_id, *, allowed) -> Candidate:
        if not allowed(request.user):
            raise PermissionDenied
        candidate = object_or_404(Candidate.objects.select_related("owner__user"), object_id)
        if not self.has_view_permission(request, candidate):
            raise PermissionDenied
        return candidate

    def export_view(self, request, object_id):
        """GET: what the export holds, one button. POST: the JSON file (and the export on
        the candidate's timeline)."""
        candidate = self._candidate(request, object_id, allowed=can_export)
        if request.method != "POST":
            return action_page(
                request,
                self,
                candidate,
                title="Export the candidate's data",
                intro="One JSON file with everything held about this person: their details "
                "and consents, applications, interviews, feedback requests, every answer "
                "(amendments included), every message and every timeline event. The export "
                "is recorded on their timeline.",
                submit="Download the JSON file",
            )
        data = services.candidate_data_export(candidate=candidate, actor=request.user)
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="candidate-{candidate.pk}-data.json"'
        )
        return response

    def erase_view(self, request, object_id):
        candidate = self._candidate(request, object_id, allowed=can_erase)
        if request.method != "POST":
            return action_page(
                request,
                self,
                candidate,
                title="Erase this candidate",
                intro="Their name becomes “Erased candidate #id”; their email, phone, "
                "specialty and consent are removed, with the free text of every answer and "
                "message about them, and their own open feedback requests are cancelled. "
                "Interest levels, decisions, counts and times are kept, so the dashboard's "
                "charts and the clients' responsiveness still add up. This cannot be undone.",
                submit="Erase",
                danger=True,
            )
        return carry_out(
            self,
            request,
            candidate,
            lambda: services.candidate_erase(candidate=candidate, actor=request.user),
            done=lambda erased: (
                "The candidate's personal data was erased."
                if erased
                else "This candidate was erased already."
            ),
        )


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """The one retention rule; only those who may erase may see or change it."""

    list_display = ["__str__", "enabled", "months", "last_run_at", "last_run_erased"]
    readonly_fields = ["last_run_at", "last_run_erased", "updated_at"]

    def has_module_permission(self, request):
        return can_erase(request.user)

    def has_view_permission(self, request, obj=None):
        return can_erase(request.user)

    def has_change_permission(self, request, obj=None):
        return can_erase(request.user)

    def has_add_permission(self, request):
        return can_erase(request.user) and not RetentionRule.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
