"""The answers a recruiter exports for a span of days (the answers' admin, docs/import.md)."""

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Feedback

# What each exported row shows, read with the answer in one query.
EXPORT_RELATED = [
    "request__interview__application__candidate",
    "request__interview__application__position__client",
    "entered_by",
]


def day_span(*, first: date, last: date, zone=None) -> tuple[datetime, datetime]:
    """From the start of `first` to the end of `last` (the start of the next day), in
    `zone` (default: the reader's, which the admin activates)."""
    zone = zone or timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, time()), zone)
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time()), zone)
    return start, end


def feedback_for_export(
    *, answers: QuerySet[Feedback] | None = None, since: datetime, until: datetime
) -> QuerySet[Feedback]:
    """The answers (amendments included) given from `since` until before `until`, oldest
    first, with what the export shows of each: the lateness the answer was recorded with
    (feedback.services.answers.feedback_submit measures it, once), its request's deadline
    and interview, and the application's interest now. `answers`: the rows to pick from
    (e.g. the admin list's filters), default all."""
    answers = Feedback.objects.all() if answers is None else answers
    return (
        answers.filter(submitted_at__gte=since, submitted_at__lt=until)
        .select_related(*EXPORT_RELATED)
        .order_by("submitted_at", "pk")
    )
