"""Every sweep adds itself to the sweeps' record (SweepRecord): when it finished, how long
it took, and what each step did. The health checks and /metrics read it from there."""

import datetime as dt

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import SweepRecord
from tests.factories import schedule_interview

pytestmark = pytest.mark.django_db


def test_each_sweep_adds_its_steps_and_its_finish_to_the_record(
    clock, interview_end, no_quiet_hours
):
    schedule_interview(ends_at=interview_end)
    schedule_interview(ends_at=interview_end)
    services.sweep_run()
    record = SweepRecord.objects.get()
    assert record.runs == 1
    assert record.last_finished_at == timezone.now()
    assert (record.asked, record.overdue, record.waned) == (4, 0, 0)
    assert record.duration_seconds == record.last_duration_seconds > 0

    clock.shift(dt.timedelta(days=3))  # past both parties' deadlines
    services.sweep_run()
    record.refresh_from_db()
    assert record.runs == 2
    assert record.last_finished_at == timezone.now()
    assert record.asked == 4
    assert record.overdue == 4  # every request: the reminders' time is past too
    assert record.waned == 2  # the candidates' applications
    assert record.duration_seconds > record.last_duration_seconds


def test_a_sweep_with_nothing_due_still_says_it_ran(clock):
    services.sweep_run()
    services.sweep_run()
    record = SweepRecord.objects.get()
    assert record.runs == 2
    assert sum(getattr(record, step) for step in SweepRecord.STEPS) == 0
