"""Reading cells and files as spreadsheet programs write them (core.imports)."""

import datetime as dt
import zoneinfo

import pytest

from core.imports import (
    ChoiceWidget,
    SpreadsheetCSV,
    SpreadsheetDateTimeWidget,
    YesNoWidget,
    column_name,
    id_text,
    moment_from_cell,
    spreadsheet_text,
)

MARCH_3_AT_3PM = dt.datetime(2026, 3, 3, 15, 0)  # noqa: DTZ001 (a wall time)


@pytest.mark.parametrize(
    "cell",
    [
        MARCH_3_AT_3PM,  # a date cell
        46084.625,  # a serial number cell
        "46084.625",  # a serial number saved as text
        "46084,625",  # … with a decimal comma
        "2026-03-03 15:00",
        "2026-03-03T15:00:00",
        "3/3/2026 15:00",  # slashes: month first
        "03/03/2026 3:00 pm",
        "03.03.2026 15:00",  # dots: day first
    ],
)
def test_a_moment_is_read_from_every_way_a_spreadsheet_writes_it(cell):
    assert moment_from_cell(cell) == MARCH_3_AT_3PM


def test_a_date_cell_without_a_time_is_the_start_of_the_day():
    assert moment_from_cell(dt.date(2026, 3, 3)) == dt.datetime(2026, 3, 3)  # noqa: DTZ001


def test_an_offset_in_the_text_is_kept():
    assert moment_from_cell("2026-03-03T15:00:00+00:00") == MARCH_3_AT_3PM.replace(tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "cell", ["tomorrow", "13/03/2026 09:00", "2026-02-30 10:00", 2026, "12", 1e9, float("nan")]
)
def test_what_is_no_moment_is_the_cells_error(cell):
    with pytest.raises(ValueError, match="is not a date and time"):
        moment_from_cell(cell)


@pytest.mark.parametrize("cell", [None, "", "   "])
def test_an_empty_cell_is_no_moment(cell):
    assert moment_from_cell(cell) is None


def test_a_wall_time_is_read_in_the_rows_time_zone():
    widget = SpreadsheetDateTimeWidget("time_zone")
    chicago = widget.clean("2026-03-03 09:00", row={"time_zone": "America/Chicago"})
    assert chicago == dt.datetime(2026, 3, 3, 15, 0, tzinfo=dt.UTC)
    assert widget.clean("2026-03-03 09:00", row={"time_zone": ""}).tzinfo == zoneinfo.ZoneInfo(
        "UTC"
    )


@pytest.mark.parametrize(
    ("cell", "text"), [(1001, "1001"), (1001.0, "1001"), (" CA-7 ", "CA-7"), (None, "")]
)
def test_an_id_is_read_as_typed_even_when_the_spreadsheet_made_it_a_number(cell, text):
    assert id_text(cell) == text


@pytest.mark.parametrize(
    ("cell", "value"),
    [("yes", True), ("Y", True), ("x", True), ("TRUE", True), (1, True), (True, True)]
    + [("no", False), ("n", False), ("0", False), (False, False), ("", None), (None, None)],
)
def test_yes_and_no_are_read_in_any_spelling(cell, value):
    assert YesNoWidget().clean(cell) is value


def test_anything_else_is_neither_yes_nor_no():
    with pytest.raises(ValueError, match="neither yes nor no"):
        YesNoWidget().clean("perhaps")


def test_a_choice_is_read_by_its_value_or_its_label():
    widget = ChoiceWidget([("in_person", "In person"), ("video", "Video")])
    assert widget.clean("In Person") == widget.clean("in_person") == "in_person"
    with pytest.raises(ValueError, match="is not one of: in_person, video"):
        widget.clean("by pigeon")


def test_headers_are_read_as_column_names():
    assert column_name(" External  ID ") == "external_id"
    assert column_name(None) == ""


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_a_csv_is_read_with_its_byte_order_mark_and_its_separator(separator):
    text = separator.join(["external_id", "name"]) + "\r\n" + separator.join(["1", "Ann"])
    dataset = SpreadsheetCSV(encoding="utf-8-sig").create_dataset(b"\xef\xbb\xbf" + text.encode())
    assert dataset.headers == ["external_id", "name"]
    assert list(dataset) == [("1", "Ann")]


def test_a_semicolon_csv_keeps_commas_inside_its_cells():
    dataset = SpreadsheetCSV().create_dataset('name;city\r\n"Okafor, Maya";Chicago, IL\r\n')
    assert list(dataset) == [("Okafor, Maya", "Chicago, IL")]


@pytest.mark.parametrize(
    ("text", "written"),
    [("=1+2", "'=1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("-2", "'-2"), ("fine", "fine"), ("", "")],
)
def test_text_someone_typed_never_opens_as_a_formula(text, written):
    assert spreadsheet_text(text) == written
