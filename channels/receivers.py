"""Receivers of signals from lower layers, connected in ChannelsConfig.ready().

csam_marked (archive.signals): the records officer marked an item as suspected child sexual abuse
material. The live copy is purged in the marking's transaction; an error here rolls the marking back.
"""

from __future__ import annotations


def csam_marked_receiver(sender, channel_id, platform_id, marking_sequence, marked_by=None, **kwargs) -> None:
    from .services.purge import item_purge_csam

    item_purge_csam(channel_id=channel_id, platform_id=platform_id, marking_sequence=marking_sequence,
                    marked_by=marked_by)


def records_culled_receiver(sender, items, now, **kwargs) -> dict[str, int]:
    """A gallring run culled these items' records (archive.signals.records_culled): the live copies go
    in the same transaction; the counts go into the gallring protocol."""
    from .services.purge import items_purge_culled

    return items_purge_culled(items=items, now=now)
