"""Export files are operational copies: they are removed after their retention time and whenever
gallring culls a record they contain, each time with a protocol line (ExportPurgeLog).

Retention: ARCHIVE_EXPORT_RETENTION_DAYS (default 30) after the export was made. The Export row stays
as the receipt of what was delivered (its SHA-256, size, record count, who made it); only the file
goes. Files are deleted after the transaction commits, so a rolled-back run never loses a file that
its rows still name.
"""

from __future__ import annotations

import datetime
import logging
import shutil

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.models import AccessAction, AccessLogEntry, Export, ExportPurgeLog

logger = logging.getLogger(__name__)


def export_retention_days() -> int:
    return int(getattr(settings, "ARCHIVE_EXPORT_RETENTION_DAYS", 30))


def exports_containing(*, sequences: set[int]) -> list[Export]:
    """The live export files that hold any of these records (the access log lists each export's
    records). Exports live for days, so the live ones are few."""
    if not sequences:
        return []
    live = {e.pk: e for e in Export.objects.filter(purged_at__isnull=True)}
    if not live:
        return []
    hit = set()
    for export_id, listed in AccessLogEntry.objects.filter(
        action=AccessAction.EXPORT, export_id__in=list(live)
    ).values_list("export_id", "record_sequences"):
        if sequences.intersection(listed or []):
            hit.add(export_id)
    return [live[pk] for pk in sorted(hit)]


def exports_purge(*, exports: list[Export], reason: str, now: datetime.datetime | None = None,
                  protocol=None) -> ExportPurgeLog | None:
    """Remove the files of these exports (after commit) and write one protocol line."""
    from archive.services.exports import export_path

    if not exports:
        return None
    now = now or timezone.now()
    with transaction.atomic():
        Export.objects.filter(pk__in=[e.pk for e in exports], purged_at__isnull=True).update(
            purged_at=now, purge_reason=reason[:300])
        line = ExportPurgeLog.objects.create(at=now, reason=reason[:300], protocol=protocol, exports=[
            {"id": e.pk, "file_name": e.file_name, "sha256": e.sha256, "kind": e.kind,
             "created_at": e.created_at.isoformat(), "created_by": e.created_by_id} for e in exports
        ])
        directories = [export_path(e).parent for e in exports]
        transaction.on_commit(lambda: _remove(directories), robust=True)
    return line


def _remove(directories) -> None:
    for directory in directories:
        try:
            shutil.rmtree(directory)
        except FileNotFoundError:
            continue
        except OSError as exc:
            logger.error("export directory %s could not be removed: %s", directory.name, type(exc).__name__)


def exports_purge_expired(*, now: datetime.datetime | None = None) -> ExportPurgeLog | None:
    """The daily run: export files older than their retention time."""
    now = now or timezone.now()
    days = export_retention_days()
    expired = list(Export.objects.filter(purged_at__isnull=True, created_at__lt=now - datetime.timedelta(days=days)))
    return exports_purge(exports=expired, now=now, reason=_("lagringstiden %(days)s dagar har gått ut") % {"days": days})
