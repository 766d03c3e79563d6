"""The recruiter's admin for the clients and their contacts: each client's pipelines,
responsiveness and overdue feedback, and the invitation to the client pages.

Client and ClientContact are candidates' models, registered here and only here: their
pages show what the client pages and the feedback loop know (in-process counts, overdue
client feedback, responsiveness, the invitation action). Each model is registered once,
by the rightmost app that shapes its page.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from candidates.admin_filters import day_start
from candidates.models import Client, ClientContact, Position
from candidates.resources import ClientContactResource, ClientResource
from core.admin_filters import ExistsFilter
from core.admin_imports import SpreadsheetImportExportMixin
from core.admin_input import CheckedChangeList, IdAutocompleteMixin
from core.admin_rows import CheapRowsMixin, subquery_count
from feedback import selectors as feedback_selectors
from feedback.models import FeedbackRequest, OutboundMessage, Party

from . import selectors, services


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
class ClientAdmin(SpreadsheetImportExportMixin, CheapRowsMixin, admin.ModelAdmin):
    resource_classes = [ClientResource]
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
    readonly_fields = ["created_at", "responsiveness", "pipelines"]
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

    @admin.display(description="Responsiveness (last 90 days)")
    def responsiveness(self, obj):
        if obj.pk is None:
            return "–"
        stats = selectors.client_responsiveness(client=obj, now=timezone.now())
        if stats.settled == 0 and stats.answered == 0:
            return "No client feedback due in the last 90 days."
        median = stats.median_text or "–"
        share = f"{stats.share_on_time}%" if stats.share_on_time is not None else "–"
        return format_html(
            "Median time to feedback <strong>{}</strong> · on time <strong>{}</strong> "
            "({} of {} due)",
            median,
            share,
            stats.on_time,
            stats.settled,
        )

    @admin.display(description="Pipelines (open positions)")
    def pipelines(self, obj):
        if obj.pk is None:
            return "–"
        positions = list(obj.positions.filter(status=Position.Status.OPEN))
        if not positions:
            return "No open positions."
        bars = selectors.position_pipelines(positions=positions)
        return format_html_join(
            "",
            "<div><strong>{}</strong>: {}</div>",
            (
                (p.title, ", ".join(f"{bar.label} {bar.count}" for bar in bars[p.pk]))
                for p in positions
            ),
        )


# The client list counts client feedback that went overdue in the last 30 days, the
# feedback request list's "deadline: past 30 days" (the count links there). Counting every
# overdue request ever, per client, goes through four joins for each of them, growing
# with every request there ever was, and a years-old overdue answer is nothing to chase.
OVERDUE_DAYS = 30


class ClientChangeList(CheckedChangeList):
    def get_results(self, request):
        super().get_results(request)
        clients = list(self.result_list)  # the page's rows (fills the queryset's cache)
        ids = [client.pk for client in clients]
        # One grouped query per column for the page's clients: a per-row subquery through
        # the positions ran once per client, each over all of its positions' rows.
        in_process = selectors.clients_in_process_counts_recent(client_ids=ids)
        overdue = feedback_selectors.client_feedback_overdue_counts(
            client_ids=ids, since=day_start(request.user, -OVERDUE_DAYS), now=timezone.now()
        )
        for client in clients:
            client.in_process_count = in_process.get(client.pk, 0)
            client.overdue_count = overdue.get(client.pk, 0)


@admin.register(ClientContact)
class ClientContactAdmin(SpreadsheetImportExportMixin, admin.ModelAdmin):
    resource_classes = [ClientContactResource]
    list_display = ["name", "title", "client", "email", "phone", "has_login"]
    list_filter = ["client"]
    list_select_related = ["client", "user"]
    search_fields = ["name", "email", "title", "client__name"]
    autocomplete_fields = ["client", "user"]
    actions = ["send_invitation"]

    @admin.display(description="Can log in", boolean=True, ordering="user")
    def has_login(self, obj):
        return obj.user_id is not None

    def has_invite_permission(self, request):
        # Creates at most a plain login (no staff rights, no password until the contact
        # sets one), so changing contacts is permission enough.
        return request.user.has_perm("candidates.change_clientcontact")

    @admin.action(
        description="Send invitation (a link to set a password for the client pages)",
        permissions=["invite"],
    )
    def send_invitation(self, request, queryset):
        for contact in queryset.select_related("client"):
            try:
                message = services.client_contact_invite(contact=contact, actor=request.user)
            except ValidationError as refusal:
                self.message_user(
                    request, f"{contact}: {' '.join(refusal.messages)}", messages.ERROR
                )
                continue
            status = "queued" if message.status == OutboundMessage.Status.QUEUED else "sent"
            self.message_user(request, f"Invitation to {contact.email} {status}.", messages.SUCCESS)
