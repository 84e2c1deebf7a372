import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from archive import services
from archive.models import ArchiveRecord
from archive.tests.helpers import make_record, make_rule, make_snapshot
from archive.verification import verify_chain

pytestmark = pytest.mark.django_db


def _tamper(sql, params):
    """What an intruder with database access would do (bypassing the trigger on PostgreSQL)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('archive.gallring', 'on', true)")
        cursor.execute(sql, params)


def _run():
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("verify_archive", stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def _chain(channel, n=5):
    return services.capture_item_versions(snapshots=[make_snapshot(channel) for _ in range(n)])


def test_an_intact_chain_verifies(channel):
    _chain(channel)
    code, out, _err = _run()
    assert code == 0
    assert "OK: 5 records verified" in out


def test_an_empty_archive_verifies(db):
    assert verify_chain().ok


def test_altered_content_is_named(channel):
    records = _chain(channel)
    _tamper("UPDATE archive_archiverecord SET content = replace(content, 'biblioteket', 'skolan') WHERE id = %s",
            [records[2].pk])
    code, _out, err = _run()
    assert code == 1
    assert f"record #{records[2].sequence}: content was altered" in err


def test_altered_content_with_recomputed_hash_is_named(channel):
    records = _chain(channel)
    _tamper("UPDATE archive_archiverecord SET content = %s, content_sha256 = %s WHERE id = %s",
            ["{}", "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", records[1].pk])
    result = verify_chain()
    assert not result.ok and result.sequence == records[1].sequence


def test_a_removed_record_is_named(channel):
    records = _chain(channel)
    _tamper("DELETE FROM archive_archiverecord WHERE id = %s", [records[3].pk])
    code, _out, err = _run()
    assert code == 1
    assert f"record #{records[3].sequence} is missing" in err


def test_removing_the_last_record_is_detected(channel):
    records = _chain(channel)
    _tamper("DELETE FROM archive_archiverecord WHERE id = %s", [records[-1].pk])
    result = verify_chain()
    assert not result.ok
    assert result.sequence == records[-1].sequence


def test_tombstones_left_by_gallring_still_verify(channel, board):
    old = make_record(channel, received_at="2020-01-01T12:00:00+00:00")
    make_record(channel)
    make_rule(board, months=12)
    protocols = services.gallring_run()
    assert protocols[0].culled_count == 1
    old.refresh_from_db()
    assert old.is_tombstone and old.content == ""
    code, out, _err = _run()
    assert code == 0, out
    assert "1 tombstones" in out
    assert ArchiveRecord.objects.count() == 2


def test_the_daily_verification_task_reports_a_broken_chain(channel, caplog):
    from archive.tasks import archive_verify_task

    records = _chain(channel, 3)
    assert archive_verify_task() is True
    _tamper("DELETE FROM archive_archiverecord WHERE id = %s", [records[1].pk])
    assert archive_verify_task() is False
    assert "verification FAILED" in caplog.text
