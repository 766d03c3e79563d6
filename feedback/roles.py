"""The "Recruiter" group: the permissions a recruiter needs in the admin, and no others.

Kept in step with this list after every `migrate` (a post_migrate handler, see apps.py),
so a new database, a test database and an existing one all have the same group.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

RECRUITER_GROUP = "Recruiter"

EDIT = ("view", "add", "change", "delete")
# Import and export in the admin (docs/import.md) need no permissions of their own: an
# import needs "add" and "change" on its model, an export "view" (the IMPORT_EXPORT_*
# settings), which a recruiter has on the records and, for the answers' export, on feedback.
RECRUITER_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "candidates": {
        # The desk itself: recruiters run it end to end.
        "candidate": EDIT,
        "client": EDIT,
        "clientcontact": EDIT,
        "position": EDIT,
        "application": EDIT,  # change: also "mark withdrawn"
        "interview": EDIT,  # change: also completed / no-show / rescheduled / cancelled
        # Chosen as owner or position recruiter; profiles are managed by an administrator.
        "recruiter": ("view",),
    },
    "feedback": {
        # What the loop writes is read here, never edited by hand. The delete permissions
        # let deleting a candidate (or an application, an interview) take these rows with
        # it; the admin itself offers no delete for them.
        "feedbackrequest": ("view", "change", "delete"),  # change: resend the link
        "feedback": ("view", "add", "change", "delete"),  # add: log a call; change: sharing
        "outboundmessage": ("view", "change", "delete"),  # change: retry now
        "timelineevent": ("view", "delete"),
        "reminderpolicy": ("view", "change"),
        # What came back (texts, mails) and the addresses suppressed: read only.
        "inboundmessage": ("view",),
        "suppression": ("view",),
        # The agency's own integrations: where the loop's events are sent.
        "webhookendpoint": EDIT,
        # The agency's wording of its messages (delete: reset to the shipped text).
        "messagewording": EDIT,
    },
    "privacy": {
        # Consent is recorded by the recruiter (added, never edited: the history stays);
        # a candidate's data is exported on request. Erasure and the retention rule need
        # "privacy.erase_candidate", which this group does not hold.
        "consent": ("view", "add"),
        "candidate_data": ("export",),
    },
}


def recruiter_permissions_add(app_label: str, models: dict[str, tuple[str, ...]]) -> None:
    """An app to the right adds its models' permissions (in its AppConfig.ready, and syncs
    the group again after its own migrate, when its permissions exist)."""
    RECRUITER_PERMISSIONS[app_label] = models


def recruiter_permissions() -> list[tuple[str, str]]:
    """(app_label, codename) of every permission the group holds."""
    return sorted(
        (app_label, f"{action}_{model}")
        for app_label, models in RECRUITER_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    )


def recruiter_group_sync() -> Group:
    """Create the group or bring its permissions back to exactly the list above."""
    group, _ = Group.objects.get_or_create(name=RECRUITER_GROUP)
    wanted = Q(pk__in=[])
    for app_label, codename in recruiter_permissions():
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.set(Permission.objects.filter(wanted))
    return group


def sync_after_migrate(sender, **kwargs) -> None:
    """post_migrate receiver (sent after this app's permissions are created)."""
    recruiter_group_sync()


def is_recruiter(user) -> bool:
    """May use the recruiter desk (the dashboard and every admin page): a superuser, or a
    member of the Recruiter group. Being staff is not enough."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_tvr_is_recruiter", None)  # once per request (user is per request)
    if cached is None:
        cached = user._tvr_is_recruiter = user.groups.filter(name=RECRUITER_GROUP).exists()
    return cached


def is_verified_recruiter(user) -> bool:
    """A recruiter (is_recruiter) whose session has passed the second factor: who may see
    the desk's data on any page, the admin's or another app's (django-otp's
    OTPMiddleware gives the user is_verified)."""
    staff = user.is_staff or user.is_superuser
    return staff and is_recruiter(user) and getattr(user, "is_verified", bool)()
