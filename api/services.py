"""The API's own writes: keys made, used and revoked, and the record of what a key changed
on a record that has no timeline (the admin's history, where staff changes show too)."""

import hashlib
import json
import secrets
from datetime import timedelta

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from .models import ApiKey

KEY_PREFIX = "tvr"
# last_used_at is written at most this often per key: not a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, name: str, scope: str, created_by=None) -> tuple[ApiKey, str]:
    """A new key and its actor user. Returns the row and the full key, which is shown
    once and never stored."""
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    actor = get_user_model()(
        username=f"api-key-{prefix}", first_name=name[:150], last_name="(API key)"
    )
    actor.set_unusable_password()
    actor.save()
    api_key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        hashed_key=api_key_hash(key),
        scope=scope,
        actor=actor,
        created_by=created_by,
    )
    return api_key, key


def api_key_revoke(*, api_key: ApiKey) -> bool:
    """Revoked at once and for good. False if it already was."""
    return bool(
        ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def api_key_touch(*, api_key: ApiKey) -> None:
    """Note that the key was used (to the minute)."""
    now = timezone.now()
    ApiKey.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION),
        pk=api_key.pk,
    ).update(last_used_at=now)


def api_change_record(*, actor, obj: Model, changed: list[str] | None) -> None:
    """A record a key added (`changed` None) or changed, in the admin's history of that
    record, with the key's actor as who did it."""
    if changed is not None and not changed:
        return
    message = [{"added": {}}] if changed is None else [{"changed": {"fields": sorted(changed)}}]
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[obj],
        action_flag=ADDITION if changed is None else CHANGE,
        change_message=json.dumps(message),
        single_object=True,
    )
