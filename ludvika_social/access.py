"""View access rules. Every view is wrapped in exactly one of these decorators.

The decorator stores the rule on the view as ``access_rule`` so that the permission test
(tests/test_url_access.py) can walk the URLconf and fail for any view without one.
Object-level checks are the access-checked lookups in each app's selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from registry.roles import STAFF_ROLES, user_roles

PUBLIC = "public"


def public(view: Callable) -> Callable:
    """Open to anyone, no login (the public channel list, the comment policy, login itself)."""
    view.access_rule = PUBLIC
    return view


def role_required(*roles: str) -> Callable[[Callable], Callable]:
    """Logged-in staff holding at least one of ``roles`` (any staff role when none are named)."""
    allowed = frozenset(roles) if roles else STAFF_ROLES

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user_roles(request.user) & allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access_rule = allowed
        return wrapper

    return decorator


def login_only(view: Callable) -> Callable:
    """Any logged-in user, whatever their role (logout, password change)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.access_rule = "login"
    return wrapper
