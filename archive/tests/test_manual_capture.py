"""Manual capture: a channel without an API (or an outage) is still captured, as a hashed record."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archive.models import ArchiveRecord, RecordType
from archive.verification import verify_chain, verify_files
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20


@pytest.fixture(autouse=True)
def _files_root(settings, tmp_path):
    settings.ARCHIVE_FILES_ROOT = tmp_path / "archive-files"


def _post(client, channel, **extra):
    data = {"channel": channel.pk, "kind": "comment", "author_name": "Berit Berg", "created_at": "2026-11-30T14:05",
            "text": "Varför är gatlyktorna släckta på Väsmansvägen?", "reason": "no_api", "note": ""}
    data.update(extra)
    return client.post(reverse("archive-manual-capture"), data)


def test_a_representative_captures_a_comment_with_a_screenshot_as_a_hashed_record(client, representative, channel,
                                                                                   records_officer):
    client.force_login(representative)
    screenshot = SimpleUploadedFile("skarmbild.png", PNG, content_type="image/png")
    response = _post(client, channel, file=screenshot)
    assert response.status_code == 302
    record = ArchiveRecord.objects.get(record_type=RecordType.MANUAL_CAPTURE)
    snapshot = json.loads(record.content)["snapshot"]
    assert snapshot["text"].startswith("Varför är gatlyktorna") and snapshot["author"]["name"] == "Berit Berg"
    assert snapshot["manual"]["captured_by"]["username"] == representative.username
    assert snapshot["attachment"]["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert record.channel_id == channel.pk and record.author_name == "Berit Berg"
    assert verify_chain().ok and verify_files().ok
    client.force_login(records_officer)
    page = client.get(reverse("archive-record-detail", args=[record.sequence])).content.decode()
    assert "Manuellt registrerad" in page and "Kanalen saknar API-koppling" in page
    download = client.get(reverse("archive-record-file", args=[record.sequence]))
    assert b"".join(download.streaming_content) == PNG
    assert "Berit Berg" in client.get(reverse("archive-search"), {"q": "gatlyktorna"}).content.decode()


@pytest.mark.parametrize("extra, message", [
    ({"file": ("sida.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")}, "PNG eller JPEG"),
    ({"text": "", "file": None}, "Skriv av texten"),
    ({"created_at": "2099-01-01T10:00"}, "framtiden"),
    ({"permalink": "javascript:alert(1)"}, "https://"),
])
def test_bad_input_is_refused_in_swedish_and_nothing_is_stored(client, representative, channel, extra, message):
    client.force_login(representative)
    if extra.get("file"):
        name, data = extra["file"]
        extra = {**extra, "file": SimpleUploadedFile(name, data)}
    else:
        extra = {k: v for k, v in extra.items() if k != "file"}
    response = _post(client, channel, **extra)
    assert response.status_code == 400 and message in response.content.decode()
    assert not ArchiveRecord.objects.filter(record_type=RecordType.MANUAL_CAPTURE).exists()


def test_a_representative_captures_only_for_the_channels_they_represent(client, representative, channel, other_dept):
    elsewhere = ChannelFactory(department=other_dept, name="Annan kanal", platform="other",
                               public_url="https://example.org/annan")
    client.force_login(representative)
    response = _post(client, elsewhere)
    assert response.status_code == 400
    assert not ArchiveRecord.objects.filter(record_type=RecordType.MANUAL_CAPTURE).exists()
