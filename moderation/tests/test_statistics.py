"""The informatör's dashboard, the audit search and CSV export, per-förvaltning settings, and /insyn/."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from channels.models import OutboxAction
from moderation import services
from moderation.models import DepartmentSettings, QueueEntry, QueueState
from moderation.selectors import stats

from .workspace_helpers import arrive

pytestmark = pytest.mark.django_db

INSULT = "Du är en jävla idiot, Rut."


def _answered(entry, user):
    """An answer the platform confirmed (the outbox row marked succeeded as the worker would)."""
    services.entry_answer(user=user, entry=entry, text="Hej! Vi öppnar kl. 10.")
    entry.refresh_from_db()
    OutboxAction.objects.filter(pk=entry.pending_action_id).update(state="succeeded", finished_at=timezone.now())
    services.entries_reconcile_actions()


def _world(channel, representative):
    question = arrive(channel, "q-1", "När öppnar biblioteket på lördag?")
    _answered(question, representative)
    insult = arrive(channel, "i-1", INSULT, author="Bo Berg", minute=2)
    services.entry_remove(user=representative, entry=insult, kind="hide", codes=["fortal", "svordomar"],
                          motivation="Personangrepp mot Rut Representant.", criticism=False)
    return question, insult


def test_the_dashboard_shows_volumes_response_times_and_removals_per_code(client, channel, representative,
                                                                          informator):
    _world(channel, representative)
    data = stats.dashboard(start=timezone.localdate(), end=timezone.localdate())
    row = next(r for r in data["channels"] if r.name == channel.name)
    assert row.received == 2 and row.handled == 1 and row.removed == 1 and row.median is not None
    assert dict(data["per_code"])["fortal"] == 1
    client.force_login(informator)
    page = client.get(reverse("moderation-dashboard")).content.decode()
    assert channel.name in page and "Per förvaltning" in page


def test_the_audit_search_finds_decisions_and_exports_csv(client, channel, representative, informator):
    _world(channel, representative)
    client.force_login(informator)
    page = client.get(reverse("moderation-audit"), {"action": "unpublished"}).content.decode()
    assert "Personangrepp mot Rut Representant." in page
    response = client.get(reverse("moderation-audit-csv"), {"action": "unpublished"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "tid" and len(rows) == 2
    assert rows[1][2] == "unpublished" and rows[1][6] == "fortal svordomar"


def test_csv_cells_cannot_become_spreadsheet_formulas(client, channel, representative, informator):
    entry = arrive(channel)
    services.entry_no_action(user=representative, entry=entry, motivation="=HYPERLINK(\"http://x\")")
    client.force_login(informator)
    body = b"".join(client.get(reverse("moderation-audit-csv"), {"action": "no_action"}).streaming_content).decode()
    assert "'=HYPERLINK" in body


def test_the_transparency_page_shows_quarterly_aggregates_without_personal_data(client, channel, representative):
    _world(channel, representative)
    page = client.get(reverse("moderation-transparency")).content.decode()
    assert channel.name in page and "fortal" in page
    for personal in ("Bo Berg", "Rut", "Personangrepp", INSULT, "Anna"):
        assert personal not in page


def test_the_informator_switches_the_objectivity_safeguard_per_forvaltning(client, informator, dept, channel,
                                                                          representative):
    client.force_login(informator)
    client.post(reverse("moderation-settings-set", kwargs={"pk": dept.pk}), {"objectivity": "0"})
    assert DepartmentSettings.objects.get(department=dept).objectivity_second_approval is False
    entry = arrive(channel, "k-1", "Kommunen sköter snöröjningen uselt.")
    assert services.entry_remove(user=representative, entry=entry, kind="hide", codes=["fortal"], motivation="x",
                                 criticism=True) == "queued"
    assert QueueEntry.objects.get(pk=entry.pk).pending_state == QueueState.UNPUBLISHED


def test_removals_outside_the_tool_are_counted_but_recorded_manual_removals_are_not(channel, representative):
    from channels.models import OutsideRemovalAlert

    outside = arrive(channel, "o-1", "Hej", minute=3)
    manual = arrive(channel, "o-2", INSULT, minute=4)
    services.entry_record_manual(user=representative, entry=manual, kind="delete", codes=["fortal"],
                                 motivation="Personangrepp.", platform_note="Raderad för hand.")
    for entry in (outside, manual):
        OutsideRemovalAlert.objects.create(item=entry.item, channel=channel, previous_visibility="visible",
                                           new_visibility="deleted")
    data = stats.dashboard(start=timezone.localdate(), end=timezone.localdate())
    assert next(r for r in data["channels"] if r.name == channel.name).outside == 1
