"""The retention rule: while on, beat's daily task anonymises the candidates with no
activity for its months, each erasure on their timeline as the rule's."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from feedback.models import TimelineEvent
from privacy import services, tasks
from privacy.models import RetentionRule
from tests.factories import ApplicationFactory, schedule_interview

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def candidate_last_heard_of(moment) -> Candidate:
    with time_machine.travel(moment, tick=False):
        interview = schedule_interview(
            application=ApplicationFactory(), ends_at=moment + dt.timedelta(hours=1)
        )
    return interview.application.candidate


def rule(*, enabled: bool, months: int = 24) -> RetentionRule:
    RetentionRule.objects.filter(pk=1).update(enabled=enabled, months=months)
    return RetentionRule.objects.get(pk=1)


def test_the_rule_anonymises_who_was_not_heard_of_for_its_months_and_no_one_else():
    stale = candidate_last_heard_of(NOW - dt.timedelta(days=25 * 31))
    recent = candidate_last_heard_of(NOW - dt.timedelta(days=23 * 30))
    rule(enabled=True, months=24)

    assert services.retention_apply(now=NOW) == 1

    stale.refresh_from_db()
    recent.refresh_from_db()
    assert stale.full_name == f"Erased candidate #{stale.pk}"
    assert recent.erased_at is None
    event = TimelineEvent.objects.get(kind=TimelineEvent.Kind.DATA_ERASED)
    assert (event.candidate, event.actor) == (stale, None)
    assert event.summary == "Personal data erased by the retention rule"
    assert event.data["by"] == "retention rule"
    ran = RetentionRule.objects.get()
    assert (ran.last_run_at, ran.last_run_erased) == (NOW, 1)


def test_the_rule_does_nothing_while_it_is_off():
    stale = candidate_last_heard_of(NOW - dt.timedelta(days=40 * 31))
    rule(enabled=False)
    assert services.retention_apply(now=NOW) == 0
    stale.refresh_from_db()
    assert stale.erased_at is None


def test_an_export_is_not_activity_but_a_consent_is():
    exported = candidate_last_heard_of(NOW - dt.timedelta(days=25 * 31))
    consented = candidate_last_heard_of(NOW - dt.timedelta(days=25 * 31))
    with time_machine.travel(NOW - dt.timedelta(days=10), tick=False):
        services.candidate_data_export(candidate=exported, actor=None)
        services.consent_record(candidate=consented, channel="email", given=True, source="portal")
    rule(enabled=True)

    services.retention_apply(now=NOW)

    assert Candidate.objects.get(pk=exported.pk).erased_at is not None
    assert Candidate.objects.get(pk=consented.pk).erased_at is None


def test_beat_runs_the_task_daily_and_the_task_applies_the_rule():
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] == tasks.apply_retention_rule.name
    assert entry["schedule"] == dt.timedelta(days=1)
    stale = candidate_last_heard_of(timezone.now() - dt.timedelta(days=30 * 31))
    rule(enabled=True)

    assert tasks.apply_retention_rule.apply().get() == 1

    assert Candidate.objects.get(pk=stale.pk).erased_at is not None


def test_months_count_back_by_the_calendar():
    assert services.months_before(NOW, 24) == dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
    march_31 = dt.datetime(2026, 3, 31, tzinfo=dt.UTC)
    assert services.months_before(march_31, 1) == dt.datetime(2026, 2, 28, tzinfo=dt.UTC)


# --- the rule in the admin -----------------------------------------------------------------


def rule_url() -> str:
    return reverse("admin:privacy_retentionrule_change", args=[1])


def test_a_recruiter_cannot_see_or_change_the_rule(recruiter, other_recruiter):
    for persona in (recruiter, other_recruiter):
        assert persona.get(rule_url()).status_code == 403
        assert persona.post(rule_url(), {"enabled": "on", "months": "1"}).status_code == 403
    assert RetentionRule.objects.get().enabled is False


def test_someone_allowed_to_erase_sets_the_rule(recruiter):
    recruiter.user.user_permissions.add(Permission.objects.get(codename="erase_candidate"))
    assert recruiter.get(rule_url()).status_code == 200

    response = recruiter.post(rule_url(), {"enabled": "on", "months": "36"})

    assert response.status_code == 302
    assert (RetentionRule.objects.get().enabled, RetentionRule.objects.get().months) == (True, 36)


def test_nobody_signed_in_is_sent_to_the_sign_in(anonymous):
    response = anonymous.get(rule_url())
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
