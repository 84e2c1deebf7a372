"""A direct message's sender name comes from the platform, so anyone can choose it: it must never add
a recipient or a header to the .eml or to the hand-off e-mails (moderation/services/handoff.py)."""

from __future__ import annotations

import email
from email import policy

import pytest
from django.urls import reverse

from channels.connectors.base import ItemKind
from moderation.models import Handoff
from moderation.services import handoff as handoff_services
from moderation.tests.workspace_helpers import arrive

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = [
    "a <b@c>, d@e",
    "Eva\u2028Bcc: angripare@example.org",
    "Eva\r\nBcc: angripare@example.org",
    "Eva\u2029To: angripare@example.org; \"x\" <y@z>",
    "\u202eanna@ludvika.se",
]


def _parse(raw) -> email.message.EmailMessage:
    if isinstance(raw, bytes):
        return email.message_from_bytes(raw, policy=policy.default)
    return email.message_from_string(raw, policy=policy.default)


def _assert_one_sender_and_no_injected_header(message):
    senders = message["From"].addresses
    assert len(senders) == 1 and senders[0].addr_spec == "noreply@facebook.invalid", senders
    for name in ("Bcc", "Cc"):
        assert message[name] is None
    assert len(message["To"].addresses) == 1
    assert "angripare" not in str(message["To"])


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_eml_download_keeps_one_sender_whatever_the_name(client, channel, representative, name):
    entry = arrive(channel, "dm-h", "Hej, jag har en fråga om bygglov.", kind=ItemKind.DM, author=name)
    client.force_login(representative)
    response = client.get(reverse("moderation-eml", kwargs={"pk": entry.item_id}))
    assert response.status_code == 200
    message = _parse(response.content)
    _assert_one_sender_and_no_injected_header(message)
    assert "bygglov" in message.get_content()
    assert "\n" not in message["X-Author-Name"] and "\u2028" not in message["X-Author-Name"]


def test_a_name_with_angle_brackets_and_commas_is_one_display_name(channel, representative):
    entry = arrive(channel, "dm-a", "Hej!", kind=ItemKind.DM, author="a <b@c>, d@e")
    message = _parse(handoff_services.dm_eml(entry=entry))
    (sender,) = message["From"].addresses
    assert sender.display_name == "a b@c d@e" and sender.addr_spec == "noreply@facebook.invalid"
    assert message["X-Author-Name"] == "a <b@c>, d@e", "the archived name keeps what the platform sent"


@pytest.mark.parametrize("method", ["mailbox", "feedback"])
@pytest.mark.parametrize("name", HOSTILE_NAMES[:3])
def test_both_e_mail_hand_offs_reach_only_their_mailbox(channel, representative, mailoutbox, settings, method, name):
    settings.MODERATION_OFFICIAL_MAILBOX = "kommun@ludvika.se"
    settings.MODERATION_FEEDBACK_EMAIL = "synpunkter@ludvika.se"
    entry = arrive(channel, "dm-m", "Jag vill lämna en synpunkt.", kind=ItemKind.DM, author=name)
    handoff = handoff_services.dm_handoff(user=representative, entry=entry, method=method)
    (mail,) = mailoutbox
    expected = "kommun@ludvika.se" if method == "mailbox" else "synpunkter@ludvika.se"
    assert mail.recipients() == [expected]
    sent = _parse(mail.message().as_bytes())
    assert sent["Bcc"] is None and sent["Cc"] is None and [a.addr_spec for a in sent["To"].addresses] == [expected]
    attached = _parse(handoff.eml)
    _assert_one_sender_and_no_injected_header(attached)
    assert Handoff.objects.get().eml_sha256 == handoff.eml_sha256
