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
