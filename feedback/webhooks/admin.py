"""Webhook endpoints in the admin: the URL, the events wanted, the signing secret (made
on creation, shown to staff so the receiver can be set up), whether it is on, and its
deliveries (in the outbox, with the receiver's status and body on a failure)."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from ..models import OutboundMessage
from ..services.webhooks import webhook_endpoint_enable
from .events import EVENT_TYPES
from .models import WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=[(name, name) for name in EVENT_TYPES], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "enabled"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "enabled", "failing_since", "event_list", "deliveries"]
    list_filter = ["enabled"]
    search_fields = ["name", "url"]
    readonly_fields = ["secret", "failing_since", "disabled_reason", "created_at", "deliveries"]
    actions = ["turn_on"]

    def get_fields(self, request, obj=None):
        fields = ["name", "url", "events", "enabled"]
        return fields + (self.readonly_fields if obj else [])

    @admin.display(description="Events")
    def event_list(self, obj):
        return ", ".join(obj.events or [])

    @admin.display(description="Deliveries")
    def deliveries(self, obj):
        url = reverse("admin:feedback_outboundmessage_changelist")
        return format_html(
            '<a href="{}?channel={}&q={}">in the outbox</a>',
            url,
            OutboundMessage.Channel.WEBHOOK,
            obj.url[:254],
        )

    @admin.action(description="Turn on again (and forget past failures)", permissions=["change"])
    def turn_on(self, request, queryset):
        for endpoint in queryset:
            webhook_endpoint_enable(endpoint=endpoint)
        self.message_user(request, f"{queryset.count()} endpoint(s) turned on.")
