from django.conf import settings

from tests.access import ALL_STAFF, Access, public_page, staff


def _binding(fx):
    from registry.models import ExternalIdentity

    identity, _ = ExternalIdentity.objects.get_or_create(user=fx("representative"), issuer="https://idp.ludvika.se",
                                                         defaults={"subject": "sub-rut"})
    return {"pk": identity.pk}

ACCESS = {
    "root": public_page(),
    "set-language": public_page(method="post", data=lambda fx: {"language": "en", "next": "/"}),
    "login": public_page(),
    "logout": Access(allowed=frozenset(ALL_STAFF), method="post"),
    "password_change": staff(*ALL_STAFF),
    "password_change_done": staff(*ALL_STAFF),
    "staff-home": staff(*ALL_STAFF),
    # Health is public (load balancers, uptime checks); it reveals only ok/fail, ages and counts.
    "healthz": public_page(),
    "readyz": public_page(),
    # Prometheus metrics: allow-listed addresses or the bearer token (none in the test settings),
    # else like a staff page for the informatör (ludvika_social.access.metrics_access).
    "metrics": staff("informator"),
    # Single sign-on bindings: the informatör's alone, like the accounts.
    "sso-bindings": staff("informator"),
    "sso-binding-unbind": staff("informator", method="post", kwargs=_binding),
}

# Single sign-on URLs exist only with OIDC_ENABLED (ludvika_social/urls.py). Starting a login sends
# anyone to the identity provider; the callback without a code or state goes back to the login page.
OIDC_ACCESS = {
    "oidc-login": public_page(),
    "oidc-callback": public_page(),
}
if settings.OIDC_ENABLED:
    ACCESS.update(OIDC_ACCESS)
