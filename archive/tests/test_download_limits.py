"""The archive's file download (archive-record-file) is always a download: sent as an attachment,
with nosniff, and with the archived media type, never as a page a browser would render and run."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from archive import services
from archive.models import ArchiveRecord
from archive.services.attachments import SCRIPTABLE_TYPES
from channels.connectors.base import Attachment as NormalizedAttachment
from channels.models import Attachment
from channels.services import items_store
from channels.tests.helpers import make_item

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>'
HTML_LIKE = [(HTML, "text/html"), (HTML, "text/html; charset=utf-8"), (HTML, "application/xhtml+xml"),
             (SVG, "image/svg+xml")]
HTML_LIKE_IDS = ["html", "html-charset", "xhtml", "svg"]


@pytest.fixture(autouse=True)
def archive_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ARCHIVE_FILES_ROOT = tmp_path / "archive-files"


def archived_file(channel, *, data: bytes, content_type: str, name: str) -> ArchiveRecord:
    """An attachment archived with the given media type, as if downloaded (no HTTP): records made
    before the download's type check, or a type a platform declared, can hold any media type."""
    url = f"https://cdn.example.org/{name}"
    items_store(channel=channel, items=[make_item(f"c-{name}", attachments=(NormalizedAttachment(url=url),))])
    attachment = Attachment.objects.get(url=url)
    Attachment.objects.filter(pk=attachment.pk).update(
        state="stored", sha256=hashlib.sha256(data).hexdigest(), size=len(data), content_type=content_type,
        downloaded_at=timezone.now(),
    )
    attachment.refresh_from_db()
    return services.capture_attachment(attachment=attachment, source=io.BytesIO(data))


def download(client, record: ArchiveRecord):
    response = client.get(reverse("archive-record-file", args=[record.sequence]))
    assert response.status_code == 200
    return response


def test_a_file_is_sent_as_an_attachment_with_nosniff_and_its_stored_media_type(client, records_officer, channel):
    record = archived_file(channel, data=PNG, content_type="image/png", name="bild.png")
    client.force_login(records_officer)
    response = download(client, record)
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="{hashlib.sha256(PNG).hexdigest()}.png"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG


def test_a_file_without_a_media_type_is_sent_as_octet_stream(client, informator, channel):
    record = archived_file(channel, data=PNG, content_type="", name="okand")
    client.force_login(informator)
    response = download(client, record)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(("data", "content_type"), HTML_LIKE, ids=HTML_LIKE_IDS)
def test_an_html_like_file_is_still_a_download_with_nosniff(client, records_officer, channel, data, content_type):
    record = archived_file(channel, data=data, content_type=content_type, name="fil")
    client.force_login(records_officer)
    response = download(client, record)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("data", "content_type"), HTML_LIKE, ids=HTML_LIKE_IDS)
def test_an_html_like_file_is_never_sent_as_a_document_type(client, records_officer, channel, data, content_type):
    record = archived_file(channel, data=data, content_type=content_type, name="dokument")
    client.force_login(records_officer)
    response = download(client, record)
    served = response["Content-Type"].split(";")[0].strip().lower()
    assert served == "application/octet-stream"
    assert served not in SCRIPTABLE_TYPES and not served.endswith("+xml")
    # Opened in a browser anyway, it would run in a sandbox with nothing allowed.
    assert response["Content-Security-Policy"].startswith("sandbox")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-msdownload", "application/octet-stream; x=1",
                                          "image/x-icon"])
def test_a_type_outside_the_safe_list_is_sent_as_plain_bytes(client, records_officer, channel, content_type):
    """An allow-list, not a deny-list: only raster images, video, audio and PDF keep their type."""
    record = archived_file(channel, data=PNG, content_type=content_type, name="annat")
    client.force_login(records_officer)
    response = download(client, record)
    assert response["Content-Type"] == "application/octet-stream"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
