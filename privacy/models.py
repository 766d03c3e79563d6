"""What the agency records of a candidate's consent, and how long it keeps their data."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from candidates.models import Candidate
from core.text import line_field


class Consent(models.Model):
    """One statement of consent for a channel, given or withdrawn: the history is kept,
    the latest per channel is what the candidate's flag (`consent_email`,
    `consent_sms`, which the loop reads) says."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text messages (SMS)"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    given = models.BooleanField(help_text="Ticked: consent given. Unticked: withdrawn.")
    at = models.DateTimeField("when", help_text="When the candidate gave or withdrew it.")
    source = line_field(
        max_length=100,
        help_text="How: e.g. “portal”, “recruiter by phone”, “import”, “signed form”.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["candidate", "channel", "-at"], name="consent_latest_idx")]
        permissions = [
            ("export_candidate_data", "Can export a candidate's personal data"),
            ("erase_candidate", "Can erase (anonymise) a candidate and set the retention rule"),
        ]

    def __str__(self):
        verb = "gave" if self.given else "withdrew"
        return f"{self.candidate} {verb} consent to {self.get_channel_display().lower()}"


class RetentionRule(models.Model):
    """One row (pk=1), edited in the admin: candidates with no activity for `months` are
    anonymised by the daily retention task while `enabled`."""

    enabled = models.BooleanField(default=False)
    months = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text="Anonymise candidates with no activity for this many months.",
    )
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_run_erased = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "retention rule"

    def __str__(self):
        state = "on" if self.enabled else "off"
        return f"Anonymise after {self.months} months without activity ({state})"
