"""The recruiter's dashboard: each section's rows, in the recruiter's time zone, for their
desk or everyone's; and the page that shows them."""

import datetime as dt
import time
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from candidates import services as candidate_services
from candidates.models import Application
from conftest import free_port
from feedback import charts, selectors, services, tasks
from feedback.models import Party
from feedback.templatetags import recruiter_desk
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    ClientFactory,
    PositionFactory,
    recruiter_with_login,
    request_of,
    schedule_interview,
)

from .desk import (
    HOUR,
    MINUTE,
    answer,
    application_for,
    interview_asked,
    interview_overdue,
)

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


def test_the_interviews_show_a_screenful_and_link_to_the_rest(
    recruiter, dana, interview_end, monkeypatch
):
    monkeypatch.setattr(selectors, "DASHBOARD_LIMIT", 2)
    now = interview_end  # 09:00 in Chicago
    for hours in (2, 4, 26):  # today, today, tomorrow
        schedule_interview(application=application_for(dana), ends_at=now + hours * HOUR)

    with time_machine.travel(now, tick=False):
        page = recruiter.get(reverse("admin:index"))

    days = page.context["dashboard"].interview_days
    assert [len(day.interviews) for day in days] == [2, 0, 0]  # the soonest two
    html = page.content.decode()
    assert "All interviews in the next 7 days" in html
    with time_machine.travel(now, tick=False):
        listing = recruiter.get(reverse("admin:candidates_interview_changelist"), {"when": "next7"})
    assert listing.context["cl"].result_count == 3

    monkeypatch.setattr(selectors, "DASHBOARD_LIMIT", 3)
    with time_machine.travel(now, tick=False):
        page = recruiter.get(reverse("admin:index"))
    assert [len(day.interviews) for day in page.context["dashboard"].interview_days] == [2, 1, 0]
    assert "All interviews in the next 7 days" not in page.content.decode()


def test_client_feedback_overdue_shows_a_screenful_and_links_to_the_rest(
    recruiter, dana, marcus, interview_end, monkeypatch
):
    monkeypatch.setattr(selectors, "DASHBOARD_LIMIT", 2)
    for hours in range(3):
        interview_overdue(ends_at=interview_end + hours * HOUR, application=application_for(dana))
    interview_overdue(ends_at=interview_end, application=application_for(marcus))

    with time_machine.travel(interview_end + 80 * HOUR, tick=False):
        page = recruiter.get(reverse("admin:index"))
        everyone = recruiter.get(reverse("admin:index"), {"desk": "everyone"})

    shown = page.context["dashboard"].client_overdue
    assert sum(len(group.requests) for group in shown) == 2
    html = page.content.decode()
    link = html.split("All overdue client feedback")[0].rsplit('href="', 1)[1].split('"')[0]
    listing = recruiter.get(link.replace("&amp;", "&"))
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 3  # Dana's three, not Marcus's
    assert "All overdue client feedback" in everyone.content.decode()

    monkeypatch.setattr(selectors, "DASHBOARD_LIMIT", 3)
    with time_machine.travel(interview_end + 80 * HOUR, tick=False):
        page = recruiter.get(reverse("admin:index"))
    assert "All overdue client feedback" not in page.content.decode()


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


# --- the charts -------------------------------------------------------------------------


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


def sweep():
    services.sweep_run()


def submit(interview, **answers):
    services.feedback_submit(request=request_of(interview), answers=answers)


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


def test_a_bar_chart_is_an_svg_with_each_value_readable():
    svg = charts.bar_chart_svg(
        bars=[selectors.Bar("≤30m", 3, "ok"), selectors.Bar("<none>", 0, "bad")], label="Times"
    )
    assert svg.startswith('<svg class="tvr-chart"')
    assert 'aria-label="Times"' in svg
    assert "<title>≤30m: 3</title>" in svg
    assert "&lt;none&gt;" in svg
    assert "<none>" not in svg


def spread_total(recruiter) -> int:
    charts = selectors.dashboard_charts(recruiter=recruiter, now=timezone.now())
    return sum(bar.value for bar in charts.interest_spread)


def test_the_charts_are_computed_once_a_minute_per_desk(dana, marcus, monkeypatch):
    application_for(dana, interest_level=9)
    assert spread_total(dana) == 1
    assert spread_total(None) == 1

    application_for(dana, interest_level=4)
    application_for(marcus, interest_level=2)

    # Within the minute each desk's charts come from the (real Redis) cache, unqueried.
    with CaptureQueriesContext(connection) as queries:
        assert spread_total(dana) == 1
        assert spread_total(None) == 1
    assert len(queries) == 0
    # A desk that has not asked yet gets fresh figures.
    assert spread_total(marcus) == 1

    monkeypatch.setattr(selectors, "CHART_CACHE_SECONDS", 1)
    cache.delete_many([selectors.dashboard_charts_key(None), selectors.dashboard_charts_key(dana)])
    assert spread_total(None) == 3
    time.sleep(1.2)
    application_for(dana, interest_level=7)
    assert spread_total(None) == 4  # expired: counted again
    assert spread_total(dana) == 3


def test_the_worker_computes_every_desks_charts_and_the_views_only_read_them(
    recruiter, dana, marcus, settings
):
    application_for(dana, interest_level=9)
    application_for(marcus, interest_level=3)
    assert "feedback.tasks.refresh_dashboard_charts" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }

    recruiter_with_login(user__is_active=False)  # has left: not refreshed

    assert tasks.refresh_dashboard_charts.apply().get() == 3  # everyone's, Dana's, Marcus's

    for query in ({}, {"desk": "everyone"}):
        with CaptureQueriesContext(connection) as queries:
            page = recruiter.get(reverse("admin:index"), query)
        assert not [q for q in queries if "interest_level" in q["sql"] and "COUNT" in q["sql"]]
        assert page.status_code == 200
    spread = page.context["dashboard"].charts.interest_spread
    assert {bar.label: bar.value for bar in spread if bar.value} == {"9": 1, "3": 1}
    assert spread_total(marcus) == 1


def test_the_dashboard_works_without_the_cache(recruiter, dana, settings, caplog):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"}
    }
    application_for(dana, interest_level=9)

    page = recruiter.get(reverse("admin:index"))

    assert page.status_code == 200
    assert sum(bar.value for bar in page.context["dashboard"].charts.interest_spread) == 1
    assert "cache unreachable" in caplog.text


# --- the page ---------------------------------------------------------------------------


def test_the_dashboard_shows_the_recruiters_day_and_everyones_on_request(
    recruiter, dana, marcus, interview_end
):
    waned = interview_overdue(
        ends_at=interview_end, application=application_for(dana, candidate__first_name="Hannah")
    )
    interview_overdue(
        ends_at=interview_end, application=application_for(marcus, candidate__first_name="Kevin")
    )
    upcoming = schedule_interview(
        application=application_for(dana, candidate__first_name="Ethan"),
        ends_at=interview_end + 49 * HOUR + 30 * MINUTE,  # 09:30–10:30 CST, 5 March
    )

    with time_machine.travel(interview_end + 49 * HOUR, tick=False):
        page = recruiter.get(reverse("admin:index"))
        everyone = recruiter.get(reverse("admin:index"), {"desk": "everyone"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "Dana Whitfield’s day" in html
    call_list = html.split('id="call-list"')[1].split("</section>")[0]
    assert "Hannah" in call_list
    assert "Kevin" not in call_list
    assert 'href="tel:+17735550123"' in call_list
    log_call = reverse("admin:feedback_feedbackrequest_log_call", args=[request_of(waned).pk])
    assert f'href="{log_call}?next=/admin/"' in call_list
    assert "9:30 AM–10:30 AM" in html  # Chicago time, not UTC (15:30)
    assert upcoming.application.candidate.full_name in html
    assert html.count('<svg class="tvr-chart"') == 2

    everyone_html = everyone.content.decode()
    assert "Everyone’s day" in everyone_html
    everyone_calls = everyone_html.split('id="call-list"')[1].split("</section>")[0]
    assert "Hannah" in everyone_calls
    assert "Kevin" in everyone_calls


@pytest.mark.parametrize(
    "view_name",
    ["admin:candidates_application_change", "admin:feedback_feedbackrequest_log_call"],
)
def test_the_dashboards_object_links_are_djangos_urls(view_name):
    assert recruiter_desk.object_url(42, view_name) == reverse(view_name, args=[42])
    set_script_prefix("/tvr/")
    try:
        assert recruiter_desk.object_url(7, view_name) == reverse(view_name, args=[7])
        assert recruiter_desk.object_url(7, view_name).startswith("/tvr/admin/")
    finally:
        set_script_prefix("/")


def test_a_staff_user_who_is_not_a_recruiter_sees_everyones_day(admin_client, dana):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Everyone’s day" in response.content.decode()
    assert response.context["dashboard"].recruiter is None


# --- desks ------------------------------------------------------------------------------


def seen(recruiter, *, now) -> dict:
    """What each section of `recruiter`'s desk shows, as ids and totals."""
    desk = selectors.dashboard_get(user=recruiter.user, now=now)
    return {
        "interviews": [i.pk for day in desk.interview_days for i in day.interviews],
        "awaited": [row.request.pk for row in desk.awaited],
        "awaited_total": desk.awaited_total,
        "calls": [item.application.pk for item in desk.call_list],
        "client_overdue": [r.pk for group in desk.client_overdue for r in group.requests],
        "answers": [a.pk for a in desk.latest_answers],
        "chart_total": desk.charts.response_times.total,
        "spread_total": sum(bar.value for bar in desk.charts.interest_spread),
    }


NOTHING = {
    "interviews": [],
    "awaited": [],
    "awaited_total": 0,
    "calls": [],
    "client_overdue": [],
    "answers": [],
    "chart_total": 0,
    "spread_total": 0,
}


@pytest.fixture
def lee():
    return recruiter_with_login(user__first_name="Lee", user__last_name="Okafor")


@pytest.fixture
def shared_story(dana, marcus, interview_end):
    """Dana's candidate for Marcus's position: an interview past both deadlines (interest
    possibly waned, the client overdue), one whose client answered and whose candidate is
    awaited, and one coming up."""
    application = ApplicationFactory(candidate__owner=dana, position__recruiter=marcus)
    overdue = interview_overdue(ends_at=interview_end, application=application)
    asked = interview_asked(ends_at=interview_end + 50 * HOUR, application=application)
    client_answer = answer(
        asked, at=interview_end + 51 * HOUR, party=Party.CLIENT, decision="hold", rating=3
    )
    now = interview_end + 51 * HOUR + 30 * MINUTE  # 10:30 CST: the candidate has 30 min
    with time_machine.travel(now, tick=False):
        upcoming = schedule_interview(application=application, ends_at=now + 3 * HOUR)
    candidate_side = {
        "interviews": [asked.pk, upcoming.pk],
        "awaited": [request_of(asked).pk],
        "awaited_total": 1,
        "calls": [application.pk],
        "client_overdue": [],
        "answers": [],
        "chart_total": 1,
        "spread_total": 1,
    }
    client_side = {
        **NOTHING,
        "interviews": [asked.pk, upcoming.pk],
        "client_overdue": [request_of(overdue, Party.CLIENT).pk],
        "answers": [client_answer.pk],
    }
    return application, now, candidate_side, client_side


def test_each_desk_sees_only_its_own_side_of_an_application(dana, marcus, lee, shared_story):
    _, now, candidate_side, client_side = shared_story

    assert seen(dana, now=now) == candidate_side
    assert seen(marcus, now=now) == client_side
    assert seen(lee, now=now) == NOTHING


def test_a_new_owner_takes_the_candidates_side_to_their_desk(dana, marcus, lee, shared_story):
    application, now, candidate_side, client_side = shared_story
    candidate = application.candidate

    candidate.owner = lee
    candidate_services.candidate_save(candidate=candidate, changed=["owner"])

    assert seen(lee, now=now) == candidate_side
    assert seen(dana, now=now) == NOTHING
    assert seen(marcus, now=now) == client_side


def test_a_new_position_recruiter_takes_the_clients_side_to_their_desk(
    dana, marcus, lee, shared_story
):
    application, now, candidate_side, client_side = shared_story
    position = application.position

    position.recruiter = lee
    candidate_services.position_save(position=position, changed=["recruiter"])

    assert seen(lee, now=now) == client_side
    assert seen(marcus, now=now) == NOTHING
    assert seen(dana, now=now) == candidate_side


def test_an_application_moved_to_another_candidate_and_position_moves_both_sides(
    dana, marcus, lee, shared_story
):
    application, now, candidate_side, client_side = shared_story
    application.candidate = CandidateFactory(owner=lee)
    application.position = PositionFactory(recruiter=lee)

    candidate_services.application_save(application=application, fields=["candidate", "position"])

    assert seen(lee, now=now) == {
        **candidate_side,
        "client_overdue": client_side["client_overdue"],
        "answers": client_side["answers"],
    }
    assert seen(dana, now=now) == NOTHING
    assert seen(marcus, now=now) == NOTHING
