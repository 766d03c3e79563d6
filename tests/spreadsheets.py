"""Files as spreadsheet programs write them, for the import tests: CSV with a byte order
mark, `;` between cells, CRLF line ends and blank lines (rows of empty cells); XLSX with
real date cells (openpyxl). And the admin's import, as a browser does it: upload and
preview, then confirm."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

# The admin's import formats, in their order (core.imports.IMPORT_FORMATS).
CSV, XLSX = "0", "1"


def csv_bytes(rows: list[list], *, separator: str = ";", blank_lines: bool = True) -> bytes:
    """`rows` (the header first) as a spreadsheet saves "CSV UTF-8": a BOM, `separator`,
    CRLF, and (with `blank_lines`) an empty row after the header and at the end."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    header, *body = rows
    writer.writerow(header)
    if blank_lines:
        writer.writerow([""] * len(header))
    writer.writerows(body)
    if blank_lines:
        writer.writerow([""] * len(header))
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def xlsx_bytes(rows: list[list], *, blank_lines: bool = True) -> bytes:
    """`rows` as an XLSX sheet; datetimes become date cells, numbers number cells."""
    book = Workbook()
    sheet = book.active
    header, *body = rows
    sheet.append(header)
    for n, row in enumerate(body):
        if blank_lines and n == len(body) // 2:
            sheet.append([None] * len(header))
        sheet.append(row)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.is_date:
                cell.number_format = "yyyy-mm-dd hh:mm"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_preview(persona, model, content: bytes, *, file_format: str, name: str = ""):
    """Upload a file to the model's admin import page: the preview (a dry run)."""
    name = name or f"import.{'csv' if file_format == CSV else 'xlsx'}"
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")
    return persona.post(
        url,
        {"resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, content)},
    )


def import_confirm(persona, model, preview):
    """Confirm the previewed import (the form the preview page offers)."""
    form = preview.context["confirm_form"]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_process_import")
    return persona.post(url, {name: form.initial[name] for name in form.fields}, follow=True)


def admin_import(persona, model, content: bytes, *, file_format: str):
    """Preview then confirm; returns the page after the import (the list, its messages)."""
    preview = import_preview(persona, model, content, file_format=file_format)
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is not None, _errors(preview)
    return import_confirm(persona, model, preview)


def _errors(preview) -> str:
    result = preview.context.get("result")
    form = preview.context.get("form")
    if result is None:
        return f"no result: {form.errors if form is not None else preview.content[:500]}"
    return str(
        [(row.number, row.error_dict) for row in result.invalid_rows]
        + [(n, [e.error for e in errors]) for n, errors in result.row_errors()]
        + [e.error for e in result.base_errors]
    )
