"""The "Recruiter" group (feedback.roles): exactly the permissions a recruiter needs, kept
so after every migrate and restored by a sync."""

import pytest
from django.contrib.auth.models import Group, Permission

from feedback import roles

pytestmark = pytest.mark.django_db


def group_permissions(group) -> set[tuple[str, str]]:
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def test_migrate_leaves_the_recruiter_group_with_exactly_its_permissions():
    group = Group.objects.get(name=roles.RECRUITER_GROUP)
    assert group_permissions(group) == set(roles.recruiter_permissions())
    assert len(roles.recruiter_permissions()) == len(group_permissions(group))  # all exist
    assert not any(app == "auth" for app, _ in group_permissions(group))


def test_syncing_the_group_removes_what_was_added_by_hand_and_restores_what_was_removed():
    group = Group.objects.get(name=roles.RECRUITER_GROUP)
    group.permissions.add(Permission.objects.get(codename="change_user"))
    group.permissions.remove(Permission.objects.get(codename="view_outboundmessage"))

    roles.recruiter_group_sync()

    assert group_permissions(group) == set(roles.recruiter_permissions())
