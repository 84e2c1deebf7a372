import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from archive import services
from archive.models import ArchiveRecord, GallringProtocol, InformationClass, RetentionRule
from archive.services.gallring import months_before
from archive.tests.helpers import make_record, make_request, make_rule

pytestmark = pytest.mark.django_db

OLD = "2020-01-10T12:00:00+00:00"


def _culled(record) -> bool:
    record.refresh_from_db()
    return record.is_tombstone


def test_nothing_is_culled_without_a_rule(channel):
    old = make_record(channel, received_at=OLD)
    assert services.gallring_run() == []
    assert not _culled(old)


def test_a_keep_forever_rule_culls_nothing(channel, board, records_officer):
    old = make_record(channel, received_at=OLD)
    services.retention_rule_save(
        board=board, information_class=InformationClass.PUBLIC_COMMENT, keep_forever=True, retention_months=None,
        decision_reference="KFN 2026/1", decision_date=datetime.date(2026, 1, 1), user=records_officer,
    )
    assert services.gallring_run() == []
    assert not _culled(old)


def test_only_records_past_the_period_in_the_rules_class_and_board_are_culled(channel, other_channel, board):
    old = make_record(channel, received_at=OLD)
    recent = make_record(channel)
    old_dm = make_record(channel, received_at=OLD, kind="dm")
    old_other_board = make_record(other_channel, received_at=OLD)
    make_rule(board, months=24)
    [protocol] = services.gallring_run()
    assert _culled(old)
    assert not _culled(recent)
    assert not _culled(old_dm)
    assert not _culled(old_other_board)
    assert protocol.culled_count == 1


def test_a_culled_record_becomes_a_tombstone_without_personal_data(channel, board):
    old = make_record(channel, received_at=OLD)
    hashes = (old.content_sha256, old.record_sha256, old.previous_sha256)
    make_rule(board, months=12)
    [protocol] = services.gallring_run()
    old.refresh_from_db()
    assert old.content == "" and old.search_text == "" and old.author_name == "" and old.author_platform_id == ""
    assert (old.content_sha256, old.record_sha256, old.previous_sha256) == hashes
    assert old.culled_by == protocol


def test_the_protocol_names_the_rule_counts_range_ids_and_hashes(channel, board):
    first = make_record(channel, received_at="2020-01-10T12:00:00+00:00")
    second = make_record(channel, received_at="2020-03-05T12:00:00+00:00")
    rule = make_rule(board, months=12)
    [protocol] = services.gallring_run()
    protocol.refresh_from_db()
    assert protocol.rule == rule
    assert protocol.rule_snapshot["decision_reference"] == "KFN 2026/12"
    assert protocol.rule_snapshot["retention_months"] == 12
    assert protocol.culled_count == 2
    assert protocol.earliest.date() == datetime.date(2020, 1, 10)
    assert protocol.latest.date() == datetime.date(2020, 3, 5)
    assert protocol.culled == [
        [first.sequence, first.record_sha256, first.content_sha256],
        [second.sequence, second.record_sha256, second.content_sha256],
    ]


def test_running_twice_culls_nothing_twice(channel, board):
    make_record(channel, received_at=OLD)
    make_rule(board, months=12)
    services.gallring_run()
    [second] = services.gallring_run()
    assert second.culled_count == 0
    assert GallringProtocol.objects.count() == 2


def test_a_hold_on_the_channel_blocks_gallring(channel, board, records_officer):
    old = make_record(channel, received_at=OLD)
    services.hold_create(user=records_officer, reason="Tvist", channel_id=channel.pk)
    make_rule(board, months=12)
    [protocol] = services.gallring_run()
    assert not _culled(old)
    assert protocol.skipped_hold_count == 1 and protocol.culled_count == 0


def test_a_hold_on_an_author_blocks_only_that_author(channel, board, records_officer):
    held = make_record(channel, received_at=OLD)
    other = make_record(channel, received_at=OLD)
    services.hold_create(user=records_officer, reason="JO-anmälan", author_platform_id=held.author_platform_id)
    make_rule(board, months=12)
    services.gallring_run()
    assert not _culled(held)
    assert _culled(other)


def test_a_hold_on_a_date_range_blocks_only_that_range(channel, board, records_officer):
    inside = make_record(channel, received_at="2020-01-10T12:00:00+00:00")
    outside = make_record(channel, received_at="2020-06-10T12:00:00+00:00")
    services.hold_create(user=records_officer, reason="Granskning", date_from=datetime.date(2020, 1, 1),
                         date_to=datetime.date(2020, 1, 31))
    make_rule(board, months=12)
    services.gallring_run()
    assert not _culled(inside)
    assert _culled(outside)


def test_a_released_hold_no_longer_blocks(channel, board, records_officer):
    old = make_record(channel, received_at=OLD)
    hold = services.hold_create(user=records_officer, reason="Tvist", channel_id=channel.pk)
    services.hold_release(hold=hold, user=records_officer)
    make_rule(board, months=12)
    services.gallring_run()
    assert _culled(old)


def test_a_hold_without_scope_is_refused(records_officer):
    with pytest.raises(ValidationError):
        services.hold_create(user=records_officer, reason="Tvist")


def test_a_pending_request_blocks_gallring_of_every_version_of_the_item(channel, board, records_officer):
    v1 = make_record(channel, platform_id="c9", received_at=OLD)
    v2 = make_record(channel, platform_id="c9", version=2, received_at=OLD)
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[v2], user=records_officer)
    make_rule(board, months=12)
    [protocol] = services.gallring_run()
    assert not _culled(v1) and not _culled(v2)
    assert protocol.skipped_request_count == 2


def test_a_closed_request_no_longer_blocks(channel, board, records_officer):
    old = make_record(channel, received_at=OLD)
    request = make_request(records_officer)
    services.request_add_records(request=request, records=[old], user=records_officer)
    item = request.items.get()
    services.request_item_decide(item=item, decision="release", user=records_officer)
    services.request_decide(request=request, user=records_officer)
    services.request_close(request=request, user=records_officer)
    make_rule(board, months=12)
    services.gallring_run()
    assert _culled(old)


def test_months_before_clamps_the_day():
    moment = datetime.datetime(2026, 3, 31, 12, tzinfo=datetime.UTC)
    assert months_before(moment, 1) == datetime.datetime(2026, 2, 28, 12, tzinfo=datetime.UTC)
    assert months_before(moment, 15) == datetime.datetime(2024, 12, 31, 12, tzinfo=datetime.UTC)


def test_a_rule_needs_a_period_or_bevaras_and_a_decision_reference(board, records_officer):
    with pytest.raises(ValidationError):
        services.retention_rule_save(board=board, information_class="public_comment", keep_forever=False,
                                     retention_months=None, decision_reference="KFN 1", decision_date=datetime.date.today(),
                                     user=records_officer)
    with pytest.raises(ValidationError):
        services.retention_rule_save(board=board, information_class="public_comment", keep_forever=False,
                                     retention_months=12, decision_reference=" ", decision_date=datetime.date.today(),
                                     user=records_officer)
    assert not RetentionRule.objects.exists()


def test_records_officer_creates_a_rule_in_the_browser(client, records_officer, board):
    client.force_login(records_officer)
    response = client.post(reverse("archive-rule-create"), {
        "board": board.pk, "information_class": "public_comment", "retention_months": "36",
        "decision_reference": "KFN 2026/77", "decision_date": "2026-02-01",
    })
    assert response.status_code == 302
    rule = RetentionRule.objects.get()
    assert (rule.retention_months, rule.decision_reference) == (36, "KFN 2026/77")
    assert client.get(reverse("archive-rule-list")).content.decode().count("KFN 2026/77") == 1


def test_a_rule_form_without_period_shows_a_swedish_error_and_saves_nothing(client, records_officer, board):
    client.force_login(records_officer)
    response = client.post(reverse("archive-rule-create"), {
        "board": board.pk, "information_class": "public_comment", "decision_reference": "KFN 2026/77",
        "decision_date": "2026-02-01",
    })
    assert response.status_code == 400
    assert "Ange gallringsfrist" in response.content.decode()
    assert not RetentionRule.objects.exists()


def test_the_protocol_page_lists_what_was_culled(client, records_officer, channel, board):
    old = make_record(channel, received_at=OLD)
    make_rule(board, months=12)
    [protocol] = services.gallring_run()
    client.force_login(records_officer)
    body = client.get(reverse("archive-protocol-detail", args=[protocol.pk])).content.decode()
    assert old.record_sha256 in body and "KFN 2026/12" in body


def test_the_daily_task_runs_gallring(channel, board):
    from archive.tasks import gallring_run_task

    make_record(channel, received_at=OLD)
    make_rule(board, months=12)
    assert gallring_run_task() == 1
    assert ArchiveRecord.objects.filter(culled_at__isnull=False).count() == 1
    assert timezone.now() >= GallringProtocol.objects.get().run_at
