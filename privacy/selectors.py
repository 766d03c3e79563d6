"""Reads of a candidate's personal data: the export's content, and the latest consent."""

from django.db.models import QuerySet

from candidates.models import Candidate
from feedback import selectors as feedback_selectors

from .models import Consent

# What the export leaves out of a request: the key its links are signed with is a
# credential, not something about the person.
REQUEST_SECRETS = ("token_key",)


def _rows(queryset: QuerySet, *, leave_out: tuple[str, ...] = ()) -> list[dict]:
    fields = [f.attname for f in queryset.model._meta.concrete_fields if f.attname not in leave_out]
    return list(queryset.values(*fields))


def candidate_data(*, candidate: Candidate) -> dict:
    """Everything held about the candidate, as plain data (datetimes and durations left to
    the JSON encoder): the person, their consents, applications, interviews, the feedback
    requests about them, every answer (amendments included), every message, and every
    timeline event."""
    records = feedback_selectors.person_records(candidate=candidate)
    person = _rows(Candidate.objects.filter(pk=candidate.pk))[0]
    person["owner"] = str(candidate.owner)
    applications = _rows(records.applications)
    positions = {a.pk: str(a.position) for a in records.applications}
    for row in applications:
        row["position_name"] = positions[row["id"]]
    return {
        "format": "tvr-candidate-data/1",
        "person": person,
        "consents": _rows(Consent.objects.filter(candidate=candidate).order_by("at", "pk")),
        "applications": applications,
        "interviews": _rows(records.interviews),
        "feedback_requests": _rows(records.requests, leave_out=REQUEST_SECRETS),
        "answers": _rows(records.answers),
        "messages": _rows(records.messages),
        "timeline": _rows(records.events),
    }


def consent_history(*, candidate: Candidate) -> QuerySet:
    return Consent.objects.filter(candidate=candidate).select_related("recorded_by")
