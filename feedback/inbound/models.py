"""Inbound texts and mails, once each, and the addresses nothing more is sent to."""

from django.db import models

from candidates.models import Candidate


class InboundMessage(models.Model):
    """A text or a mail a person sent us, kept once per provider id: a provider that
    calls again with the same message finds it here and nothing happens twice."""

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "Email"

    class Outcome(models.TextChoices):
        ANSWER = "answer", "Recorded as an answer"
        UNREAD = "unread", "Not understood: kept as a note"
        OPT_OUT = "opt_out", "Opted out (STOP)"
        OPT_IN = "opt_in", "Opted in (START)"
        HELP = "help", "Asked for help"
        UNKNOWN_SENDER = "unknown_sender", "From no candidate we know"
        NO_OPEN_REQUEST = "no_open_request", "No open request to answer"

    channel = models.CharField(max_length=8, choices=Channel.choices)
    provider_id = models.CharField(max_length=200)
    sender = models.CharField(max_length=254)
    body = models.TextField(blank=True)
    received_at = models.DateTimeField()
    candidate = models.ForeignKey(
        Candidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    request = models.ForeignKey(
        "feedback.FeedbackRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_id"], name="inbound_message_once_per_provider_id"
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()} from {self.sender} ({self.get_outcome_display()})"


class Suppression(models.Model):
    """An address or number nothing more is sent to: the person said STOP, the mail
    bounced for good, or they complained. Checked when each message is sent."""

    class Reason(models.TextChoices):
        OPT_OUT = "opt_out", "Opted out"
        BOUNCE = "bounce", "Hard bounce"
        COMPLAINT = "complaint", "Complaint"

    channel = models.CharField(max_length=8, choices=InboundMessage.Channel.choices)
    address = models.CharField(max_length=254)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address"], name="suppression_once_per_address"
            )
        ]

    def __str__(self):
        return f"{self.address} ({self.get_reason_display()})"
