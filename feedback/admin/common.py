"""What the feedback loop's admin pages share: the rows the loop keeps (never deleted one by
one, some never written by hand) and the filter by recruiter of a request's desk."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from candidates.admin_filters import recruiter_filter

# How a request, answer or event names its application in lists (see their __str__).
REQUEST_PATH = ["interview__application__candidate", "interview__application__position__client"]


class KeptRecordAdmin(admin.ModelAdmin):
    """Rows the loop writes and the audit trail relies on: never deleted one by one here.

    The model's delete permission is kept on purpose: deleting a candidate, application or
    interview in the admin takes these rows with it, and the admin requires the permission
    for every row it cascades to.
    """

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)


class ViewOnlyAdmin(KeptRecordAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def request_recruiter_filter(prefix: str = ""):
    """By recruiter: a candidate's side is the owner's, a client's side the position's."""
    base = recruiter_filter(f"{prefix}interview__application__position__recruiter")

    class RequestRecruiterFilter(base):
        def queryset(self, request, queryset):
            value = self.value()
            if value == "mine":
                suffix, target = "__user", request.user
            elif value:
                suffix, target = "_id", int(value)  # an id (StrictListFilter checked)
            else:
                return queryset
            # The desk kept on the request (candidates.services, "desks").
            return queryset.filter(**{f"{prefix}desk{suffix}": target})

    return RequestRecruiterFilter
