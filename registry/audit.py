"""Change records for the registry: a snapshot of an object's fields before and after a change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.cache import cache
from django.db import models, transaction

from .models import ChangeRecord

# The cached register version (the newest change time) that the public pages' ETag and
# Last-Modified use; dropped after every committed change so the next read recomputes it.
VERSION_CACHE_KEY = "registry:version"
VERSION_CACHE_SECONDS = 300


def registry_version_forget() -> None:
    cache.delete(VERSION_CACHE_KEY)

# Fields that say nothing about the object's state and would only add noise to the history.
_SKIP = {"updated_at", "created_at"}


def _plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: models.Model) -> dict:
    """The object's concrete fields as JSON-safe values (foreign keys as their readable name)."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in _SKIP or field.primary_key:
            continue
        if field.is_relation:
            related = getattr(obj, field.name)
            data[field.name] = str(related) if related is not None else None
        else:
            data[field.name] = _plain(field.value_from_object(obj))
    return data


def record_change(
    *,
    obj: models.Model,
    object_type: str,
    action: str,
    actor,
    before: dict | None,
    channel=None,
    after: dict | None = None,
) -> ChangeRecord:
    """Write one change row; call inside the service's transaction, after the object is saved.

    ``after`` defaults to the object's field snapshot; pass it where that snapshot is wrong for the
    object (a user account: no password hash, and roles that live in a many-to-many relation)."""
    if after is None and obj.pk is not None and action != "delete":
        after = snapshot(obj)
    actor_name = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_name = actor.get_full_name() or actor.get_username()
    # Forget now and again after commit: a reader between the two may cache the old version,
    # and the second delete removes it once the change is visible.
    registry_version_forget()
    transaction.on_commit(registry_version_forget)
    return ChangeRecord.objects.create(
        object_type=object_type,
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        channel=channel,
        action=action,
        actor=actor if actor_name else None,
        actor_name=actor_name or "system",
        before=before,
        after=after,
    )
