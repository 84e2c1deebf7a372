"""Steps the reliability tests run in a separate process, against the database in DATABASE_URL:

    python -m tests.reliability.scenario <step> '<json arguments>'

Each step prints one JSON object. Running them as processes keeps the test's own process free of
connections to databases that the test stops, drops or restores."""

from __future__ import annotations

import contextlib
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.reliability.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402

PASSWORD = "reliability-pass-0001"


def build(*, channels: int, sim_url: str, platform: str = "facebook", prefix: str = "rel") -> dict:
    """A department, a representative (with a password, for the web) and ``channels`` channels on the
    simulator, each with credentials."""
    from channels.models import ChannelSync
    from channels.services import channel_credentials_set
    from registry.models import AppointmentRole, Channel, Role
    from tests.factories import (
        AppointmentFactory,
        BoardFactory,
        ChannelFactory,
        DepartmentFactory,
        UserFactory,
    )

    board = BoardFactory(name="Kultur- och fritidsnämnden", slug=f"{prefix}-kfn")
    dept = DepartmentFactory(board=board, name="Kultur- och fritidsförvaltningen", slug=f"{prefix}-kultur")
    user = UserFactory(username=f"{prefix}-rut", first_name="Rut", last_name="Representant",
                       roles=[Role.REPRESENTATIVE], department=dept, password=PASSWORD)
    ids = []
    for n in range(channels):
        channel = ChannelFactory(department=dept, name=f"Kanal {n}", platform=platform,
                                 account_id=f"{prefix}{n:03d}000{n:04d}", responsible=user)
        AppointmentFactory(channel=channel, user=user, role=AppointmentRole.REPRESENTATIVE)
        sync, _ = ChannelSync.objects.get_or_create(channel=channel)
        sync.api_base_url = sim_url
        sync.save(update_fields=["api_base_url"])
        channel_credentials_set(channel=channel, credentials={"access_token": f"sim-token-{prefix}-{n:04d}"})
        ids.append(channel.pk)
    accounts = list(Channel.objects.filter(pk__in=ids).order_by("pk").values_list("account_id", flat=True))
    return {"channels": ids, "accounts": accounts, "user": user.username, "password": PASSWORD}


def poll_all() -> dict:
    """Poll every channel once, in this process (as the worker would), and screen what arrived."""
    from channels.models import ItemVersion
    from channels.services import channel_poll
    from moderation.services import versions_screen
    from registry.models import Channel

    outcomes = [channel_poll(channel_id=pk).outcome for pk in Channel.objects.values_list("pk", flat=True)]
    screened = versions_screen(version_ids=list(ItemVersion.objects.values_list("pk", flat=True)))
    return {"outcomes": outcomes, "screened": screened}


def decide(*, hide: int = 0, reply: int = 0, username: str) -> dict:
    """Unpublish ``hide`` open comments and answer ``reply`` others, each through the workspace
    services as the representative would; the outbox actions are enqueued after each commit."""
    from django.contrib.auth import get_user_model

    from moderation.models import QueueEntry, QueueState
    from moderation.services import workspace

    try:  # the removal decision moved to its own module while the workspace was being built
        from moderation.services.removal import entry_remove
    except ImportError:
        entry_remove = workspace.entry_remove

    user = get_user_model().objects.get(username=username)
    entries = list(QueueEntry.objects.filter(state=QueueState.NEW, item__kind="comment").select_related(
        "item", "channel", "channel__department").order_by("pk")[: hide + reply])
    assert len(entries) == hide + reply, f"only {len(entries)} open comments"
    results = []
    for n, entry in enumerate(entries):
        if n < hide:
            results.append(entry_remove(user=user, entry=entry, kind="hide", codes=["fortal"],
                                                  motivation=f"Personangrepp ({n}).", criticism=False))
        else:
            workspace.entry_answer(user=user, entry=entry, text=f"Tack för din fråga! Svar nummer {n}.")
            results.append("answered")
    return {"results": results}


def sweep() -> dict:
    from channels.services import outbox_sweep
    from moderation.services import workspace

    entries_reconcile_actions = workspace.entries_reconcile_actions

    return {"enqueued": len(outbox_sweep()), "reconciled": entries_reconcile_actions()}


def enqueue_polls() -> dict:
    """What beat's tick does, for every channel regardless of its next poll time."""
    from channels.tasks import channel_poll_task
    from registry.models import Channel

    ids = list(Channel.objects.values_list("pk", flat=True))
    for pk in ids:
        channel_poll_task.delay(pk)
    return {"enqueued": len(ids)}


def state() -> dict:
    """What the checks compare: actions, entries, items, versions and the archive."""
    from django.db.models import Count

    from archive.models import ArchiveRecord
    from channels.models import ChannelSync, Item, ItemVersion, OutboxAction
    from moderation.models import QueueEntry

    actions = list(OutboxAction.objects.values("pk", "kind", "state", "attempts", "snapshot_id", "item__platform_id",
                                               "item__channel__account_id", "text").order_by("pk"))
    snapshots = {
        r["pk"]: r for r in ArchiveRecord.objects.filter(pk__in=[a["snapshot_id"] for a in actions if a["snapshot_id"]])
        .values("pk", "platform_id")
    }
    duplicates = list(Item.objects.values("channel_id", "platform_id").annotate(n=Count("pk")).filter(n__gt=1))
    return {
        "actions": actions,
        "snapshots": {str(k): v for k, v in snapshots.items()},
        "entries": list(QueueEntry.objects.values("pk", "state", "pending_state", "item_id", "item__platform_id").order_by("pk")),
        "items": {f"{i['channel__account_id']}|{i['platform_id']}": i["version_count"] for i in
                  Item.objects.values("channel__account_id", "platform_id", "version_count")},
        "versions": ItemVersion.objects.count(),
        "duplicates": duplicates,
        "archive_records": ArchiveRecord.objects.count(),
        "syncs": list(ChannelSync.objects.values("channel_id", "last_success_at", "lease_token",
                                                 "consecutive_failures").order_by("pk")),
    }


def staff(*, usernames: list[str]) -> dict:
    """Staff accounts whose password is hashed as in production (PBKDF2, about a third of a second to
    check), so that concurrent logins really overlap while their passwords are checked."""
    from django.contrib.auth.hashers import make_password

    from registry.models import Role
    from tests.factories import UserFactory

    for username in usernames:
        user = UserFactory(username=username, roles=[Role.RECORDS_OFFICER])
        user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
        user.save(update_fields=["password"])
    return {"users": usernames, "password": PASSWORD}


STEPS = {"build": build, "poll_all": poll_all, "decide": decide, "sweep": sweep, "enqueue_polls": enqueue_polls,
         "state": state, "staff": staff}

if __name__ == "__main__":
    step, args = sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    with transaction.atomic() if step in ("build", "staff") else contextlib.nullcontext():
        result = STEPS[step](**args)
    print(json.dumps(result, default=str))
