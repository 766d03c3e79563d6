"""The columns of the ATS records in import and export files (docs/import.md): clients,
their contacts, positions, candidates and applications. Each row is keyed by its
`external_id`, the record's id in the agency's ATS, and names related rows by theirs
(`client_external_id`, …); recruiters are named by their email. Writes go through the
services that save each record from its admin page (candidates.services), so an imported
row and a typed one are saved alike. Interviews, whose saving plans the feedback loop, are
feedback's (feedback/resources.py)."""

from django.core.exceptions import ValidationError
from import_export import fields

from core.imports import (
    ChoiceWidget,
    ExternalIdForeignKeyWidget,
    ExternalIdResource,
    YesNoWidget,
)

from . import services
from .models import Application, Candidate, Client, ClientContact, Position, Recruiter


def related(model, column: str, attribute: str) -> fields.Field:
    """A column naming a related row by its external id."""
    return fields.Field(
        attribute=attribute, column_name=column, widget=ExternalIdForeignKeyWidget(model)
    )


def recruiter(column: str, attribute: str) -> fields.Field:
    """A column naming a recruiter by their email, in any letter case."""
    return fields.Field(
        attribute=attribute,
        column_name=column,
        widget=ExternalIdForeignKeyWidget(
            Recruiter, field="user__email", case_insensitive=True, select_related=("user",)
        ),
    )


def choice(column: str, choices) -> fields.Field:
    return fields.Field(attribute=column, column_name=column, widget=ChoiceWidget(choices))


class ClientResource(ExternalIdResource):
    class Meta:
        model = Client
        name = "Clients"
        fields = ["external_id", "name", "kind", "city", "time_zone"]


class ClientContactResource(ExternalIdResource):
    client = related(Client, "client_external_id", "client")

    class Meta:
        model = ClientContact
        name = "Client contacts"
        fields = ["external_id", "client", "name", "title", "email", "phone", "time_zone"]


class PositionResource(ExternalIdResource):
    keep_when_blank = ("status",)
    client = related(Client, "client_external_id", "client")
    recruiter = recruiter("recruiter_email", "recruiter")
    hiring_contact = related(ClientContact, "hiring_contact_external_id", "hiring_contact")
    status = choice("status", Position.Status.choices)

    class Meta:
        model = Position
        name = "Positions"
        fields = ["external_id", "client", "title", "location", "recruiter", "hiring_contact"]
        fields += ["status"]

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        contact = instance.hiring_contact if instance.hiring_contact_id else None
        if contact is not None and instance.client_id and contact.client_id != instance.client_id:
            raise ValidationError(
                {"hiring_contact": f"{contact.name} is a contact of {contact.client}."}
            )

    def write(self, *, instance, created, changed, actor):
        services.position_save(position=instance, changed=changed)


class CandidateResource(ExternalIdResource):
    keep_when_blank = ("time_zone", "consent_email", "consent_sms")
    owner = recruiter("owner_email", "owner")
    consent_email = fields.Field(
        attribute="consent_email", column_name="consent_email", widget=YesNoWidget()
    )
    consent_sms = fields.Field(
        attribute="consent_sms", column_name="consent_sms", widget=YesNoWidget()
    )

    class Meta:
        model = Candidate
        name = "Candidates"
        fields = ["external_id", "first_name", "last_name", "email", "phone", "time_zone"]
        fields += ["specialty", "owner", "consent_email", "consent_sms"]

    def write(self, *, instance, created, changed, actor):
        services.candidate_save(candidate=instance, changed=changed)


class ApplicationResource(ExternalIdResource):
    keep_when_blank = ("stage",)
    candidate = related(Candidate, "candidate_external_id", "candidate")
    position = related(Position, "position_external_id", "position")
    stage = choice("stage", Application.Stage.choices)
    # Read only: the loop sets them from the candidate's answers.
    interest_level = fields.Field(
        attribute="interest_level", column_name="interest_level", readonly=True
    )
    interest_status = fields.Field(
        attribute="interest_status", column_name="interest_status", readonly=True
    )

    class Meta:
        model = Application
        name = "Applications"
        fields = ["external_id", "candidate", "position", "stage"]
        fields += ["interest_level", "interest_status"]

    def write(self, *, instance, created, changed, actor):
        services.application_save(application=instance, fields=None if created else changed)
