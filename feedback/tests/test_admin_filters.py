"""The change lists' own filters: the call list, overdue feedback, "mine", and days counted
in the recruiter's time zone."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from tests.factories import (
    ApplicationFactory,
    request_of,
    schedule_interview,
)

from .desk import HOUR, answer, interview_asked, interview_overdue

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def listed(client, name: str, **query) -> list:
    response = client.get(reverse(f"admin:{name}_changelist"), query)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_applications_filter_by_call_list_overdue_side_and_recruiter(
    recruiter, dana, marcus, interview_end
):
    waned = interview_overdue(
        ends_at=interview_end, application=ApplicationFactory(candidate__owner=dana)
    ).application
    calm = interview_asked(
        ends_at=interview_end, application=ApplicationFactory(candidate__owner=dana)
    )
    answer(calm, at=interview_end + HOUR, interest_level=9, still_interested="yes")
    others = ApplicationFactory(candidate__owner=marcus)

    with time_machine.travel(interview_end + 3 * HOUR, tick=False):
        assert listed(recruiter, "candidates_application", call="yes") == [waned]
        assert listed(recruiter, "candidates_application", overdue="candidate") == [waned]
        assert set(listed(recruiter, "candidates_application", overdue="client")) == {waned}
        assert others not in listed(recruiter, "candidates_application", recruiter="mine")
        assert listed(recruiter, "candidates_application", recruiter=str(marcus.pk)) == [others]


def test_interviews_filter_by_day_in_the_recruiters_time_zone(recruiter, dana):
    tonight = schedule_interview(
        application=ApplicationFactory(candidate__owner=dana),
        ends_at=dt.datetime(2026, 3, 2, 23, 0, tzinfo=CHICAGO),
    )
    tomorrow = schedule_interview(
        application=ApplicationFactory(candidate__owner=dana),
        ends_at=dt.datetime(2026, 3, 3, 11, 0, tzinfo=CHICAGO),
    )

    # 21:00 in Chicago is already 3 March in UTC.
    with time_machine.travel(dt.datetime(2026, 3, 2, 21, 0, tzinfo=CHICAGO), tick=False):
        assert listed(recruiter, "candidates_interview", when="today") == [tonight]
        assert listed(recruiter, "candidates_interview", when="tomorrow") == [tomorrow]


def test_requests_filter_overdue_including_those_the_sweep_has_not_reached(
    recruiter, dana, marcus, interview_end
):
    shared = ApplicationFactory(candidate__owner=dana, position__recruiter=marcus)
    interview = interview_asked(ends_at=interview_end, application=shared)

    with time_machine.travel(
        interview_end + 2 * HOUR + dt.timedelta(seconds=1), tick=False
    ):  # not yet swept
        assert listed(recruiter, "feedback_feedbackrequest", overdue="yes") == [
            request_of(interview)
        ]
        # Dana's side is the candidate's; the client's side is Marcus's.
        assert listed(recruiter, "feedback_feedbackrequest", recruiter="mine") == [
            request_of(interview)
        ]
