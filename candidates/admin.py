"""The plain admin of the ATS records: recruiters, positions and candidates.

Plain data is edited in place; a save that moves a desk (a candidate's owner, a position's
recruiter) goes through candidates.services. Nothing here needs another app: only Django,
core and candidates are imported.

Each model is registered once, by the rightmost app that shapes its page. Registered here:
Recruiter, Position. The other candidates models' pages show the feedback loop, the client
pages or the person's data and are registered there, once: Application and Interview in
feedback.admin (applications, interviews), Client and ClientContact in clients.admin,
Candidate in privacy.admin (this CandidateAdmin, with consent, export and erasure).
"""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.html import format_html

from core.admin_filters import StrictListFilter
from core.admin_imports import SpreadsheetImportExportMixin
from core.admin_inlines import ReadOnlyInline
from core.admin_rows import CheapRowsMixin, subquery_count
from core.formatting import tel_uri
from core.paginators import BigTableMixin
from core.phones import E164PhoneField

from . import services
from .admin_filters import recruiter_filter
from .models import IN_PROCESS, Application, Position, Recruiter
from .resources import CandidateResource, PositionResource


def applications_in_process(*, via: str):
    """How many applications are in process for each row, `via` being the application's
    field that points at the row ("position", "candidate", "position__client")."""
    return subquery_count(
        Application.objects.filter(**{via: OuterRef("pk")}, stage__in=IN_PROCESS),
        group_by=via,
    )


def phone_link(phone: str) -> str:
    return format_html('<a href="{}">{}</a>', tel_uri(phone), phone) if phone else "–"


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


class ApplicationInline(ReadOnlyInline):
    model = Application
    fields = ["candidate", "position", "stage", "interest_level", "interest_status"]
    readonly_fields = fields


@admin.register(Position)
class PositionAdmin(SpreadsheetImportExportMixin, CheapRowsMixin, admin.ModelAdmin):
    resource_classes = [PositionResource]
    list_display = [
        "title",
        "client",
        "location",
        "recruiter",
        "hiring_contact",
        "status",
        "in_process",
        "created_at",
    ]
    list_filter = ["status", "client", recruiter_filter("recruiter"), "created_at"]
    list_select_related = ["client", "recruiter__user", "hiring_contact__client"]
    search_fields = ["title", "location", "client__name"]
    autocomplete_fields = ["client", "recruiter", "hiring_contact"]
    readonly_fields = ["created_at"]
    inlines = [ApplicationInline]
    list_per_page = 50  # as the big lists (core.paginators.BigTableMixin): rendering

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(in_process_count=applications_in_process(via="position"))
        )

    @admin.display(description="Candidates in process", ordering="in_process_count")
    def in_process(self, obj):
        return obj.in_process_count

    def save_model(self, request, obj, form, change):
        services.position_save(position=obj, changed=form.changed_data if change else [])


class CandidateInterestFilter(StrictListFilter):
    """Candidates with an application in process at this interest status."""

    title = "interest status (in process)"
    parameter_name = "interest"

    def lookups(self, request, model_admin):
        return Application.InterestStatus.choices

    def queryset(self, request, queryset):
        if self.value() not in Application.InterestStatus.values:
            return queryset
        return queryset.filter(
            Exists(
                Application.objects.filter(
                    candidate=OuterRef("pk"), stage__in=IN_PROCESS, interest_status=self.value()
                )
            )
        )


# Registered by privacy.admin, which adds consent, export and erasure to the page.
class CandidateAdmin(SpreadsheetImportExportMixin, BigTableMixin, admin.ModelAdmin):
    resource_classes = [CandidateResource]
    list_display = [
        "full_name",
        "specialty",
        "call",
        "email",
        "time_zone",
        "owner",
        "in_process",
        "created_at",
    ]
    list_filter = [
        recruiter_filter("owner", title="owner", parameter="owner"),
        CandidateInterestFilter,
        "consent_email",
        "consent_sms",
        "created_at",
    ]
    list_select_related = ["owner__user"]
    search_fields = ["first_name", "last_name", "email", "phone", "specialty"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at"]
    inlines = [ApplicationInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(in_process_count=applications_in_process(via="candidate"))
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "phone":
            # Stored in E.164, the form the SMS provider and an inbound text's sender use.
            return E164PhoneField(label="Phone", help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.display(description="Phone", ordering="phone")
    def call(self, obj):
        return phone_link(obj.phone)

    @admin.display(description="In process", ordering="in_process_count")
    def in_process(self, obj):
        return obj.in_process_count

    def save_model(self, request, obj, form, change):
        services.candidate_save(candidate=obj, changed=form.changed_data if change else [])
