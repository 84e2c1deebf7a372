"""Shared pieces of the registry's services: field lists, change history, e-mail after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from ..audit import record_change, snapshot
from ..models import ChangeRecord, Channel, Role

logger = logging.getLogger(__name__)
User = get_user_model()
T = ChangeRecord.ObjectType

CHANNEL_FIELDS = (
    "department", "platform", "name", "public_url", "account_id", "purpose", "responsible",
    "public_contact", "public_contact_email", "response_target_hours",
    "profile_picture_ok", "profile_name_ok", "official_marking_ok",
)
CHECKLIST_FIELDS = ("profile_picture_ok", "profile_name_ok", "official_marking_ok")


# --- helpers ---------------------------------------------------------------------------------


def _assign(obj, data: dict, allowed: Iterable[str]) -> None:
    for name in allowed:
        if name in data:
            setattr(obj, name, data[name])


def _save_with_history(*, obj, object_type: str, actor, before: dict | None, channel=None, action=None):
    """Validate, save and record one change; an unchanged object records nothing."""
    obj.full_clean()
    if before is not None and snapshot(obj) == before:
        return obj
    obj.save()
    record_change(
        obj=obj, object_type=object_type, action=action or ("create" if before is None else "update"),
        actor=actor, before=before, channel=channel,
    )
    return obj


def _informator_recipients() -> list[str]:
    """The informatör's shared mailbox and every active informatör with an address."""
    addresses = [settings.INFORMATOR_EMAIL] if settings.INFORMATOR_EMAIL else []
    addresses += list(
        User.objects.filter(is_active=True, groups__name=Role.INFORMATOR)
        .exclude(email="")
        .values_list("email", flat=True)
        .order_by("email")
    )
    seen: dict[str, None] = {}
    for address in addresses:
        seen.setdefault(address.strip().lower(), None)
    return list(seen)


def _send_after_commit(*, subject: str, template: str, context: dict, recipients: list[str]) -> None:
    """Send after the change is committed, so nobody is told of a change that was rolled back.
    A mail failure is logged and does not undo the change: pending items stay on the start page."""
    body = render_to_string(template, context)

    def send():
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except OSError:
            logger.exception("registry notice could not be sent: %s", template)

    if recipients:
        transaction.on_commit(send)


def _site_url(path: str, base_url: str) -> str:
    return base_url.rstrip("/") + path


def _notify_informators(*, channel: Channel, template: str, subject: str, actor, base_url: str) -> None:
    _send_after_commit(
        subject=subject,
        template=template,
        context={
            "channel": channel,
            "actor": actor,
            "url": _site_url(reverse("registry-channel-detail", args=[channel.pk]), base_url),
        },
        recipients=_informator_recipients(),
    )


def _refuse(message: str):
    raise ValidationError(message, code="not_allowed")
