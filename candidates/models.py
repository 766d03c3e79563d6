"""Who, where and when: recruiters, clients, positions, candidates, applications, interviews."""

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce

from core.text import free_text_field, line_field


def validate_time_zone(value: str) -> None:
    """An IANA name such as America/Chicago (a validator, not choices: the list of zones
    comes from the machine's tz database and must not leak into migrations)."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"“{value}” is not a time zone (try e.g. America/Chicago).") from exc


def time_zone_field(**kwargs):
    return models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="e.g. America/Chicago",
        **kwargs,
    )


# --- the agency ATS's ids --------------------------------------------------------------
#
# Every record that can be imported (docs/import.md) carries the id it has in the agency's
# ATS: a re-import finds the row by it and updates it instead of adding a second one, and
# the files name related rows by it. Empty for rows typed in here; unique when given.


def external_id_field():
    return models.CharField(
        "external id",
        max_length=100,
        blank=True,
        help_text="This record's id in the agency's ATS (imports find the row by it).",
    )


def external_id_unique(name: str, noun: str) -> models.UniqueConstraint:
    """One row per external id; rows without one (typed in here) are not compared."""
    return models.UniqueConstraint(
        fields=["external_id"],
        condition=~models.Q(external_id=""),
        name=f"{name}_external_id_unique",
        violation_error_message=f"Another {noun} has this external id.",
    )


class Recruiter(models.Model):
    """The profile of a staff user who owns candidates and positions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recruiter"
    )
    office_phone = line_field(max_length=32, blank=True)
    cell_phone = line_field(max_length=32, blank=True)
    time_zone = time_zone_field()
    signature = free_text_field(blank=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name"]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def email(self) -> str:
        return self.user.email


class Client(models.Model):
    """An employer the agency recruits for."""

    name = line_field(unique=True)
    kind = line_field(max_length=100, blank=True, help_text="e.g. specialty hospital group.")
    city = line_field(max_length=100, blank=True)
    time_zone = time_zone_field()
    created_at = models.DateTimeField(auto_now_add=True)
    external_id = external_id_field()
    # The API's change feed (`updated_since`); a write through .update() sets it too.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [external_id_unique("client", "client")]

    def __str__(self):
        return self.name


class ClientContact(models.Model):
    """A person at a client, usually a hiring manager; may log in to the client pages."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client_contact",
    )
    name = line_field()
    title = line_field(blank=True)
    email = models.EmailField()
    phone = line_field(max_length=32, blank=True)
    time_zone = time_zone_field()
    external_id = external_id_field()
    # The API's change feed (`updated_since`).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["client__name", "name"]
        constraints = [external_id_unique("client_contact", "client contact")]

    def __str__(self):
        return f"{self.name} ({self.client})"


class Position(models.Model):
    """A job order at a client, owned by a recruiter."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ON_HOLD = "on_hold", "On hold"
        FILLED = "filled", "Filled"
        CLOSED = "closed", "Closed"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="positions")
    title = line_field()
    location = line_field(blank=True)
    recruiter = models.ForeignKey(Recruiter, on_delete=models.PROTECT, related_name="positions")
    hiring_contact = models.ForeignKey(
        ClientContact,
        on_delete=models.PROTECT,
        related_name="positions",
        help_text="Receives the client feedback requests for this position.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    external_id = external_id_field()
    # The API's change feed (`updated_since`); a write through .update() sets it too.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["client__name", "title"]
        constraints = [external_id_unique("position", "position")]

    def __str__(self):
        return f"{self.title} at {self.client}"


class Candidate(models.Model):
    first_name = line_field(max_length=100)
    last_name = line_field(max_length=100)
    email = models.EmailField()
    phone = line_field(max_length=32, blank=True)
    time_zone = time_zone_field()
    specialty = line_field(blank=True, help_text="e.g. emergency medicine.")
    owner = models.ForeignKey(Recruiter, on_delete=models.PROTECT, related_name="candidates")
    consent_email = models.BooleanField(default=True, help_text="Agreed to be emailed.")
    consent_sms = models.BooleanField(default=False, help_text="Agreed to receive text messages.")
    contact_by = models.CharField(
        "ask for feedback by",
        max_length=8,
        blank=True,
        default="",
        choices=[("email", "Email"), ("sms", "Text message (SMS)"), ("both", "Email and SMS")],
        help_text="Empty: the agency's default (the reminder policy). A text needs consent to SMS.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the person was anonymised (privacy's erasure): the row stays, for the counts
    # and timings of the applications it holds, without who it was.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    external_id = external_id_field()
    # The API's change feed (`updated_since`); a write through .update() sets it too.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [external_id_unique("candidate", "candidate")]
        indexes = [
            # Serves the admin's candidate list: ORDER BY last_name, first_name, id DESC
            #   LIMIT 100 (the admin appends -pk to make the order total).
            models.Index(fields=["last_name", "first_name", "-id"], name="candidate_name_idx"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Application(models.Model):
    """A candidate in process for a position, with the candidate's current interest."""

    class Stage(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        INTERVIEWING = "interviewing", "Interviewing"
        OFFER = "offer", "Offer"
        HIRED = "hired", "Hired"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class InterestStatus(models.TextChoices):
        UNKNOWN = "unknown", "Unknown"
        HIGH = "high", "High"
        MODERATE = "moderate", "Moderate"
        LOW = "low", "Low"
        POSSIBLY_WANED = "possibly_waned", "Possibly waned"
        NOT_INTERESTED = "not_interested", "Not interested"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="applications")
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="applications")
    # A copy of the candidate's owner, the recruiter whose desk this application is on,
    # kept right by candidates.services (application_save, candidate_save): the
    # dashboard filters its rows by desk, and through the candidates that was a join to
    # every candidate (see feedback.selectors.desk).
    candidate_owner = models.ForeignKey(
        Recruiter, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.SUBMITTED)
    interest_level = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    interest_status = models.CharField(
        max_length=16, choices=InterestStatus.choices, default=InterestStatus.UNKNOWN
    )
    interest_updated_at = models.DateTimeField(null=True, blank=True)
    # Set when the two sides disagree after an interview (e.g. the client advances but the
    # candidate is lukewarm): the recruiter should call. Cleared when the call is logged.
    debrief_needed_at = models.DateTimeField(null=True, blank=True)
    debrief_reason = line_field(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    external_id = external_id_field()
    # The API's change feed (`updated_since`); a write through .update() sets it too.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "position"], name="application_unique_candidate_position"
            ),
            models.CheckConstraint(
                condition=models.Q(interest_level__isnull=True)
                | models.Q(interest_level__gte=1, interest_level__lte=10),
                name="application_interest_level_1_to_10",
            ),
            external_id_unique("application", "application"),
        ]
        indexes = [
            # Serves the dashboard's call list: WHERE interest_status = 'possibly_waned'.
            models.Index(fields=["interest_status"], name="application_interest_idx"),
            # Serves the call list's waned applications, longest waiting first:
            #   WHERE interest_status = 'possibly_waned'
            #   ORDER BY COALESCE(interest_updated_at, created_at), id LIMIT n.
            models.Index(
                Coalesce("interest_updated_at", "created_at"),
                "id",
                name="application_waned_since_idx",
                condition=models.Q(interest_status="possibly_waned"),
            ),
            # Serves the call list's debriefs, longest waiting first:
            #   WHERE debrief_needed_at IS NOT NULL ORDER BY debrief_needed_at, id LIMIT n.
            models.Index(
                fields=["debrief_needed_at", "id"],
                name="application_debrief_idx",
                condition=models.Q(debrief_needed_at__isnull=False),
            ),
            # Serves the admin's application list: ORDER BY created_at DESC, id DESC LIMIT 100.
            models.Index(fields=["-created_at", "-id"], name="application_created_idx"),
            # Serves "candidates in process" per position and per client (the admin's lists,
            #   the client pipelines): WHERE position_id = … AND stage IN (…), read from the
            #   index alone. The index below has the same key and more; this narrow one is
            #   kept for counting (the client list's counts read fewer pages from it; see
            #   docs/benchmarks.md).
            models.Index(fields=["position", "stage"], name="application_stage_idx"),
            # Serves the client pages: a client's applications in process and their ids,
            #   WHERE position_id IN (…) AND stage IN (…), read from the index alone (the
            #   joins to interviews and requests for responsiveness and feedback awaited;
            #   the home's ranking by stage and created_at).
            models.Index(
                fields=["position", "stage"],
                include=["id", "created_at"],
                name="application_position_ids_idx",
            ),
            # Serves the dashboard's interest spread (feedback.selectors.charts.
            #   dashboard_interest_spread), read from the index alone: a desk's
            #   WHERE candidate_owner_id = … AND NOT stage IN (closed), one range;
            #   everyone's, the whole (smaller) index. The condition is the selector's
            #   exclude(stage__in=CLOSED_STAGES) exactly: CLOSED_STAGES (below) spelt in
            #   SQL, which candidates/tests/test_rules.py checks.
            models.Index(
                fields=["candidate_owner", "interest_level"],
                name="application_desk_spread_idx",
                condition=~models.Q(stage__in=["hired", "rejected", "withdrawn"]),
            ),
            # Serves everyone's interest spread: the same rows in interest_level order, so
            #   the counts stream from the index (GROUP BY without hashing every
            #   application in process).
            models.Index(
                fields=["interest_level"],
                name="application_spread_idx",
                condition=~models.Q(stage__in=["hired", "rejected", "withdrawn"]),
            ),
        ]

    def __str__(self):
        return f"{self.candidate} for {self.position}"


# --- the sets of stages and statuses other apps read --------------------------------------
#
# Each set is written once, here; the services, selectors, admin pages and client pages
# import it. Where a partial index spells a set in SQL (Application's indexes above), a
# test (candidates/tests/test_rules.py) holds the two equal.

# An application out of the process: nobody is asked about it any more.
CLOSED_STAGES = (
    Application.Stage.HIRED,
    Application.Stage.REJECTED,
    Application.Stage.WITHDRAWN,
)
# The stages of an application still in process, every other one: the client pages count
# these, the recruiter's lists count and filter by them.
IN_PROCESS = tuple(stage for stage in Application.Stage if stage not in CLOSED_STAGES)


# --- an interview ends after it starts --------------------------------------------------
#
# One rule, two spellings: the database's check (Interview's constraint) and the Python
# check every form and service asks before it writes (so that a person sees the reason,
# not a database error). candidates/tests/test_rules.py holds the two equal.

INTERVIEW_ENDS_AFTER_START = models.Q(ends_at__gt=models.F("starts_at"))
INTERVIEW_MUST_END_AFTER_START = "The interview must end after it starts."


def interview_times_validate(*, starts_at: datetime, ends_at: datetime) -> None:
    """Raises ValidationError unless an interview at these times ends after it starts."""
    if not ends_at > starts_at:
        raise ValidationError(INTERVIEW_MUST_END_AFTER_START, code="ends_before_start")


class Interview(models.Model):
    class Kind(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video"
        PHONE = "phone", "Phone"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"
        CANCELLED = "cancelled", "Cancelled"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="interviews"
    )
    # Copies of the desks the interview is on, kept right by feedback's interview_schedule
    # and candidates.services (*_save): the candidate's side is the candidate's owner's,
    # the client's side the position's recruiter's. The dashboard reads a desk's interviews
    # and feedback requests by these instead of joining each to its application,
    # candidate and position.
    # (No single-column indexes: the dashboard reads candidate_owner through
    # interview_desk_ends_idx, and position_recruiter within a few days' starts_at range.)
    candidate_owner = models.ForeignKey(
        Recruiter, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    position_recruiter = models.ForeignKey(
        Recruiter, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    round = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.IN_PERSON)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = time_zone_field()
    location = line_field(max_length=300, blank=True)
    video_link = models.URLField(blank=True)
    interviewers = line_field(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    created_at = models.DateTimeField(auto_now_add=True)
    external_id = external_id_field()
    # The API's change feed (`updated_since`); a write through .update() sets it too.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=INTERVIEW_ENDS_AFTER_START,
                name="interview_ends_after_start",
                # What a model check (an import's row) says when it is refused.
                violation_error_message=INTERVIEW_MUST_END_AFTER_START,
            ),
            external_id_unique("interview", "interview"),
        ]
        indexes = [
            models.Index(fields=["starts_at"], name="interview_starts_at_idx"),
            # Serves the dashboard's response-time chart: WHERE ends_at BETWEEN now - 30 days
            #   AND now (then the candidate request of each interview by its unique key).
            models.Index(fields=["ends_at"], name="interview_ends_at_idx"),
            # Serves the client pages (responsiveness; feedback awaited and given): from a
            #   client's applications, WHERE application_id = … AND ends_at BETWEEN now - 90
            #   days AND now AND status NOT IN ('cancelled', 'no_show'), read from the index
            #   alone (with the id the requests join on).
            models.Index(
                fields=["application", "ends_at"],
                include=["status", "id"],
                name="interview_application_ends_idx",
            ),
            # Serves a desk's response-time chart: WHERE candidate_owner_id = … AND ends_at
            #   BETWEEN now - 30 days AND now, then each one's candidate request by the
            #   requests' unique key (a tenth of the window's interviews, not all of them).
            models.Index(
                fields=["candidate_owner", "ends_at"],
                include=["id"],
                name="interview_desk_ends_idx",
            ),
        ]

    def __str__(self):
        return f"Round {self.round} – {self.application}"


# An interview that did not take place (cancelled, or the candidate did not come): it
# asks nobody for feedback, cannot be moved again, and the client pages show it as such.
NOT_HELD = (Interview.Status.CANCELLED, Interview.Status.NO_SHOW)
