"""The after-interview loop: requests, answers, the outbox and the timeline."""

import uuid
from datetime import time, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from candidates.models import Application, Candidate, Interview, Position, Recruiter
from core.formatting import moment_text
from core.text import free_text_field, line_field


class Party(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    CLIENT = "client", "Client"


class ReminderPolicy(models.Model):
    """When to ask, remind and give up; one row (pk=1), edited in the admin.

    Offsets count from the interview's end. Changes apply to interviews scheduled or
    rescheduled after the change; requests already planned keep their times.
    """

    candidate_ask_after = models.DurationField(default=timedelta(0))
    candidate_remind_after = models.DurationField(
        default=timedelta(minutes=60), null=True, blank=True, help_text="Empty: no reminder."
    )
    candidate_deadline_after = models.DurationField(default=timedelta(minutes=120))
    client_ask_after = models.DurationField(default=timedelta(0))
    client_remind_after = models.DurationField(
        default=timedelta(hours=24), null=True, blank=True, help_text="Empty: no reminder."
    )
    client_deadline_after = models.DurationField(default=timedelta(hours=48))
    quiet_hours_start = models.TimeField(
        default=time(21, 0),
        null=True,
        blank=True,
        help_text="In the recipient's time zone; requests and reminders wait until it ends.",
    )
    quiet_hours_end = models.TimeField(default=time(8, 0), null=True, blank=True)
    # The agency's default for a candidate who has not chosen (Candidate.contact_by).
    candidate_channels = models.CharField(
        "candidates are asked by",
        max_length=8,
        choices=[("email", "Email"), ("sms", "Text message (SMS)"), ("both", "Email and SMS")],
        default="email",
        help_text="For candidates who have not chosen. A text needs their consent to SMS.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reminder policy"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(candidate_deadline_after__gt=models.F("candidate_ask_after")),
                name="policy_candidate_deadline_after_ask",
            ),
            models.CheckConstraint(
                condition=models.Q(client_deadline_after__gt=models.F("client_ask_after")),
                name="policy_client_deadline_after_ask",
            ),
        ]

    def __str__(self):
        return "Reminder policy"

    def offsets_for(self, party: str) -> tuple[timedelta, timedelta | None, timedelta]:
        """(ask, remind or None, deadline) offsets from the interview's end."""
        if party == Party.CANDIDATE:
            return (
                self.candidate_ask_after,
                self.candidate_remind_after,
                self.candidate_deadline_after,
            )
        return self.client_ask_after, self.client_remind_after, self.client_deadline_after


# Everything a request's messages and pages read: the people on both sides and the job.
REQUEST_PEOPLE = (
    "interview__application__candidate__owner__user",
    "interview__application__position__client",
    "interview__application__position__recruiter__user",
    "interview__application__position__hiring_contact",
)


class FeedbackRequest(models.Model):
    """One per interview and party: the ask, the reminder and the deadline."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled (not asked yet)"
        PENDING = "pending", "Pending"
        RECEIVED = "received", "Received"
        OVERDUE = "overdue", "Overdue"
        CANCELLED = "cancelled", "Cancelled"

    class Step(models.TextChoices):
        ASK = "ask", "Ask"
        REMIND = "remind", "Remind"
        DEADLINE = "deadline", "Deadline"

    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="feedback_requests"
    )
    party = models.CharField(max_length=16, choices=Party.choices)
    # The recruiter whose desk the request is on: the candidate's owner for the candidate's
    # request, the position's recruiter for the client's. A copy kept right by
    # feedback_requests_plan and services.desks (following candidates' desks_changed):
    # the dashboard reads a desk's requests as one index range instead of probing each
    # request's interview for its desk.
    desk = models.ForeignKey(
        Recruiter, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    # A copy of the interview's application's position, kept right the same way
    # (feedback_requests_plan, services.desks.desks_follow_application): the client pages and
    # the client list find a client's requests by position instead of through each
    # application and interview of the client (thousands for a big client).
    position = models.ForeignKey(
        Position, on_delete=models.CASCADE, related_name="+", editable=False, db_index=False
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    ask_at = models.DateTimeField()
    remind_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    # When the sweep must next look at this row; recomputed on every state change.
    next_action_at = models.DateTimeField(null=True, blank=True)
    asked_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Bumped when the request is planned again (reschedule, resend) so that the new
    # cycle's messages are new outbox rows while each cycle's stay unique.
    cycle = models.PositiveSmallIntegerField(default=1)
    # What a portal link signs; rotating it revokes every link issued before.
    token_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "party"], name="feedback_request_unique_interview_party"
            ),
            models.CheckConstraint(
                condition=models.Q(due_at__gt=models.F("ask_at")),
                name="feedback_request_due_after_ask",
            ),
        ]
        # The statuses in the conditions below are feedback.rules' sets (ACTIVE_, OPEN_,
        # AWAITED_STATUSES) spelt in SQL; feedback/tests/test_rules.py holds them equal.
        indexes = [
            # Serves the sweep: WHERE status IN ('scheduled', 'pending')
            #   AND next_action_at <= now ORDER BY next_action_at LIMIT batch.
            models.Index(
                fields=["next_action_at"],
                name="feedback_request_sweep_idx",
                condition=models.Q(status__in=["scheduled", "pending"]),
            ),
            # Serves the dashboard's "feedback awaited": WHERE status = 'pending' ORDER BY
            #   due_at, id LIMIT 25, and its count. With the id in the key the walk stops at
            #   the 25th row; on due_at alone (the index this one replaced), rows with the
            #   same deadline had to be read and sorted whole.
            models.Index(
                fields=["due_at", "id"],
                name="feedback_request_pending_idx",
                condition=models.Q(status="pending"),
            ),
            # Serves a desk's "feedback awaited" the same way, and its count: one range.
            models.Index(
                fields=["desk", "due_at", "id"],
                name="feedback_request_desk_pend_idx",
                condition=models.Q(status="pending"),
            ),
            # Serves the admin's request list: ORDER BY due_at, id DESC LIMIT 100 (the admin
            #   appends -pk to make the order total).
            models.Index(fields=["due_at", "-id"], name="feedback_request_due_idx"),
            # Serves "client feedback overdue" (the dashboard: WHERE party = 'client' AND
            #   (status = 'overdue' OR status = 'pending' AND due_at < now) ORDER BY due_at, id
            #   LIMIT n; the client list: status = 'overdue' AND due_at in the last 30 days).
            models.Index(
                fields=["due_at", "id"],
                include=["position", "status"],
                name="feedback_request_client_idx",
                condition=models.Q(party="client", status__in=["overdue", "pending"]),
            ),
            # Serves a desk's "client feedback overdue" the same way: one range.
            models.Index(
                fields=["desk", "due_at", "id"],
                name="feedback_request_desk_cli_idx",
                condition=models.Q(party="client", status__in=["overdue", "pending"]),
            ),
            # Serves the client pages' requests of a contact's positions (the home page's
            #   "awaiting your feedback"): WHERE party = 'client' AND status IN (open) AND
            #   position_id IN (…) ORDER BY due_at, id, from the index alone.
            models.Index(
                fields=["position", "due_at", "id"],
                include=["status", "interview"],
                name="feedback_request_pos_open_idx",
                condition=models.Q(party="client", status__in=["scheduled", "pending", "overdue"]),
            ),
            # Serves the client's responsiveness (90 days) and the client pages' request lists:
            #   the client request of each of a client's interviews, WHERE party = 'client'
            #   AND interview_id = …, with what responsiveness reads and what the lists
            #   order by (due_at, id) from the index alone.
            models.Index(
                fields=["interview"],
                include=["status", "due_at", "received_at", "asked_at", "id"],
                name="feedback_request_client_iv_idx",
                condition=models.Q(party="client"),
            ),
            # Serves the dashboard's response-time chart: WHERE party = 'candidate' AND
            #   status IN ('received', 'overdue') AND due_at >= now - 37 days (a range that
            #   the interviews' 30-day window implies), with what the chart counts.
            models.Index(
                fields=["due_at"],
                include=["interview", "received_at", "status"],
                name="feedback_response_chart_idx",
                condition=models.Q(party="candidate", status__in=["received", "overdue"]),
            ),
        ]

    def __str__(self):
        return f"{self.get_party_display()} feedback for {self.interview}"

    @property
    def next_step(self) -> str | None:
        """The next thing the loop must do for this request, or None when it is settled."""
        if self.status == self.Status.SCHEDULED:
            return self.Step.ASK
        if self.status == self.Status.PENDING:
            if self.reminders_sent == 0 and self.remind_at and self.remind_at < self.due_at:
                return self.Step.REMIND
            return self.Step.DEADLINE
        return None

    @property
    def addressee(self):
        """Who is asked: the Candidate, or the position's hiring ClientContact (both have
        an email, a phone and a time zone)."""
        application = self.interview.application
        if self.party == Party.CANDIDATE:
            return application.candidate
        return application.position.hiring_contact

    @property
    def addressee_name(self) -> str:
        person = self.addressee
        return person.full_name if self.party == Party.CANDIDATE else person.name

    def step_time(self, step: str | None):
        return {
            self.Step.ASK: self.ask_at,
            self.Step.REMIND: self.remind_at,
            self.Step.DEADLINE: self.due_at,
        }.get(step)

    def time_left(self, now) -> timedelta:
        return self.due_at - now


class Feedback(models.Model):
    """An answer to a request. An amendment is a new row; the old one is kept."""

    # What each party answers (the portal and phone forms, the client's form).
    CANDIDATE_FIELDS = (
        "interest_level",
        "still_interested",
        "went_well",
        "concerns",
        "questions",
        "wants_call",
        "preferred_call_time",
    )
    CLIENT_FIELDS = ("decision", "rating", "strengths", "concerns", "next_step", "next_step_date")

    class Channel(models.TextChoices):
        PORTAL = "portal", "Portal"
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        CLIENT_PAGE = "client_page", "Client page"

    class StillInterested(models.TextChoices):
        YES = "yes", "Yes"
        UNSURE = "unsure", "Not sure"
        NO = "no", "No"

    class Decision(models.TextChoices):
        ADVANCE = "advance", "Advance"
        HOLD = "hold", "Hold"
        DECLINE = "decline", "Decline"

    request = models.ForeignKey(FeedbackRequest, on_delete=models.CASCADE, related_name="answers")
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PORTAL)
    submitted_at = models.DateTimeField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The recruiter who logged it (phone, email); empty when given by the party.",
    )
    # How long after the deadline it arrived; empty when on time.
    lateness = models.DurationField(null=True, blank=True)
    is_current = models.BooleanField(default=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="amended_by"
    )
    # Candidate's answer
    interest_level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    still_interested = models.CharField(max_length=8, choices=StillInterested.choices, blank=True)
    went_well = free_text_field(blank=True)
    concerns = free_text_field(blank=True)
    questions = free_text_field(blank=True, help_text="Questions or notes for the recruiter.")
    wants_call = models.BooleanField(default=False)
    preferred_call_time = line_field(blank=True)
    # Client's answer
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    strengths = free_text_field(blank=True)
    next_step = line_field(max_length=300, blank=True)
    next_step_date = models.DateField(null=True, blank=True)
    # Which parts of a candidate's answer the recruiter shares with the client.
    shared_with_client = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = "feedback"
        verbose_name_plural = "feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(is_current=True),
                name="feedback_one_current_per_request",
            ),
            models.CheckConstraint(
                condition=models.Q(interest_level__isnull=True)
                | models.Q(interest_level__gte=1, interest_level__lte=10),
                name="feedback_interest_level_1_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_1_to_5",
            ),
        ]
        indexes = [
            # Serves the dashboard's latest answers and the admin's answer list:
            #   ORDER BY submitted_at DESC, id DESC LIMIT n.
            models.Index(fields=["-submitted_at", "-id"], name="feedback_submitted_idx"),
            # Serves the call list's "asked for a call": WHERE is_current AND wants_call.
            models.Index(
                fields=["request"],
                name="feedback_wants_call_idx",
                condition=models.Q(is_current=True, wants_call=True),
            ),
        ]

    def __str__(self):
        return f"Feedback on {self.request} at {moment_text(self.submitted_at)}"


class OutboundMessage(models.Model):
    """The outbox: one row per message to send, sent at most once after success."""

    class Kind(models.TextChoices):
        REQUEST = "request", "Feedback request"
        REMINDER = "reminder", "Reminder"
        OVERDUE_ALERT = "overdue_alert", "Overdue alert to recruiter"
        FEEDBACK_RECEIVED = "feedback_received", "Feedback received (to recruiter)"
        DEBRIEF_ALERT = "debrief_alert", "Debrief alert to recruiter"
        INVITATION = "invitation", "Client invitation"
        PASSWORD_RESET = "password_reset", "Client password reset"
        WEBHOOK = "webhook", "Webhook event"
        # Our answer to a text or mail the candidate sent (STOP, START, HELP, an unread reply).
        AUTO_REPLY = "auto_reply", "Answer to a reply"
        REPLY_UNREAD = "reply_unread", "Unread reply (to recruiter)"
        INVITE = "invite", "Calendar invite"
        INVITE_CANCELLED = "invite_cancelled", "Calendar invite cancelled"

    # A channel comes with its transport (feedback/transports.py, docs/architecture.md).
    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"
        SMS = "sms", "SMS"
        CALENDAR = "calendar", "Calendar invite"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    # Messages that ask the party; they lose their point once the request is settled.
    ASKING_KINDS = (Kind.REQUEST, Kind.REMINDER)

    request = models.ForeignKey(
        FeedbackRequest, on_delete=models.CASCADE, related_name="messages", null=True, blank=True
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    dedupe_key = models.CharField(max_length=64, blank=True, default="")
    # A webhook's endpoint, and the timeline event it tells (feedback/webhooks/).
    webhook_endpoint = models.ForeignKey(
        "feedback.WebhookEndpoint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    timeline_event = models.ForeignKey(
        "feedback.TimelineEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # A calendar invite's iCalendar text (feedback/invites/), written when it is queued.
    body_calendar = models.TextField(blank=True, default="", db_default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The provider's id for it (an SMS's Twilio SID, an email's ESP id) and what the
    # provider last said of it (delivery callbacks, feedback/sms/, feedback/inbound/).
    # (Database defaults too: the sweep's INSERT … SELECT names only the columns it sets.)
    provider_id = models.CharField(
        max_length=64, blank=True, default="", db_default="", db_index=True
    )
    delivery_status = models.CharField(max_length=16, blank=True, default="", db_default="")
    delivery_status_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The id of the web request that queued it (blank for the loop's own messages), so that
    # its delivery's log lines lead back to the request's, however late it goes out. A
    # database default too: the code of the release before, running while a deploy
    # migrates, inserts rows without it.
    queued_by_request = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outbox message"
        verbose_name_plural = "outbox"
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind", "channel", "dedupe_key"],
                name="outbound_message_once_per_request_kind_channel",
            ),
            # An event reaches an endpoint once (a webhook belongs to no request, and a
            # NULL request would make the constraint above hold for nothing).
            # An answer to an inbound message (maybe of no request) goes once per dedupe key.
            models.UniqueConstraint(
                fields=["kind", "channel", "dedupe_key"],
                condition=models.Q(kind="auto_reply"),
                name="outbound_auto_reply_once",
            ),
            models.UniqueConstraint(
                fields=["timeline_event", "webhook_endpoint"],
                condition=models.Q(channel="webhook"),
                name="outbound_webhook_once_per_event_endpoint",
            ),
        ]
        indexes = [
            # Serves the sweep's re-dispatch: WHERE status = 'queued' AND next_attempt_at <= now.
            models.Index(
                fields=["next_attempt_at"],
                name="outbound_queued_idx",
                condition=models.Q(status="queued"),
            ),
            # Serves the lease reclaim: WHERE status = 'sending' AND claimed_at < now - lease.
            models.Index(
                fields=["claimed_at"],
                name="outbound_sending_idx",
                condition=models.Q(status="sending"),
            ),
            # Serves the admin's outbox list: ORDER BY created_at DESC, id DESC LIMIT 100.
            models.Index(fields=["-created_at", "-id"], name="outbound_created_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient} ({self.status})"

    @property
    def message_id(self) -> str:
        """A stable Message-ID, so that a receiver can recognise a repeated delivery."""
        return f"<outbox-{self.pk}-{self.dedupe_key or 'x'}@tvr-feedback>"


class TimelineEvent(models.Model):
    """The audit trail of an application: what happened, when, and who did it."""

    class Kind(models.TextChoices):
        INTERVIEW_SCHEDULED = "interview_scheduled", "Interview scheduled"
        INTERVIEW_RESCHEDULED = "interview_rescheduled", "Interview rescheduled"
        INTERVIEW_COMPLETED = "interview_completed", "Interview completed"
        INTERVIEW_CANCELLED = "interview_cancelled", "Interview cancelled"
        INTERVIEW_NO_SHOW = "interview_no_show", "No-show"
        REQUEST_SENT = "request_sent", "Feedback requested"
        REMINDER_SENT = "reminder_sent", "Reminder queued"
        FEEDBACK_RECEIVED = "feedback_received", "Feedback received"
        FEEDBACK_AMENDED = "feedback_amended", "Feedback amended"
        MARKED_OVERDUE = "marked_overdue", "Feedback overdue"
        MARKED_POSSIBLY_WANED = "marked_possibly_waned", "Marked possibly waned"
        INTEREST_RESTORED = "interest_restored", "Interest restored by late answer"
        MESSAGE_FAILED = "message_failed", "Message failed"
        DEBRIEF_NEEDED = "debrief_needed", "Debrief needed (the two sides disagree)"
        DEBRIEF_DONE = "debrief_done", "Debrief call logged"
        LINK_RESENT = "link_resent", "Feedback link sent again"
        MESSAGE_RETRIED = "message_retried", "Message retried"
        APPLICATION_WITHDRAWN = "application_withdrawn", "Application withdrawn"
        SHARED_WITH_CLIENT = "shared_with_client", "Shared with the client"
        CONSENT_CHANGED = "consent_changed", "Consent recorded"
        DATA_EXPORTED = "data_exported", "Personal data exported"
        DATA_ERASED = "data_erased", "Personal data erased"
        APPLICATION_ADDED = "application_added", "Application added"
        APPLICATION_CHANGED = "application_changed", "Application changed"
        CANDIDATE_ADDED = "candidate_added", "Candidate added"
        CANDIDATE_CHANGED = "candidate_changed", "Candidate changed"
        REPLY_UNREAD = "reply_unread", "Reply kept as a note (not understood)"
        ADDRESS_SUPPRESSED = "address_suppressed", "Address suppressed (bounce or complaint)"

    # An event of one application, or (consent, export, erasure) of the person: then
    # only `candidate` is set.
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="timeline", null=True, blank=True
    )
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.CASCADE,
        related_name="timeline",
        null=True,
        blank=True,
        help_text="Set for an event about the person rather than one application.",
    )
    request = models.ForeignKey(
        FeedbackRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the system or the party acted.",
    )
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(application__isnull=False) | models.Q(candidate__isnull=False),
                name="timeline_event_of_an_application_or_a_candidate",
            ),
        ]
        indexes = [
            models.Index(fields=["application", "-created_at"], name="timeline_application_idx"),
            # Serves the admin's timeline list: ORDER BY created_at DESC, id DESC LIMIT 100.
            models.Index(fields=["-created_at", "-id"], name="timeline_created_idx"),
        ]

    def __str__(self):
        return f"{moment_text(self.created_at)} {self.summary}"


class SweepRecord(models.Model):
    """The sweeps' running record, one row (pk=1): when the last one finished (by the
    loop's clock) and what all of them did, added up. Every host's sweeps write here, so the
    web can tell the loop's health and serve its metrics without asking the workers."""

    ROW = 1

    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_duration_seconds = models.FloatField(default=0.0)
    runs = models.PositiveBigIntegerField(default=0)
    duration_seconds = models.FloatField(default=0.0)
    asked = models.PositiveBigIntegerField(default=0)
    reminded = models.PositiveBigIntegerField(default=0)
    deferred = models.PositiveBigIntegerField(default=0)
    overdue = models.PositiveBigIntegerField(default=0)
    waned = models.PositiveBigIntegerField(default=0)
    reclaimed = models.PositiveBigIntegerField(default=0)
    redispatched = models.PositiveBigIntegerField(default=0)

    # The sweep's steps, as the record's columns and the metrics' "step" label.
    STEPS = ("asked", "reminded", "deferred", "overdue", "waned", "reclaimed", "redispatched")

    def __str__(self):
        return f"sweeps: {self.runs}, last finished {self.last_finished_at}"


# The webhook channel's endpoints (feedback/webhooks/), registered with the app's models.
# Inbound texts and mails, and the addresses nothing more goes to (feedback/inbound/).
from .inbound.models import InboundMessage, Suppression  # noqa: E402, F401
from .webhooks.models import WebhookEndpoint  # noqa: E402, F401

# The agency's wording of each message (feedback/wording/).
from .wording.models import MessageWording  # noqa: E402, F401
