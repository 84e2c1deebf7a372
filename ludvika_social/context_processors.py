from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from registry.roles import user_roles

# The staff navigation: (url name, label, roles that see it). An entry whose view does not exist
# in this installation is left out.
STAFF_NAV = [
    ("staff-home", _("Start"), None),
    ("moderation-queue", _("Inkorg"), {"foretradare", "informator"}),
    ("registry-channel-list", _("Kanaler"), None),
    ("channels-health", _("Drift"), None),
    ("registry-party-list", _("Partier"), {"informator"}),
    ("registry-department-list", _("Förvaltningar"), {"informator", "forvaltningsadmin"}),
    ("registry-board-list", _("Nämnder"), {"informator"}),
    ("registry-user-list", _("Konton"), {"informator"}),
    ("moderation-rules", _("Innehållsregler"), {"informator", "forvaltningsadmin", "foretradare"}),
    ("moderation-blocks", _("Blockeringar"), {"foretradare", "informator"}),
    ("registry-policy-list", _("Kommentarspolicy"), {"informator"}),
    ("moderation-dashboard", _("Statistik"), {"informator"}),
    ("archive-search", _("Arkiv"), {"registrator", "informator"}),
    ("archive-request-list", _("Begäran om handlingar"), {"registrator", "informator"}),
    ("archive-manual-capture", _("Registrera manuellt"), {"foretradare"}),
]


def site(request):
    """The municipality's name and contact, for the page header and footer, and the current page."""
    match = getattr(request, "resolver_match", None)
    return {**site_context(), "current_page": match.url_name if match else ""}


def site_context() -> dict:
    return {
        "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
        "MUNICIPALITY_WEBSITE": settings.MUNICIPALITY_WEBSITE,
        "MUNICIPALITY_CONTACT_EMAIL": settings.MUNICIPALITY_CONTACT_EMAIL,
        "MUNICIPALITY_PHONE": settings.MUNICIPALITY_PHONE,
    }


def staff_nav(request):
    """Navigation entries for the logged-in user's roles (nothing for the public)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user_roles(user)
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    items = []
    for name, label, allowed in STAFF_NAV:
        if allowed is not None and not (roles & allowed):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "current": name == current})
    return {"staff_nav": items}
