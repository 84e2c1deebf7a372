"""DM hand-offs (exactly one, with the .eml and the receipt kept), response targets in office hours,
overdue reminders, the supervision alarm and the hand-off alarm."""

from __future__ import annotations

import datetime as dt
import email
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from channels.connectors.base import ItemKind
from moderation.models import AuditEvent, Handoff, QueueEntry
from moderation.services import handoff as handoff_services
from moderation.services import notify
from moderation.services.timing import add_office_hours, due_at_for, office_hours_between

from .workspace_helpers import arrive

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def _at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args), TZ)


def test_a_dm_is_handed_to_the_official_mailbox_once_with_an_eml_and_a_receipt(channel, representative, mailoutbox,
                                                                               settings):
    settings.MODERATION_OFFICIAL_MAILBOX = "registrator@ludvika.se"
    entry = arrive(channel, "dm-1", "Hej, jag vill överklaga beslutet om bygglov.", kind=ItemKind.DM)
    assert entry.is_dm and entry.needs_answer
    handoff = handoff_services.dm_handoff(user=representative, entry=entry, method="mailbox")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["registrator@ludvika.se"] and mail.extra_headers["Message-ID"] == handoff.message_id
    name, _content, mimetype = mail.attachments[0]
    assert name.endswith(".eml") and mimetype == "message/rfc822"
    parsed = email.message_from_string(handoff.eml)
    assert parsed["X-Author-Name"] == "Anna Andersson" and "bygglov" in parsed.get_payload(decode=True).decode()
    assert handoff.eml_sha256 == hashlib.sha256(handoff.eml.encode()).hexdigest()
    with pytest.raises(ValidationError):
        handoff_services.dm_handoff(user=representative, entry=QueueEntry.objects.get(pk=entry.pk), method="mailbox")
    assert Handoff.objects.count() == 1 and len(mailoutbox) == 1
    assert entry.audit_events.filter(action=AuditEvent.Action.HANDOFF).count() == 1


def test_the_case_system_hand_off_needs_the_diarienummer_and_sends_nothing(client, channel, representative,
                                                                           mailoutbox):
    entry = arrive(channel, "dm-2", "Jag vill anmäla en brist i hemtjänsten.", kind=ItemKind.DM)
    client.force_login(representative)
    url = reverse("moderation-handoff", kwargs={"pk": entry.item_id})
    assert client.post(url, {"method": "case_system", "reference": ""}).status_code == 400
    assert not Handoff.objects.exists()
    assert client.post(url, {"method": "case_system", "reference": "SN 2026/77"}).status_code == 302
    assert Handoff.objects.get().reference == "SN 2026/77" and not mailoutbox
    eml = client.get(reverse("moderation-eml", kwargs={"pk": entry.item_id}))
    assert eml["Content-Type"] == "message/rfc822"
    assert "hemtjänsten" in email.message_from_bytes(eml.content).get_payload(decode=True).decode()


def test_a_comment_cannot_be_handed_off_as_a_dm(channel, representative):
    entry = arrive(channel)
    with pytest.raises(ValidationError):
        handoff_services.dm_handoff(user=representative, entry=entry, method="mailbox")


def test_a_dm_without_hand_off_raises_one_alert_after_the_configured_hours(channel, mailoutbox, settings):
    settings.MODERATION_HANDOFF_ALERT_HOURS = 4
    entry = arrive(channel, "dm-3", "Hej!", kind=ItemKind.DM)
    assert notify.handoff_alarm_send(now=entry.received_at + dt.timedelta(hours=3)) == 0
    assert notify.handoff_alarm_send(now=entry.received_at + dt.timedelta(hours=5)) == 1
    assert notify.handoff_alarm_send(now=entry.received_at + dt.timedelta(hours=6)) == 0
    assert len(mailoutbox) == 1 and settings.INFORMATOR_EMAIL in mailoutbox[0].to


def test_response_targets_count_office_hours_and_skip_swedish_holidays():
    # Wednesday 23 December 10:00 + 8 office hours: julafton and juldagarna are off → Monday 28th 10:00.
    assert add_office_hours(_at(2026, 12, 23, 10), 8) == _at(2026, 12, 28, 10)
    # Friday evening → counted from Monday 08:00, due at closing time.
    assert due_at_for(received_at=_at(2026, 11, 27, 20), target_hours=8) == _at(2026, 11, 30, 16)
    # Midsommarafton (Friday 19 June 2026) is off.
    assert add_office_hours(_at(2026, 6, 18, 15), 8) == _at(2026, 6, 22, 15)
    assert office_hours_between(_at(2026, 11, 27, 15), _at(2026, 11, 30, 9)) == 2.0


def test_overdue_items_are_reminded_to_the_responsible_person_and_the_substitute_once(channel, representative,
                                                                                       substitute, mailoutbox):
    entry = arrive(channel, "c-1", "När öppnar biblioteket?")
    later = entry.due_at + dt.timedelta(minutes=1)
    assert notify.overdue_reminders_send(now=entry.due_at - dt.timedelta(minutes=1)) == 0
    assert notify.overdue_reminders_send(now=later) == 1
    assert set(mailoutbox[0].to) == {representative.email, substitute.email}
    assert notify.overdue_reminders_send(now=later) == 0


def test_items_nobody_opened_alert_the_informator(client, channel, representative, mailoutbox, settings):
    settings.MODERATION_SUPERVISION_HOURS = 24
    seen = arrive(channel, "c-1", "Tack!")
    unseen = arrive(channel, "c-2", "Hej hej", minute=2)
    client.force_login(representative)
    client.get(reverse("moderation-item", kwargs={"pk": seen.item_id}))
    assert notify.supervision_alarm_send(now=unseen.received_at + dt.timedelta(hours=25)) == 1
    assert mailoutbox[0].to == [settings.INFORMATOR_EMAIL]
    assert notify.supervision_alarm_send(now=unseen.received_at + dt.timedelta(hours=26)) == 0


def test_the_overdue_item_is_highlighted_in_the_queue(client, channel, representative):
    entry = arrive(channel, "c-1", "När öppnar biblioteket?")
    QueueEntry.objects.filter(pk=entry.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(representative)
    page = client.get(reverse("moderation-queue")).content.decode()
    assert "queue-row overdue" in page and "Försenad" in page
