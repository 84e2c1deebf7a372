"""Sekretess markings (OSL 5:5): mark an item or a record as holding secret information, lift a marking.

A marking made on an item covers every record of it (versions, removal snapshot, files, the
registration), present and future; a record without a platform id is marked alone. Each marking
and each lifting is also appended to the hash chain as a ``secrecy_marking`` record, so what was
marked, on what ground, by whom and when stays provable after the live row is gone.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.models import ArchiveRecord, SecrecyMarking
from archive.osl import osl_ground_clean

NOTE_MAX = 2000


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def secrecy_markings_for(records) -> dict[int, list[SecrecyMarking]]:
    """Active markings per record pk (one query): those of each record's item, or of the record."""
    records = [r for r in records if r is not None]
    if not records:
        return {}
    q = Q()
    pairs = {(r.channel_id, r.platform_id) for r in records if r.platform_id}
    sequences = {r.sequence for r in records if not r.platform_id}
    by_channel: dict = {}
    for channel_id, platform_id in pairs:
        by_channel.setdefault(channel_id, set()).add(platform_id)
    for channel_id, platform_ids in by_channel.items():
        q |= Q(channel_id=channel_id, platform_id__in=sorted(platform_ids))
    if sequences:
        q |= Q(record_sequence__in=sorted(sequences))
    markings = list(SecrecyMarking.objects.filter(q, lifted_at__isnull=True).order_by("marked_at", "pk"))
    result: dict[int, list[SecrecyMarking]] = {}
    for record in records:
        result[record.pk] = [
            m for m in markings
            if (record.platform_id and m.platform_id == record.platform_id and m.channel_id == record.channel_id)
            or (not record.platform_id and m.record_sequence == record.sequence)
        ]
    return result


def secrecy_marking_for_item(*, channel_id: int | None, platform_id: str) -> SecrecyMarking | None:
    if not platform_id:
        return None
    return SecrecyMarking.objects.filter(
        channel_id=channel_id, platform_id=platform_id, lifted_at__isnull=True
    ).first()


def _chain_note(*, marking: SecrecyMarking, event: str, user, reason: str = "") -> None:
    from archive.services.capture import capture_event

    capture_event(
        record_type="secrecy_marking",
        target={"channel_id": marking.channel_id, "platform_id": marking.platform_id,
                "record_sequence": marking.record_sequence},
        event={"event": event, "osl_ground": marking.osl_ground, "note": marking.note, "reason": reason,
               "marking_id": marking.pk},
        actor=user,
    )


def secrecy_mark(
    *, user, osl_ground: str, note: str = "", record: ArchiveRecord | None = None,
    channel_id: int | None = None, platform_id: str = "",
) -> SecrecyMarking:
    """Mark an item (``channel_id`` + ``platform_id``, or the item of ``record``) or a record without a
    platform id. An item already marked keeps its marking: marking it again is refused."""
    osl_ground = osl_ground_clean(osl_ground, required_message=_("Välj sekretessgrunden ur listan."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(_("Anteckningen får vara högst %(n)s tecken.") % {"n": NOTE_MAX})
    if record is not None:
        if record.is_tombstone:
            raise ValidationError(_("Posten är gallrad; det finns inget kvar att markera."))
        channel_id, platform_id = record.channel_id, record.platform_id
    target = {"channel_id": channel_id, "platform_id": platform_id or ""}
    if not platform_id:
        if record is None:
            raise ValidationError(_("Ange vilken post som ska markeras."))
        target = {"record_sequence": record.sequence}
    try:
        with transaction.atomic():
            marking = SecrecyMarking.objects.create(
                **target, osl_ground=osl_ground, note=note, marked_by=user, marked_by_name=_name(user),
            )
            _chain_note(marking=marking, event="marked", user=user)
    except IntegrityError:
        raise ValidationError(_("Posten är redan sekretessmarkerad.")) from None
    return marking


def secrecy_lift(*, user, marking: SecrecyMarking, reason: str) -> SecrecyMarking:
    """Lift a marking with a recorded reason (the marking row stays, as does its chain record)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Skriv varför markeringen hävs."))
    with transaction.atomic():
        changed = SecrecyMarking.objects.filter(pk=marking.pk, lifted_at__isnull=True).update(
            lifted_at=timezone.now(), lifted_by=user, lift_reason=reason[:NOTE_MAX]
        )
        if changed != 1:
            raise ValidationError(_("Markeringen är redan hävd."))
        marking.refresh_from_db()
        _chain_note(marking=marking, event="lifted", user=user, reason=reason[:NOTE_MAX])
    return marking
