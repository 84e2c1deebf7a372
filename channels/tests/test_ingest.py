"""The inbound store: upsert by (channel, platform id), versions for edits, archive capture, signals,
alerts for removals outside the tool, and the cursor saved with its page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from archive.models import ArchiveRecord
from channels.connectors.base import Attachment, Visibility
from channels.models import ChannelSync, Item, ItemVersion, OutboxAction, OutsideRemovalAlert
from channels.services import item_store_from_webhook, items_store
from channels.signals import item_version_stored

from .helpers import make_item, make_post

pytestmark = pytest.mark.django_db(transaction=False)


def test_storing_a_page_creates_items_and_first_versions(channel):
    result = items_store(channel=channel, items=[make_post(), make_item("c1"), make_item("c2", "Tack!")])
    assert (result.new_items, result.new_versions) == (3, 3)
    assert Item.objects.filter(channel=channel).count() == 3
    assert list(ItemVersion.objects.filter(item__platform_id="c2").values_list("number", "text")) == [(1, "Tack!")]


def test_repolling_the_same_page_never_duplicates(channel):
    page = [make_post(), make_item("c1"), make_item("c2")]
    items_store(channel=channel, items=page)
    again = items_store(channel=channel, items=page)
    assert (again.new_items, again.new_versions) == (0, 0)
    assert Item.objects.filter(channel=channel).count() == 3
    assert ItemVersion.objects.count() == 3
    assert ArchiveRecord.objects.count() == 3


def test_the_same_platform_id_on_two_channels_is_two_items(channel, other_channel):
    items_store(channel=channel, items=[make_item("c1")])
    items_store(channel=other_channel, items=[make_item("c1")])
    assert Item.objects.filter(platform_id="c1").count() == 2


def test_the_database_refuses_a_duplicate_item(channel):
    items_store(channel=channel, items=[make_item("c1")])
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(channel=channel, platform_id="c1", kind="comment", created_at="2026-01-01T00:00:00Z")


def test_an_edit_adds_a_version_and_keeps_the_first(channel):
    items_store(channel=channel, items=[make_item("c1", "Öppnar ni kl 10?")])
    first = ItemVersion.objects.get(item__platform_id="c1")
    result = items_store(channel=channel, items=[make_item("c1", "Öppnar ni kl 10 på lördag?")])
    assert (result.new_items, result.new_versions) == (0, 1)
    item = Item.objects.get(platform_id="c1")
    assert item.text == "Öppnar ni kl 10 på lördag?"
    assert item.version_count == 2
    versions = list(item.versions.order_by("number").values_list("number", "text"))
    assert versions == [(1, "Öppnar ni kl 10?"), (2, "Öppnar ni kl 10 på lördag?")]
    first_again = ItemVersion.objects.get(pk=first.pk)
    assert (first_again.text, first_again.received_at) == (first.text, first.received_at)


def test_each_new_version_is_archived_in_the_same_transaction_with_its_snapshot(channel):
    items_store(channel=channel, items=[make_post(), make_item("c1", "Första")])
    items_store(channel=channel, items=[make_item("c1", "Andra")])
    records = list(ArchiveRecord.objects.filter(platform_id="c1").order_by("sequence"))
    assert [r.version for r in records] == [1, 2]
    import json

    snapshot = json.loads(records[1].content)["snapshot"]
    version = ItemVersion.objects.get(item__platform_id="c1", number=2)
    assert snapshot["source"] == {"item_id": version.item_id, "version_id": version.pk}
    assert snapshot["thread"]["root_text"] == "Biblioteket har nya öppettider."
    assert snapshot["thread"]["parent_platform_id"] == "post-1"
    assert snapshot["channel"]["name"] == channel.name
    assert snapshot["channel"]["department"] == channel.department.name
    assert snapshot["author"]["name"] == "Anna Andersson"
    assert snapshot["text"] == "Andra"


def test_when_a_storing_step_fails_nothing_is_stored_and_the_cursor_stays(channel, monkeypatch):
    items_store(channel=channel, items=[make_item("c0")], cursor={"after": "A"})

    def refuse(*, version, **kwargs):
        raise RuntimeError("screening failed")

    item_version_stored.connect(refuse, dispatch_uid="test-refuse")
    try:
        with pytest.raises(RuntimeError):
            items_store(channel=channel, items=[make_item("c1")], cursor={"after": "B"})
    finally:
        item_version_stored.disconnect(dispatch_uid="test-refuse")
    assert not Item.objects.filter(platform_id="c1").exists()
    assert ChannelSync.objects.get(channel=channel).cursor == {"after": "A"}


def test_the_cursor_is_saved_with_its_page(channel):
    items_store(channel=channel, items=[make_item("c1")], cursor={"after": "X1"})
    sync = ChannelSync.objects.get(channel=channel)
    assert sync.cursor == {"after": "X1"}
    assert sync.items_today == 1


def test_a_signal_is_sent_for_every_new_version_inside_the_transaction(channel):
    seen = []

    def receiver(*, version, **kwargs):
        seen.append((version.item.platform_id, version.number, transaction.get_connection().in_atomic_block))

    item_version_stored.connect(receiver, dispatch_uid="test-seen")
    try:
        items_store(channel=channel, items=[make_item("c1", "a"), make_item("c2", "b")])
        items_store(channel=channel, items=[make_item("c1", "a2"), make_item("c2", "b")])
    finally:
        item_version_stored.disconnect(dispatch_uid="test-seen")
    assert sorted(seen) == [("c1", 1, True), ("c1", 2, True), ("c2", 1, True)]


def test_replies_are_linked_to_their_parent_whatever_the_arrival_order(channel):
    # The reply arrives before its parent comment, and a second reply in the same page as the parent.
    items_store(channel=channel, items=[make_item("r1", "Svar", parent="c1")])
    items_store(channel=channel, items=[make_item("c1", "Fråga"), make_item("r2", "Svar 2", parent="c1"), make_post()])
    c1 = Item.objects.get(platform_id="c1")
    assert Item.objects.get(platform_id="r1").parent == c1
    assert Item.objects.get(platform_id="r2").parent == c1
    assert c1.parent == Item.objects.get(platform_id="post-1")


def test_hidden_outside_the_tool_raises_one_alert_and_one_mail(channel, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        items_store(channel=channel, items=[make_item("c1")])
        items_store(channel=channel, items=[make_item("c1", visibility=Visibility.HIDDEN)])
        items_store(channel=channel, items=[make_item("c1", visibility=Visibility.HIDDEN)])
    alerts = OutsideRemovalAlert.objects.filter(item__platform_id="c1")
    assert [(a.previous_visibility, a.new_visibility) for a in alerts] == [("visible", "hidden")]
    assert len(mail.outbox) == 1
    assert "utanför verktyget" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["informator@ludvika.se"]
    assert Item.objects.get(platform_id="c1").visibility == "hidden"


def test_deleted_outside_the_tool_is_not_an_edit(channel):
    items_store(channel=channel, items=[make_item("c1", "Ful kommentar")])
    result = items_store(channel=channel, items=[make_item("c1", "", visibility=Visibility.DELETED)])
    assert result.new_versions == 0 and result.outside_removals == 1
    item = Item.objects.get(platform_id="c1")
    assert (item.text, item.visibility) == ("Ful kommentar", "deleted")


def test_a_hide_of_ours_raises_no_alert(channel, django_capture_on_commit_callbacks):
    items_store(channel=channel, items=[make_item("c1")])
    item = Item.objects.get(platform_id="c1")
    record = ArchiveRecord.objects.get(platform_id="c1")
    OutboxAction.objects.create(
        idempotency_key="k1", channel=channel, item=item, kind="hide", state="running", snapshot=record
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = items_store(channel=channel, items=[make_item("c1", visibility=Visibility.HIDDEN)])
    assert result.visibility_changes == 1 and result.outside_removals == 0
    assert not OutsideRemovalAlert.objects.exists()
    assert mail.outbox == []


def test_an_item_that_arrives_hidden_is_stored_hidden_without_alert(channel):
    items_store(channel=channel, items=[make_item("c1", visibility=Visibility.HIDDEN)])
    assert Item.objects.get(platform_id="c1").visibility == "hidden"
    assert not OutsideRemovalAlert.objects.exists()


def test_the_same_comment_by_webhook_and_by_poll_is_stored_once(channel):
    item_store_from_webhook(channel=channel, item=make_item("c1"))
    result = items_store(channel=channel, items=[make_post(), make_item("c1")], cursor={"after": "Z"})
    assert result.new_items == 1  # only the post
    assert Item.objects.filter(platform_id="c1").count() == 1
    assert ItemVersion.objects.filter(item__platform_id="c1").count() == 1


def test_a_page_with_the_same_item_twice_keeps_the_later_state(channel):
    result = items_store(channel=channel, items=[make_item("c1", "a"), make_item("c1", "b")])
    assert result.new_items == 1
    assert Item.objects.get(platform_id="c1").text == "b"


def test_attachments_are_recorded_once_per_url(channel, django_capture_on_commit_callbacks):
    photo = Attachment(url="http://127.0.0.1:9/photo.jpg", media_type="photo")
    with django_capture_on_commit_callbacks(execute=False):
        items_store(channel=channel, items=[make_item("c1", attachments=(photo,))])
        items_store(channel=channel, items=[make_item("c1", "ändrad", attachments=(photo,))])
    item = Item.objects.get(platform_id="c1")
    assert list(item.attachments.values_list("url", "state")) == [("http://127.0.0.1:9/photo.jpg", "pending")]


@pytest.mark.django_db
def test_store_runs_a_fixed_number_of_queries_per_page(channel, django_assert_max_num_queries):
    items_store(channel=channel, items=[make_post()])
    # A typical page (100 items); SQLite splits bulk inserts into a few statements, PostgreSQL does not.
    page = [make_item(f"c{i}", f"text {i}") for i in range(100)]
    with django_assert_max_num_queries(20):
        items_store(channel=channel, items=page, cursor={"after": "x"})
    edits = [make_item(f"c{i}", f"text {i} ändrad") for i in range(100)]
    with django_assert_max_num_queries(20):
        items_store(channel=channel, items=edits, cursor={"after": "y"})
    assert ItemVersion.objects.count() == 201


def _events(platform_id: str) -> list[dict]:
    import json

    return [json.loads(r.content)["event"] for r in ArchiveRecord.objects.filter(
        record_type="platform_event", platform_id=platform_id).order_by("sequence")]


def test_a_removal_outside_the_tool_is_archived_as_an_event_record_not_only_a_changed_row(channel):
    items_store(channel=channel, items=[make_item("c1", "Ful kommentar")])
    items_store(channel=channel, items=[make_item("c1", "", visibility=Visibility.DELETED)])
    [event] = _events("c1")
    assert (event["previous_visibility"], event["new_visibility"], event["seen_how"]) == ("visible", "deleted", "poll")
    assert event["outside_tool"] is True and "utan att det gjordes i verktyget" in event["description"]
    record = ArchiveRecord.objects.get(record_type="platform_event", platform_id="c1")
    assert record.information_class == "removed_comment" and "Ful kommentar" not in record.content
    assert record.author_platform_id  # found with the item by holds, requests and data-subject extracts


def test_every_change_of_visibility_is_an_event_with_how_it_was_seen(channel):
    items_store(channel=channel, items=[make_item("c1")])
    item_store_from_webhook(channel=channel, item=make_item("c1", visibility=Visibility.HIDDEN))
    items_store(channel=channel, items=[make_item("c1", visibility=Visibility.VISIBLE)])
    assert [(e["new_visibility"], e["seen_how"]) for e in _events("c1")] == [("hidden", "webhook"), ("visible", "poll")]


def test_a_hide_of_ours_is_archived_as_done_in_the_tool(channel):
    items_store(channel=channel, items=[make_item("c1")])
    item = Item.objects.get(platform_id="c1")
    OutboxAction.objects.create(idempotency_key="k1", channel=channel, item=item, kind="hide", state="running",
                                snapshot=ArchiveRecord.objects.get(platform_id="c1"))
    items_store(channel=channel, items=[make_item("c1", visibility=Visibility.HIDDEN)])
    [event] = _events("c1")
    assert event["outside_tool"] is False and "åtgärd i verktyget" in event["description"]
