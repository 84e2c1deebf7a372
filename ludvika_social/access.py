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


def metrics_access(view: Callable) -> Callable:
    """A machine endpoint (Prometheus scraping /metrics): a request from an address in
    METRICS_ALLOWED_IPS (addresses or networks), or one with ``Authorization: Bearer <METRICS_TOKEN>``,
    gets through without a login; so does a logged-in informatör, to look at it in a browser.
    Anyone else is treated as for a staff page: anonymous visitors go to login, other staff get 403.

    Only REMOTE_ADDR is compared, never X-Forwarded-For: behind a proxy on the same host every request
    comes from the proxy's address, so use the token there rather than allow-listing 127.0.0.1."""
    from registry.models import Role

    allowed_roles = frozenset({Role.INFORMATOR})

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if _machine_allowed(request):
            return view(request, *args, **kwargs)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user_roles(request.user) & allowed_roles):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.access_rule = allowed_roles
    wrapper.machine_access = True
    return wrapper


def _machine_allowed(request) -> bool:
    import hmac
    import ipaddress

    from django.conf import settings

    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip().encode(), token.encode()):
        return True
    networks = getattr(settings, "METRICS_ALLOWED_IPS", [])
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for network in networks:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False
