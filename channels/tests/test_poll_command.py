"""The ``poll`` command: polls in the foreground against the simulator and prints what it fetched."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from channels.models import Item

from .simhelpers import connect

pytestmark = pytest.mark.django_db


def test_poll_one_channel_prints_counts_and_stores_with_thread_context(sim, channel):
    connect(sim, channel)
    out = StringIO()
    call_command("poll", "--channel", str(channel.pk), stdout=out)
    text = out.getvalue()
    stored = Item.objects.filter(channel=channel)
    assert f"#{channel.pk} {channel.name} (facebook): ok" in text
    assert f"nya poster {stored.count()}" in text
    assert "Totalt: 1 kanaler" in text
    # The thread roots (the page's own posts) were fetched in the foreground, and comments point at them.
    assert stored.filter(kind="post").exists()
    assert not stored.filter(kind="comment", parent__isnull=True).exists()


def test_poll_all_reports_a_failing_channel_and_goes_on(sim, channel, other_channel):
    connect(sim, channel)
    connect(sim, other_channel)
    from .simhelpers import control

    control(sim, "POST", "expire-token", platform=other_channel.platform, account=other_channel.account_id)
    out = StringIO()
    call_command("poll", "--all", stdout=out)
    text = out.getvalue()
    assert f"#{channel.pk} {channel.name} (facebook): ok" in text
    assert f"#{other_channel.pk} {other_channel.name} (instagram): needs_reauth" in text
    assert "misslyckade 1" in text


def test_poll_needs_a_selection():
    with pytest.raises(CommandError):
        call_command("poll")
