"""The dashboard's charts: response times and the interest spread, counted per desk or for
everyone (feedback.selectors), and drawn as SVG (feedback.charts)."""

import pytest
import time_machine

from candidates.models import Application
from feedback import charts, selectors, services
from tests.factories import request_of, schedule_interview

from .desk import HOUR, MINUTE, answer, application_for, interview_asked

pytestmark = pytest.mark.django_db


def sweep():
    services.sweep_run()


def submit(interview, **answers):
    services.feedback_submit(request=request_of(interview), answers=answers)


# --- response times ----------------------------------------------------------------------


def test_response_times_bucket_the_first_answers_and_count_the_share_on_time(dana, interview_end):
    def interview(ends_at):
        with time_machine.travel(interview_end - 3 * HOUR, tick=False):
            return schedule_interview(application=application_for(dana), ends_at=ends_at)

    fast, in_time = interview(interview_end), interview(interview_end + HOUR)
    late, silent = interview(interview_end + 2 * HOUR), interview(interview_end + 3 * HOUR)
    # The day as it happens: the sweep asks each at its end, answers come in.
    for moment, step in [
        (interview_end, sweep),
        (interview_end + 20 * MINUTE, lambda: submit(fast, interest_level=9)),
        (interview_end + HOUR, sweep),
        (interview_end + 2 * HOUR, sweep),
        (interview_end + 2 * HOUR + 30 * MINUTE, lambda: submit(in_time, interest_level=6)),
        (interview_end + 3 * HOUR, sweep),
        (interview_end + 5 * HOUR, lambda: submit(late, interest_level=4)),  # 1 h late
        (interview_end + 6 * HOUR, sweep),  # silent's deadline passed: overdue
    ]:
        with time_machine.travel(moment, tick=False):
            step()
    long_ago = interview_asked(
        ends_at=interview_end - 40 * 24 * HOUR, application=application_for(dana)
    )
    answer(long_ago, at=interview_end - 40 * 24 * HOUR + 10 * MINUTE, interest_level=9)
    now = interview_end + 6 * HOUR
    interview_asked(ends_at=now - 10 * MINUTE, application=application_for(dana))  # not due

    times = selectors.dashboard_response_times(recruiter=dana, now=now)

    assert [(bar.label, bar.value, bar.tone) for bar in times.bars] == [
        ("≤30m", 1, "ok"),
        ("30–60m", 0, "ok"),
        ("1–2h", 1, "ok"),
        ("2–4h", 1, "late"),
        ("4–24h", 0, "late"),
        (">1d", 0, "late"),
        ("none", 1, "bad"),
    ]
    assert (times.on_time, times.total, times.on_time_percent) == (2, 4, 50)
    assert request_of(silent).status == "overdue"


def test_response_times_count_an_interview_marked_completed_days_before_its_planned_end(
    dana, interview_end
):
    # A three-day working interview, marked completed on its first day: the deadline
    # follows the marking, days before the planned end that puts it in the window.
    planned_end = interview_end + 3 * 24 * HOUR
    with time_machine.travel(interview_end - 3 * HOUR, tick=False):
        working = schedule_interview(
            application=application_for(dana), ends_at=planned_end, length=3 * 24 * HOUR
        )
    with time_machine.travel(interview_end, tick=False):
        services.interview_mark_completed(interview=working)
        sweep()
    answer(working, at=interview_end + 20 * MINUTE, interest_level=8)
    now = planned_end + 29 * 24 * HOUR  # the planned end is in the 30 days, the deadline not

    times = selectors.dashboard_response_times(recruiter=dana, now=now)

    assert request_of(working).due_at < now - selectors.CHART_WINDOW
    assert times.total == 1


# --- the interest spread ------------------------------------------------------------------


def test_the_interest_spread_counts_applications_in_process_by_level(dana, marcus):
    for level in (9, 9, 3, None):
        application_for(dana, interest_level=level)
    application_for(dana, interest_level=5, stage=Application.Stage.WITHDRAWN)
    application_for(marcus, interest_level=7)

    bars = selectors.dashboard_interest_spread(recruiter=dana)

    assert {bar.label: bar.value for bar in bars if bar.value} == {"9": 2, "3": 1, "?": 1}
    assert [bar.label for bar in bars] == [*map(str, range(1, 11)), "?"]
    assert {bar.label: bar.tone for bar in bars}["9"] == "high"


def test_everyones_interest_spread_counts_every_desk(dana, marcus):
    application_for(dana, interest_level=9)
    application_for(marcus, interest_level=9)
    application_for(marcus, interest_level=2, stage=Application.Stage.HIRED)

    bars = selectors.dashboard_interest_spread(recruiter=None)

    assert {bar.label: bar.value for bar in bars if bar.value} == {"9": 2}


# --- drawn as SVG ---------------------------------------------------------------------------


def test_a_bar_chart_is_an_svg_with_each_value_readable():
    svg = charts.bar_chart_svg(
        bars=[selectors.Bar("≤30m", 3, "ok"), selectors.Bar("<none>", 0, "bad")], label="Times"
    )
    assert svg.startswith('<svg class="tvr-chart"')
    assert 'aria-label="Times"' in svg
    assert "<title>≤30m: 3</title>" in svg
    assert "&lt;none&gt;" in svg
    assert "<none>" not in svg
