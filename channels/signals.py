"""Signals that the inbound store sends upward (DESIGN §5: a lower layer never imports a higher one).

item_version_stored: sent inside the storing transaction for every new item version,
with keyword argument ``version`` (the stored ItemVersion). Moderation screens it.

outbox_action_finished: sent after an outbox action has ended for good (succeeded, or failed with no
retry left), outside any transaction, with keyword argument ``action_id``. Moderation completes the
decision that waited for it at once instead of at the next reconcile tick (which stays as the
safety net for a lost signal).
"""

from django.dispatch import Signal

item_version_stored = Signal()
outbox_action_finished = Signal()
