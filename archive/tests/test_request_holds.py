"""A registered request protects what it describes at once: the night's gallring cannot cull it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from archive import services
from archive.models import Hold, PublicRecordsRequest
from archive.tests.helpers import make_record, make_rule
from registry.models import ChannelStatus

pytestmark = pytest.mark.django_db

OLD = "2020-01-10T12:00:00+00:00"


def _culled(record) -> bool:
    record.refresh_from_db()
    return record.is_tombstone


def test_a_request_registered_in_the_evening_protects_its_material_from_the_nights_gallring(
    records_officer, channel, other_channel, board,
):
    described = make_record(channel, received_at=OLD, text="Vattnet i Grängesberg luktar illa")
    other_period = make_record(channel, received_at="2019-03-01T12:00:00+00:00", text="Annat")
    request = services.request_create(
        user=records_officer, description="Allt på bibliotekets sida i januari 2020",
        scope={"channel_id": channel.pk, "date_from": datetime.date(2020, 1, 1),
               "date_to": datetime.date(2020, 1, 31)},
    )
    hold = request.holds.get()
    assert (hold.channel_id, hold.date_from, hold.released_at) == (channel.pk, datetime.date(2020, 1, 1), None)
    make_rule(board, months=12)
    [protocol] = services.gallring_run()
    assert not _culled(described) and _culled(other_period)
    assert protocol.skipped_hold_count == 1


def test_closing_the_request_releases_its_hold(records_officer, channel, board):
    described = make_record(channel, received_at=OLD)
    request = services.request_create(user=records_officer, description="Kanalen", scope={"channel_id": channel.pk})
    services.request_close(request=request, user=records_officer)  # nothing found, nothing to decide
    assert request.holds.get().released_at is not None
    make_rule(board, months=12)
    services.gallring_run()
    assert _culled(described)


def test_a_request_holds_by_search_terms_and_by_author_name(records_officer, channel, board):
    water = make_record(channel, received_at=OLD, text="Vattenledningen på Storgatan läcker")
    anna = make_record(channel, received_at=OLD, author={"platform_id": "a1", "name": "Anna Lind", "profile_url": ""})
    neither = make_record(channel, received_at=OLD, text="Fint väder")
    services.request_create(user=records_officer, description="Om vattenledningen", scope={"terms": "vattenledningen"})
    services.request_create(user=records_officer, description="Anna Linds kommentarer", scope={"author": "anna lind"})
    make_rule(board, months=12)
    services.gallring_run()
    assert not _culled(water) and not _culled(anna) and _culled(neither)


@pytest.mark.parametrize("scope, message", [
    ({"date_from": datetime.date(2026, 5, 2), "date_to": datetime.date(2026, 5, 1)}, "Perioden är tom"),
    ({"channel_id": 987654}, "finns varken"),
])
def test_a_hold_on_nothing_is_refused_and_changes_nothing(records_officer, channel, scope, message):
    with pytest.raises(ValidationError, match=message):
        services.request_create(user=records_officer, description="x", scope=scope)
    assert not PublicRecordsRequest.objects.exists() and not Hold.objects.exists()


def test_a_request_for_a_closed_channel_with_nothing_archived_is_refused(records_officer, channel):
    channel.status, channel.closed_at = ChannelStatus.CLOSED, timezone.now() - datetime.timedelta(days=400)
    channel.save(update_fields=["status", "closed_at"])
    with pytest.raises(ValidationError, match="avslutad"):
        services.request_create(user=records_officer, description="x", scope={"channel_id": channel.pk})
    make_record(channel, received_at=OLD)
    with pytest.raises(ValidationError, match="före periodens början"):
        services.request_create(user=records_officer, description="x", scope={
            "channel_id": channel.pk, "date_from": timezone.localdate()})
    # A closed channel's archived records are still public records: a request for them is held.
    request = services.request_create(user=records_officer, description="x", scope={"channel_id": channel.pk})
    assert request.holds.count() == 1


def test_the_request_form_places_the_hold_and_shows_it(client, records_officer, channel):
    client.force_login(records_officer)
    response = client.post(reverse("archive-request-create"), {
        "description": "Kommentarer om badhuset i maj", "scope_channel": channel.pk,
        "scope_date_from": "2026-05-01", "scope_date_to": "2026-05-31", "scope_terms": "badhuset",
    })
    assert response.status_code == 302
    request = PublicRecordsRequest.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "gäller tills begäran avslutas" in page and "badhuset" in page
    assert request.holds.get().search_terms == "badhuset"


def test_the_request_form_refuses_an_empty_period_in_swedish(client, records_officer):
    client.force_login(records_officer)
    response = client.post(reverse("archive-request-create"), {
        "description": "x", "scope_date_from": "2026-05-31", "scope_date_to": "2026-05-01"})
    assert response.status_code == 400 and "Perioden är tom" in response.content.decode()
    assert not PublicRecordsRequest.objects.exists() and not Hold.objects.exists()
