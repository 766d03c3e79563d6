"""The candidates' data: consent recorded, data exported, people erased (by a recruiter or
by the retention rule). Each writes through the services of the apps that own the rows,
and each goes on the candidate's timeline with who did it."""

import calendar
import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from candidates import services as candidate_services
from candidates.models import Candidate
from feedback import selectors as feedback_selectors
from feedback import services as feedback_services
from feedback.models import TimelineEvent

from .models import Consent, RetentionRule
from .selectors import candidate_data

logger = logging.getLogger(__name__)

RETENTION_RULE = "the retention rule"
# Candidates erased by one run of the retention rule; the next day's run takes the rest.
RETENTION_BATCH = 500


@transaction.atomic
def consent_record(
    *,
    candidate: Candidate,
    channel: str,
    given: bool,
    source: str,
    at: datetime | None = None,
    actor=None,
) -> Consent:
    """Record that the candidate gave (or withdrew) consent to `channel`, when and how;
    the flag the loop reads follows the latest statement for the channel."""
    at = at or timezone.now()
    consent = Consent.objects.create(
        candidate=candidate,
        channel=channel,
        given=given,
        at=at,
        source=source,
        recorded_by=actor,
    )
    latest = Consent.objects.filter(candidate=candidate, channel=channel).order_by("-at", "-pk")[0]
    candidate_services.candidate_set_consent(
        candidate=candidate, channel=channel, given=latest.given
    )
    feedback_services.timeline_record(
        candidate=candidate,
        kind=TimelineEvent.Kind.CONSENT_CHANGED,
        summary=f"Consent to {consent.get_channel_display().lower()} "
        f"{'given' if given else 'withdrawn'} ({source})",
        actor=actor,
        data={"consent_id": consent.pk, "channel": channel, "given": given, "at": at.isoformat()},
    )
    return consent


def consent_record_from_text(*, candidate: Candidate, given: bool, source: str, at, **_) -> None:
    """STOP or START by text (feedback.signals.sms_consent_stated), recorded as consent."""
    consent_record(
        candidate=candidate, channel=Consent.Channel.SMS, given=given, source=source, at=at
    )


@transaction.atomic
def candidate_data_export(*, candidate: Candidate, actor, now: datetime | None = None) -> dict:
    """The candidate's data as one document, and the export on their timeline."""
    now = now or timezone.now()
    data = candidate_data(candidate=candidate)
    data["exported_at"] = now
    feedback_services.timeline_record(
        candidate=candidate,
        kind=TimelineEvent.Kind.DATA_EXPORTED,
        summary=f"Personal data exported by {_who(actor)}",
        actor=actor,
        now=now,
    )
    return data


@transaction.atomic
def candidate_erase(*, candidate: Candidate, actor=None, now: datetime | None = None) -> bool:
    """Anonymise the candidate: their name becomes "Erased candidate #id", their contact
    details and consent go, and so does the free text of every answer and message about
    them; counts, levels, decisions and every time stay, so the charts and the clients'
    responsiveness add up as before. `actor` None: the retention rule. False, with nothing
    changed, when they were erased already."""
    now = now or timezone.now()
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.erased_at is not None:
        return False
    words = [candidate.full_name, candidate.email, candidate.phone]
    erased = feedback_services.person_erase_records(candidate=candidate, words=words, now=now)
    candidate_services.candidate_anonymise(candidate=candidate, now=now)
    feedback_services.timeline_record(
        candidate=candidate,
        kind=TimelineEvent.Kind.DATA_ERASED,
        summary=f"Personal data erased by {_who(actor)}",
        actor=actor,
        data={"by": "recruiter" if actor else "retention rule", **erased},
        now=now,
    )
    return True


def retention_rule_get() -> RetentionRule:
    rule, _ = RetentionRule.objects.get_or_create(pk=1)
    return rule


def retention_apply(*, now: datetime | None = None) -> int:
    """Erase the candidates of whom nothing has been heard for the rule's months, while
    the rule is on; each erasure is on that candidate's timeline ("by the retention
    rule"). Returns how many were erased."""
    now = now or timezone.now()
    rule = retention_rule_get()
    if not rule.enabled:
        return 0
    cutoff = months_before(now, rule.months)
    due = feedback_selectors.candidates_inactive_since(cutoff=cutoff).order_by("pk")
    erased = 0
    for candidate in due[:RETENTION_BATCH]:
        erased += candidate_erase(candidate=candidate, actor=None, now=now)
    RetentionRule.objects.filter(pk=rule.pk).update(last_run_at=now, last_run_erased=erased)
    logger.info("retention rule: %s candidate(s) inactive since %s erased", erased, cutoff)
    return erased


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day when
    that month is shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _who(actor) -> str:
    if actor is None:
        return RETENTION_RULE
    return actor.get_full_name() or actor.get_username()
