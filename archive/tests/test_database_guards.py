"""The PostgreSQL triggers that make archive tables append-only (skipped on SQLite)."""

import pytest
from django.db import DatabaseError, connection, transaction

from archive.tests.helpers import make_protocol, make_record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only"),
]


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_update_of_an_archive_record_is_refused(channel):
    record = make_record(channel)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE archive_archiverecord SET content = %s WHERE id = %s", ["{}", record.pk])


def test_raw_delete_of_an_archive_record_is_refused(channel):
    record = make_record(channel)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM archive_archiverecord WHERE id = %s", [record.pk])


@pytest.mark.django_db(transaction=True)
def test_update_is_allowed_only_inside_the_gallring_setting(channel):
    record = make_record(channel)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('archive.gallring', 'on', true)")
        cursor.execute("UPDATE archive_archiverecord SET search_text = '' WHERE id = %s", [record.pk])
    # The setting was transaction-local: it is gone now.
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE archive_archiverecord SET search_text = 'x' WHERE id = %s", [record.pk])


def test_gallring_protocols_can_never_be_changed(board):
    protocol = make_protocol(board)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('archive.gallring', 'on', true)")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("DELETE FROM archive_gallringprotocol WHERE id = %s", [protocol.pk])
