"""Absence periods and per-förvaltning settings of the workspace."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.roles import is_informator

from ..models import Absence, DepartmentSettings


def absence_create(*, user, starts_on: dt.date, ends_on: dt.date, note: str = "") -> Absence:
    """Record the user's own absence. While it lasts, the channels they are responsible for (or whose
    every representative is away) route to the substitute; afterwards back to them, automatically."""
    if ends_on < starts_on:
        raise ValidationError(_("Slutdatum får inte vara före startdatum."))
    if ends_on < timezone.localdate():
        raise ValidationError(_("Frånvaron har redan passerat."))
    if (ends_on - starts_on).days > 366:
        raise ValidationError(_("En frånvaroperiod får vara högst ett år."))
    absence = Absence(user=user, starts_on=starts_on, ends_on=ends_on, note=(note or "").strip()[:200])
    absence.full_clean()
    absence.save()
    return absence


def absence_end(*, user, absence: Absence) -> Absence:
    """End one's own absence today (or remove it if it has not started)."""
    if absence.user_id != user.pk:
        raise PermissionDenied
    today = timezone.localdate()
    with transaction.atomic():
        if absence.starts_on > today:
            absence.delete()
        else:
            Absence.objects.filter(pk=absence.pk).update(ends_on=max(absence.starts_on, today - dt.timedelta(days=1)))
    return absence


def department_settings_set(*, user, department_id: int, objectivity_second_approval: bool) -> DepartmentSettings:
    if not is_informator(user):
        raise PermissionDenied
    obj, _created = DepartmentSettings.objects.update_or_create(
        department_id=department_id, defaults={"objectivity_second_approval": objectivity_second_approval}
    )
    return obj
