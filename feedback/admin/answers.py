"""The answers: read, and for a candidate's, what of it the client sees (chosen through
feedback.services.feedback_share_with_client, which records who shared what); and their
export for a span of days (feedback.resources.FeedbackExportResource, docs/import.md)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from import_export.forms import ExportForm

from candidates.admin_filters import when_filter
from core.admin_actions import ServiceRefusalMixin, admin_link
from core.admin_imports import SpreadsheetExportMixin
from core.formatting import duration_text
from core.paginators import BigTableMixin

from .. import rules, selectors, services
from ..models import Feedback, Party
from ..resources import FeedbackExportResource
from .common import REQUEST_PATH, KeptRecordAdmin, request_recruiter_filter


def shareable_parts() -> list[tuple[str, str]]:
    """What of a candidate's answer the recruiter can show the client (the client pages
    show exactly these)."""
    return [("interest_band", "Interest band (high / moderate / low / not interested)")] + [
        (name, str(Feedback._meta.get_field(name).verbose_name).capitalize())
        for name in rules.CLIENT_SHAREABLE_PARTS
        if name != "interest_band"
    ]


class FeedbackAdminForm(forms.ModelForm):
    shared_with_client = forms.MultipleChoiceField(
        choices=shareable_parts,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The parts of this answer the client sees on their pages.",
    )

    class Meta:
        model = Feedback
        fields = ["shared_with_client"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("shared_with_client")
        if field is not None:
            # Keep whatever is stored even if this list does not know it (yet).
            known = {value for value, _ in field.choices}
            stored = self.instance.shared_with_client or []
            field.choices = [*field.choices, *((v, v) for v in stored if v not in known)]


class FeedbackExportForm(ExportForm):
    """The export's format and its span of days (in the reader's time zone); the list's
    filters apply too."""

    submitted_from = forms.DateField(label="Answers given from", widget=AdminDateWidget)
    submitted_to = forms.DateField(label="to (inclusive)", widget=AdminDateWidget)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if first and last and last < first:
            self.add_error("submitted_to", "The span must end on or after its first day.")
        return cleaned


@admin.register(Feedback)
class FeedbackAdmin(SpreadsheetExportMixin, ServiceRefusalMixin, BigTableMixin, KeptRecordAdmin):
    form = FeedbackAdminForm
    resource_classes = [FeedbackExportResource]
    export_form_class = FeedbackExportForm
    list_display = [
        "request",
        "channel",
        "submitted_at",
        "interest_level",
        "still_interested",
        "decision",
        "lateness_display",
        "is_current",
    ]
    list_filter = [
        "request__party",
        "channel",
        "is_current",
        "still_interested",
        "decision",
        request_recruiter_filter(prefix="request__"),
        when_filter("submitted_at", "submitted", parameter="submitted", future=False),
    ]
    list_select_related = [f"request__{path}" for path in REQUEST_PATH]
    search_fields = [
        "request__interview__application__candidate__first_name",
        "request__interview__application__candidate__last_name",
        "request__interview__application__position__client__name",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "request_link",
                    "channel",
                    "submitted_at",
                    "lateness_display",
                    "entered_by",
                    "is_current",
                    "supersedes",
                ]
            },
        ),
        (
            "Candidate's answer",
            {
                "fields": list(Feedback.CANDIDATE_FIELDS),
            },
        ),
        (
            "Client's answer",
            {"fields": ["decision", "rating", "strengths", "next_step", "next_step_date"]},
        ),
        ("Shared with the client", {"fields": ["shared_with_client"]}),
    ]
    answer_fields = [
        name
        for _, options in fieldsets
        for name in options["fields"]
        if name != "shared_with_client"
    ]

    def has_add_permission(self, request):
        return False  # answers come from the portal, the client pages or a logged call

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.request.party == Party.CLIENT:
            return [*self.answer_fields, "shared_with_client"]  # the client's own answer
        return self.answer_fields

    def save_model(self, request, obj, form, change):
        # The answer is the party's: what the client sees is the one thing changed here.
        if "shared_with_client" in form.changed_data:
            services.feedback_share_with_client(
                feedback=obj, parts=form.cleaned_data["shared_with_client"], actor=request.user
            )

    def get_data_for_export(self, request, queryset, **kwargs):
        """The list's rows (its filters apply) given in the form's span of days."""
        span = kwargs["export_form"].cleaned_data
        since, until = selectors.day_span(first=span["submitted_from"], last=span["submitted_to"])
        answers = selectors.feedback_for_export(answers=queryset, since=since, until=until)
        return super().get_data_for_export(request, answers, **kwargs)

    @admin.display(description="Request")
    def request_link(self, obj):
        return admin_link(obj.request)

    @admin.display(description="Lateness", ordering="lateness")
    def lateness_display(self, obj):
        # As the dashboard and the timeline say it (core.formatting.duration_text).
        return f"{duration_text(obj.lateness)} late" if obj.lateness else "on time"
