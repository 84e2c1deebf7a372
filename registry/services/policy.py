"""Publishing a new version of the public comment policy (the informatör's).

A version is only added: a correction is a new version. It cannot take effect in the past (a
decision made earlier was made under the version then in force) and takes effect after the newest
one. The change is recorded in the registry's change log (and so refreshes the cached public pages).
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import record_change
from ..models import ChangeRecord, CommentPolicyVersion
from ..roles import is_informator
from ..selectors import POLICY_CACHE_KEY

BODY_MAX = 50000


def comment_policy_publish(*, actor, valid_from: dt.date, body: str, change_note: str = "",
                           version: str = "") -> CommentPolicyVersion:
    if not is_informator(actor):
        raise PermissionDenied
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Skriv policyns text."))
    if len(body) > BODY_MAX:
        raise ValidationError(_("Texten får vara högst %(n)s tecken.") % {"n": BODY_MAX})
    if valid_from < timezone.localdate():
        raise ValidationError(_("En ny version kan inte gälla bakåt i tiden: välj dagens datum eller senare."))
    latest = CommentPolicyVersion.objects.order_by("-valid_from").first()
    if latest is not None and valid_from <= latest.valid_from:
        raise ValidationError(_("En ny version måste gälla från ett senare datum än den senaste (%(date)s).")
                              % {"date": latest.valid_from.isoformat()})
    version = (version or "").strip()[:40] or valid_from.isoformat()
    try:
        with transaction.atomic():
            policy = CommentPolicyVersion.objects.create(
                version=version, valid_from=valid_from, body=body, change_note=(change_note or "").strip(),
                published_by=actor,
            )
            record_change(obj=policy, object_type=ChangeRecord.ObjectType.POLICY, action="publish", actor=actor,
                          before=None)
            transaction.on_commit(lambda: cache.delete(POLICY_CACHE_KEY))
    except IntegrityError:
        raise ValidationError(_("Det finns redan en version med den beteckningen.")) from None
    return policy
