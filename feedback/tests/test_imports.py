"""Import in the recruiter admin: the agency's records from the files a spreadsheet writes,
keyed by their external ids, previewed before anything is written, bad rows reported and
left out, and interviews scheduled through the same service as typed ones, once."""

import datetime as dt
import zoneinfo

import pytest
from django.core.cache import cache

from candidates.models import Application, Candidate, Client, ClientContact, Interview, Position
from feedback.models import FeedbackRequest, TimelineEvent
from tests.admin_pages import form_data, messages_of
from tests.spreadsheets import (
    CSV,
    XLSX,
    admin_import,
    csv_bytes,
    import_confirm,
    import_preview,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")

CLIENTS = [
    ["External ID", "Name", "Kind", "City", "Time zone"],
    [
        "CL-1",
        "Lakeshore Specialty Hospitals",
        "Specialty hospital group",
        "Chicago",
        "America/Chicago",
    ],
    ["CL-2", "Prairie View Practice", "Mixed-animal practice", "Peoria", ""],
]
CONTACTS = [
    ["external_id", "client_external_id", "name", "title", "email", "phone", "time_zone"],
    ["CO-1", "CL-1", "Dr. Rebecca Lindqvist", "Medical Director", "rl@lakeshore.example", "", ""],
    ["CO-2", "CL-2", "Tom Hendricks", "Owner", "tom@prairie.example", "+1 309 555 0100", ""],
]


def positions(recruiter_email: str) -> list[list]:
    return [
        ["external_id", "client_external_id", "title", "location", "recruiter_email"]
        + ["hiring_contact_external_id", "status"],
        ["PO-1", "CL-1", "Emergency Veterinarian", "Chicago, IL", recruiter_email, "CO-1", ""],
        ["PO-2", "CL-2", "Mixed-Animal Associate", "Peoria, IL", recruiter_email.upper(), "CO-2"]
        + ["Open"],
    ]


def candidates(owner_email: str, count: int = 2) -> list[list]:
    header = ["external_id", "first_name", "last_name", "email", "phone", "time_zone"]
    header += ["specialty", "owner_email", "consent_email", "consent_sms"]
    return [header] + [
        [f"CA-{n}", f"Maya{n}", "Okafor", f"maya{n}@mail.example", "+1 773 555 0123"]
        + ["America/Chicago", "Emergency medicine", owner_email, "yes", "no"]
        for n in range(1, count + 1)
    ]


def applications(count: int = 2) -> list[list]:
    rows = [["external_id", "candidate_external_id", "position_external_id", "stage"]]
    return rows + [[f"AP-{n}", f"CA-{n}", "PO-1", ""] for n in range(1, count + 1)]


def import_records(persona, *, candidate_count: int = 2) -> None:
    """The agency's clients, contacts, positions, candidates and applications, through
    the admin, each from a CSV as a spreadsheet saves it."""
    email = persona.user.email
    for model, rows in [
        (Client, CLIENTS),
        (ClientContact, CONTACTS),
        (Position, positions(email)),
        (Candidate, candidates(email, candidate_count)),
        (Application, applications(candidate_count)),
    ]:
        page = admin_import(persona, model, csv_bytes(rows), file_format=CSV)
        assert page.status_code == 200
        assert not [m for m in messages_of(page) if "not imported" in m], messages_of(page)


def excel_serial(moment: dt.datetime) -> float:
    """A wall time as a spreadsheet stores it: days since 1899-12-30."""
    return (moment - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1)  # noqa: DTZ001


INTERVIEW_HEADER = ["external_id", "application_external_id", "round", "kind", "starts_at"]
INTERVIEW_HEADER += ["ends_at", "time_zone", "location"]


def interviews_xlsx(start: dt.datetime) -> bytes:
    """Two interviews (Chicago wall times): one with date cells, one with Excel serials."""
    return xlsx_bytes(
        [
            INTERVIEW_HEADER,
            ["IV-1", "AP-1", 1, "In person", start, start + dt.timedelta(hours=1)]
            + ["America/Chicago", "Lakeshore, 1200 N Lake Shore Dr"],
            ["IV-2", "AP-2", None, "video", excel_serial(start), excel_serial(start) + 1 / 24]
            + ["America/Chicago", ""],
        ]
    )


def export_form(persona, file_format: str, page: str = "/admin/candidates/interview/export/"):
    """The export page's form as a browser posts it: every column ticked, `file_format`."""
    data = form_data(persona.get(page))
    ticked = {name: "on" for name in data if name.startswith("interviewresource_")}
    return {**data, **ticked, "format": file_format}


def planned_requests() -> dict[str, list]:
    """Each imported interview's requests: (party, status, due_at, cycle)."""
    return {
        external_id: sorted(
            FeedbackRequest.objects.filter(interview__external_id=external_id).values_list(
                "party", "status", "due_at", "cycle"
            )
        )
        for external_id in Interview.objects.values_list("external_id", flat=True)
    }


# --- the records ------------------------------------------------------------------------


def test_a_recruiter_imports_the_agencys_records_from_a_spreadsheets_csv(recruiter):
    import_records(recruiter)

    assert set(Client.objects.values_list("external_id", "time_zone")) == {
        ("CL-1", "America/Chicago"),
        ("CL-2", "UTC"),  # an empty time zone: the default
    }
    position = Position.objects.get(external_id="PO-2")
    assert (position.client.external_id, position.hiring_contact.external_id) == ("CL-2", "CO-2")
    assert position.recruiter == recruiter.recruiter  # by email, in any letter case
    candidate = Candidate.objects.get(external_id="CA-1")
    assert (candidate.owner, candidate.consent_email, candidate.consent_sms) == (
        recruiter.recruiter,
        True,
        False,
    )
    application = Application.objects.get(external_id="AP-2")
    assert (application.candidate.external_id, application.position.external_id) == (
        "CA-2",
        "PO-1",
    )
    # On the desks, as the admin's save keeps them (candidates.services.application_save).
    assert application.candidate_owner == recruiter.recruiter
    assert application.stage == Application.Stage.SUBMITTED


def test_importing_the_same_file_again_changes_nothing_and_a_changed_row_updates(recruiter):
    import_records(recruiter)
    before = list(Candidate.objects.order_by("pk").values())

    again = admin_import(
        recruiter, Candidate, csv_bytes(candidates(recruiter.user.email)), file_format=CSV
    )
    assert "0 new, 0 updated, 0 deleted and 2 skipped" in " ".join(messages_of(again))
    assert list(Candidate.objects.order_by("pk").values()) == before

    changed = candidates(recruiter.user.email)
    changed[1][2] = "Okafor-Reyes"
    admin_import(recruiter, Candidate, csv_bytes(changed, separator=","), file_format=CSV)
    assert Candidate.objects.count() == 2
    assert Candidate.objects.get(external_id="CA-1").last_name == "Okafor-Reyes"


def test_the_preview_writes_nothing_and_shows_each_bad_rows_errors(recruiter):
    rows = candidates(recruiter.user.email, count=4)
    rows[2][7] = "nobody@tvr.example"  # CA-2: no such recruiter
    rows[3][0] = ""  # no external id
    rows[4][3] = "not an email"  # CA-4
    rows[4][8] = "perhaps"  # CA-4: neither yes nor no

    preview = import_preview(recruiter, Candidate, csv_bytes(rows), file_format=CSV)

    assert Candidate.objects.count() == 0
    result = preview.context["result"]
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert sorted(errors) == [2, 3, 4]  # data rows, blank lines not counted
    assert "No recruiter has “nobody@tvr.example”." in errors[2]["owner_email"]
    assert "external_id" in errors[3]
    assert set(errors[4]) == {"email", "consent_email"}
    page = preview.content.decode()
    assert "No recruiter has “nobody@tvr.example”." in page
    assert "3 rows with errors (listed below) will not be imported" in page
    assert [row.import_type for row in result.valid_rows()] == ["new"]


def test_a_file_with_bad_rows_imports_all_the_good_ones(recruiter):
    rows = candidates(recruiter.user.email, count=5)
    rows[2][7] = "nobody@tvr.example"
    rows[4][5] = "Mars/Olympus_Mons"  # not a time zone

    preview = import_preview(recruiter, Candidate, csv_bytes(rows), file_format=CSV)
    page = import_confirm(recruiter, Candidate, preview)

    assert sorted(Candidate.objects.values_list("external_id", flat=True)) == [
        "CA-1",
        "CA-3",
        "CA-5",
    ]
    assert "2 row(s) with errors were not imported (rows 2, 4" in " ".join(messages_of(page))


def test_a_related_row_named_by_an_unknown_external_id_is_that_rows_error(recruiter):
    import_records(recruiter)
    rows = applications(2) + [["AP-3", "CA-1", "PO-404", ""], ["AP-4", "CA-404", "PO-2", ""]]

    preview = import_preview(recruiter, Application, csv_bytes(rows), file_format=CSV)

    errors = {row.number: row.error_dict for row in preview.context["result"].invalid_rows}
    assert errors == {
        3: {"position_external_id": ["No position has “PO-404”."]},
        4: {"candidate_external_id": ["No candidate has “CA-404”."]},
    }


def test_an_application_for_a_candidate_already_in_process_for_the_position_is_refused(
    recruiter,
):
    import_records(recruiter)
    rows = applications(2) + [["AP-9", "CA-1", "PO-1", ""]]  # AP-1 again, another id

    preview = import_preview(recruiter, Application, csv_bytes(rows), file_format=CSV)

    (invalid,) = preview.context["result"].invalid_rows
    assert invalid.number == 3
    assert "already exists" in str(invalid.error_dict)


def test_confirming_a_preview_whose_file_is_no_longer_kept_asks_for_it_again(recruiter):
    preview = import_preview(
        recruiter, Candidate, csv_bytes(candidates(recruiter.user.email)), file_format=CSV
    )
    kept = preview.context["confirm_form"].initial["import_file_name"]
    cache.delete(f"django-import-export-{kept}")  # the cache let it go (a day later)

    page = import_confirm(recruiter, Candidate, preview)

    assert page.redirect_chain[-1][0] == "/admin/candidates/candidate/import/"
    assert "The previewed file is no longer kept: upload it again." in messages_of(page)
    assert Candidate.objects.count() == 0


@pytest.mark.parametrize(("name", "value"), [("format", "9"), ("format", "x"), ("resource", "7")])
def test_a_confirmation_the_preview_did_not_offer_is_refused_with_a_message(recruiter, name, value):
    preview = import_preview(
        recruiter, Candidate, csv_bytes(candidates(recruiter.user.email)), file_format=CSV
    )
    form = preview.context["confirm_form"]
    posted = {**{field: form.initial[field] for field in form.fields}, name: value}

    page = recruiter.post("/admin/candidates/candidate/process_import/", posted, follow=True)

    assert page.status_code == 200
    assert "This import cannot be confirmed: upload the file again." in messages_of(page)
    assert Candidate.objects.count() == 0


# --- interviews -------------------------------------------------------------------------


def test_imported_interviews_are_scheduled_through_the_service_with_their_requests(
    clock, recruiter
):
    import_records(recruiter)
    start = dt.datetime(2026, 3, 10, 9, 0)  # noqa: DTZ001 (a Chicago wall time)

    page = admin_import(recruiter, Interview, interviews_xlsx(start), file_format=XLSX)

    assert "2 new" in " ".join(messages_of(page))
    first, second = Interview.objects.order_by("external_id")
    assert (first.external_id, second.external_id) == ("IV-1", "IV-2")
    # Wall times read in the row's time zone, from a date cell and from a serial number.
    assert first.starts_at == second.starts_at == start.replace(tzinfo=CHICAGO)
    assert first.ends_at == start.replace(tzinfo=CHICAGO) + dt.timedelta(hours=1)
    assert (first.kind, second.kind) == (Interview.Kind.IN_PERSON, Interview.Kind.VIDEO)
    assert second.round == 1  # empty: the next round, as the scheduling service counts
    for interview in (first, second):
        assert interview.feedback_requests.count() == 2
        event = TimelineEvent.objects.get(
            application=interview.application, kind=TimelineEvent.Kind.INTERVIEW_SCHEDULED
        )
        assert event.actor == recruiter.user
    assert first.application.stage == Application.Stage.INTERVIEWING


def test_importing_the_same_interviews_again_plans_nothing_again(clock, recruiter):
    import_records(recruiter)
    start = dt.datetime(2026, 3, 10, 9, 0)  # noqa: DTZ001
    admin_import(recruiter, Interview, interviews_xlsx(start), file_format=XLSX)
    planned, events = planned_requests(), TimelineEvent.objects.count()

    page = admin_import(recruiter, Interview, interviews_xlsx(start), file_format=XLSX)

    assert "0 new, 0 updated, 0 deleted and 2 skipped" in " ".join(messages_of(page))
    assert planned_requests() == planned
    assert TimelineEvent.objects.count() == events
    assert Interview.objects.count() == 2


def test_a_changed_time_reschedules_the_interview_and_moves_its_requests(clock, recruiter):
    import_records(recruiter)
    start = dt.datetime(2026, 3, 10, 9, 0)  # noqa: DTZ001
    admin_import(recruiter, Interview, interviews_xlsx(start), file_format=XLSX)
    due_before = FeedbackRequest.objects.get(interview__external_id="IV-1", party="candidate")

    later = start + dt.timedelta(days=1)
    admin_import(recruiter, Interview, interviews_xlsx(later), file_format=XLSX)

    moved = FeedbackRequest.objects.get(interview__external_id="IV-1", party="candidate")
    assert moved.due_at == due_before.due_at + dt.timedelta(days=1)
    assert moved.cycle == due_before.cycle + 1
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.INTERVIEW_RESCHEDULED).count() == 2
    assert Interview.objects.count() == 2


def test_an_interview_that_ends_before_it_starts_is_that_rows_error(clock, recruiter):
    import_records(recruiter)
    start = dt.datetime(2026, 3, 10, 9, 0)  # noqa: DTZ001
    rows = [
        INTERVIEW_HEADER,
        ["IV-1", "AP-1", 1, "phone", "2026-03-10 09:00", "2026-03-10 08:00", "", ""],
        ["IV-2", "AP-2", 1, "phone", start, start + dt.timedelta(hours=1), "", ""],
        ["IV-3", "AP-2", 2, "by pigeon", "13/03/2026 9:00", "03/13/2026 10:00", "", ""],
    ]

    preview = import_preview(recruiter, Interview, xlsx_bytes(rows), file_format=XLSX)

    errors = {row.number: row.error_dict for row in preview.context["result"].invalid_rows}
    assert errors[1] == {"__all__": ["The interview must end after it starts."]}
    assert set(errors[3]) == {"kind", "starts_at"}  # slashes are month first: no month 13
    assert Interview.objects.count() == 0
    import_confirm(recruiter, Interview, preview)
    assert list(Interview.objects.values_list("external_id", flat=True)) == ["IV-2"]


def test_exported_interviews_import_back_unchanged(clock, recruiter):
    import_records(recruiter)
    start = dt.datetime(2026, 3, 10, 9, 0)  # noqa: DTZ001
    admin_import(recruiter, Interview, interviews_xlsx(start), file_format=XLSX)

    exported = recruiter.post("/admin/candidates/interview/export/", export_form(recruiter, XLSX))
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    page = admin_import(recruiter, Interview, exported.content, file_format=XLSX)

    assert "0 new, 0 updated, 0 deleted and 2 skipped" in " ".join(messages_of(page))


# --- who may import ---------------------------------------------------------------------


def test_nobody_signed_in_is_sent_to_the_login_page(anonymous):
    for url in ("/admin/candidates/candidate/import/", "/admin/candidates/candidate/export/"):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    upload = import_preview(
        anonymous, Candidate, csv_bytes(candidates("x@y.example")), file_format=CSV
    )
    assert upload.status_code == 302
    assert Candidate.objects.count() == 0


def test_a_recruiter_sees_the_import_and_export_buttons(recruiter):
    page = recruiter.get("/admin/candidates/candidate/")
    assert b"/admin/candidates/candidate/import/" in page.content
    assert b"/admin/candidates/candidate/export/" in page.content
    assert recruiter.get("/admin/candidates/candidate/import/").status_code == 200


@pytest.mark.parametrize("missing", ["add_candidate", "change_candidate"])
def test_a_recruiter_without_add_and_change_rights_cannot_import(recruiter, missing):
    group = recruiter.user.groups.get()
    group.permissions.remove(group.permissions.get(codename=missing))

    assert recruiter.get("/admin/candidates/candidate/import/").status_code == 403
    rows = candidates(recruiter.user.email)
    assert import_preview(recruiter, Candidate, csv_bytes(rows), file_format=CSV).status_code == 403
    assert Candidate.objects.count() == 0
