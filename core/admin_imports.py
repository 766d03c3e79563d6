"""Import and export on a ModelAdmin (django-import-export), as the recruiter admin offers
them (docs/import.md): CSV (as spreadsheets write it) and XLSX; a preview of every row
before anything is written; and rows with errors shown and left out while the others are
imported, rather than one bad row holding back the file.

An import adds and changes rows: it needs the model's "add" permission (the library's
IMPORT_EXPORT_IMPORT_PERMISSION_CODE, in settings) and its "change" permission (here). An
export needs "view" (IMPORT_EXPORT_EXPORT_PERMISSION_CODE).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from import_export.admin import ExportMixin, ImportExportMixin

from .imports import EXPORT_FORMATS, IMPORT_FORMATS


class SpreadsheetExportMixin(ExportMixin):
    export_formats = EXPORT_FORMATS


class SpreadsheetImportExportMixin(ImportExportMixin):
    import_formats = IMPORT_FORMATS
    export_formats = EXPORT_FORMATS
    import_template_name = "admin/tvr/import.html"

    def has_import_permission(self, request):
        return super().has_import_permission(request) and self.has_change_permission(request)

    def import_action(self, request, **kwargs):
        """The preview (a dry run). The library offers to confirm only a file without a
        single bad row; here the rows with errors are listed and the others can be
        imported all the same. A file that cannot be read, or an unexpected error, is
        still refused whole."""
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        result = context.get("result")
        if (
            result is not None
            and "confirm_form" not in context
            and not result.has_errors()
            and result.has_validation_errors()
            and result.valid_rows()
        ):
            context["confirm_form"] = self.create_confirm_form(request, import_form=context["form"])
        return response

    def process_import(self, request, **kwargs):
        """The confirm step. The previewed file waits in the temporary storage (the cache,
        for a day): if it is gone, say so and ask for it again rather than fail; so too
        for a confirmation whose format or resource is none the page offered."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        if form.is_valid():
            refusal = self._confirm_refusal(request, form.cleaned_data)
            if refusal:
                messages.error(request, refusal)
                app_label, model_name = self.get_model_info()
                return redirect(reverse(f"admin:{app_label}_{model_name}_import"))
        return super().process_import(request, **kwargs)

    def _confirm_refusal(self, request, confirmed: dict) -> str:
        """Why this confirmation cannot be carried out ("" if it can)."""
        offered = {
            "format": len(self.get_import_formats()),
            "resource": len(self.get_import_resource_classes(request)),
        }
        for name, count in offered.items():
            value = confirmed.get(name) or "0"
            if not (value.isdigit() and int(value) < count):
                return "This import cannot be confirmed: upload the file again."
        if not self._upload_kept(confirmed["import_file_name"]):
            return "The previewed file is no longer kept: upload it again."
        return ""

    def _upload_kept(self, name: str) -> bool:
        storage = self.get_tmp_storage_class()(
            name=name, read_mode="rb", **self.get_tmp_storage_class_kwargs()
        )
        try:
            return storage.read() is not None
        except OSError:
            return False

    def add_success_message(self, result, request):
        super().add_success_message(result, request)
        if result.invalid_rows:
            rows = ", ".join(str(row.number) for row in result.invalid_rows)
            messages.warning(
                request,
                f"{len(result.invalid_rows)} row(s) with errors were not imported "
                f"(rows {rows} of the file's data, not counting blank lines).",
            )
