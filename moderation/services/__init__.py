"""Writes for moderation. Import from here; the submodules are an implementation detail.

rules: the prohibited-content list's additions and screening. workspace: the queue and decisions.
removal: unpublish, delete, restore, manual removals, second approvals. timing: response targets in
office hours. notify: reminders and alarms. handoff: DM hand-offs. people: absences, settings.
records: registration (diarieföring), sekretess marking, and closing rules the records law sets.
"""

from .blocks import block_create, block_lift, block_reminders_send, block_review, platform_can_block
from .csam import entry_escalate_csam
from .handoff import dm_eml, dm_handoff
from .notify import handoff_alarm_send, overdue_reminders_send, supervision_alarm_send
from .people import absence_create, absence_end, department_settings_set
from .records import (
    check_may_close,
    entry_is_secret,
    entry_mark_secret,
    entry_register_case,
    entry_waive_handoff,
)
from .removal import (
    approval_decide,
    entry_record_manual,
    entry_remove,
    entry_restore,
    item_snapshot,
    needs_second_approval,
)
from .rules import (
    PATTERN_MAX,
    RESCREEN_BATCH,
    addition_approve,
    addition_propose,
    addition_reject,
    addition_rule_id,
    addition_trial,
    addition_withdraw,
    channel_matcher,
    channel_rescreen,
    matcher_for_additions,
    pattern_validate,
    versions_screen,
)
from .workspace import (
    capabilities_for,
    clean_codes,
    entries_reconcile_actions,
    entry_add_note,
    entry_answer,
    entry_cancel_action,
    entry_claim,
    entry_forward,
    entry_mark_viewed,
    entry_no_action,
    entry_release,
    entry_retry_action,
    entry_set_needs_answer,
    platform_can,
    queue_entries_sync,
)

__all__ = [
    "PATTERN_MAX",
    "RESCREEN_BATCH",
    "absence_create",
    "absence_end",
    "addition_approve",
    "addition_propose",
    "addition_reject",
    "addition_rule_id",
    "addition_trial",
    "addition_withdraw",
    "approval_decide",
    "block_create",
    "block_lift",
    "block_reminders_send",
    "block_review",
    "capabilities_for",
    "channel_matcher",
    "channel_rescreen",
    "check_may_close",
    "clean_codes",
    "department_settings_set",
    "dm_eml",
    "dm_handoff",
    "entries_reconcile_actions",
    "entry_add_note",
    "entry_answer",
    "entry_cancel_action",
    "entry_claim",
    "entry_escalate_csam",
    "entry_forward",
    "entry_is_secret",
    "entry_mark_secret",
    "entry_mark_viewed",
    "entry_no_action",
    "entry_record_manual",
    "entry_register_case",
    "entry_release",
    "entry_remove",
    "entry_restore",
    "entry_retry_action",
    "entry_set_needs_answer",
    "entry_waive_handoff",
    "handoff_alarm_send",
    "item_snapshot",
    "matcher_for_additions",
    "needs_second_approval",
    "overdue_reminders_send",
    "pattern_validate",
    "platform_can",
    "platform_can_block",
    "queue_entries_sync",
    "supervision_alarm_send",
    "versions_screen",
]
