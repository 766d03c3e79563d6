"""The recruiter's admin for who and where: recruiters, clients and their contacts,
positions and candidates.

Plain data is edited in place; a save that moves a desk goes through candidates.services.
The application and interview pages, which show and move the feedback loop, are
feedback.admin's.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from clients.selectors import clients_in_process_counts_recent
from core.admin_filters import ExistsFilter, StrictListFilter
from core.admin_inlines import ReadOnlyInline
from core.admin_input import CheckedChangeList, IdAutocompleteMixin
from core.admin_rows import CheapRowsMixin, subquery_count
from core.formatting import tel_uri
from core.paginators import BigTableMixin
from feedback import selectors as feedback_selectors
from feedback.models import FeedbackRequest, Party

from . import services
from .admin_filters import day_start, recruiter_filter
from .models import (
    IN_PROCESS,
    Application,
    Candidate,
    Client,
    ClientContact,
    Position,
    Recruiter,
)


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


class ClientContactInline(IdAutocompleteMixin, admin.TabularInline):
    model = ClientContact
    extra = 0
    fields = ["name", "title", "email", "phone", "time_zone", "user"]
    autocomplete_fields = ["user"]


class ClientFeedbackOverdueFilter(ExistsFilter):
    title = "client feedback overdue"
    parameter_name = "overdue"

    def related(self, request):
        return FeedbackRequest.objects.filter(
            interview__application__position__client=OuterRef("pk"),
            party=Party.CLIENT,
            status=FeedbackRequest.Status.OVERDUE,
        )


@admin.register(Client)
class ClientAdmin(CheapRowsMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "city",
        "open_positions",
        "in_process",
        "feedback_overdue",
        "time_zone",
    ]
    list_filter = ["kind", ClientFeedbackOverdueFilter]
    search_fields = ["name", "city", "kind"]
    readonly_fields = ["created_at"]
    inlines = [ClientContactInline]
    list_per_page = 50  # as the big lists (core.paginators.BigTableMixin): rendering

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_positions_count=subquery_count(
                    Position.objects.filter(client=OuterRef("pk"), status=Position.Status.OPEN),
                    group_by="client",
                ),
            )
        )

    @admin.display(description="Open positions", ordering="open_positions_count")
    def open_positions(self, obj):
        return obj.open_positions_count

    @admin.display(description="Candidates in process")
    def in_process(self, obj):
        return obj.in_process_count

    def get_changelist(self, request, **kwargs):
        return ClientChangeList

    @admin.display(description="Their feedback overdue (30 days)")
    def feedback_overdue(self, obj):
        if not obj.overdue_count:
            return "–"
        url = reverse("admin:feedback_feedbackrequest_changelist")
        query = urlencode(
            {
                "party__exact": "client",
                "status__exact": "overdue",
                "due": f"past{OVERDUE_DAYS}",
                "interview__application__position__client__id__exact": obj.pk,
            }
        )
        return format_html('<a href="{}?{}"><strong>{}</strong></a>', url, query, obj.overdue_count)


# The client list counts client feedback that went overdue in the last 30 days, the
# feedback request list's "deadline: past 30 days" (the count links there). Counting every
# overdue request ever, per client, goes through four joins for each of them: seconds
# once there are 100k+ requests, and a years-old overdue answer is nothing to chase.
OVERDUE_DAYS = 30


class ClientChangeList(CheckedChangeList):
    def get_results(self, request):
        super().get_results(request)
        clients = list(self.result_list)  # the page's rows (fills the queryset's cache)
        ids = [client.pk for client in clients]
        # One grouped query per column for the page's clients: a per-row subquery through
        # the positions ran once per client and took seconds.
        in_process = clients_in_process_counts_recent(client_ids=ids)
        overdue = feedback_selectors.client_feedback_overdue_counts(
            client_ids=ids, since=day_start(request.user, -OVERDUE_DAYS), now=timezone.now()
        )
        for client in clients:
            client.in_process_count = in_process.get(client.pk, 0)
            client.overdue_count = overdue.get(client.pk, 0)


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
class PositionAdmin(CheapRowsMixin, admin.ModelAdmin):
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


@admin.register(Candidate)
class CandidateAdmin(BigTableMixin, admin.ModelAdmin):
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
