"""Project-level views: the root redirect, the staff start page, the single sign-on bindings and the
styled error pages."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_POST

from archive import selectors as archive_selectors
from registry import selectors as registry_selectors
from registry import services as registry_services
from registry.models import Role
from registry.roles import is_informator

from .access import public, role_required


@public
def root(request):
    return redirect("public-channels")


@role_required()
def staff_home(request):
    """Each role's start page. The informatör sees what needs attention in the registry; the records
    officer (and the informatör) the open requests for public documents."""
    context = {}
    if is_informator(request.user):
        context["attention"] = registry_selectors.informator_attention()
    if archive_selectors.can_use_archive(request.user):
        # The records officer's work first: open requests, the overdue ones first, with readable deadlines.
        context["open_requests"] = archive_selectors.request_list(user=request.user, state="open")[:25]
    context["my_channels"] = registry_selectors.channels_visible_to(user=request.user).filter(status="aktiv")[:50]
    return render(request, "staff_home.html", context)


@role_required(Role.INFORMATOR)
def sso_bindings(request):
    """Which accounts are bound to which identity at the municipality's provider (never the subject)."""
    return render(request, "accounts/sso_bindings.html", {
        "bindings": registry_selectors.external_identities(), "oidc_enabled": settings.OIDC_ENABLED,
        "issuer": settings.OIDC_ISSUER,
    })


@role_required(Role.INFORMATOR)
@require_POST
def sso_binding_unbind(request, pk: int):
    identity = registry_selectors.external_identity_get_for_user(user=request.user, pk=pk)
    name = identity.user.get_full_name() or identity.user.get_username()
    try:
        registry_services.external_identity_unbind(actor=request.user, identity=identity)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Kopplingen för %(name)s är borttagen. Nästa inloggning med kommunens konto "
                                    "kopplar kontot till den identitet inloggningstjänsten då anger.") % {"name": name})
    return redirect("sso-bindings")


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    # No context processors that touch the database: the error may be the database itself.
    from django.template import loader

    template = loader.get_template("500.html")
    from django.http import HttpResponseServerError

    return HttpResponseServerError(template.render({"request": None}))
