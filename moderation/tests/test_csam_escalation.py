"""Suspected CSAM escalated from the inbox: no fresh copy is stored, the item leaves the queue, and the
records that quote it (a reply's thread context) are redacted in a way verify_archive understands."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.urls import reverse

from archive.models import ArchiveRecord, RecordType
from archive.services.gallring import allow_archive_changes
from archive.verification import verify_chain
from channels.services import items_store
from channels.tests.helpers import make_item, make_post
from channels.tests.test_csam_purge import rows_containing
from moderation import services
from moderation.models import AuditEvent, QueueEntry, QueueState
from moderation.services import versions_screen

pytestmark = pytest.mark.django_db

MARKER = "Qzxcsamesc9921"


def _thread(channel):
    items_store(channel=channel, items=[
        make_post(), make_item("c-bad", f"{MARKER} se här", author="Okänd Avsändare", minute=1),
        make_item("c-reply", "Vad är det här för något?!", kind="reply", parent="c-bad", minute=2),
    ])
    from channels.models import ItemVersion

    versions_screen(version_ids=list(ItemVersion.objects.values_list("pk", flat=True)))
    bad = QueueEntry.objects.select_related("item", "channel").get(item__platform_id="c-bad")
    reply = QueueEntry.objects.select_related("item", "channel").get(item__platform_id="c-reply")
    return bad, reply


def test_a_representative_escalates_from_the_inbox_and_nothing_of_the_content_remains(client, channel,
                                                                                      representative):
    bad, reply = _thread(channel)
    quoting = ArchiveRecord.objects.get(record_type=RecordType.ITEM_VERSION, platform_id="c-reply")
    assert MARKER in json.loads(quoting.content)["snapshot"]["thread"]["parent_text"]
    client.force_login(representative)
    refused = client.post(reverse("moderation-escalate-csam", args=[bad.item_id]), {"police_report_reference": ""})
    assert refused.status_code == 400 and rows_containing(MARKER) != []
    response = client.post(reverse("moderation-escalate-csam", args=[bad.item_id]),
                           {"police_report_reference": "Polisen 5000-K77-26"})
    assert response.status_code == 302
    assert rows_containing(MARKER) == []  # the item, its versions, its flags, the reply's thread context
    bad.refresh_from_db()
    assert bad.state == QueueState.DELETED and bad.decided_by == representative
    assert AuditEvent.objects.filter(entry=bad, action=AuditEvent.Action.DELETED, actor=representative).exists()
    marking = ArchiveRecord.objects.get(record_type=RecordType.CSAM_MARKING)
    assert json.loads(marking.content)["marking"]["police_report_reference"] == "Polisen 5000-K77-26"
    # The reply stays in the queue, its record redacted, and the chain proves what was redacted.
    reply.refresh_from_db()
    assert reply.state == QueueState.NEW
    quoting.refresh_from_db()
    redaction = ArchiveRecord.objects.get(record_type=RecordType.REDACTION)
    assert quoting.redacted_by_sequence == redaction.sequence
    [entry] = json.loads(redaction.content)["event"]["redacted"]
    assert entry["sequence"] == quoting.sequence and entry["original_content_sha256"] == quoting.content_sha256
    assert entry["fields"] == ["snapshot.thread.parent_text"]
    assert json.loads(quoting.content)["snapshot"]["text"] == "Vad är det här för något?!"
    assert verify_chain().ok


def _tamper(record, content: str, **columns) -> None:
    allow_archive_changes()
    ArchiveRecord.objects.filter(pk=record.pk)._gallring_update(content=content, **columns)


def test_verify_archive_catches_an_altered_redacted_record_and_a_redaction_without_its_record(
    channel, representative,
):
    bad, _reply = _thread(channel)
    services.entry_escalate_csam(user=representative, entry=bad, police_report_reference="Polisen 1")
    quoting = ArchiveRecord.objects.get(record_type=RecordType.ITEM_VERSION, platform_id="c-reply")
    assert verify_chain().ok
    original = quoting.content
    _tamper(quoting, original.replace("Vad är det", "Vad var det"))
    result = verify_chain()
    assert not result.ok and result.sequence == quoting.sequence and "redacted content" in result.problem
    # A record made to look redacted, with no redaction record naming it.
    _tamper(quoting, original)
    other = ArchiveRecord.objects.get(record_type=RecordType.ITEM_VERSION, platform_id="post-1")
    forged = other.content.replace("Biblioteket", "Bibliotek")
    _tamper(other, forged, redacted_sha256=hashlib.sha256(forged.encode()).hexdigest(),
            redacted_by_sequence=quoting.redacted_by_sequence)
    result = verify_chain()
    assert not result.ok and result.sequence == other.sequence
