"""Reading the files a spreadsheet program writes, for django-import-export: what every
import of records keyed by another system's id shares, knowing nothing of our records.

- `SpreadsheetCSV`: CSV with or without a UTF-8 byte order mark, cells separated by `,`,
  `;` (what a spreadsheet in a decimal-comma locale writes) or a tab.
- Widgets that read cells as people type them: an id that a spreadsheet turned into a
  number (`1001.0`), "yes"/"no", a choice by its value or its label, a moment as a date
  cell, an Excel serial number or text, read in the row's time zone when it names none.
- `ExternalIdResource`: a ModelResource whose rows are found by `external_id` (a re-import
  updates, an unchanged row is skipped), whose every problem with a row is that row's
  validation error (so the other rows are imported, see docs/import.md), and that writes
  through `write()`, which a resource points at the service that saves its model.
"""

import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import tablib
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import CachedInstanceLoader

# --- files ------------------------------------------------------------------------------


class SpreadsheetCSV(base_formats.CSV):
    """CSV as spreadsheet programs save it: the separator is the one the header line uses
    most (`,`, `;` or a tab), and a byte order mark is dropped."""

    SEPARATORS = (",", ";", "\t")

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = in_stream.decode(self.encoding or "utf-8-sig")
        in_stream = in_stream.removeprefix("\ufeff")
        header = in_stream.split("\n", 1)[0]
        separator = max(self.SEPARATORS, key=header.count)
        return tablib.import_set(in_stream, format="csv", delimiter=separator)


# The formats the admin reads and writes (docs/import.md).
IMPORT_FORMATS = [SpreadsheetCSV, base_formats.XLSX]
EXPORT_FORMATS = [base_formats.CSV, base_formats.XLSX]


def column_name(header) -> str:
    """A header as typed ("External ID ") read as the column's name ("external_id")."""
    return "_".join(str(header or "").strip().lower().split())


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- cells ------------------------------------------------------------------------------


def id_text(value) -> str:
    """An id cell as text: a spreadsheet reads `1001` as a number (1001.0 in some files);
    the id is the digits, as typed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class ExternalIdWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return id_text(value)


class ExternalIdForeignKeyWidget(widgets.ForeignKeyWidget):
    """A related row named by its external id (or by another `field`); a name that finds
    no row is the cell's error, not the import's. The rows a file names are read in one
    query (`rows_named`) when the resource reads the file."""

    def __init__(
        self,
        model,
        field: str = "external_id",
        *,
        case_insensitive: bool = False,
        select_related: tuple[str, ...] = (),
        **kwargs,
    ):
        super().__init__(model, field=field, **kwargs)
        self.case_insensitive = case_insensitive
        self.select_related = select_related

    def key(self, text: str) -> str:
        return text.lower() if self.case_insensitive else text

    def rows_named(self, cells) -> dict[str, list]:
        """The rows these cells name, by key (a list: a name may find several)."""
        keys = {self.key(id_text(cell)) for cell in cells} - {""}
        expression = Lower(self.field) if self.case_insensitive else F(self.field)
        rows = defaultdict(list)
        for row in (
            self.model.objects.select_related(*self.select_related)
            .annotate(_import_key=expression)
            .filter(_import_key__in=keys)
        ):
            rows[row._import_key].append(row)
        return rows

    def clean(self, value, row=None, related=None, **kwargs):
        text = id_text(value)
        if not text:
            return None
        named = (related or {}).get(id(self))
        if named is None:
            named = self.rows_named([text])
        found = named.get(self.key(text), [])
        noun = self.model._meta.verbose_name
        if not found:
            raise ValueError(f"No {noun} has “{text}”.")
        if len(found) > 1:
            raise ValueError(f"More than one {noun} has “{text}”.")
        return found[0]

    def render(self, value, obj=None, **kwargs):
        for name in self.field.split("__"):
            if value is None:
                break
            value = getattr(value, name, None)
        return "" if value is None else str(value)


class YesNoWidget(widgets.BooleanWidget):
    """yes/no, true/false, y/n, 1/0, x (ticked) in any case; empty is the field's
    default; anything else is the cell's error."""

    YES = {"yes", "y", "true", "1", "x"}
    NO = {"no", "n", "false", "0"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = id_text(value).lower()
        if not text:
            return None
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(f"“{value}” is neither yes nor no.")

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else ("yes" if value else "no")


class ChoiceWidget(widgets.CharWidget):
    """A choice by its value or its label, in any letter case ("In person", "in_person")."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.values = {}
        for value, label in choices:
            self.values[str(value).lower()] = value
            self.values[str(label).lower()] = value

    def clean(self, value, row=None, **kwargs):
        text = id_text(value)
        if not text:
            return ""
        try:
            return self.values[" ".join(text.lower().split())]
        except KeyError:
            allowed = ", ".join(sorted({str(v) for v in self.values.values()}))
            raise ValueError(f"“{text}” is not one of: {allowed}.") from None


# Excel counts days from 1899-12-30 (its day 60 is a 29 February 1900 that never was; every
# date since March 1900 is right counted from here).
EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 (a wall time: read in the row's zone)
# What a person types, besides ISO 8601 (2026-03-03 15:00, 2026-03-03T15:00:00-06:00):
# slashes month first (as the agency's spreadsheets write them), dots day first.
TYPED_FORMATS = (
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
)


# A serial number below this (1 January 1970) is no date this product records: a number
# typed in the wrong column, not a moment.
FIRST_SERIAL = 25569


def excel_serial_moment(serial: float) -> datetime:
    """A spreadsheet's serial date-time (days since its epoch, the time as the fraction),
    to the second."""
    if not FIRST_SERIAL <= serial < 2958466:  # up to the spreadsheet's last day, 9999
        raise ValueError(f"{serial:g} is not a date and time.")
    return EXCEL_EPOCH + timedelta(seconds=round(serial * 86400))


def moment_from_cell(value) -> datetime | None:
    """A moment as a spreadsheet gives it: a date(-time) cell, a serial number (also as
    text, with a decimal comma), or text. Naive unless the text names its offset."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial_moment(float(value))
    text = " ".join(str(value).split())
    try:
        serial = float(text.replace(",", "."))
    except ValueError:
        pass
    else:
        return excel_serial_moment(serial)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in TYPED_FORMATS:
        try:
            return datetime.strptime(text.upper(), pattern)  # noqa: DTZ007 (a wall time, as EXCEL_EPOCH)
        except ValueError:
            continue
    raise ValueError(
        f"“{value}” is not a date and time (write 2026-03-03 15:00, or use a date cell)."
    )


class SpreadsheetDateTimeWidget(widgets.DateTimeWidget):
    """A moment from a cell (`moment_from_cell`); one without an offset is read in the time
    zone the row's `zone_column` names (else UTC). A resource writes it back the same way
    (`local_moment`), so that an exported file imports unchanged."""

    def __init__(self, zone_column: str = "time_zone", **kwargs):
        super().__init__(**kwargs)
        self.zone_column = zone_column

    def _zone(self, name) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(str(name).strip() or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")  # the time zone cell has its own error

    def clean(self, value, row=None, **kwargs):
        moment = moment_from_cell(value)
        if moment is None or timezone.is_aware(moment):
            return moment
        return timezone.make_aware(moment, self._zone((row or {}).get(self.zone_column) or ""))


# What a spreadsheet would run as a formula when it opens a cell that starts so.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """Text someone else typed, safe to open in a spreadsheet: one that would start a
    formula is written with a leading apostrophe (the spreadsheet's "this is text")."""
    return f"'{text}" if text and text.startswith(FORMULA_STARTS) else text


# --- rows -------------------------------------------------------------------------------


class ExternalIdLoader(CachedInstanceLoader):
    """The file's rows' existing records in one query, by external id (rows without one
    are refused before they are looked up, see ExternalIdResource.get_instance)."""

    def __init__(self, resource, dataset=None):
        super(CachedInstanceLoader, self).__init__(resource, dataset)
        self.pk_field = resource.fields["external_id"]
        ids = set()
        if dataset and "external_id" in (dataset.headers or []):
            ids = {self.pk_field.clean(row) for row in dataset.dict} - {""}
        self.all_instances = {
            instance.external_id: instance
            for instance in resource.get_queryset().filter(external_id__in=ids)
        }

    def get_instance(self, row):
        return self.all_instances.get(self.pk_field.clean(row))


MISSING_EXTERNAL_ID = "Every row needs its external id (the record's id in your ATS)."


class ExternalIdResource(resources.ModelResource):
    """Rows keyed by `external_id`: a new id adds a record, a known one updates it, an
    unchanged row is skipped. A row's problems (a cell that cannot be read, a related row
    that is not there, a rule of the model, a refusal of the service) are that row's
    errors: the row is not written and every other row is."""

    external_id = fields.Field(
        attribute="external_id", column_name="external_id", widget=ExternalIdWidget()
    )
    # Columns whose empty cell leaves the record's value as it is (a new record's: the
    # model's default), rather than emptying it.
    keep_when_blank: tuple[str, ...] = ("time_zone",)

    class Meta:
        import_id_fields = ["external_id"]
        instance_loader_class = ExternalIdLoader
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    # -- the file --

    def before_import(self, dataset, **kwargs):
        """Headers as typed are read as column names; blank lines (a spreadsheet writes
        them as rows of empty cells) are dropped."""
        if dataset.headers:
            dataset.headers = [column_name(header) for header in dataset.headers]
        blank = [i for i, row in enumerate(dataset) if all(is_blank(cell) for cell in row)]
        for i in reversed(blank):
            del dataset[i]
        # The related rows the file names, a query per column (not one per row).
        self._related = {
            id(field.widget): field.widget.rows_named(dataset[field.column_name])
            for field in self.fields.values()
            if isinstance(field.widget, ExternalIdForeignKeyWidget)
            and field.column_name in (dataset.headers or [])
        }

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        kwargs["related"] = getattr(self, "_related", None)
        super().import_field(field, instance, row, is_m2m, **kwargs)

    # -- a row --

    def get_instance(self, instance_loader, row):
        if not self.fields["external_id"].clean(row):
            raise ValidationError({"external_id": MISSING_EXTERNAL_ID})
        return super().get_instance(instance_loader, row)

    def import_instance(self, instance, row, **kwargs):
        """Reads the row into the instance and notes which fields it changed, for the
        service that saves it (`write`'s `changed`)."""
        before = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
        row = {
            column: value
            for column, value in row.items()
            if not (column in self.keep_when_blank and is_blank(value))
        }
        super().import_instance(instance, row, **kwargs)
        instance._imported_changes = [
            f.name
            for f in instance._meta.concrete_fields
            if getattr(instance, f.attname) != before[f.attname]
        ]

    def not_validated(self, instance) -> set[str]:
        """Fields the model's own checks leave out: those the saving service sets (not
        editable, e.g. a desk copy)."""
        return {f.name for f in instance._meta.concrete_fields if not f.editable}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors, *self.not_validated(instance)], validate_unique=validate_unique
            )
        except ValidationError as refusal:
            errors = refusal.update_error_dict(errors)
        if errors:
            # Named as the file names them: the column, not the model's field.
            columns = {f.attribute: f.column_name for f in self.fields.values() if f.attribute}
            raise ValidationError({columns.get(key, key): value for key, value in errors.items()})

    def save_instance(self, instance, is_create, row, **kwargs):
        """The row's write, through `write`, in a savepoint of its own: a refusal (or a
        row that a concurrent write made a duplicate) is the row's error."""
        if kwargs.get("dry_run") and not kwargs.get("using_transactions"):
            return  # nothing to roll the preview back with: write nothing
        try:
            with transaction.atomic():
                self.write(
                    instance=instance,
                    created=is_create,
                    changed=[] if is_create else list(getattr(instance, "_imported_changes", [])),
                    actor=kwargs.get("user"),
                )
        except IntegrityError as refusal:
            raise ValidationError(f"Not saved: {refusal}") from refusal

    def write(self, *, instance, created: bool, changed: list[str], actor) -> None:
        """Save the row's record (a resource whose model has a saving service calls it)."""
        instance.save()


def local_moment(moment: datetime | None, zone_name: str) -> datetime | None:
    """A moment as a cell shows it: in the record's time zone, without an offset (what
    SpreadsheetDateTimeWidget reads back in that zone)."""
    if moment is None:
        return None
    return moment.astimezone(zoneinfo.ZoneInfo(zone_name or "UTC")).replace(tzinfo=None)
