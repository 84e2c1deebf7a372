"""Signals the registry sends upward (the registry imports no app above it; those that add to a
channel's public entry listen).

public_channel_notes: sent when the public channel list is built, with ``channel_ids``. A receiver
returns {channel_id: [text, ...]}: lines published with the channel's entry (moderation returns the
channel's approved additions to the list of prohibited content). A receiver whose lines change must
record a registry change (registry.services.channel_public_entry_changed), so the cached public
pages are rebuilt.
"""

from django.dispatch import Signal

public_channel_notes = Signal()
