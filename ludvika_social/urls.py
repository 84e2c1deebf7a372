from django.conf import settings
from django.urls import include, path
from django.views.i18n import set_language

from . import access, accounts, views
from .ops import views as ops_views

urlpatterns = [
    path("", views.root, name="root"),
    # Operations: liveness and readiness for load balancers (public), Prometheus metrics (allow-list or token).
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics_view, name="metrics"),
    path("personal/", views.staff_home, name="staff-home"),
    path("logga-in/", accounts.login_view, name="login"),
    path("logga-ut/", accounts.logout_view, name="logout"),
    path("losenord/", accounts.password_change_view, name="password_change"),
    path("losenord/klart/", accounts.password_change_done_view, name="password_change_done"),
    path("sprak/", access.public(set_language), name="set-language"),
    # Single sign-on bindings (informatör): listed, and a stale one removed. Before registry's
    # personal/konton/<int:pk>/ routes, which this path does not match anyway.
    path("personal/konton/kommunkonto/", views.sso_bindings, name="sso-bindings"),
    path("personal/konton/kommunkonto/<int:pk>/koppla-bort/", views.sso_binding_unbind, name="sso-binding-unbind"),
    path("", include("registry.urls")),
    path("", include("channels.urls")),
    path("", include("moderation.urls")),
    path("", include("archive.urls")),
]

if settings.OIDC_ENABLED:
    # Single sign-on exists only when configured: no routes (and no backend) otherwise.
    from . import oidc

    urlpatterns += [
        path("logga-in/kommunkonto/", oidc.login_start_view, name="oidc-login"),
        path("logga-in/kommunkonto/retur/", oidc.callback_view, name="oidc-callback"),
    ]

handler403 = "ludvika_social.views.permission_denied"
handler404 = "ludvika_social.views.page_not_found"
handler500 = "ludvika_social.views.server_error"
