"""A suspected-CSAM marking in the archive reaches the workspace: flag explanations and a direct
message's hand-off copy are cleared, the queue entry is closed as deleted under the marking (with an
audit row that says so), and the item page and the queue still render for the representative."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive import services as archive_services
from archive.models import ArchiveRecord, RecordType
from channels.connectors.base import ItemKind
from channels.models import Item, ItemVersion, OutboxAction
from channels.services import items_store
from channels.tests.helpers import make_item, make_post
from channels.tests.test_csam_purge import rows_containing
from moderation.models import AuditEvent, Flag, Handoff, QueueEntry, QueueState, RemovalApproval
from moderation.services import dm_handoff, entry_remove, versions_screen

from .workspace_helpers import arrive

pytestmark = pytest.mark.django_db

MARKER = "Qzxcsammod4417"


def _mark(item, user):
    record = ArchiveRecord.objects.filter(
        record_type=RecordType.ITEM_VERSION, channel_id=item.channel_id, platform_id=item.platform_id
    ).order_by("sequence").first()
    return archive_services.csam_mark_with_files(record=record, police_report_reference="Polisen 5000-K50-26",
                                                 marked_by=user)


def test_the_entry_is_closed_as_deleted_under_the_marking_and_the_pages_still_render(
    channel, client, representative, records_officer
):
    entry = arrive(channel, "c-bad", f"{MARKER} kolla www.pornhub.com/{MARKER}")
    flags = Flag.objects.filter(version__item=entry.item)
    assert "vald_porr" in entry.flag_code_list and any("pornhub" in f.explanation for f in flags)

    marking = _mark(entry.item, records_officer)

    entry.refresh_from_db()
    assert entry.state == QueueState.DELETED and entry.decided_by == records_officer and entry.decided_at
    event = AuditEvent.objects.filter(entry=entry).order_by("at", "id").last()
    assert event.action == AuditEvent.Action.DELETED and event.actor == records_officer
    assert event.codes == ["vald_porr", "brott"] and f"arkivpost {marking.sequence}" in event.motivation
    assert event.after["outbox_action"] == OutboxAction.objects.get(item=entry.item).pk
    assert not any("pornhub" in f.explanation for f in Flag.objects.filter(version__item=entry.item))
    assert rows_containing(MARKER) == [] and rows_containing("pornhub") == []

    client.force_login(representative)
    page = client.get(reverse("moderation-item", args=[entry.item_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert MARKER not in html and "misstänkt sexuellt övergreppsmaterial" in html
    assert client.get(reverse("moderation-queue")).status_code == 200
    closed = client.get(reverse("moderation-queue"), {"state": "closed"})
    assert closed.status_code == 200 and reverse("moderation-item", args=[entry.item_id]) in closed.content.decode()


def test_a_handed_off_direct_message_loses_its_eml_copy_but_keeps_the_receipt(channel, representative, records_officer):
    entry = arrive(channel, "dm-bad", f"{MARKER} i ett meddelande", kind=ItemKind.DM)
    handoff = dm_handoff(user=representative, entry=entry, method="case_system", reference="KS 2026/17")
    assert MARKER in handoff.eml

    _mark(entry.item, records_officer)

    handoff = Handoff.objects.get(pk=handoff.pk)
    assert handoff.eml == "" and len(handoff.eml_sha256) == 64 and handoff.reference == "KS 2026/17"
    assert rows_containing(MARKER) == []


def test_a_pending_second_approval_is_refused_by_the_marking(channel, representative, records_officer):
    entry = arrive(channel, "c-bad", f"{MARKER} kommunen sköter allt dåligt")
    assert entry_remove(user=representative, entry=entry, kind="hide", codes=["fortal"],
                        motivation="Personangrepp.", criticism=True) == "approval"

    _mark(entry.item, records_officer)

    approval = RemovalApproval.objects.get(entry=entry)
    assert approval.status == RemovalApproval.Status.REFUSED and approval.decided_by == records_officer
    entry.refresh_from_db()
    assert entry.state == QueueState.DELETED and entry.pending_state == ""


def test_an_item_marked_before_screening_gets_a_closed_entry_that_screening_does_not_reopen(channel, records_officer):
    items_store(channel=channel, items=[make_post(), make_item("c-bad", f"{MARKER} fråga?", author="Zeb Zed")])
    item = Item.objects.get(platform_id="c-bad")
    assert not QueueEntry.objects.filter(item=item).exists()

    _mark(item, records_officer)
    versions_screen(version_ids=list(ItemVersion.objects.filter(item=item).values_list("pk", flat=True)))

    entry = QueueEntry.objects.get(item=item)
    assert entry.state == QueueState.DELETED
    assert list(AuditEvent.objects.filter(entry=entry).order_by("id").values_list("action", flat=True)) == [
        AuditEvent.Action.QUEUED, AuditEvent.Action.DELETED,
    ]


def test_the_channels_own_post_gets_no_entry(channel, records_officer):
    items_store(channel=channel, items=[make_post()])
    _mark(Item.objects.get(platform_id="post-1"), records_officer)
    assert not QueueEntry.objects.exists()
