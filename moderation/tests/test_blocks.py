"""Blocking an account is a decision and a record: codes, motivation and a review date at the moment,
archived before it is carried out (through the platform's API where it can block: Mastodon's
``POST /api/v1/accounts/:id/block``, Bluesky's ``app.bsky.graph.block`` record; by hand elsewhere),
a block list per channel with CSV export, a reminder at the review date, and lifting recorded."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from archive.models import ArchiveRecord, RecordType
from channels.services import outbox_execute
from channels.tests.simhelpers import state
from moderation import services
from moderation.models import AuditEvent, Block, BlockState
from registry.models import AppointmentRole
from tests.factories import AppointmentFactory, ChannelFactory

from .workspace_helpers import arrive, arrive_from_platform

pytestmark = pytest.mark.django_db

IN_A_MONTH = timezone.localdate() + dt.timedelta(days=30)


@pytest.fixture
def mastodon_channel(dept, representative):
    channel = ChannelFactory(department=dept, platform="mastodon", account_id="demo", name="Ludvika på Mastodon",
                             public_url="https://social.ludvika.example/@kommunen", responsible=representative)
    AppointmentFactory(channel=channel, user=representative, role=AppointmentRole.REPRESENTATIVE)
    return channel


def _block_records(platform_id: str) -> list[dict]:
    return [json.loads(r.content)["event"] for r in ArchiveRecord.objects.filter(
        record_type=RecordType.BLOCK, platform_id=platform_id).order_by("sequence")]


def test_a_block_on_mastodon_is_archived_then_made_through_the_api_and_lifted_the_same_way(
    sim, mastodon_channel, representative,
):
    entry = arrive_from_platform(sim, mastodon_channel, "Jag vet var du bor, Rut. Du ska få se.")
    author = entry.item.author_platform_id
    block = services.block_create(user=representative, entry=entry, codes=["brott", "hets"],
                                  motivation="Upprepade hot mot en anställd.", review_on=IN_A_MONTH)
    [blocked] = _block_records(entry.item.platform_id)
    assert blocked["event"] == "blocked" and blocked["codes"] == ["hets", "brott"] and blocked["via_platform_api"]
    assert author not in state(sim, mastodon_channel)["blocked"]  # nothing on the platform before the worker ran
    assert outbox_execute(action_id=block.block_action_id).action.state == "succeeded"
    assert author in state(sim, mastodon_channel)["blocked"]
    assert entry.audit_events.filter(action=AuditEvent.Action.BLOCKED, codes=["hets", "brott"]).exists()

    services.block_lift(user=representative, block=Block.objects.get(pk=block.pk), reason="Ett år utan hot.")
    block.refresh_from_db()
    assert outbox_execute(action_id=block.unblock_action_id).action.state == "succeeded"
    assert author not in state(sim, mastodon_channel)["blocked"]
    assert [e["event"] for e in _block_records(entry.item.platform_id)] == ["blocked", "lifted"]
    assert block.state == BlockState.LIFTED and block.lift_reason == "Ett år utan hot."


def test_where_the_platform_cannot_block_the_manual_block_is_recorded_with_what_was_done(channel, representative):
    entry = arrive(channel, "c-1", "Du är en clown och borde sparkas.")
    with pytest.raises(ValidationError, match="skriv vad du gjorde"):
        services.block_create(user=representative, entry=entry, codes=["fortal"], motivation="Personangrepp.",
                              review_on=IN_A_MONTH)
    block = services.block_create(user=representative, entry=entry, codes=["fortal"], motivation="Personangrepp.",
                                  review_on=IN_A_MONTH, manual_note="Blockerad under Sidinställningar > Personer.")
    assert not block.via_platform_api and block.block_action_id is None
    assert _block_records("c-1")[0]["manual_note"] == "Blockerad under Sidinställningar > Personer."


@pytest.mark.parametrize("codes, motivation, review_on, message", [
    ([], "x", IN_A_MONTH, "minst en kod"),
    (["fortal"], " ", IN_A_MONTH, "Skriv varför"),
    (["fortal"], "x", timezone.localdate(), "efter i dag"),
    (["fortal"], "x", timezone.localdate() + dt.timedelta(days=400), "inom ett år"),
])
def test_a_block_without_what_the_decision_needs_is_refused_and_nothing_is_done(channel, representative, codes,
                                                                                 motivation, review_on, message):
    entry = arrive(channel, "c-1", "Idiot.")
    with pytest.raises(ValidationError, match=message):
        services.block_create(user=representative, entry=entry, codes=codes, motivation=motivation,
                              review_on=review_on, manual_note="gjort")
    assert not Block.objects.exists() and not ArchiveRecord.objects.filter(record_type=RecordType.BLOCK).exists()


def test_the_block_list_shows_exports_and_reminds_at_the_review_date(client, channel, representative, informator):
    entry = arrive(channel, "c-1", "Idiot.")
    block = services.block_create(user=representative, entry=entry, codes=["fortal"], motivation="=1+1;=2+2",
                                  review_on=IN_A_MONTH, manual_note="Blockerad i appen.")
    client.force_login(representative)
    page = client.get(reverse("moderation-blocks")).content.decode()
    assert "Anna Andersson" in page and "Ompröva" in page
    body = b"".join(client.get(reverse("moderation-blocks-csv")).streaming_content).decode("utf-8-sig")
    assert "Anna Andersson" in body and "\"'=1+1;'=2+2\"" in body
    assert services.block_reminders_send(today=IN_A_MONTH - dt.timedelta(days=1)) == 0
    assert services.block_reminders_send(today=IN_A_MONTH) == 1
    assert services.block_reminders_send(today=IN_A_MONTH) == 0  # once per review date
    assert "ompröva" in mail.outbox[-1].subject.lower() and representative.email in mail.outbox[-1].to
    response = client.post(reverse("moderation-block-review", args=[block.pk]), {
        "review_on": (IN_A_MONTH + dt.timedelta(days=60)).isoformat(), "motivation": "Fortsatta angrepp."})
    assert response.status_code == 302
    block.refresh_from_db()
    assert block.review_on == IN_A_MONTH + dt.timedelta(days=60) and block.reminder_sent_at is None
    assert [e["event"] for e in _block_records("c-1")] == ["blocked", "reviewed"]


def test_a_representative_of_another_channel_cannot_lift_a_block(client, channel, representative, outsider):
    entry = arrive(channel, "c-1", "Idiot.")
    block = services.block_create(user=representative, entry=entry, codes=["fortal"], motivation="Angrepp.",
                                  review_on=IN_A_MONTH, manual_note="Blockerad i appen.")
    client.force_login(outsider)
    response = client.post(reverse("moderation-block-lift", args=[block.pk]), {"reason": "x", "manual_note": "y"})
    assert response.status_code in (403, 404)
    block.refresh_from_db()
    assert block.state == BlockState.ACTIVE
