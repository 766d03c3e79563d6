"""The dashboard page (the admin's index): the recruiter's day or everyone's, a screenful of
each section with links to the rest, and links to the objects it shows."""

import pytest
import time_machine
from django.urls import reverse, set_script_prefix

from feedback.selectors import dashboard
from feedback.templatetags import recruiter_desk
from tests.factories import request_of, schedule_interview

from .desk import HOUR, MINUTE, application_for, interview_overdue

pytestmark = pytest.mark.django_db

# --- a screenful of each section, and a link to the rest -----------------------------------


def test_the_interviews_show_a_screenful_and_link_to_the_rest(
    recruiter, dana, interview_end, monkeypatch
):
    monkeypatch.setattr(dashboard, "DASHBOARD_LIMIT", 2)
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

    monkeypatch.setattr(dashboard, "DASHBOARD_LIMIT", 3)
    with time_machine.travel(now, tick=False):
        page = recruiter.get(reverse("admin:index"))
    assert [len(day.interviews) for day in page.context["dashboard"].interview_days] == [2, 1, 0]
    assert "All interviews in the next 7 days" not in page.content.decode()


def test_client_feedback_overdue_shows_a_screenful_and_links_to_the_rest(
    recruiter, dana, marcus, interview_end, monkeypatch
):
    monkeypatch.setattr(dashboard, "DASHBOARD_LIMIT", 2)
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

    monkeypatch.setattr(dashboard, "DASHBOARD_LIMIT", 3)
    with time_machine.travel(interview_end + 80 * HOUR, tick=False):
        page = recruiter.get(reverse("admin:index"))
    assert "All overdue client feedback" not in page.content.decode()


# --- the recruiter's day, or everyone's ---------------------------------------------------


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


def test_an_administrator_without_a_desk_sees_everyones_day(admin_client, dana):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Everyone’s day" in response.content.decode()
    assert response.context["dashboard"].recruiter is None
