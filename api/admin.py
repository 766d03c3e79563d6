"""API keys in the admin: made here (the key is shown once, in the message after saving),
revoked here, never edited."""

from django.contrib import admin, messages
from django.utils import timezone

from . import services
from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "scope",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    actions = ["revoke"]
    fields = ["name", "scope", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]

    def get_fields(self, request, obj=None):
        return self.fields if obj else ["name", "scope"]

    def get_readonly_fields(self, request, obj=None):
        # A key's name and scope are what it was made with: a new scope is a new key.
        return [*self.readonly_fields, "name", "scope"] if obj else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # The change page shows a key; nothing on it can be changed.
        return super().has_change_permission(request, obj) and obj is None

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the key's actor stays named on the timeline

    def save_model(self, request, obj, form, change):
        if change:
            return
        api_key, key = services.api_key_create(
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            created_by=request.user,
        )
        obj.pk, obj.prefix = api_key.pk, api_key.prefix
        # Shown this once: only its hash is kept.
        messages.warning(
            request,
            f"The API key for “{api_key.name}”: {key} — copy it now: it will not be shown again.",
        )

    @admin.action(description="Revoke the selected keys", permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = sum(services.api_key_revoke(api_key=key) for key in queryset)
        self.message_user(request, f"{revoked} key(s) revoked at {timezone.now():%H:%M} UTC.")

    def has_revoke_permission(self, request):
        return request.user.has_perm("api.change_apikey")
