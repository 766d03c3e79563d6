"""The recruiter's dashboard, section by section (feedback.selectors, dashboard_*): each
section's rows, in the recruiter's time zone, for their desk or everyone's."""

import datetime as dt
import zoneinfo

import pytest

from candidates.models import Application
from feedback import selectors, services
from feedback.models import Party
from tests.factories import ApplicationFactory, ClientFactory, request_of, schedule_interview

from .desk import HOUR, MINUTE, answer, application_for, interview_asked, interview_overdue

pytestmark = pytest.mark.django_db


CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def chicago(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO)


def names(rows) -> list[str]:
    return [row.application.candidate.first_name for row in rows]


# --- interviews -------------------------------------------------------------------------


def test_interviews_are_grouped_by_day_in_the_recruiters_time_zone(dana, marcus):
    now = chicago(2026, 3, 2, 21, 0)  # 03:00 UTC on 3 March: already "tomorrow" in UTC
    late_tonight = schedule_interview(
        application=application_for(dana, candidate__first_name="Tonight"),
        ends_at=chicago(2026, 3, 2, 23, 0),
    )
    third_day = schedule_interview(
        application=application_for(dana, candidate__first_name="Wednesday"),
        ends_at=chicago(2026, 3, 5, 0, 0),  # starts 23:00 on the third day
    )
    schedule_interview(
        application=application_for(dana, candidate__first_name="Thursday"),
        ends_at=chicago(2026, 3, 5, 1, 30),  # starts 00:30 on the fourth day: not shown
    )
    cancelled = schedule_interview(
        application=application_for(dana, candidate__first_name="Cancelled"),
        ends_at=chicago(2026, 3, 3, 11, 0),
    )
    services.interview_cancel(interview=cancelled)
    others = schedule_interview(
        application=application_for(marcus, candidate__first_name="Marcus's"),
        ends_at=chicago(2026, 3, 3, 11, 0),
    )

    days = selectors.dashboard_interviews(
        recruiter=dana, time_zone="America/Chicago", now=now.astimezone(dt.UTC)
    )

    assert [(d.day, d.interviews) for d in days] == [
        (dt.date(2026, 3, 2), [late_tonight]),
        (dt.date(2026, 3, 3), []),
        (dt.date(2026, 3, 4), [third_day]),
    ]
    everyone = selectors.dashboard_interviews(
        recruiter=None, time_zone="America/Chicago", now=now.astimezone(dt.UTC)
    )
    assert everyone[1].interviews == [others]


# --- feedback awaited -------------------------------------------------------------------


def test_feedback_awaited_lists_each_side_on_its_recruiters_desk_soonest_first(
    dana, marcus, interview_end
):
    # Dana's candidate for Marcus's position: the candidate's side is Dana's, the
    # client's side Marcus's.
    shared = ApplicationFactory(candidate__owner=dana, position__recruiter=marcus)
    first = interview_asked(ends_at=interview_end, application=shared)
    second = interview_asked(ends_at=interview_end + 30 * MINUTE, application=application_for(dana))
    now = interview_end + 40 * MINUTE

    awaited, total = selectors.dashboard_feedback_awaited(recruiter=dana, now=now)

    assert [row.request for row in awaited] == [
        request_of(first),
        request_of(second),
        request_of(second, Party.CLIENT),
    ]
    assert total == 3
    assert awaited[0].time_left == dt.timedelta(minutes=80)
    marcus_rows, _ = selectors.dashboard_feedback_awaited(recruiter=marcus, now=now)
    assert [row.request for row in marcus_rows] == [request_of(first, Party.CLIENT)]


def test_a_request_past_its_deadline_not_yet_swept_shows_negative_time_left(dana, interview_end):
    interview = interview_asked(ends_at=interview_end, application=application_for(dana))
    awaited, _ = selectors.dashboard_feedback_awaited(
        recruiter=dana, now=interview_end + 2 * HOUR + 5 * MINUTE
    )
    assert awaited[0].request == request_of(interview)
    assert awaited[0].time_left == -5 * MINUTE


# --- the call list ----------------------------------------------------------------------


def test_the_call_list_has_waned_call_me_and_debrief_longest_waiting_first(
    dana, marcus, interview_end
):
    waned = interview_overdue(
        ends_at=interview_end, application=application_for(dana, candidate__first_name="Waned")
    )
    wants_call = interview_asked(
        ends_at=interview_end, application=application_for(dana, candidate__first_name="Callme")
    )
    answer(
        wants_call,
        at=interview_end + 30 * MINUTE,
        interest_level=6,
        still_interested="unsure",
        wants_call=True,
        preferred_call_time="after 5pm",
    )
    changed_mind = interview_asked(
        ends_at=interview_end, application=application_for(dana, candidate__first_name="Amended")
    )
    answer(changed_mind, at=interview_end + 10 * MINUTE, interest_level=6, wants_call=True)
    answer(changed_mind, at=interview_end + 20 * MINUTE, interest_level=8, wants_call=False)
    debrief = application_for(dana, candidate__first_name="Debrief")
    Application.objects.filter(pk=debrief.pk).update(
        debrief_needed_at=interview_end + HOUR,
        debrief_reason="Round 1: the client advances, but the candidate's interest is 4/10",
    )
    withdrawn = interview_overdue(
        ends_at=interview_end, application=application_for(dana, candidate__first_name="Gone")
    )
    Application.objects.filter(pk=withdrawn.application_id).update(
        stage=Application.Stage.WITHDRAWN
    )
    interview_overdue(
        ends_at=interview_end, application=application_for(marcus, candidate__first_name="Other")
    )
    now = interview_end + 49 * HOUR

    calls = selectors.dashboard_call_list(recruiter=dana, now=now)

    assert names(calls) == ["Callme", "Debrief", "Waned"]
    callme, debriefed, waned_item = calls
    assert [(r.label, r.detail) for r in callme.reasons] == [("Asked for a call", "after 5pm")]
    assert callme.waited == 48 * HOUR + 30 * MINUTE
    assert callme.request_id == request_of(wants_call).pk
    assert [r.label for r in debriefed.reasons] == ["Debrief"]
    assert "4/10" in debriefed.reasons[0].detail
    assert debriefed.request_id is None  # no interview yet: nothing to log against
    assert [r.label for r in waned_item.reasons] == ["Possibly waned"]
    assert waned_item.request_id == request_of(waned).pk
    assert sorted(names(selectors.dashboard_call_list(recruiter=None, now=now))) == [
        "Callme",
        "Debrief",
        "Other",
        "Waned",
    ]


# --- client feedback overdue ------------------------------------------------------------


def test_client_feedback_overdue_is_grouped_per_client_oldest_first(dana, interview_end):
    late_client, other_client = ClientFactory(name="Late Vets"), ClientFactory(name="Slow Farm")
    oldest = interview_overdue(
        ends_at=interview_end,
        application=application_for(dana, position__client=late_client),
    )
    middle = interview_overdue(
        ends_at=interview_end + HOUR,
        application=application_for(dana, position__client=other_client),
    )
    newest = interview_overdue(
        ends_at=interview_end + 2 * HOUR,
        application=application_for(dana, position__client=late_client),
    )
    answer(newest, at=interview_end + 60 * HOUR, party=Party.CLIENT, decision="hold", rating=3)
    newer = interview_overdue(
        ends_at=interview_end + 3 * HOUR,
        application=application_for(dana, position__client=late_client),
    )

    groups = selectors.dashboard_client_feedback_overdue(
        recruiter=dana, now=interview_end + 80 * HOUR
    )

    assert [(g.client, g.requests) for g in groups] == [
        (late_client, [request_of(oldest, Party.CLIENT), request_of(newer, Party.CLIENT)]),
        (other_client, [request_of(middle, Party.CLIENT)]),
    ]


# --- latest answers ---------------------------------------------------------------------


def test_latest_answers_show_amendments_and_lateness_newest_first(dana, interview_end):
    interview = interview_asked(ends_at=interview_end, application=application_for(dana))
    first = answer(interview, at=interview_end + 3 * HOUR, interest_level=5, still_interested="yes")
    amended = answer(interview, at=interview_end + 4 * HOUR, interest_level=8)

    answers = selectors.dashboard_latest_answers(recruiter=dana)

    assert answers == [amended, first]
    assert answers[1].lateness == HOUR
    assert answers[0].supersedes == first


def test_the_dashboards_call_list_and_the_admins_filter_apply_the_same_rule(
    dana, marcus, interview_end
):
    """dashboard_call_list applies applications_to_call's rule in Python (see there): both
    list the same applications in the same order, to be logged against the same request."""
    stories = []
    for n in range(4):
        application = application_for(dana, candidate__first_name=f"Two rounds {n}")
        first = interview_overdue(ends_at=interview_end + n * MINUTE, application=application)
        second = interview_asked(ends_at=interview_end + 30 * HOUR, application=application)
        stories.append((application, first, second))
    # 0: waned after round 1, round 2 pending; 1: and asks for a call after round 2;
    # 2: asked for a call, then amended it away; 3: a debrief before anything else.
    answer(stories[1][2], at=interview_end + 31 * HOUR, wants_call=True, interest_level=6)
    answer(stories[2][2], at=interview_end + 31 * HOUR, wants_call=True, interest_level=6)
    answer(stories[2][2], at=interview_end + 32 * HOUR, wants_call=False, interest_level=9)
    Application.objects.filter(pk=stories[3][0].pk).update(
        debrief_needed_at=interview_end - HOUR, debrief_reason="The client advances"
    )
    only_asked = interview_asked(
        ends_at=interview_end, application=application_for(dana, candidate__first_name="Asked")
    )
    answer(only_asked, at=interview_end + HOUR, wants_call=True, preferred_call_time="noon")
    interview_overdue(ends_at=interview_end, application=application_for(marcus))
    now = interview_end + 80 * HOUR

    for recruiter in (dana, marcus, None):
        dashboard = selectors.dashboard_call_list(recruiter=recruiter, now=now)
        admin = list(selectors.applications_to_call(recruiter=recruiter))
        assert [(i.application.pk, i.request_id) for i in dashboard] == [
            (a.pk, a.call_request_id) for a in admin
        ]
        assert [i.waited for i in dashboard] == [now - a.waiting_since for a in admin]
    dana_list = selectors.dashboard_call_list(recruiter=dana, now=now)
    # Story 2's answer to round 2 (interest 9, no call) took it off the list.
    assert sorted(names(dana_list)) == ["Asked", "Two rounds 0", "Two rounds 1", "Two rounds 3"]
    by_application = {item.application.pk: item for item in dana_list}
    # The open request of round 2 is the one a call is logged against.
    assert by_application[stories[0][0].pk].request_id == request_of(stories[0][2]).pk
