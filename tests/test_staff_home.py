"""The staff start page: the informatör sees what needs attention; everyone sees their channels."""

from django.urls import reverse

from registry.models import ChannelStatus
from tests.factories import ChannelFactory


def test_informator_start_page_highlights_pending_and_unstaffed_channels(client, informator, channel, dept):
    pending = ChannelFactory(department=dept, name="Väntar på godkännande", status=ChannelStatus.SUBMITTED,
                             activated_at=None)
    unstaffed = ChannelFactory(department=dept, name="Ingen ansvarig", responsible=None)
    client.force_login(informator)
    body = client.get(reverse("staff-home")).content.decode()
    assert pending.name in body
    assert unstaffed.name in body
    attention = body.split("Aktiva kanaler utan ansvarig", 1)[1].split("Dina kanaler", 1)[0]
    assert channel.name not in attention, "a channel with a responsible person and a representative is fine"


def test_representative_start_page_lists_own_channels_without_informator_panel(client, representative, channel,
                                                                               other_channel):
    client.force_login(representative)
    body = client.get(reverse("staff-home")).content.decode()
    assert channel.name in body
    assert other_channel.name not in body
    assert "Väntande anmälningar" not in body


def test_substitute_sees_the_channel_they_substitute_on(client, substitute, channel):
    client.force_login(substitute)
    assert channel.name in client.get(reverse("staff-home")).content.decode()
