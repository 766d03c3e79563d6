"""A few thousand rows from XLSX files, then the same files again: the same data, and
each interview's feedback requests planned once (the issue's "done when").

The files go through the resources the admin uses, read by its XLSX format, as its
confirm step does (the admin's pages themselves, preview and confirm, are tested with
smaller files in test_imports.py): through the pages every row would be imported twice
(the preview is a full dry run), which makes this test twice as long for nothing more."""

import datetime as dt

import pytest
from django.db.models import Count
from import_export.formats.base_formats import XLSX as XLSXFormat
from import_export.results import Result

from candidates.models import Application, Candidate, Interview
from candidates.resources import ApplicationResource, CandidateResource
from feedback.models import FeedbackRequest, TimelineEvent
from feedback.resources import InterviewResource
from tests.factories import PositionFactory
from tests.spreadsheets import xlsx_bytes

pytestmark = pytest.mark.django_db

ROWS = 1000  # of candidates, applications and interviews each


def files(owner_email: str, position_external_id: str) -> dict[str, bytes]:
    start = dt.datetime(2026, 3, 10, 8, 0)  # noqa: DTZ001 (wall times, read in Chicago)
    candidates = [["external_id", "first_name", "last_name", "email", "time_zone", "owner_email"]]
    applications = [["external_id", "candidate_external_id", "position_external_id"]]
    interviews = [["external_id", "application_external_id", "kind", "starts_at", "ends_at"]]
    interviews[0].append("time_zone")
    for n in range(ROWS):
        candidates.append(
            [1000 + n, f"Candidate{n}", "Okafor", f"c{n}@mail.example", "America/Chicago"]
            + [owner_email]
        )
        applications.append([f"AP-{n}", 1000 + n, position_external_id])
        starts = start + dt.timedelta(minutes=15 * n)
        interviews.append(
            [f"IV-{n}", f"AP-{n}", "video", starts, starts + dt.timedelta(hours=1)]
            + ["America/Chicago"]
        )
    return {
        "candidates": xlsx_bytes(candidates),
        "applications": xlsx_bytes(applications),
        "interviews": xlsx_bytes(interviews),
    }


def import_file(resource_class, content: bytes, user) -> Result:
    """As the admin's confirm step does: the file read by the XLSX format, then imported."""
    dataset = XLSXFormat().create_dataset(content)
    result = resource_class().import_data(dataset, dry_run=False, user=user)
    assert not result.has_errors()
    assert not result.has_validation_errors()
    return result


def state() -> dict:
    """What the import made: the rows, and each interview's requests as planned."""
    return {
        "candidates": list(Candidate.objects.order_by("pk").values()),
        "applications": list(
            Application.objects.order_by("pk").values("pk", "external_id", "candidate", "stage")
        ),
        "interviews": list(Interview.objects.order_by("pk").values()),
        "requests": list(
            FeedbackRequest.objects.order_by("pk").values(
                "pk", "interview", "party", "ask_at", "due_at", "cycle", "status"
            )
        ),
        "scheduled": TimelineEvent.objects.filter(
            kind=TimelineEvent.Kind.INTERVIEW_SCHEDULED
        ).count(),
    }


def test_a_few_thousand_rows_imported_twice_leave_the_same_data_and_plan_each_interview_once(
    clock, recruiter
):
    position = PositionFactory(external_id="PO-1", recruiter=recruiter.recruiter)
    content = files(recruiter.user.email, "PO-1")

    kinds = [
        (CandidateResource, "candidates"),
        (ApplicationResource, "applications"),
        (InterviewResource, "interviews"),
    ]
    for resource, name in kinds:
        result = import_file(resource, content[name], recruiter.user)
        assert result.totals["new"] == ROWS, name
    first = state()

    for resource, name in kinds:
        result = import_file(resource, content[name], recruiter.user)
        assert (result.totals["new"], result.totals["update"]) == (0, 0), name
        assert result.totals["skip"] == ROWS, name
    assert state() == first
    assert Application.objects.filter(position=position).count() == ROWS
    # Each interview's two requests, planned once (cycle 1), and scheduled once.
    per_interview = Interview.objects.annotate(n=Count("feedback_requests")).values_list(
        "n", flat=True
    )
    assert set(per_interview) == {2}
    assert len(per_interview) == ROWS
    assert {row["cycle"] for row in first["requests"]} == {1}
    assert first["scheduled"] == ROWS
