"""Reads of everything the loop holds about one person (privacy's export and erasure),
and of the people it has not heard of for a long time (privacy's retention rule)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from candidates.models import Application, Candidate, Interview

from ..models import Feedback, FeedbackRequest, OutboundMessage, TimelineEvent


@dataclass(frozen=True)
class PersonRecords:
    """A candidate's rows in the loop, each a queryset in a stable order: their
    applications and interviews, the requests about those interviews (both parties':
    the client's answers are opinions about the candidate), every answer with its
    amendments, every message of those requests, and every timeline event of their
    applications or of the person."""

    applications: QuerySet
    interviews: QuerySet
    requests: QuerySet
    answers: QuerySet
    messages: QuerySet
    events: QuerySet


def person_records(*, candidate: Candidate) -> PersonRecords:
    of_candidate = Q(interview__application__candidate=candidate)
    return PersonRecords(
        applications=Application.objects.filter(candidate=candidate)
        .select_related("position__client")
        .order_by("pk"),
        interviews=Interview.objects.filter(application__candidate=candidate).order_by("pk"),
        requests=FeedbackRequest.objects.filter(of_candidate).order_by("pk"),
        answers=Feedback.objects.filter(
            request__interview__application__candidate=candidate
        ).order_by("pk"),
        messages=OutboundMessage.objects.filter(
            request__interview__application__candidate=candidate
        ).order_by("pk"),
        events=TimelineEvent.objects.filter(
            Q(application__candidate=candidate) | Q(candidate=candidate)
        ).order_by("pk"),
    )


def candidates_inactive_since(*, cutoff: datetime) -> QuerySet:
    """Candidates not yet erased of whom nothing has been heard since `cutoff`: created
    before it, with no application created, interview ended, or event on their
    applications' or their own timeline since (every answer, message and change writes
    one; an export of their data does not count)."""
    return Candidate.objects.filter(erased_at__isnull=True, created_at__lt=cutoff).exclude(
        Exists(Application.objects.filter(candidate=OuterRef("pk"), created_at__gte=cutoff))
        | Exists(
            Interview.objects.filter(application__candidate=OuterRef("pk"), ends_at__gte=cutoff)
        )
        | Exists(
            TimelineEvent.objects.filter(
                application__candidate=OuterRef("pk"), created_at__gte=cutoff
            )
        )
        # The person's own events, but an export: reading their data is not hearing of them.
        | Exists(
            TimelineEvent.objects.filter(candidate=OuterRef("pk"), created_at__gte=cutoff).exclude(
                kind=TimelineEvent.Kind.DATA_EXPORTED
            )
        )
    )
