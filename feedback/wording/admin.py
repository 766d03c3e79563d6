"""The agency's wording in the admin: every message listed, its subject and text edited
(starting from the shipped text), refused on save if it does not compile, previewed on a
real request with the variables it may use, and reset to the shipped files. Thin: the
rules are feedback.services.wording's."""

from csp.decorators import csp_replace
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.views.decorators.clickjacking import xframe_options_sameorigin

from ..admin.outbox import MAIL_PREVIEW_POLICY
from ..services import wording as wording_services
from .catalog import BY_KEY, HTML, MESSAGES
from .models import MessageWording
from .rendering import shipped_source

PARTS = ("subject", "body_text", "body_html")
SMS_HELP = (
    "Each line is one version of the text, longest first: the first that fits one SMS "
    "segment (160 plain characters) is sent, else the last. Blank: the shipped text."
)


def _preview_url(key: str) -> str:
    return reverse("admin:feedback_messagewording_preview") + "?" + urlencode({"key": key})


class MessageWordingForm(forms.ModelForm):
    class Meta:
        model = MessageWording
        fields = ["key", *PARTS]
        widgets = {
            "subject": forms.Textarea(attrs={"rows": 2, "cols": 100}),
            "body_text": forms.Textarea(attrs={"rows": 18, "cols": 100}),
            "body_html": forms.Textarea(attrs={"rows": 18, "cols": 100}),
        }

    def clean(self):
        data = super().clean()
        key = data.get("key") or getattr(self.instance, "key", "")
        if key in BY_KEY:
            sources = {part: data.get(part) or "" for part in PARTS}
            errors = wording_services.message_wording_errors(key=key, sources=sources)
            for part, error in errors.items():
                self.add_error(part, error)
        return data


@admin.register(MessageWording)
class MessageWordingAdmin(admin.ModelAdmin):
    form = MessageWordingForm
    list_display = ["key", "label", "updated_at", "updated_by"]
    actions = ["reset_to_shipped"]
    change_list_template = "admin/feedback/messagewording/change_list.html"
    change_form_template = "admin/feedback/messagewording/change_form.html"

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "reset" says what deleting a row means
        return actions

    @admin.display(description="Message")
    def label(self, obj):
        return obj.get_key_display()

    def _key(self, request, obj) -> str:
        return obj.key if obj else request.GET.get("key", "")

    def get_fields(self, request, obj=None):
        wording = BY_KEY.get(self._key(request, obj))
        parts = [p for p in PARTS if wording is None or p in wording.parts]
        return ["key", *parts, "variables"] if obj else ["key", *parts]

    def get_form(self, request, obj=None, change=False, **kwargs):
        wording = BY_KEY.get(self._key(request, obj))
        if wording is not None and wording.sms:
            kwargs["help_texts"] = {"body_text": SMS_HELP}
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["key", "variables"] if obj else []

    def get_changeform_initial_data(self, request):
        """A new wording starts from the shipped text of the message chosen."""
        wording = BY_KEY.get(request.GET.get("key", ""))
        if wording is None:
            return {}
        return {
            "key": wording.key,
            **{part: shipped_source(key=wording.key, part=part) for part in wording.parts},
        }

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # The form shows the text in force: a blank part is the shipped file's.
            for part in BY_KEY[obj.key].parts:
                if not getattr(obj, part):
                    setattr(obj, part, shipped_source(key=obj.key, part=part))
        return obj

    @admin.display(description="Variables it may use")
    def variables(self, obj):
        preview = wording_services.message_wording_preview(key=obj.key)
        if preview.request is None:
            return "(no feedback request yet to show them on)"
        return format_html(
            "<table><tr><th>Name</th><th>On {}</th></tr>{}</table>",
            preview.request,
            format_html_join(
                "",
                "<tr><td><code>{{{{ {} }}}}</code></td><td>{}</td></tr>",
                ((name, "" if value is None else value) for name, value in preview.variables),
            ),
        )

    def save_model(self, request, obj, form, change):
        saved = wording_services.message_wording_save(
            key=obj.key,
            sources={part: form.cleaned_data.get(part) or "" for part in PARTS},
            actor=request.user,
        )
        obj.pk = saved.pk

    @admin.action(description="Reset to the shipped text", permissions=["delete"])
    def reset_to_shipped(self, request, queryset):
        keys = list(queryset.values_list("key", flat=True))
        for key in keys:
            wording_services.message_wording_reset(key=key)
        self.message_user(request, f"{len(keys)} message(s) back to the shipped text.")

    def changelist_view(self, request, extra_context=None):
        rows = {row.key: row for row in MessageWording.objects.all()}
        catalog = []
        for wording in MESSAGES:
            row = rows.get(wording.key)
            url = (
                reverse("admin:feedback_messagewording_change", args=[row.pk])
                if row
                else reverse("admin:feedback_messagewording_add") + f"?key={wording.key}"
            )
            catalog.append(
                {
                    "wording": wording,
                    "row": row,
                    "edit_url": url,
                    "preview_url": _preview_url(wording.key),
                }
            )
        return super().changelist_view(request, {**(extra_context or {}), "catalog": catalog})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        key = self._key(request, obj)
        if key in BY_KEY:
            context["preview_url"] = _preview_url(key)
            if obj is not None:
                context["reset_url"] = (
                    reverse("admin:feedback_messagewording_reset") + "?" + urlencode({"key": key})
                )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="feedback_messagewording_preview",
            ),
            path(
                "preview/html/",
                self.admin_site.admin_view(
                    csp_replace(MAIL_PREVIEW_POLICY)(xframe_options_sameorigin(self.html_view))
                ),
                name="feedback_messagewording_preview_html",
            ),
            path(
                "reset/",
                self.admin_site.admin_view(self.reset_view),
                name="feedback_messagewording_reset",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """The message on the latest real request: the wording in force (GET), or the
        unsaved text of the form (POST, from its Preview button); nothing is saved."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        key = request.GET.get("key", "")
        wording = BY_KEY.get(key)
        if wording is None:
            raise Http404("No such message.")
        sources = (
            {part: request.POST.get(part, "") for part in wording.parts}
            if request.method == "POST"
            else None
        )
        errors = {}
        try:
            preview = wording_services.message_wording_preview(key=key, sources=sources)
        except ValidationError as exc:
            errors, preview = exc.message_dict, None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Preview: {wording.label}",
            "wording": wording,
            "preview": preview,
            "errors": errors,
            "has_html": HTML in wording.parts,
            # The saved wording's HTML shows rendered in a frame of its own; typed text
            # not saved yet shows as its source.
            "html_url": (
                reverse("admin:feedback_messagewording_preview_html")
                + "?"
                + urlencode({"key": key})
                if sources is None
                else ""
            ),
        }
        return TemplateResponse(request, "admin/feedback/messagewording/preview.html", context)

    def html_view(self, request):
        """The HTML of the wording in force, alone (for the preview's frame), under the
        outbox preview's policy: the mail's inline styles, nothing else."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        wording = BY_KEY.get(request.GET.get("key", ""))
        if wording is None or HTML not in wording.parts:
            raise Http404("No such message.")
        preview = wording_services.message_wording_preview(key=wording.key)
        return HttpResponse(preview.written[HTML] if preview.written else "")

    def reset_view(self, request):
        """Back to the shipped text, on a POST from the change form (GET shows the form)."""
        if not self.has_delete_permission(request):
            raise PermissionDenied
        key = request.GET.get("key", "")
        wording = BY_KEY.get(key)
        if wording is None:
            raise Http404("No such message.")
        changelist = reverse("admin:feedback_messagewording_changelist")
        if request.method == "POST":
            wording_services.message_wording_reset(key=key)
            self.message_user(
                request, f"{wording.label}: back to the shipped text.", messages.SUCCESS
            )

            return HttpResponseRedirect(changelist)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Reset to the shipped text: {wording.label}",
            "wording": wording,
            "changelist_url": changelist,
        }
        return TemplateResponse(request, "admin/feedback/messagewording/reset.html", context)
