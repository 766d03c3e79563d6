"""What the API takes in (validated, then handed to a service) and what it gives back.
Input serializers check the shape and the references; the decisions are the services'."""

from rest_framework import serializers

from candidates.models import (
    Application,
    Candidate,
    Client,
    ClientContact,
    Interview,
    Position,
    Recruiter,
)
from feedback.models import Feedback, FeedbackRequest, TimelineEvent

# --- out ------------------------------------------------------------------------------


class ClientOut(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "name", "kind", "city", "time_zone", "created_at", "updated_at"]


class ContactOut(serializers.ModelSerializer):
    class Meta:
        model = ClientContact
        fields = ["id", "client", "name", "title", "email", "phone", "time_zone", "updated_at"]


class PositionOut(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = [
            "id",
            "client",
            "title",
            "location",
            "recruiter",
            "hiring_contact",
            "status",
            "created_at",
            "updated_at",
        ]


class CandidateOut(serializers.ModelSerializer):
    class Meta:
        model = Candidate
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "time_zone",
            "specialty",
            "owner",
            "consent_email",
            "consent_sms",
            "created_at",
            "updated_at",
        ]


class ApplicationOut(serializers.ModelSerializer):
    class Meta:
        model = Application
        fields = [
            "id",
            "candidate",
            "position",
            "stage",
            "interest_level",
            "interest_status",
            "interest_updated_at",
            "debrief_needed_at",
            "debrief_reason",
            "created_at",
            "updated_at",
        ]


class InterviewOut(serializers.ModelSerializer):
    class Meta:
        model = Interview
        fields = [
            "id",
            "application",
            "round",
            "kind",
            "starts_at",
            "ends_at",
            "time_zone",
            "location",
            "video_link",
            "interviewers",
            "status",
            "created_at",
            "updated_at",
        ]


class FeedbackRequestOut(serializers.ModelSerializer):
    class Meta:
        model = FeedbackRequest
        fields = [
            "id",
            "interview",
            "party",
            "status",
            "ask_at",
            "remind_at",
            "due_at",
            "asked_at",
            "reminders_sent",
            "opened_at",
            "received_at",
            "overdue_at",
            "cancelled_at",
            "created_at",
        ]


class AnswerOut(serializers.ModelSerializer):
    party = serializers.CharField(source="request.party", read_only=True)
    lateness_seconds = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = [
            "id",
            "request",
            "party",
            "channel",
            "submitted_at",
            "lateness_seconds",
            "is_current",
            "supersedes",
            *Feedback.CANDIDATE_FIELDS,
            *(name for name in Feedback.CLIENT_FIELDS if name not in Feedback.CANDIDATE_FIELDS),
            "shared_with_client",
        ]

    def get_lateness_seconds(self, feedback) -> int | None:
        return int(feedback.lateness.total_seconds()) if feedback.lateness else None


class TimelineEventOut(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = TimelineEvent
        fields = ["id", "application", "request", "kind", "summary", "actor", "data", "created_at"]

    def get_actor(self, event) -> str | None:
        """Who did it (a recruiter, or an API key's name); null for the loop or the party."""
        if event.actor is None:
            return None
        return event.actor.get_full_name() or event.actor.get_username()


# --- in -------------------------------------------------------------------------------


class ClientIn(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["name", "kind", "city", "time_zone"]


class ContactIn(serializers.ModelSerializer):
    class Meta:
        model = ClientContact
        fields = ["client", "name", "title", "email", "phone", "time_zone"]


class PositionIn(serializers.ModelSerializer):
    recruiter = serializers.PrimaryKeyRelatedField(queryset=Recruiter.objects.all())

    class Meta:
        model = Position
        fields = ["client", "title", "location", "recruiter", "hiring_contact", "status"]

    def validate(self, data):
        client = data.get("client") or getattr(self.instance, "client", None)
        contact = data.get("hiring_contact") or getattr(self.instance, "hiring_contact", None)
        if client and contact and contact.client_id != client.pk:
            raise serializers.ValidationError(
                {"hiring_contact": ["The hiring contact must be a contact of the client."]}
            )
        return data


class CandidateIn(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=Recruiter.objects.all())

    class Meta:
        model = Candidate
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "time_zone",
            "specialty",
            "owner",
            "consent_email",
            "consent_sms",
        ]


# A withdrawal goes through its own operation (it cancels interviews and requests).
SETTABLE_STAGES = [
    (value, label)
    for value, label in Application.Stage.choices
    if value != Application.Stage.WITHDRAWN
]


class ApplicationIn(serializers.ModelSerializer):
    stage = serializers.ChoiceField(choices=SETTABLE_STAGES, required=False)

    class Meta:
        model = Application
        fields = ["candidate", "position", "stage"]


class ApplicationUpdateIn(serializers.Serializer):
    stage = serializers.ChoiceField(choices=SETTABLE_STAGES)


class ApplicationWithdrawIn(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class InterviewScheduleIn(serializers.ModelSerializer):
    round = serializers.IntegerField(min_value=1, max_value=100, required=False)

    class Meta:
        model = Interview
        fields = [
            "application",
            "starts_at",
            "ends_at",
            "kind",
            "time_zone",
            "round",
            "location",
            "video_link",
            "interviewers",
        ]


class InterviewDetailsIn(serializers.ModelSerializer):
    """The plain details of an interview (nothing the loop reads)."""

    round = serializers.IntegerField(min_value=1, max_value=100, required=False)

    class Meta:
        model = Interview
        fields = ["kind", "time_zone", "round", "location", "video_link", "interviewers"]


class InterviewRescheduleIn(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class InterviewCancelIn(serializers.Serializer):
    no_show = serializers.BooleanField(
        default=False, help_text="The candidate did not come (instead of a cancellation)."
    )
