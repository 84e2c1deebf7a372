"""Registration (diarieföring) of items that concern a specific ongoing ärende (OSL 5:1-2).

A comment on a public forum need not be registered, but one that concerns a specific ongoing case
must be. When staff mark an item as concerning an ärende, a ``registration`` record is appended: the
register's fields (date received, diarienummer, sender, brief subject, OSL 5:2) and the item's
full content and sender, in the information class "diariefört ärende" (registered_item). A gallring
rule for public comments never touches that class, and gallring of any other class skips every
record of a registered item (archive.services.gallring), so the registered document is kept whole.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.models import ArchiveRecord, InformationClass, RecordType
from archive.services.capture import capture_event

SUBJECT_MAX = 300


def registration_capture(
    *, snapshot: dict, case_number: str, subject: str, registered_by, received_at: datetime.datetime | None = None,
) -> ArchiveRecord:
    """Append the registration of an item (in the caller's transaction)."""
    case_number = (case_number or "").strip()
    subject = (subject or "").strip()
    if not case_number:
        raise ValidationError(_("Ange diarienumret."))
    if not subject:
        raise ValidationError(_("Ange kort vad handlingen rör (ärendemening)."))
    if len(case_number) > 100 or len(subject) > SUBJECT_MAX:
        raise ValidationError(_("Diarienumret får vara högst 100 och ärendemeningen högst %(n)s tecken.")
                              % {"n": SUBJECT_MAX})
    author = snapshot.get("author") or {}
    return capture_event(
        record_type=RecordType.REGISTRATION,
        target={"channel_id": (snapshot.get("channel") or {}).get("id"), "platform_id": snapshot.get("platform_id")},
        event={
            "event": "registered", "case_number": case_number, "subject": subject,
            "received_at": snapshot.get("received_at"),
            "sender": {"name": author.get("name") or "", "platform_id": author.get("platform_id") or ""},
        },
        actor=registered_by, snapshot=snapshot,
        columns={"information_class": InformationClass.REGISTERED_ITEM},
        search_text=f"{case_number}\n{subject}\n{snapshot.get('text') or ''}\n{author.get('name') or ''}",
    )


def register_entries(
    *, date_from: datetime.date | None = None, date_to: datetime.date | None = None, case_number: str = "",
) -> QuerySet[ArchiveRecord]:
    """The register of registered items, newest first (live registration records)."""
    qs = ArchiveRecord.objects.filter(record_type=RecordType.REGISTRATION, culled_at__isnull=True)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(received_at__gte=datetime.datetime.combine(date_from, datetime.time.min, tz))
    if date_to:
        qs = qs.filter(received_at__lt=datetime.datetime.combine(date_to + datetime.timedelta(days=1),
                                                                 datetime.time.min, tz))
    if case_number.strip():
        qs = qs.filter(search_text__icontains=case_number.strip())
    return qs.order_by("-received_at", "-sequence")
