"""Writes to the registry. Each service owns its transaction and records a ChangeRecord in it.

The public pages are cached by the time of the newest ChangeRecord (selectors.registry_version),
so every write here must record one. Status changes are compare-and-set updates: a change that is
not allowed from the channel's current status changes nothing and raises ValidationError.

The parts: common.py (history, e-mail), channels.py, accounts.py, channel_import.py; import from
here (``from registry import services``).
"""

from .accounts import (
    account_state,
    external_identity_check_and_bind,
    external_identity_unbind,
    staff_user_create,
    staff_user_send_password_link,
    staff_user_set_active,
    staff_user_set_password,
    staff_user_update,
)
from .channel_import import ImportFailed, channels_import
from .channels import (
    appointment_create,
    appointment_end,
    board_save,
    channel_approve,
    channel_close,
    channel_closure_request,
    channel_create,
    channel_public_entry_changed,
    channel_reject,
    channel_submit,
    channel_update,
    decision_create,
    decision_update,
    department_save,
    party_save,
)
from .common import CHANNEL_FIELDS, CHECKLIST_FIELDS
from .policy import comment_policy_publish

__all__ = [
    "CHANNEL_FIELDS",
    "CHECKLIST_FIELDS",
    "ImportFailed",
    "account_state",
    "appointment_create",
    "appointment_end",
    "board_save",
    "channel_approve",
    "channel_close",
    "channel_closure_request",
    "channel_create",
    "channel_public_entry_changed",
    "channel_reject",
    "channel_submit",
    "channel_update",
    "channels_import",
    "comment_policy_publish",
    "decision_create",
    "decision_update",
    "department_save",
    "external_identity_check_and_bind",
    "external_identity_unbind",
    "party_save",
    "staff_user_create",
    "staff_user_send_password_link",
    "staff_user_set_active",
    "staff_user_set_password",
    "staff_user_update",
]
