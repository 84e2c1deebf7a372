import hashlib
import json
import re
import zipfile
import zlib
from pathlib import Path

import bagit
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from lxml import etree

from archive import services
from archive.models import AccessLogEntry, ArchiveRecord, Export
from archive.tests.helpers import make_record, make_request_item

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
METS = "{http://www.loc.gov/METS/}"
XLINK = "{http://www.w3.org/1999/xlink}"


def _unzip(export, tmp_path) -> Path:
    target = tmp_path / f"unzipped-{export.pk}"
    with zipfile.ZipFile(services.export_path(export)) as archive:
        archive.extractall(target)
    return target


def _pdf_objects(data: bytes) -> bytes:
    out = b""
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out += zlib.decompress(match.group(1))
        except zlib.error:
            continue
    return data + out


def test_request_delivery_as_tagged_pdf(records_officer, channel):
    request, item = make_request_item(records_officer, channel)
    services.request_item_decide(item=item, decision="release", user=records_officer)
    services.request_decide(request=request, user=records_officer)
    export = services.export_request_pdf(request=request, user=records_officer)
    data = services.export_path(export).read_bytes()
    assert data.startswith(b"%PDF-")
    objects = _pdf_objects(data)
    assert b"/StructTreeRoot" in objects  # tagged
    assert b"/MarkInfo" in objects
    assert b"/Lang" in objects
    assert b"pdfuaid" in objects  # PDF/UA identification in the XMP metadata
    assert export.sha256 == hashlib.sha256(data).hexdigest()
    entry = AccessLogEntry.objects.get(action="export")
    assert entry.record_sequences == [item.record.sequence] and entry.export == export


def test_refused_records_are_not_delivered(records_officer, channel, tmp_path):
    request, item = make_request_item(records_officer, channel)
    services.request_item_decide(item=item, decision="refuse", osl_reference="OSL 26:1", user=records_officer)
    services.request_decide(request=request, user=records_officer)
    with pytest.raises(ValidationError):
        services.export_request_bag(request=request, user=records_officer)
    export = services.export_request_pdf(request=request, user=records_officer)  # the decision only
    assert export.record_count == 0


def test_request_delivery_as_a_valid_bag_with_masked_copy(records_officer, channel, tmp_path):
    request, item = make_request_item(records_officer, channel)
    services.masking_create(item=item, phrases=["biblioteket"], osl_reference="OSL 21:7", user=records_officer)
    services.request_decide(request=request, user=records_officer)
    export = services.export_request_bag(request=request, user=records_officer)
    bag = bagit.Bag(str(_unzip(export, tmp_path)))
    bag.validate()
    assert "sha512" in bag.algorithms
    delivered = json.loads((Path(bag.path) / f"data/records/{item.record.sequence:010d}.json").read_text())
    text = next(f["value"] for f in delivered["fields"] if f["key"] == "text")
    assert delivered["masked"] is True and "biblioteket" not in text.casefold()
    assert "Kammarrätten" in (Path(bag.path) / "data/beslut.txt").read_text()
    assert (Path(bag.path) / "data/beslut.pdf").read_bytes().startswith(b"%PDF-")
    assert bag.info["Source-Organization"] == "Ludvika kommun"


def test_records_bag_holds_the_canonical_content_that_hashes_to_the_record(records_officer, channel, tmp_path):
    records = [make_record(channel) for _ in range(3)]
    export = services.export_records_bag(
        user=records_officer, records=ArchiveRecord.objects.all(), description="test"
    )
    bag = bagit.Bag(str(_unzip(export, tmp_path)))
    bag.validate()
    for record in records:
        data = (Path(bag.path) / f"data/records/{record.sequence:010d}.json").read_bytes()
        assert hashlib.sha256(data).hexdigest() == record.content_sha256


def test_data_subject_extract_contains_everything_about_one_author(records_officer, channel, tmp_path):
    first = make_record(channel, author={"platform_id": "anna1", "name": "Anna", "profile_url": ""})
    second = make_record(channel, author={"platform_id": "anna1", "name": "Anna", "profile_url": ""}, kind="dm")
    make_record(channel)
    export = services.export_data_subject(user=records_officer, author_platform_id="anna1")
    bag = bagit.Bag(str(_unzip(export, tmp_path)))
    bag.validate()
    files = sorted(p.name for p in (Path(bag.path) / "data/records").iterdir())
    assert files == [f"{first.sequence:010d}.json", f"{second.sequence:010d}.json"]
    assert export.record_count == 2


def test_data_subject_extract_for_unknown_author_is_refused(records_officer, channel):
    make_record(channel)
    with pytest.raises(ValidationError):
        services.export_data_subject(user=records_officer, author_platform_id="okand")
    assert not Export.objects.exists()


def test_an_export_is_downloadable_only_by_its_maker(client, records_officer, informator, channel):
    make_record(channel)
    export = services.export_records_bag(user=records_officer, records=ArchiveRecord.objects.all(), description="t")
    url = reverse("archive-export-download", args=[export.pk])
    client.force_login(informator)
    assert client.get(url).status_code == 404
    client.force_login(records_officer)
    response = client.get(url)
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == export.sha256
    assert AccessLogEntry.objects.filter(action="download", user=records_officer, export=export).count() == 1
    assert not AccessLogEntry.objects.filter(action="download", user=informator).exists()


def test_e_ark_sip_validates_and_every_checksum_verifies(records_officer, representative, channel, tmp_path):
    first = make_record(channel, platform_id="c1")
    make_record(channel, platform_id="c1", version=2, edited_at="2026-05-02T10:00:00+00:00", text="Ändrad")
    services.snapshot_for_removal(snapshot=json.loads(first.content)["snapshot"], decided_by=representative,
                                  codes=["svordomar"], reason="Svordomar")
    export = services.export_sip(user=records_officer, channel_id=channel.pk)
    root = _unzip(export, tmp_path)
    [package] = list(root.iterdir())
    mets_doc = etree.parse(str(package / "METS.xml"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "mets.xsd")))
    assert schema.validate(mets_doc), schema.error_log
    mets = mets_doc.getroot()
    assert mets.get("OBJID") == package.name
    assert mets.get("PROFILE") == "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
    assert mets.find(f"{METS}structMap").get("LABEL") == "CSIP"
    files = mets.findall(f".//{METS}file")
    assert len(files) == 4  # three native records and the JSON Lines file
    for element in files:
        href = element.find(f"{METS}FLocat").get(f"{XLINK}href")
        data = (package / href).read_bytes()
        assert element.get("CHECKSUMTYPE") == "SHA-256"
        assert hashlib.sha256(data).hexdigest() == element.get("CHECKSUM"), href
        assert int(element.get("SIZE")) == len(data)
    md_ref = mets.find(f".//{METS}mdRef")
    premis_bytes = (package / md_ref.get(f"{XLINK}href")).read_bytes()
    assert hashlib.sha256(premis_bytes).hexdigest() == md_ref.get("CHECKSUM")
    premis = etree.fromstring(premis_bytes)
    event_types = [e.text for e in premis.iter("{http://www.loc.gov/premis/v3}eventType")]
    assert {"capture", "modification", "moderation", "transfer"} <= set(event_types)
    lines = (package / "representations/rep-normalised/data/records.jsonl").read_text().splitlines()
    assert [json.loads(line)["codes"] for line in lines][-1] == ["svordomar"]


def test_a_schema_invalid_mets_is_caught_by_the_vendored_schema():
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "mets.xsd")))
    bad = etree.fromstring(b'<mets xmlns="http://www.loc.gov/METS/"><fileSec><bogus/></fileSec></mets>')
    assert not schema.validate(bad)


def test_sip_of_a_channel_without_records_is_refused(records_officer, channel):
    with pytest.raises(ValidationError):
        services.export_sip(user=records_officer, channel_id=channel.pk)


def test_sip_and_subject_extract_from_the_browser(client, informator, channel):
    make_record(channel, author={"platform_id": "p42", "name": "Per", "profile_url": ""})
    client.force_login(informator)
    response = client.post(reverse("archive-sip-export"), {"channel": channel.pk})
    assert response.status_code == 302
    response = client.post(reverse("archive-subject-extract"), {"author_platform_id": "p42"})
    assert response.status_code == 302
    assert sorted(Export.objects.filter(created_by=informator).values_list("kind", flat=True)) == ["sip", "subject"]
    body = client.get(reverse("archive-export-list")).content.decode()
    assert len(re.findall(r"/personal/arkiv/exporter/\d+/", body)) == 2


def test_subject_extract_for_unknown_author_shows_a_swedish_error(client, informator, channel):
    client.force_login(informator)
    response = client.post(reverse("archive-subject-extract"), {"author_platform_id": "okand"})
    assert response.status_code == 400
    assert "Arkivet innehåller inget om den avsändaren" in response.content.decode()
