"""Forwarding gives the receiver access to one item until it is closed (issue 17 item 6): after that the
item, with its author's name and text, is the channel's business again, and the receiver of the last
forward no longer reaches it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from moderation import services
from moderation.models import QueueEntry
from moderation.tests.workspace_helpers import arrive

pytestmark = pytest.mark.django_db


def _forwarded_to_outsider(channel, representative, outsider) -> QueueEntry:
    entry = arrive(channel, "c-fwd", "Vem ansvarar för gatubelysningen på Storgatan?")
    services.entry_forward(user=representative, entry=entry, to_user=outsider, note="Gatuavdelningen svarar.")
    return QueueEntry.objects.get(pk=entry.pk)


def test_the_receiver_of_a_forward_reaches_the_open_item(client, channel, representative, outsider):
    entry = _forwarded_to_outsider(channel, representative, outsider)
    client.force_login(outsider)
    assert client.get(reverse("moderation-item", kwargs={"pk": entry.item_id})).status_code == 200


def test_the_receiver_of_the_last_forward_loses_access_when_the_item_is_closed(client, channel, representative,
                                                                             outsider):
    entry = _forwarded_to_outsider(channel, representative, outsider)
    services.entry_no_action(user=outsider, entry=entry, motivation="Besvarat per telefon.")
    client.force_login(outsider)
    assert client.get(reverse("moderation-item", kwargs={"pk": entry.item_id})).status_code == 404
    queue = client.get(reverse("moderation-queue"), {"state": "all"}).content.decode()
    assert "gatubelysningen" not in queue
