"""What came back, read-only: the texts and mails people sent (and what became of each),
and the addresses nothing more goes to. Written only by the loop (STOP, START, the
providers' callbacks): an opt-out is the person's to lift, by texting START."""

from django.contrib import admin

from core.paginators import BigTableMixin

from ..admin.common import ViewOnlyAdmin
from .models import InboundMessage, Suppression


@admin.register(InboundMessage)
class InboundMessageAdmin(BigTableMixin, ViewOnlyAdmin):
    list_display = ["received_at", "channel", "sender", "outcome", "candidate", "request"]
    list_filter = ["channel", "outcome"]
    list_select_related = ["candidate", "request"]
    search_fields = ["sender"]
    fields = ["received_at", "channel", "provider_id", "sender", "body", "outcome"]
    readonly_fields = fields


@admin.register(Suppression)
class SuppressionAdmin(ViewOnlyAdmin):
    list_display = ["address", "channel", "reason", "at"]
    list_filter = ["channel", "reason"]
    search_fields = ["address"]
    fields = list_display
    readonly_fields = fields
