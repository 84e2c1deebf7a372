"""Signals that the archive sends upward (DESIGN §5: the archive depends only on registry; the apps
that keep live copies of an item listen, the archive never imports them).

csam_marked: sent when an item is marked as suspected child sexual abuse material, inside the
marking's transaction, with keyword arguments ``channel_id`` (int, or None for a marking without a
channel), ``platform_id`` (str), ``marking_sequence`` (int: the ``csam_marking`` record) and
``marked_by`` (the user who marked it, or None). Receivers purge their live copies of the item's
content in that same transaction. It is sent with ``Signal.send``, not ``send_robust``: a receiver
that raises rolls the whole marking back, so an item is never left half purged. Work that cannot
be rolled back (deleting files) belongs in ``transaction.on_commit``.
"""

from django.dispatch import Signal

csam_marked = Signal()

# records_culled: sent by a gallring run inside its transaction, before the records become
# tombstones, with ``items`` (a list of {"channel_id", "platform_id", "version_ids", "whole"}: the
# live item versions whose records are culled, and whether nothing of the item stays in the archive)
# and ``now``. Receivers remove or anonymise their operational copies of that content in the same
# transaction and return {place: count} for the protocol (e.g. {"channels.items": 3}). Sent with
# ``Signal.send``: a receiver that raises rolls the run back, so no copy outlives its record.
records_culled = Signal()
