"""What the client pages add to the recruiter admin: the invitation action on client
contacts, and each client's responsiveness and pipelines on its page.

The admins of these models live in candidates.admin; they are extended here (subclassed and
registered again) so that the client pages' features stay in this app.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from candidates.admin import ClientAdmin, ClientContactAdmin
from candidates.models import Client, ClientContact, Position
from feedback.models import OutboundMessage

from . import selectors, services


class InvitingClientContactAdmin(ClientContactAdmin):
    actions = [*(ClientContactAdmin.actions or []), "send_invitation"]

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


class ClientWithResponsivenessAdmin(ClientAdmin):
    readonly_fields = [*ClientAdmin.readonly_fields, "responsiveness", "pipelines"]

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


for model, model_admin in (
    (ClientContact, InvitingClientContactAdmin),
    (Client, ClientWithResponsivenessAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
