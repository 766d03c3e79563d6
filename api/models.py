"""API keys: one per integration, made in the admin, shown once, kept hashed."""

from django.conf import settings
from django.db import models


class ApiKey(models.Model):
    """A key an integration sends as `Authorization: Bearer <key>`.

    The key reads `tvr_<prefix>_<secret>`: the prefix finds the row, the SHA-256 of the
    whole key (a high-entropy token: a slow password hash would add nothing) proves it.
    Each key acts as a user of its own (`actor`: no password, no staff, never signs in),
    so that the timeline and the admin's history name the key as who made a change."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    name = models.CharField(
        max_length=100, unique=True, help_text="The integration, e.g. “Bullhorn sync”."
    )
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, editable=False)
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.READ)
    actor = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_key", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API key"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE
