"""Attachment copies: downloaded over real HTTP, hashed, size-limited and content-type checked."""

from __future__ import annotations

import hashlib
import json

import pytest

from channels.connectors.base import Attachment as NormalizedAttachment
from channels.models import Attachment
from channels.services import DownloadTransient, attachment_download, items_store

from .helpers import make_item
from .media import serve_files

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40

FILES = {
    "/bild.png": (200, "image/png", PNG),
    "/sida.html": (200, "text/html; charset=utf-8", b"<html>hej</html>"),
    "/ritning.svg": (200, "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    "/sida.xhtml": (200, "application/xhtml+xml", b'<html xmlns="http://www.w3.org/1999/xhtml"><script/></html>'),
    "/stor.jpg": (200, "image/jpeg", b"\xff" * 5000),
    "/borta.jpg": (404, "text/plain", b"not found"),
    "/trasig.jpg": (503, "text/plain", b"unavailable"),
}


@pytest.fixture(scope="module")
def media_server():
    with serve_files(FILES, content_length=False) as url:
        yield url


@pytest.fixture
def stored(channel, media_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CHANNELS_ATTACHMENT_MAX_BYTES = 4096 * 3

    def store(path: str) -> Attachment:
        url = media_server + path
        items_store(channel=channel, items=[make_item(f"c{path}", attachments=(NormalizedAttachment(url=url),))])
        return Attachment.objects.get(url=url)

    return store


def test_an_image_is_downloaded_and_hashed(stored):
    attachment = attachment_download(attachment_id=stored("/bild.png").pk)
    assert attachment.state == "stored"
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    assert attachment.size == len(PNG) and attachment.content_type == "image/png"
    with attachment.file.open("rb") as f:
        assert f.read() == PNG


def test_a_page_that_is_not_media_is_rejected_and_kept_as_a_url(stored):
    attachment = attachment_download(attachment_id=stored("/sida.html").pk)
    assert attachment.state == "rejected" and not attachment.file
    assert "text/html" in attachment.error


@pytest.mark.parametrize(("path", "content_type"), [
    ("/ritning.svg", "image/svg+xml"), ("/sida.xhtml", "application/xhtml+xml"),
])
def test_types_that_can_carry_script_are_rejected(stored, path, content_type):
    attachment = attachment_download(attachment_id=stored(path).pk)
    assert attachment.state == "rejected" and not attachment.file
    assert content_type in attachment.error


def test_svg_and_html_are_rejected_even_when_the_setting_allows_every_image_and_text(stored, settings):
    settings.CHANNELS_ATTACHMENT_TYPES = ("image/", "text/", "application/")
    for path in ("/ritning.svg", "/sida.html", "/sida.xhtml"):
        assert attachment_download(attachment_id=stored(path).pk).state == "rejected"
    assert attachment_download(attachment_id=stored("/bild.png").pk).state == "stored"


def test_a_file_over_the_size_limit_is_rejected_while_streaming(stored, settings):
    settings.CHANNELS_ATTACHMENT_MAX_BYTES = 1000
    attachment = attachment_download(attachment_id=stored("/stor.jpg").pk)
    assert attachment.state == "rejected" and "too large" in attachment.error


def test_a_missing_file_fails_and_a_5xx_is_transient(stored):
    assert attachment_download(attachment_id=stored("/borta.jpg").pk).state == "failed"
    with pytest.raises(DownloadTransient):
        attachment_download(attachment_id=stored("/trasig.jpg").pk)
    assert Attachment.objects.get(url__endswith="/trasig.jpg").state == "pending"


def test_a_stored_attachment_is_not_downloaded_again(stored):
    attachment = attachment_download(attachment_id=stored("/bild.png").pk)
    again = attachment_download(attachment_id=attachment.pk)
    assert again.attempts == attachment.attempts


def test_a_stored_download_is_archived_in_the_same_transaction(stored, settings, tmp_path):
    from archive.models import ArchiveRecord

    settings.ARCHIVE_FILES_ROOT = tmp_path / "archive-files"
    attachment = attachment_download(attachment_id=stored("/bild.png").pk)
    record = ArchiveRecord.objects.get(record_type="attachment")
    info = json.loads(record.content)["snapshot"]["attachment"]
    assert info["sha256"] == attachment.sha256 and info["url"] == attachment.url
    assert (tmp_path / "archive-files" / info["stored_path"]).read_bytes() == PNG


def test_a_rejected_download_archives_nothing(stored, settings, tmp_path):
    from archive.models import ArchiveRecord

    settings.ARCHIVE_FILES_ROOT = tmp_path / "archive-files"
    attachment_download(attachment_id=stored("/sida.html").pk)
    assert not ArchiveRecord.objects.filter(record_type="attachment").exists()
    assert not (tmp_path / "archive-files").exists()


def test_when_the_archive_cannot_store_the_file_the_download_is_not_recorded(stored, settings, tmp_path):
    from archive.models import ArchiveRecord

    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"")
    settings.ARCHIVE_FILES_ROOT = blocker / "archive"
    attachment = stored("/bild.png")
    with pytest.raises(OSError):
        attachment_download(attachment_id=attachment.pk)
    attachment.refresh_from_db()
    assert attachment.state == "pending" and not attachment.sha256  # retried by the task
    assert not ArchiveRecord.objects.filter(record_type="attachment").exists()
