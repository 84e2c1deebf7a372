"""Suspected child sexual abuse material is never stored (DESIGN §4): the records officer's marking in
the archive also purges the live copy in the inbound store, keeps it purged when the platform shows
the item again, asks the platform to delete it, and rolls back as a whole when any part fails."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models import CharField, JSONField, TextField
from django.db.models.functions import Cast
from django.urls import reverse

from archive import services as archive_services
from archive.models import ArchiveRecord, RecordType
from archive.services.attachments import stored_path_for
from archive.signals import csam_marked
from channels.connectors.base import Attachment as NormalizedAttachment
from channels.models import ActionKind, ActionState, Attachment, ChannelSync, Item, ItemVersion, OutboxAction
from channels.services import attachment_download, channel_poll, items_store, outbox_execute

from .helpers import make_item, make_post
from .media import serve_files
from .simhelpers import connect, control, state

pytestmark = pytest.mark.django_db

MARKER = "Qzxcsamprov7731"  # ASCII, so JSON never escapes it
AUTHOR = "Zeb Wqvoldersson"  # the surname is the marker of the name (the id is built from the first name)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


@pytest.fixture(scope="module")
def media_server():
    with serve_files({"/bild.png": (200, "image/png", PNG)}) as url:
        yield url


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ARCHIVE_FILES_ROOT = tmp_path / "archive-files"
    settings.CHANNELS_THREAD_CONTEXT_TASKS = False
    return tmp_path


def rows_containing(needle: str) -> list[str]:
    """Every row, in every model of every app, whose text, character or JSON column contains ``needle``."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, CharField | TextField | JSONField):
                continue
            hits = model._default_manager.annotate(_as_text=Cast(field.name, TextField())).filter(
                _as_text__icontains=needle
            )
            found.extend(f"{model._meta.label}.{field.name}#{pk}" for pk in hits.values_list("pk", flat=True))
    return found


def _store_bad_item(channel, media_server, platform_id: str = "c-bad") -> Item:
    """A comment with an attachment, stored as a poll stores it, then edited once; the file downloaded."""
    url = f"{media_server}/bild.png?item={platform_id}"
    attachment = NormalizedAttachment(url=url, media_type="image/png")
    items_store(channel=channel, items=[make_post(), make_item(platform_id, f"{MARKER} första", author=AUTHOR,
                                                               attachments=(attachment,))])
    items_store(channel=channel, items=[make_item(platform_id, f"{MARKER} ändrad", author=AUTHOR,
                                                  attachments=(attachment,))])
    attachment_download(attachment_id=Attachment.objects.get(url=url).pk)
    return Item.objects.get(channel=channel, platform_id=platform_id)


def _item_record(item: Item) -> ArchiveRecord:
    return ArchiveRecord.objects.filter(
        record_type=RecordType.ITEM_VERSION, channel_id=item.channel_id, platform_id=item.platform_id
    ).order_by("sequence").first()


def test_the_records_officers_marking_purges_the_live_item_its_versions_and_its_files(
    channel, media_server, client, records_officer, storage, django_capture_on_commit_callbacks
):
    item = _store_bad_item(channel, media_server)
    attachment = item.attachments.get()
    live_file = storage / "media" / attachment.file.name
    assert attachment.state == "stored" and live_file.is_file()
    assert ItemVersion.objects.filter(item=item).count() == 2
    assert rows_containing(MARKER) and rows_containing("Wqvoldersson")

    client.force_login(records_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archive-record-mark-csam", args=[_item_record(item).sequence]),
                               {"police_report_reference": "Polisen 5000-K42-26"})
    assert response.status_code == 302

    assert rows_containing(MARKER) == []
    assert rows_containing("Wqvoldersson") == []
    assert not live_file.exists()
    assert not (storage / "archive-files" / stored_path_for(attachment.sha256)).exists()
    item.refresh_from_db()
    marking = ArchiveRecord.objects.get(record_type=RecordType.CSAM_MARKING)
    assert item.purged_at is not None and item.csam_marking == marking
    assert (item.text, item.author_name, item.author_profile_url, item.permalink, item.raw) == ("", "", "", "", {})
    # What may be kept stays: identity, timestamps, the version count and the file's hash and size.
    assert item.platform_id == "c-bad" and item.author_platform_id == "u-zeb" and item.version_count == 2
    assert list(ItemVersion.objects.filter(item=item).values_list("number", "text", "raw")) == [(1, "", {}), (2, "", {})]
    attachment.refresh_from_db()
    assert (attachment.state, attachment.url, attachment.file.name) == ("purged", "", "")
    assert attachment.sha256 and attachment.size == len(PNG)


def test_the_marking_queues_a_delete_on_the_platform_resting_on_the_marking(channel, records_officer):
    items_store(channel=channel, items=[make_post(), make_item("c-bad", MARKER, author=AUTHOR)])
    item = Item.objects.get(platform_id="c-bad")
    marking = archive_services.csam_mark_with_files(record=_item_record(item),
                                                    police_report_reference="Polisen 5000-K43-26",
                                                    marked_by=records_officer)
    action = OutboxAction.objects.get(item=item)
    assert (action.kind, action.state, action.snapshot, action.created_by) == (
        ActionKind.DELETE, ActionState.PENDING, marking, records_officer)


def test_an_item_already_deleted_on_the_platform_gets_no_platform_action(channel, records_officer):
    items_store(channel=channel, items=[make_post(), make_item("c-bad", MARKER, author=AUTHOR, visibility="deleted")])
    item = Item.objects.get(platform_id="c-bad")
    archive_services.csam_mark_with_files(record=_item_record(item), police_report_reference="Polisen 5000-K44-26",
                                          marked_by=records_officer)
    assert not OutboxAction.objects.filter(item=item).exists()


def test_a_failing_receiver_rolls_the_whole_marking_back(channel, media_server, records_officer, storage):
    item = _store_bad_item(channel, media_server)
    attachment = item.attachments.get()
    record = _item_record(item)
    records_before = ArchiveRecord.objects.count()

    def refuse(**kwargs):
        raise RuntimeError("a later receiver failed")

    csam_marked.connect(refuse, dispatch_uid="test-refuse")  # connected last: runs after the purges
    try:
        with pytest.raises(RuntimeError):
            archive_services.csam_mark_with_files(record=record, police_report_reference="Polisen 5000-K45-26",
                                                  marked_by=records_officer)
    finally:
        csam_marked.disconnect(dispatch_uid="test-refuse")

    item.refresh_from_db()
    attachment.refresh_from_db()
    record.refresh_from_db()
    assert item.purged_at is None and item.text == f"{MARKER} ändrad" and item.author_name == AUTHOR
    assert ItemVersion.objects.filter(item=item, text__contains=MARKER).count() == 2
    assert attachment.state == "stored" and (storage / "media" / attachment.file.name).is_file()
    assert not record.is_tombstone and ArchiveRecord.objects.count() == records_before
    assert (storage / "archive-files" / stored_path_for(attachment.sha256)).is_file()
    assert not OutboxAction.objects.filter(item=item).exists()


def test_a_purged_item_seen_again_stores_no_content_and_other_items_are_stored_as_usual(channel, records_officer):
    items_store(channel=channel, items=[make_post(), make_item("c-bad", MARKER, author=AUTHOR)])
    item = Item.objects.get(platform_id="c-bad")
    archive_services.csam_mark_with_files(record=_item_record(item), police_report_reference="Polisen 5000-K46-26",
                                          marked_by=records_officer)
    records_before = ArchiveRecord.objects.count()
    result = items_store(channel=channel, items=[
        make_item("c-bad", f"{MARKER} igen", author=AUTHOR, visibility="hidden"),
        make_item("c-reply", "Ett svar", kind="reply", parent="c-bad", minute=5),
    ])
    assert result.new_items == 1 and result.new_versions == 1
    item.refresh_from_db()
    assert item.text == "" and item.version_count == 1 and item.visibility == "hidden"
    assert rows_containing(MARKER) == []
    # The reply is archived as any item is; its thread context holds the purged parent's blank text. The
    # hiding is archived as a platform event, which holds no content.
    assert ArchiveRecord.objects.count() == records_before + 2
    assert ArchiveRecord.objects.filter(record_type="platform_event", platform_id="c-bad").count() == 1


def test_a_later_poll_from_the_platform_does_not_bring_the_text_back_and_the_delete_reaches_it(
    sim, channel, records_officer
):
    connect(sim, channel)
    assert channel_poll(channel_id=channel.pk).outcome == "ok"
    created = control(sim, "POST", "items", platform=channel.platform, account=channel.account_id,
                      text=f"{MARKER} på plattformen", author_name=AUTHOR)
    assert channel_poll(channel_id=channel.pk).stored.new_items == 1
    item = Item.objects.get(channel=channel, platform_id=created["id"])
    archive_services.csam_mark_with_files(record=_item_record(item), police_report_reference="Polisen 5000-K47-26",
                                          marked_by=records_officer)

    # The author edits it on the platform, and the whole channel is read again from the start.
    control(sim, "POST", "edit", platform=channel.platform, account=channel.account_id, id=created["id"],
            text=f"{MARKER} ändrad på plattformen")
    ChannelSync.objects.filter(channel=channel).update(cursor={})
    report = channel_poll(channel_id=channel.pk)
    assert report.outcome == "ok", report.error
    item.refresh_from_db()
    assert item.text == "" and item.version_count == 1
    assert rows_containing(MARKER) == []

    action = OutboxAction.objects.get(item=item, kind=ActionKind.DELETE)
    assert outbox_execute(action_id=action.pk).action.state == ActionState.SUCCEEDED
    (on_platform,) = [i for i in state(sim, channel)["items"] if i["id"] == created["id"]]
    assert on_platform["deleted"]
    item.refresh_from_db()
    assert item.visibility == "deleted"


def test_a_download_that_finishes_after_the_marking_writes_nothing(channel, media_server, records_officer, storage):
    """The marking purges the item while its attachment is being fetched: the download, ordered
    after the marking by the row lock, keeps neither a file nor a record."""
    import requests

    url = f"{media_server}/bild.png?item=c-race"
    items_store(channel=channel, items=[make_post(), make_item(
        "c-race", MARKER, author=AUTHOR, attachments=(NormalizedAttachment(url=url, media_type="image/png"),))])
    item = Item.objects.get(platform_id="c-race")
    attachment = Attachment.objects.get(url=url)

    class MarkedWhileFetching(requests.Session):
        def get(self, *args, **kwargs):
            archive_services.csam_mark_with_files(
                record=_item_record(item), police_report_reference="Polisen 5000-K42-27", marked_by=records_officer)
            return super().get(*args, **kwargs)

    result = attachment_download(attachment_id=attachment.pk, session=MarkedWhileFetching())
    assert result.state == "purged" and result.file.name == ""
    assert not any((storage / "media").rglob("*.png"))
    assert not ArchiveRecord.objects.filter(record_type=RecordType.ATTACHMENT).exists()
    # And a task delivered again later does nothing at all.
    assert attachment_download(attachment_id=attachment.pk).state == "purged"
