"""The records law across the apps: registered items are kept as registered records, secret items and
direct messages are not closed without what the law asks, and gallring reaches every copy.

Items arrive through the real inbound store and screening (workspace_helpers.arrive); the archive
captures them as it always does; gallring runs under a decided rule."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from archive import services as archive
from archive.models import ArchiveRecord, Export, ExportPurgeLog, InformationClass, RecordType
from archive.tests.helpers import make_request, make_rule
from channels.connectors.base import ItemKind
from channels.models import Item, ItemVersion
from moderation import services
from moderation.models import Flag, Handoff, QueueEntry, QueueState

from .workspace_helpers import arrive

pytestmark = pytest.mark.django_db

LATER = timezone.now() + dt.timedelta(days=800)  # past a 24-month rule's period for what arrives now


@pytest.fixture(autouse=True)
def _export_root(settings, tmp_path):
    settings.ARCHIVE_EXPORT_ROOT = tmp_path / "exports"
    settings.MODERATION_OFFICIAL_MAILBOX = "registrator@ludvika.se"


def _fresh(entry) -> QueueEntry:
    return QueueEntry.objects.select_related("item", "channel").get(pk=entry.pk)


# --- registration (diarieföring) ---------------------------------------------------------------


def test_an_item_about_an_arende_becomes_a_registered_record_that_public_comment_gallring_never_touches(
    channel, representative, board,
):
    entry = arrive(channel, "c-1", "Angående bygglovet för Storgatan 4: grannen bygger för högt.")
    kept_apart = arrive(channel, "c-2", "Fint väder i dag!")
    services.entry_register_case(user=representative, entry=entry, case_number="SBN 2026/311",
                                 subject="Synpunkt på bygglov, Storgatan 4")
    registration = ArchiveRecord.objects.get(record_type=RecordType.REGISTRATION)
    content = json.loads(registration.content)
    assert registration.information_class == InformationClass.REGISTERED_ITEM
    assert content["event"]["case_number"] == "SBN 2026/311"
    assert content["event"]["subject"] == "Synpunkt på bygglov, Storgatan 4"
    assert content["event"]["sender"]["name"] == "Anna Andersson"
    assert "grannen bygger för högt" in content["snapshot"]["text"]  # the document itself, whole

    make_rule(board, months=24)  # public comments
    [protocol] = archive.gallring_run(now=LATER)
    registered_versions = ArchiveRecord.objects.filter(channel_id=channel.pk, platform_id="c-1")
    assert all(r.culled_at is None for r in registered_versions)  # every record of the item is kept
    assert ArchiveRecord.objects.get(record_type=RecordType.ITEM_VERSION, platform_id="c-2").culled_at is not None
    assert protocol.skipped_registered_count >= 1
    assert Item.objects.get(pk=kept_apart.item_id).text == ""  # the unregistered item's live copy went too


def test_the_register_lists_registered_items_and_exports_them_for_the_diarium(client, channel, representative,
                                                                           records_officer):
    entry = arrive(channel, "c-1", "Hej, jag har synpunkter på detaljplanen.")
    services.entry_register_case(user=representative, entry=entry, case_number="KS 2026/9",
                                 subject="=HYPERLINK(\"http://x\");=1+1")
    client.force_login(records_officer)
    page = client.get(reverse("archive-register")).content.decode()
    assert "KS 2026/9" in page and "Anna Andersson" in page
    response = client.get(reverse("archive-register-csv"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "KS 2026/9" in body and "\"'=HYPERLINK" in body and ";'=1+1" in body


def test_an_item_flagged_for_secrecy_is_not_closed_as_no_action_without_registration_or_a_reason(
    channel, representative,
):
    entry = arrive(channel, "c-1", "Min granne har ett ärende hos socialtjänsten om sina barn.")
    services.entry_mark_secret(user=representative, entry=entry, osl_ground="OSL 26:1")
    with pytest.raises(ValidationError, match="sekretessuppgifter"):
        services.entry_no_action(user=representative, entry=_fresh(entry), motivation="")
    assert _fresh(entry).state == QueueState.NEW
    services.entry_no_action(user=representative, entry=_fresh(entry),
                             motivation="Ingen sekretessuppgift: allmänt påstående.")
    assert _fresh(entry).state == QueueState.NO_ACTION


def test_a_registered_secret_item_may_be_closed_without_a_further_reason(channel, representative):
    entry = arrive(channel, "c-1", "Min granne har ett ärende hos socialtjänsten.")
    services.entry_mark_secret(user=representative, entry=entry, osl_ground="OSL 26:1")
    services.entry_register_case(user=representative, entry=_fresh(entry), case_number="SN 2026/4",
                                 subject="Uppgifter om enskild")
    services.entry_no_action(user=representative, entry=_fresh(entry))
    assert _fresh(entry).state == QueueState.NO_ACTION


def test_marking_an_item_secret_from_the_item_page_reaches_the_archive(client, channel, representative):
    entry = arrive(channel, "c-1", "Elevhälsan har bestämt att min son ska få assistent.")
    client.force_login(representative)
    bad = client.post(reverse("moderation-mark-secret", args=[entry.item_id]), {"osl_ground": "OSL 99:9"})
    assert bad.status_code == 400 and "Välj sekretessgrunden ur listan" in bad.content.decode()
    client.post(reverse("moderation-mark-secret", args=[entry.item_id]), {"osl_ground": "OSL 23:2"})
    records = list(ArchiveRecord.objects.filter(channel_id=channel.pk, platform_id="c-1"))
    assert all(archive.secrecy_markings_for(records)[r.pk] for r in records)
    assert "23 kap. 2 § OSL" in client.get(reverse("moderation-item", args=[entry.item_id])).content.decode()


# --- direct messages --------------------------------------------------------------------------


def test_a_dm_is_not_closed_without_its_hand_off_or_a_recorded_reason(channel, representative):
    entry = arrive(channel, "dm-1", "Hej! Kan ni ringa mig om bygglovet?", kind=ItemKind.DM)
    with pytest.raises(ValidationError, match="inkommen handling"):
        services.entry_no_action(user=representative, entry=_fresh(entry), motivation="Besvarat per telefon.")
    with pytest.raises(ValidationError, match="inkommen handling"):
        services.entry_answer(user=representative, entry=_fresh(entry), text="Vi ringer dig i dag.")
    with pytest.raises(ValidationError):
        services.entry_waive_handoff(user=representative, entry=_fresh(entry), reason=" ")
    services.entry_waive_handoff(user=representative, entry=_fresh(entry),
                                 reason="Samma fråga kom som e-post och är redan diarieförd.")
    services.entry_no_action(user=representative, entry=_fresh(entry), motivation="Besvarat per telefon.")
    assert _fresh(entry).state == QueueState.NO_ACTION


def test_a_handed_off_dm_may_be_closed(channel, representative):
    entry = arrive(channel, "dm-2", "Jag vill klaga på bemötandet.", kind=ItemKind.DM)
    services.dm_handoff(user=representative, entry=_fresh(entry), method="mailbox")
    with pytest.raises(ValidationError, match="redan"):
        services.entry_waive_handoff(user=representative, entry=_fresh(entry), reason="x")
    services.entry_no_action(user=representative, entry=_fresh(entry), motivation="Överlämnat.")
    assert _fresh(entry).state == QueueState.NO_ACTION


# --- gallring reaches every copy -----------------------------------------------------------------


def test_gallring_removes_the_live_copies_hand_off_copies_and_exports_in_the_same_run(
    channel, representative, records_officer, board, django_capture_on_commit_callbacks,
):
    comment = arrive(channel, "c-1", "Du är en idiot, Anna Svensson på Storgatan 3.")
    dm = arrive(channel, "dm-1", "Mitt personnummer är 850709-9805, ring mig.", kind=ItemKind.DM)
    services.dm_handoff(user=representative, entry=_fresh(dm), method="mailbox")
    assert Flag.objects.filter(version__item_id=comment.item_id).exclude(explanation="").exists()
    records = ArchiveRecord.objects.filter(channel_id=channel.pk, platform_id__in=["c-1", "dm-1"])
    export = archive.export_records_bag(user=records_officer, records=records, description="leverans")
    export_dir = archive.export_path(export).parent
    assert export_dir.is_dir()

    make_rule(board, months=24)
    make_rule(board, months=24, information_class=InformationClass.RECEIVED_DOCUMENT)
    with django_capture_on_commit_callbacks(execute=True):
        protocols = archive.gallring_run(now=LATER)

    for item_id in (comment.item_id, dm.item_id):
        item = Item.objects.get(pk=item_id)
        assert (item.text, item.author_name, item.author_platform_id, item.raw) == ("", "", "", {})
        assert item.purged_at is not None and item.platform_id  # the identity stays, the content goes
        assert not ItemVersion.objects.filter(item_id=item_id).exclude(text="").exists()
    assert Handoff.objects.get(entry=dm).eml == ""
    assert not Flag.objects.filter(version__item_id=comment.item_id).exclude(explanation="").exists()
    export.refresh_from_db()
    assert export.purged_at is not None and not export_dir.exists()
    operational = {}
    for protocol in protocols:
        for place, count in protocol.operational.items():
            operational[place] = operational.get(place, 0) + count
    assert operational["channels.items"] == 3  # the channel's post, the comment and the message
    assert operational["moderation.handoff_eml"] == 1
    assert operational["archive.exports"] >= 1
    assert ExportPurgeLog.objects.get().exports[0]["id"] == export.pk


def test_the_dry_run_counts_what_the_run_then_culls_and_changes_nothing(channel, board, records_officer):
    for n in range(3):
        arrive(channel, f"c-{n}", f"Kommentar nummer {n}")
    rule = make_rule(board, months=24)
    preview = archive.gallring_preview(rule=rule, now=LATER)
    assert not ArchiveRecord.objects.filter(culled_at__isnull=False).exists()
    assert sum(g["count"] for g in preview["groups"]) == preview["total"]
    [protocol] = archive.gallring_run(now=LATER)
    assert protocol.culled_count == preview["total"] > 0


def test_the_dry_run_page_shows_counts_per_channel_and_month(client, channel, board, records_officer):
    from archive.tests.helpers import make_record

    make_record(channel, received_at="2020-03-10T12:00:00+00:00")
    rule = make_rule(board, months=24)
    client.force_login(records_officer)
    page = client.get(reverse("archive-rule-preview", args=[rule.pk])).content.decode()
    assert "Provkörning av gallring" in page and channel.name in page and "mars 2020" in page


def test_export_files_are_removed_after_their_retention_time_with_a_protocol_line(
    channel, records_officer, settings, django_capture_on_commit_callbacks,
):
    settings.ARCHIVE_EXPORT_RETENTION_DAYS = 30
    arrive(channel, "c-1", "Kommentar")
    old = archive.export_records_bag(user=records_officer, records=ArchiveRecord.objects.all(), description="gammal")
    new = archive.export_records_bag(user=records_officer, records=ArchiveRecord.objects.all(), description="ny")
    Export.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        line = archive.exports_purge_expired()
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.purged_at is not None and "30 dagar" in old.purge_reason
    assert not archive.export_path(old).exists() and archive.export_path(new).exists()
    assert [e["id"] for e in line.exports] == [old.pk]


def test_a_request_delivery_of_a_culled_record_is_purged_with_it(channel, records_officer, board,
                                                                django_capture_on_commit_callbacks):
    entry = arrive(channel, "c-1", "Kommentar om badhuset")
    record = ArchiveRecord.objects.get(record_type=RecordType.ITEM_VERSION, platform_id="c-1")
    request = make_request(records_officer)
    archive.request_add_records(request=request, records=[record], user=records_officer)
    archive.request_item_decide(item=request.items.get(), decision="release", user=records_officer)
    archive.request_decide(request=request, user=records_officer)
    pdf = archive.export_request_pdf(request=request, user=records_officer)
    archive.request_close(request=request, user=records_officer)
    make_rule(board, months=24)
    with django_capture_on_commit_callbacks(execute=True):
        archive.gallring_run(now=LATER)
    pdf.refresh_from_db()
    assert pdf.purged_at is not None and Item.objects.get(pk=entry.item_id).text == ""
    assert Export.objects.filter(pk=pdf.pk).exists()  # the delivery's receipt (its row) stays
