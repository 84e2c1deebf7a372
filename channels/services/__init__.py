"""Writes for the channels app: sync state and credentials, ingest, polling, the outbox, attachments.

Import from here; the submodules are an implementation detail."""

from .attachments import DownloadTransient, attachment_download, attachment_give_up
from .ingest import LeaseLost, StoreResult, item_store_from_webhook, items_store
from .outbox import ExecuteResult, OutboxRefused, outbox_enqueue, outbox_execute, outbox_retry, outbox_sweep
from .polling import (
    PollReport,
    channel_poll,
    channels_due_for_poll,
    channels_for_poll_command,
    poll_claim,
    poll_release,
    polls_enqueue_due,
    thread_context_fetch,
)
from .sync import (
    channel_credentials_set,
    channel_mark_needs_reauth,
    channel_sync_get_or_create,
    channel_sync_settings_update,
    outside_removal_acknowledge,
)
from .webhooks import meta_signature_valid, meta_webhook_process

__all__ = [
    "DownloadTransient",
    "ExecuteResult",
    "LeaseLost",
    "OutboxRefused",
    "PollReport",
    "StoreResult",
    "attachment_download",
    "attachment_give_up",
    "channel_credentials_set",
    "channel_mark_needs_reauth",
    "channel_poll",
    "channel_sync_get_or_create",
    "channel_sync_settings_update",
    "channels_due_for_poll",
    "channels_for_poll_command",
    "item_store_from_webhook",
    "items_store",
    "meta_signature_valid",
    "meta_webhook_process",
    "outbox_enqueue",
    "outbox_execute",
    "outbox_retry",
    "outbox_sweep",
    "outside_removal_acknowledge",
    "poll_claim",
    "poll_release",
    "polls_enqueue_due",
    "thread_context_fetch",
]
