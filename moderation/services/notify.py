"""Reminders and alarms, run by Celery beat (moderation/schedule.py). Each marks what it reported, so
a repeated run sends nothing twice.

- Overdue reminders: open items that need an answer, past their due time → the channel's responsible
  person and its substitutes.
- Supervision alarm: items nobody has opened for MODERATION_SUPERVISION_HOURS → the informatör.
- Hand-off alarm: DMs without a hand-off after MODERATION_HANDOFF_ALERT_HOURS → the informatör and
  the channel's responsible person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import Appointment, AppointmentRole, Channel

from .. import conf
from ..models import OPEN_STATES, QueueEntry, QueueState
from .workspace import _absolute

BATCH = 1000


def _recipients(channel_ids) -> dict[int, set[str]]:
    today = timezone.localdate()
    out: dict[int, set[str]] = defaultdict(set)
    for cid, email in Channel.objects.filter(pk__in=channel_ids).values_list(
            "pk", "responsible__email"):
        if email:
            out[cid].add(email)
    for cid, email in Appointment.objects.filter(
        channel_id__in=channel_ids, role=AppointmentRole.SUBSTITUTE, starts_on__lte=today
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).values_list("channel_id", "user__email"):
        if email:
            out[cid].add(email)
    return out


def overdue_reminders_send(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    entries = list(
        QueueEntry.objects.filter(state__in=OPEN_STATES, needs_answer=True, due_at__lt=now,
                                  reminder_sent_at__isnull=True)
        .select_related("channel").order_by("due_at")[:BATCH]
    )
    if not entries:
        return 0
    by_channel: dict[int, list[QueueEntry]] = defaultdict(list)
    for e in entries:
        by_channel[e.channel_id].append(e)
    recipients = _recipients(by_channel)
    for cid, group in by_channel.items():
        to = sorted(recipients.get(cid, ())) or [settings.INFORMATOR_EMAIL]
        lines = [f"- {_absolute(reverse('moderation-item', kwargs={'pk': e.item_id}))} "
                 f"({_('svara senast')} {timezone.localtime(e.due_at):%Y-%m-%d %H:%M})" for e in group]
        send_mail(
            _("Försenade svar på %(channel)s: %(n)s") % {"channel": group[0].channel.name, "n": len(group)},
            _("Dessa poster behöver svar och har passerat svarsmålet:\n%(lines)s\n") % {"lines": "\n".join(lines)},
            None, to,
        )
    QueueEntry.objects.filter(pk__in=[e.pk for e in entries]).update(reminder_sent_at=now)
    return len(entries)


def supervision_alarm_send(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    limit = now - dt.timedelta(hours=int(conf.get("MODERATION_SUPERVISION_HOURS")))
    ids = list(
        QueueEntry.objects.filter(state=QueueState.NEW, first_viewed_at__isnull=True, received_at__lt=limit,
                                  supervision_alerted_at__isnull=True).values_list("pk", flat=True)[:BATCH]
    )
    if not ids:
        return 0
    send_mail(
        _("Tillsyn: %(n)s poster har inte granskats") % {"n": len(ids)},
        _("%(n)s inkomna poster har inte öppnats av någon på mer än %(h)s timmar. Lagen om elektroniska "
          "anslagstavlor kräver uppsikt med rimliga intervall. Se inkorgen: %(url)s\n")
        % {"n": len(ids), "h": conf.get("MODERATION_SUPERVISION_HOURS"),
           "url": _absolute(reverse("moderation-queue"))},
        None, [settings.INFORMATOR_EMAIL],
    )
    QueueEntry.objects.filter(pk__in=ids).update(supervision_alerted_at=now)
    return len(ids)


def handoff_alarm_send(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    limit = now - dt.timedelta(hours=int(conf.get("MODERATION_HANDOFF_ALERT_HOURS")))
    entries = list(
        QueueEntry.objects.filter(is_dm=True, handoff__isnull=True, received_at__lt=limit,
                                  handoff_alerted_at__isnull=True).select_related("channel")[:BATCH]
    )
    if not entries:
        return 0
    recipients = _recipients({e.channel_id for e in entries})
    to = {settings.INFORMATOR_EMAIL} | {email for group in recipients.values() for email in group}
    lines = [f"- {e.channel.name}: {_absolute(reverse('moderation-item', kwargs={'pk': e.item_id}))}" for e in entries]
    send_mail(
        _("Direktmeddelanden utan överlämning: %(n)s") % {"n": len(entries)},
        _("Direktmeddelanden är inkomna handlingar och ska lämnas över enligt dokumenthanteringsplanen. "
          "Dessa har inte lämnats över efter %(h)s timmar:\n%(lines)s\n")
        % {"h": conf.get("MODERATION_HANDOFF_ALERT_HOURS"), "lines": "\n".join(lines)},
        None, sorted(to),
    )
    QueueEntry.objects.filter(pk__in=[e.pk for e in entries]).update(handoff_alerted_at=now)
    return len(entries)
