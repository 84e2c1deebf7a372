"""Attachment files in the archive: downloaded over real HTTP, stored content-addressed, chained,
verified, culled, removed on a CSAM marking and included in exports and the record view."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from archive import services
from archive.models import AccessLogEntry, ArchiveRecord, GallringProtocol, RecordType
from archive.services.attachments import stored_path_for
from archive.tests.helpers import make_request, make_rule
from archive.verification import verify_chain, verify_files
from channels.connectors.base import Attachment as NormalizedAttachment
from channels.models import Attachment
from channels.services import attachment_download, items_store
from channels.tests.helpers import make_item
from channels.tests.media import serve_files

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20
PDF = b"%PDF-1.4\n" + b"protokoll " * 300
FILES = {"/bild.png": ("image/png", PNG), "/kopia.png": ("image/png", PNG), "/protokoll.pdf": ("application/pdf", PDF)}


@pytest.fixture(scope="module")
def media_server():
    with serve_files({path: (200, ctype, body) for path, (ctype, body) in FILES.items()}) as url:
        yield url


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ARCHIVE_FILES_ROOT = tmp_path / "archive-files"
    return settings.ARCHIVE_FILES_ROOT


_n = iter(range(1, 10_000))


@pytest.fixture
def download(channel, media_server):
    """Store an item with attachments (as a poll does) and download them for real."""

    def run(*paths: str, author: str = "Anna Andersson", platform_id: str | None = None) -> list[Attachment]:
        platform_id = platform_id or f"c-att-{next(_n)}"
        urls = [f"{media_server}{p}?item={platform_id}" for p in paths]
        item = make_item(platform_id, author=author, attachments=tuple(NormalizedAttachment(url=u) for u in urls))
        items_store(channel=channel, items=[item])
        return [attachment_download(attachment_id=Attachment.objects.get(url=u).pk) for u in urls]

    return run


def make_attachment_record(channel, data: bytes = PNG) -> ArchiveRecord:
    """An archived attachment without HTTP (for the URL access table): the file given as bytes."""
    platform_id = f"c-direct-{next(_n)}"
    url = f"https://cdn.example.org/{platform_id}.png"
    items_store(channel=channel, items=[make_item(platform_id, attachments=(NormalizedAttachment(url=url),))])
    attachment = Attachment.objects.get(url=url)
    Attachment.objects.filter(pk=attachment.pk).update(
        state="stored", sha256=hashlib.sha256(data).hexdigest(), size=len(data), content_type="image/png",
        downloaded_at=timezone.now(),
    )
    attachment.refresh_from_db()
    return services.capture_attachment(attachment=attachment, source=io.BytesIO(data))


def _attachment_records():
    return list(ArchiveRecord.objects.filter(record_type=RecordType.ATTACHMENT).order_by("sequence"))


def _snapshot(record) -> dict:
    return json.loads(record.content)["snapshot"]


def test_a_downloaded_attachment_is_archived_with_its_file_and_hash(download, channel, storage):
    (attachment,) = download("/bild.png")
    assert attachment.state == "stored"
    (record,) = _attachment_records()
    item_record = ArchiveRecord.objects.get(record_type=RecordType.ITEM_VERSION, platform_id=attachment.item.platform_id)
    snapshot = _snapshot(record)
    info = snapshot["attachment"]
    sha = hashlib.sha256(PNG).hexdigest()
    assert info["sha256"] == sha and info["size"] == len(PNG) and info["media_type"] == "image/png"
    assert info["url"] == attachment.url
    assert info["stored_path"] == stored_path_for(sha) == f"{sha[:2]}/{sha[2:4]}/{sha}"
    assert (storage / info["stored_path"]).read_bytes() == PNG
    assert snapshot["item_record_sequence"] == item_record.sequence
    assert snapshot["source"] == {
        **_snapshot(item_record)["source"], "attachment_id": attachment.pk,
    }
    assert snapshot["channel"]["id"] == channel.pk and snapshot["platform"] == channel.platform
    assert (record.channel_id, record.platform_id, record.platform) == (channel.pk, item_record.platform_id, channel.platform)
    # Same gallring class and period as its item.
    assert record.information_class == item_record.information_class
    assert record.received_at == item_record.received_at
    assert record.sequence > item_record.sequence
    assert verify_chain().ok and verify_files().ok


def test_identical_files_are_stored_once_and_never_rewritten(download, storage):
    (first,) = download("/bild.png")
    path = storage / stored_path_for(first.sha256)
    inode = path.stat().st_ino
    download("/kopia.png")
    records = _attachment_records()
    assert len(records) == 2
    assert {_snapshot(r)["attachment"]["stored_path"] for r in records} == {stored_path_for(first.sha256)}
    assert path.stat().st_ino == inode
    assert [p for p in storage.rglob("*") if p.is_file()] == [path]


def test_a_repeated_download_does_not_archive_twice(download):
    (attachment,) = download("/bild.png")
    Attachment.objects.filter(pk=attachment.pk).update(state="pending")
    attachment_download(attachment_id=attachment.pk)
    assert len(_attachment_records()) == 1


def test_verify_files_reports_a_missing_and_an_altered_file(download, storage, capsys):
    (png,) = download("/bild.png")
    (pdf,) = download("/protokoll.pdf")
    call_command("verify_archive", "--files")
    assert "2 attachment files verified" in capsys.readouterr().out
    pdf_path = storage / stored_path_for(pdf.sha256)
    pdf_path.chmod(0o644)
    pdf_path.write_bytes(PDF + b"x")
    with pytest.raises(SystemExit):
        call_command("verify_archive", "--files")
    pdf_record = _attachment_records()[1]
    assert f"record #{pdf_record.sequence}" in capsys.readouterr().err
    # The chain itself is intact: without --files the check passes.
    call_command("verify_archive")
    (storage / stored_path_for(png.sha256)).unlink()
    result = verify_files()
    assert not result.ok and "missing" in result.problem and result.sequence == _attachment_records()[0].sequence


def test_gallring_culls_the_attachment_with_its_item_and_removes_the_file(download, channel, storage):
    (attachment,) = download("/bild.png")
    make_rule(channel.department.board, months=1)
    services.gallring_run(now=timezone.now() + datetime.timedelta(days=90))
    (record,) = _attachment_records()
    assert record.is_tombstone and not record.content
    assert ArchiveRecord.objects.get(record_type=RecordType.ITEM_VERSION).is_tombstone
    assert not (storage / stored_path_for(attachment.sha256)).exists()
    protocol = GallringProtocol.objects.get()
    assert [record.sequence, record.record_sha256, record.content_sha256, attachment.sha256] in protocol.culled
    assert verify_chain().ok and verify_files().ok


def test_gallring_keeps_a_file_that_a_held_item_still_names(download, channel, storage, records_officer):
    download("/bild.png", author="Anna Andersson")
    (kept,) = download("/kopia.png", author="Bertil Berg")
    services.hold_create(user=records_officer, reason="Tvist", author_platform_id="u-bertil")
    make_rule(channel.department.board, months=1)
    services.gallring_run(now=timezone.now() + datetime.timedelta(days=90))
    first, second = _attachment_records()
    assert first.is_tombstone and not second.is_tombstone
    assert (storage / stored_path_for(kept.sha256)).read_bytes() == PNG
    assert verify_files().ok


def test_csam_marking_removes_the_archived_files_and_keeps_only_the_hash(
    download, client, records_officer, storage, channel, media_server
):
    png, pdf = download("/bild.png", "/protokoll.pdf")
    item_record = ArchiveRecord.objects.get(record_type=RecordType.ITEM_VERSION)
    client.force_login(records_officer)
    response = client.post(
        reverse("archive-record-mark-csam", args=[item_record.sequence]),
        {"police_report_reference": "Polisen 5000-K77-26"},
    )
    assert response.status_code == 302
    assert not (storage / stored_path_for(png.sha256)).exists()
    assert not (storage / stored_path_for(pdf.sha256)).exists()
    assert all(r.is_tombstone for r in _attachment_records())
    marking = ArchiveRecord.objects.get(record_type=RecordType.CSAM_MARKING)
    text = marking.content
    assert png.sha256 in text and pdf.sha256 in text
    assert media_server not in text  # no URL, only metadata and hashes
    assert verify_chain().ok and verify_files().ok
    # A later download of the same item's files is not archived again.
    Attachment.objects.filter(pk=png.pk).update(state="pending")
    attachment_download(attachment_id=png.pk)
    assert not (storage / stored_path_for(png.sha256)).exists()
    assert ArchiveRecord.objects.filter(record_type=RecordType.ATTACHMENT).count() == 2


def _zip_names(export) -> dict[str, bytes]:
    with zipfile.ZipFile(services.export_path(export)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_records_bag_of_an_item_includes_its_attachment_files(download, records_officer):
    (attachment,) = download("/bild.png")
    item_record = ArchiveRecord.objects.get(record_type=RecordType.ITEM_VERSION)
    (att_record,) = _attachment_records()
    export = services.export_records_bag(
        user=records_officer, records=ArchiveRecord.objects.filter(pk=item_record.pk), description="test"
    )
    files = _zip_names(export)
    assert files[f"data/files/{attachment.sha256}.png"] == PNG
    assert f"data/records/{att_record.sequence:010d}.json" in files
    assert sorted(AccessLogEntry.objects.get(action="export").record_sequences) == [
        item_record.sequence, att_record.sequence,
    ]


def test_a_data_subject_extract_includes_the_authors_files(download, records_officer):
    (attachment,) = download("/protokoll.pdf", author="Cecilia Carlsson")
    export = services.export_data_subject(user=records_officer, author_platform_id="u-cecilia")
    assert _zip_names(export)[f"data/files/{attachment.sha256}.pdf"] == PDF


def test_a_released_item_delivers_its_files_in_the_bag_and_lists_them_in_the_pdf(download, records_officer):
    (attachment,) = download("/bild.png")
    item_record = ArchiveRecord.objects.get(record_type=RecordType.ITEM_VERSION)
    (att_record,) = _attachment_records()
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[item_record], user=records_officer)
    services.request_item_decide(item=request.items.get(), decision="release", user=records_officer)
    services.request_decide(request=request, user=records_officer)
    bag = services.export_request_bag(request=request, user=records_officer)
    files = _zip_names(bag)
    assert files[f"data/files/{attachment.sha256}.png"] == PNG
    entry = json.loads(files[f"data/records/{item_record.sequence:010d}.json"])
    assert entry["attachments"][0]["sha256"] == attachment.sha256
    pdf = services.export_request_pdf(request=request, user=records_officer)
    assert services.export_path(pdf).read_bytes().startswith(b"%PDF-")
    logged = AccessLogEntry.objects.filter(action="export").order_by("pk")
    assert [sorted(e.record_sequences) for e in logged] == [[item_record.sequence, att_record.sequence]] * 2


def test_the_pdf_lists_the_released_files(download, records_officer):
    from django.template.loader import render_to_string

    from archive.services.exports import _delivery_entries

    (attachment,) = download("/bild.png")
    item_record = ArchiveRecord.objects.get(record_type=RecordType.ITEM_VERSION)
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[item_record], user=records_officer)
    services.request_item_decide(item=request.items.get(), decision="release", user=records_officer)
    html = render_to_string("archive/pdf/records.html", {"title": "t", "entries": _delivery_entries(request)})
    assert attachment.sha256 in html and f"{attachment.sha256}.png" in html


def test_a_masked_release_delivers_no_files(download, records_officer):
    download("/bild.png")
    item_record = ArchiveRecord.objects.get(record_type=RecordType.ITEM_VERSION)
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[item_record], user=records_officer)
    item = request.items.get()
    services.masking_create(item=item, phrases=["biblioteket"], osl_reference="OSL 21:1",
                            user=records_officer)
    services.request_decide(request=request, user=records_officer)
    bag = services.export_request_bag(request=request, user=records_officer)
    assert not [name for name in _zip_names(bag) if "/files/" in name]


def test_the_e_archive_package_carries_the_files_with_checksums(download, channel, records_officer, tmp_path):
    (attachment,) = download("/bild.png")
    export = services.export_sip(user=records_officer, channel_id=channel.pk)
    files = _zip_names(export)
    (file_name,) = [n for n in files if n.endswith(f"/representations/rep-native/data/files/{attachment.sha256}.png")]
    assert files[file_name] == PNG
    (mets_name,) = [n for n in files if n.endswith("/METS.xml")]
    mets = files[mets_name].decode()
    assert f'CHECKSUM="{attachment.sha256}"' in mets and 'MIMETYPE="image/png"' in mets
    (premis_name,) = [n for n in files if n.endswith("premis.xml")]
    assert attachment.sha256 in files[premis_name].decode()
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "mets.xsd")))
    mets_doc = etree.fromstring(files[mets_name])
    assert schema.validate(mets_doc), schema.error_log
    package = mets_name.removesuffix("METS.xml")
    for element in mets_doc.iter("{http://www.loc.gov/METS/}file"):
        href = element.find("{http://www.loc.gov/METS/}FLocat").get("{http://www.w3.org/1999/xlink}href")
        data = files[package + href]
        assert hashlib.sha256(data).hexdigest() == element.get("CHECKSUM") and int(element.get("SIZE")) == len(data)


def test_the_record_view_lists_and_serves_the_archived_file(download, client, informator, django_assert_max_num_queries):
    (attachment,) = download("/bild.png")
    item_record = ArchiveRecord.objects.get(record_type=RecordType.ITEM_VERSION)
    (att_record,) = _attachment_records()
    client.force_login(informator)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("archive-record-detail", args=[item_record.sequence]))
    assert page.status_code == 200
    file_url = reverse("archive-record-file", args=[att_record.sequence])
    assert file_url in page.content.decode() and attachment.sha256 in page.content.decode()
    detail = client.get(reverse("archive-record-detail", args=[att_record.sequence]))
    assert file_url in detail.content.decode()
    response = client.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert "attachment" in response["Content-Disposition"]
    assert AccessLogEntry.objects.filter(action="view", record_sequences=[att_record.sequence]).exists()


def test_a_culled_attachment_has_no_file_to_serve(download, client, informator, channel):
    download("/bild.png")
    make_rule(channel.department.board, months=1)
    services.gallring_run(now=timezone.now() + datetime.timedelta(days=90))
    (att_record,) = _attachment_records()
    client.force_login(informator)
    assert client.get(reverse("archive-record-file", args=[att_record.sequence])).status_code == 404
