"""The answers' export in the admin: the answers given in a span of days (in the reader's
time zone), with their channel, interest and the lateness the loop recorded, as CSV or
XLSX."""

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from openpyxl import load_workbook

from candidates.models import Candidate
from feedback import services
from feedback.models import Feedback, Party
from tests.admin_pages import form_data
from tests.factories import request_of, schedule_interview

pytestmark = pytest.mark.django_db

EXPORT_PAGE = "/admin/feedback/feedback/export/"
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


@pytest.fixture
def answers(recruiter):
    """Three answers: a candidate's on time (3 March), the client's 90
    minutes past its deadline (4 March), and a candidate's a week later (10 March)."""
    ends = dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC)
    first = schedule_interview(ends_at=ends, external_id="IV-1")
    Candidate.objects.filter(pk=first.application.candidate_id).update(external_id="CA-1")
    on_time = services.feedback_submit(
        request=request_of(first, Party.CANDIDATE),
        answers={"interest_level": 8, "still_interested": "yes", "concerns": "=1+2"},
        channel=Feedback.Channel.PORTAL,
        now=ends + dt.timedelta(minutes=40),
    )
    client_request = request_of(first, Party.CLIENT)
    late = services.feedback_submit(
        request=client_request,
        answers={"decision": "advance", "rating": 4},
        channel=Feedback.Channel.CLIENT_PAGE,
        now=client_request.due_at + dt.timedelta(minutes=90),
    )
    later = schedule_interview(ends_at=ends + dt.timedelta(days=7))
    next_week = services.feedback_submit(
        request=request_of(later, Party.CANDIDATE),
        answers={"interest_level": 3, "still_interested": "unsure"},
        channel=Feedback.Channel.PHONE,
        entered_by=recruiter.user,
        now=ends + dt.timedelta(days=7, minutes=10),
    )
    return on_time, late, next_week


def export(persona, first: str, last: str, file_format: str = "0", **filters):
    data = {
        **form_data(persona.get(EXPORT_PAGE)),
        "format": file_format,
        "submitted_from": first,
        "submitted_to": last,
    }
    query = "?" + "&".join(f"{k}={v}" for k, v in filters.items()) if filters else ""
    return persona.post(EXPORT_PAGE + query, data)


def test_a_recruiter_exports_the_answers_of_a_span_of_days_as_csv(recruiter, answers):
    on_time, late, _next_week = answers

    response = export(recruiter, "2026-03-01", "2026-03-05")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["party"] for row in rows] == ["candidate", "client"]
    candidate, client = rows
    assert candidate["channel"] == "portal"
    assert candidate["interest_level"] == "8"
    assert candidate["on_time"] == "yes"
    assert candidate["lateness_minutes"] == ""
    assert candidate["candidate_external_id"] == "CA-1"
    assert candidate["interview_external_id"] == "IV-1"
    assert candidate["interest_status_now"] == "high"
    # What a party typed is never a formula to the spreadsheet that opens the file.
    assert candidate["concerns"] == "'=1+2"
    # In the reader's time zone (Dana's, Chicago): 15:40 UTC is 09:40.
    assert candidate["submitted_at"] == "2026-03-03 09:40:00"
    # The lateness the loop recorded with the answer (feedback_submit), in minutes.
    assert (client["on_time"], client["lateness_minutes"]) == ("no", "90")
    assert late.lateness == dt.timedelta(minutes=90)
    assert client["decision"] == "advance"


def test_the_span_is_whole_days_in_the_readers_time_zone(recruiter, answers):
    # 10 March 09:10 in Chicago (15:10 UTC): in a span ending on 10 March, not on 9 March.
    assert (
        len(
            list(
                csv.DictReader(
                    io.StringIO(export(recruiter, "2026-03-10", "2026-03-10").content.decode())
                )
            )
        )
        == 1
    )
    assert export(recruiter, "2026-03-06", "2026-03-09").content.decode().count("\n") == 1


def test_the_lists_filters_apply_to_the_export(recruiter, answers):
    response = export(recruiter, "2026-03-01", "2026-03-31", channel__exact="phone")

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["channel"], row["entered_by"]) for row in rows] == [
        ("phone", recruiter.user.get_full_name())
    ]


def test_the_export_as_xlsx_has_date_cells(recruiter, answers):
    response = export(recruiter, "2026-03-01", "2026-03-31", file_format="1")

    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.values)
    assert len(rows) == 3
    submitted = rows[0][header.index("submitted_at")]
    assert submitted == dt.datetime(2026, 3, 3, 9, 40)  # noqa: DTZ001 (Chicago, as a cell)


def test_a_span_that_ends_before_it_starts_is_the_forms_error(recruiter, answers):
    response = export(recruiter, "2026-03-10", "2026-03-01")

    assert response.status_code == 200
    assert "The span must end on or after its first day." in response.content.decode()


def test_nobody_signed_in_cannot_export(anonymous, answers):
    response = anonymous.post(EXPORT_PAGE, {"format": "0"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_recruiter_without_the_view_right_cannot_export(recruiter, answers):
    group = recruiter.user.groups.get()
    group.permissions.remove(group.permissions.get(codename="view_feedback"))

    assert recruiter.get(EXPORT_PAGE).status_code == 403
