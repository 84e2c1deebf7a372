"""Going back to where a form came from (its ``next`` field) without becoming an open redirect."""

from __future__ import annotations

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request, default: str, *, under: str = "/"):
    """Redirect to the POSTed ``next`` when it is a path on this site below ``under``; otherwise to
    ``default`` (a URL name or path). Another host, a scheme-relative or backslashed address never passes."""
    back = request.POST.get("next", "")
    if (back.startswith(under) and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                                    require_https=request.is_secure())):
        return redirect(back)
    return redirect(default)
