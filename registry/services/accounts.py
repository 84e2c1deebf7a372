"""Staff accounts, and the identity provider's subject bound to an account (single sign-on)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from ..audit import record_change
from ..models import ExternalIdentity, Role, StaffProfile
from .common import T, User, _refuse, _send_after_commit, _site_url

logger = logging.getLogger(__name__)


# --- staff accounts --------------------------------------------------------------------------


def account_state(user) -> dict:
    """What the history shows of an account: never the password hash."""
    profile = getattr(user, "staff_profile", None)
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "roles": sorted(user.groups.filter(name__in=Role.values).values_list("name", flat=True)),
        "department": str(profile.department) if profile and profile.department else None,
    }


def _record_account(*, user, actor, action: str, before: dict | None) -> None:
    """Account history stores account_state(), not the full field snapshot: that would hold the
    password hash and cannot show roles (a many-to-many relation)."""
    after = account_state(user)
    if before == after and action == "update":
        return
    record_change(obj=user, object_type=T.USER, action=action, actor=actor, before=before, after=after)


def _apply_account(*, user, data: dict) -> None:
    for name in ("first_name", "last_name", "email"):
        if name in data:
            setattr(user, name, data[name])
    user.save()
    if "roles" in data:
        user.groups.set(Group.objects.filter(name__in=data["roles"]))
    if "department" in data:
        StaffProfile.objects.update_or_create(user=user, defaults={"department": data["department"]})
        user.staff_profile = StaffProfile.objects.get(user=user)


@transaction.atomic
def staff_user_create(*, actor, data: dict, password: str = "", base_url: str = ""):
    """Create a staff account. With ``password`` it is set; otherwise a set-password link is e-mailed."""
    user = User(username=data["username"], is_active=True)
    user.email = data.get("email", "")
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    _apply_account(user=user, data=data)
    _record_account(user=user, actor=actor, action="create", before=None)
    if not password:
        staff_user_send_password_link(actor=actor, user=user, base_url=base_url)
    return user


@transaction.atomic
def staff_user_update(*, actor, user, data: dict):
    """Change an account's name, e-mail, roles or department."""
    user = User.objects.select_for_update().get(pk=user.pk)
    before = account_state(user)
    if user.pk == actor.pk and Role.INFORMATOR in before["roles"] and Role.INFORMATOR not in data.get("roles", []):
        _refuse(_("Du kan inte ta bort din egen roll som informatör."))
    user.first_name, user.last_name, user.email = data["first_name"], data["last_name"], data["email"]
    user.full_clean(exclude=["password"])
    _apply_account(user=user, data=data)
    _record_account(user=user, actor=actor, action="update", before=before)
    return user


@transaction.atomic
def staff_user_set_active(*, actor, user, active: bool):
    """Deactivate an account (it can no longer log in; its history stays), or activate it again."""
    if user.pk == actor.pk and not active:
        _refuse(_("Du kan inte inaktivera ditt eget konto."))
    before = account_state(user)
    if User.objects.filter(pk=user.pk, is_active=not active).update(is_active=active) != 1:
        _refuse(_("Kontot är redan aktivt.") if active else _("Kontot är redan inaktiverat."))
    user.refresh_from_db()
    _record_account(user=user, actor=actor, action="activate" if active else "deactivate", before=before)
    return user


@transaction.atomic
def staff_user_set_password(*, actor, user, password: str):
    """The informatör sets an initial password (validated by the caller's form); the history says only that."""
    user = User.objects.select_for_update().get(pk=user.pk)
    before = account_state(user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _record_account(user=user, actor=actor, action="set_password", before=before)
    return user


def staff_user_send_password_link(*, actor, user, base_url: str) -> None:
    """E-mail a one-time link (Django's password reset token) where the user chooses a password."""
    if not user.email:
        _refuse(_("Kontot har ingen e-postadress, så ingen länk kan skickas."))
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("registry-set-password", kwargs={"uidb64": uid, "token": token})
    _send_after_commit(
        subject=_("Välj lösenord för sociala medier, %(municipality)s") % {"municipality": settings.MUNICIPALITY_NAME},
        template="registry/emails/set_password.txt",
        context={"user": user, "url": _site_url(path, base_url), "actor": actor,
                 "municipality": settings.MUNICIPALITY_NAME},
        recipients=[user.email],
    )



# --- Single sign-on: the provider's identity bound to an account ---------------------------------


def external_identity_check_and_bind(*, user, issuer: str, subject: str, retry: bool = True) -> str | None:
    """Bind (issuer, subject) to the account at its first login, or check the binding; None when
    they belong together, otherwise why not (never holding the subject)."""
    bindings = list(ExternalIdentity.objects.filter(Q(subject=subject) | Q(user=user), issuer=issuer))
    if any(b.user_id != user.pk for b in bindings):
        return f"the subject is bound to another account (user id {user.pk} matched by e-mail)"
    if any(b.subject != subject for b in bindings):
        return f"the account is bound to another subject (user id {user.pk})"
    now = timezone.now()
    if bindings:
        ExternalIdentity.objects.filter(pk=bindings[0].pk).update(last_login_at=now)
        return None
    try:
        with transaction.atomic():
            ExternalIdentity.objects.create(user=user, issuer=issuer, subject=subject, last_login_at=now)
    except IntegrityError:
        # A concurrent first login (a double click) bound the account or the subject first: check
        # against that binding instead.
        if not retry:
            return "the binding changed during the login"
        return external_identity_check_and_bind(user=user, issuer=issuer, subject=subject, retry=False)
    logger.info("bound the provider's subject to an account at its first login (user id %s)", user.pk)
    return None


def _binding_text(identity: ExternalIdentity) -> str:
    """What the history shows of a binding: the issuer and its dates, never the subject."""
    bound = timezone.localtime(identity.created_at).strftime("%Y-%m-%d")
    last = timezone.localtime(identity.last_login_at).strftime("%Y-%m-%d %H:%M")
    return _("%(issuer)s, kopplad %(bound)s, senast inloggad %(last)s") % {
        "issuer": identity.issuer, "bound": bound, "last": last}


@transaction.atomic
def external_identity_unbind(*, actor, identity: ExternalIdentity) -> None:
    """Remove a single sign-on binding (a stale one, after the provider recreated the person with a new
    subject); the next login binds the new subject. Recorded in the account's history, without the
    subject."""
    row = ExternalIdentity.objects.select_for_update().select_related("user").filter(pk=identity.pk).first()
    if row is None:
        _refuse(_("Kopplingen är redan borttagen."))
    user = row.user
    before = {**account_state(user), "single_sign_on": _binding_text(row)}
    row.delete()
    record_change(obj=user, object_type=T.USER, action="sso_unbind", actor=actor, before=before,
                  after={**account_state(user), "single_sign_on": None})
    logger.info("removed a single sign-on binding (user id %s) by user id %s", user.pk, getattr(actor, "pk", None))
