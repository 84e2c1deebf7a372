"""Roles and scoping: which roles a user holds and which departments' channels they may see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .models import Role

STAFF_ROLES = frozenset(Role.values)


def user_roles(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """The user's roles, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_ls_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=STAFF_ROLES).values_list("name", flat=True))
        user._ls_roles = cached
    return cached


def user_has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def is_informator(user) -> bool:
    return Role.INFORMATOR in user_roles(user)


def sees_all_channels(user) -> bool:
    """The informatör coordinates every channel; the records officer serves the whole municipality."""
    return user_has_role(user, Role.INFORMATOR, Role.RECORDS_OFFICER)


def user_department_id(user) -> int | None:
    profile = getattr(user, "staff_profile", None) if user.is_authenticated else None
    return profile.department_id if profile else None
