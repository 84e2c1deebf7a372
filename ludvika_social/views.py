"""Project-level views: the root redirect, the staff start page and the styled error pages."""

from django.shortcuts import redirect, render
from django.views.decorators.csrf import requires_csrf_token

from archive import selectors as archive_selectors
from registry import selectors as registry_selectors
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
