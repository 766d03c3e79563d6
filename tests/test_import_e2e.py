"""An import in a real browser (the system Chromium): a recruiter uploads a spreadsheet's
CSV, sees the bad row with its error and the good rows in the preview, confirms, and
finds the good rows imported."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from candidates.models import Candidate
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def test_a_recruiter_previews_an_import_and_imports_its_good_rows(
    live_server, recruiter, page, tmp_path
):
    email = recruiter.user.email
    header = ["External ID", "First name", "Last name", "Email", "Owner email", "Time zone"]
    upload = tmp_path / "candidates.csv"
    upload.write_bytes(
        csv_bytes(
            [
                header,
                ["CA-1", "Maya", "Okafor", "maya@mail.example", email, "America/Chicago"],
                ["CA-2", "Jordan", "Alvarez", "jordan@mail.example", "nobody@tvr.example", ""],
                ["CA-3", "Hannah", "Schultz", "hannah@mail.example", email, ""],
            ]
        )
    )
    # The persona's session (signed in the way the admin signs recruiters in).
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": recruiter.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )

    page.goto(f"{live_server.url}/admin/candidates/candidate/")
    page.get_by_role("link", name="Import").click()
    page.get_by_label("File to import").set_input_files(str(upload))
    page.get_by_label("Format").select_option(label="csv")
    page.get_by_role("button", name="Submit").click()

    expect(page.locator(".errornote")).to_contain_text("1 row with errors")
    errors = page.locator("table.import-preview").first
    expect(errors).to_contain_text("No recruiter has “nobody@tvr.example”.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "import-preview.png"), full_page=True)
    assert Candidate.objects.count() == 0
    page.get_by_role("button", name="Confirm import").click()

    expect(page.locator(".messagelist")).to_contain_text("Import finished: 2 new")
    expect(page.locator(".messagelist")).to_contain_text("1 row(s) with errors were not imported")
    assert sorted(Candidate.objects.values_list("external_id", flat=True)) == ["CA-1", "CA-3"]
