import hashlib
import json
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from archive import services
from archive.canonical import canonical_json, record_hash
from archive.models import (
    GENESIS_SHA256,
    AppendOnlyError,
    ArchiveRecord,
    ChainHead,
    InformationClass,
    RecordType,
)
from archive.tests.helpers import make_record, make_snapshot

pytestmark = pytest.mark.django_db


def test_capture_stores_a_self_contained_record(channel):
    snapshot = make_snapshot(channel, attachments=[{"url": "https://cdn/x.jpg", "media_type": "image/jpeg",
                                                    "sha256": "ab" * 32, "size": 123}])
    record = services.capture_item_version(snapshot=snapshot)
    record.refresh_from_db()
    assert record.channel_id == channel.pk
    assert record.channel_name == "Ludvika bibliotek"
    assert record.channel_board == channel.department.board.name
    assert record.channel_board_id == channel.department.board_id
    assert record.author_name == snapshot["author"]["name"]
    assert record.record_type == RecordType.ITEM_VERSION
    assert record.information_class == InformationClass.PUBLIC_COMMENT
    stored = json.loads(record.content)["snapshot"]
    assert stored["thread"]["parent_text"] == "Biblioteket har nya öppettider."
    assert stored["author"]["profile_url"] == snapshot["author"]["profile_url"]
    assert stored["attachments"][0]["sha256"] == "ab" * 32
    assert stored["raw"] == snapshot["raw"]


def test_content_hash_is_sha256_of_the_canonical_serialisation():
    record = make_record(text="Cafe\u0301 på torget")  # decomposed é
    assert record.content_sha256 == hashlib.sha256(record.content.encode("utf-8")).hexdigest()
    assert unicodedata.normalize("NFC", "Café") in record.content  # NFC
    assert record.content == canonical_json(json.loads(record.content))  # sorted keys, no whitespace


def test_canonical_json_sorts_keys_and_drops_whitespace():
    assert canonical_json({"b": 1, "a": ["x", {"d": None, "c": "e\u0301"}]}) == '{"a":["x",{"c":"é","d":null}],"b":1}'


def test_bulk_capture_chains_records_in_order(channel):
    snapshots = [make_snapshot(channel) for _ in range(25)]  # above the COPY threshold on PostgreSQL
    records = services.capture_item_versions(snapshots=snapshots)
    assert [r.platform_id for r in records] == [s["platform_id"] for s in snapshots]
    sequences = [r.sequence for r in records]
    assert sequences == list(range(sequences[0], sequences[0] + 25))
    stored = dict(ArchiveRecord.objects.values_list("sequence", "pk"))
    assert [stored[r.sequence] for r in records] == [r.pk for r in records]
    assert ArchiveRecord.objects.get(pk=records[3].pk).content == records[3].content
    previous = GENESIS_SHA256 if sequences[0] == 1 else ArchiveRecord.objects.get(sequence=sequences[0] - 1).record_sha256
    for record in records:
        assert record.previous_sha256 == previous
        assert record.record_sha256 == record_hash(record.sequence, record.record_type, record.content_sha256, previous)
        previous = record.record_sha256
    head = ChainHead.objects.get(name="main")
    assert (head.sequence, head.record_sha256) == (records[-1].sequence, records[-1].record_sha256)


def test_capture_takes_one_query_batch_not_one_per_item(channel, django_assert_max_num_queries):
    # 20 rows fit in one INSERT on SQLite too (999 parameters); lock, insert, head update, savepoint.
    snapshots = [make_snapshot(channel) for _ in range(20)]
    with django_assert_max_num_queries(6):
        services.capture_item_versions(snapshots=snapshots)


def test_an_edit_adds_a_version_with_its_own_hash(channel):
    first = make_record(channel, platform_id="c1", text="Första")
    second = make_record(channel, platform_id="c1", version=2, text="Ändrad", edited_at="2026-05-01T10:00:00+00:00")
    assert second.sequence == first.sequence + 1
    assert second.content_sha256 != first.content_sha256
    assert ArchiveRecord.objects.filter(channel_id=channel.pk, platform_id="c1").count() == 2


def test_dm_is_classed_as_received_document(channel):
    assert make_record(channel, kind="dm").information_class == InformationClass.RECEIVED_DOCUMENT
    assert make_record(channel, visibility="hidden").information_class == InformationClass.REMOVED_COMMENT
    assert make_record(channel, case_number="KFN 2026/4").information_class == InformationClass.REGISTERED_ITEM


def test_capture_runs_in_the_callers_transaction(channel):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_record(channel)
        raise RuntimeError
    assert not ArchiveRecord.objects.exists()
    assert make_record(channel).sequence == 1


def test_removal_snapshot_records_the_decision(channel, representative):
    snapshot = make_snapshot(channel)
    record = services.snapshot_for_removal(
        snapshot=snapshot, decided_by=representative, codes=["fortal"], reason="Personangrepp på tjänsteperson"
    )
    content = json.loads(record.content)
    assert record.record_type == RecordType.REMOVAL_SNAPSHOT
    assert record.information_class == InformationClass.REMOVED_COMMENT
    assert record.codes == ["fortal"]
    assert content["decision"]["reason"] == "Personangrepp på tjänsteperson"
    assert content["decision"]["decided_by"]["username"] == representative.username
    assert content["snapshot"]["text"] == snapshot["text"]


@pytest.mark.parametrize(("codes", "reason"), [([], "skäl"), (["fortal"], "  ")])
def test_removal_snapshot_without_code_or_reason_is_refused(channel, representative, codes, reason):
    with pytest.raises(ValidationError):
        services.snapshot_for_removal(snapshot=make_snapshot(channel), decided_by=representative, codes=codes,
                                      reason=reason)
    assert not ArchiveRecord.objects.exists()


def test_csam_marking_never_stores_the_content(channel, records_officer):
    snapshot = make_snapshot(
        channel, text="OLAGLIGT INNEHÅLL", raw={"message": "OLAGLIGT INNEHÅLL", "picture": "https://cdn/bad.jpg"},
        attachments=[{"url": "https://cdn/bad.jpg", "media_type": "image/jpeg", "sha256": "cd" * 32, "size": 9}],
    )
    record = services.capture_csam_marking(snapshot=snapshot, police_report_reference="Polisen 5000-K123-26",
                                           marked_by=records_officer)
    assert record.record_type == RecordType.CSAM_MARKING
    assert "OLAGLIGT" not in record.content
    assert "https://cdn/bad.jpg" not in record.content
    assert record.author_name == "" and record.search_text == ""
    marking = json.loads(record.content)["marking"]
    assert marking["police_report_reference"] == "Polisen 5000-K123-26"
    assert marking["metadata"]["attachments"][0]["sha256"] == "cd" * 32
    assert marking["metadata"]["text_sha256"] == hashlib.sha256("OLAGLIGT INNEHÅLL".encode()).hexdigest()


def test_csam_marking_without_police_reference_is_refused(channel, records_officer):
    with pytest.raises(ValidationError):
        services.capture_csam_marking(snapshot=make_snapshot(channel), police_report_reference=" ",
                                      marked_by=records_officer)


def test_orm_cannot_change_or_delete_a_record(channel):
    record = make_record(channel)
    record.content = "{}"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        ArchiveRecord.objects.filter(pk=record.pk).delete()
    with pytest.raises(AppendOnlyError):
        ArchiveRecord.objects.filter(pk=record.pk).update(content="{}")
    record.refresh_from_db()
    assert record.content_sha256 == hashlib.sha256(record.content.encode()).hexdigest()


def test_marking_a_captured_item_as_csam_removes_its_content_but_keeps_the_chain(channel, records_officer):
    from archive.verification import verify_chain

    v1 = make_record(channel, platform_id="bad1", text="OLAGLIGT 1")
    v2 = make_record(channel, platform_id="bad1", version=2, text="OLAGLIGT 2")
    other = make_record(channel)
    marking = services.csam_mark_captured(record=v2, police_report_reference="Polisen 5000-K9-26",
                                          marked_by=records_officer)
    for record in (v1, v2):
        record.refresh_from_db()
        assert record.is_tombstone and record.content == "" and record.author_name == ""
    other.refresh_from_db()
    assert not other.is_tombstone
    assert "OLAGLIGT" not in marking.content
    assert not ArchiveRecord.objects.filter(search_text__contains="OLAGLIGT").exists()
    assert json.loads(marking.content)["marking"]["police_report_reference"] == "Polisen 5000-K9-26"
    assert verify_chain().ok
