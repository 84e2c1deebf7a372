from django.apps import AppConfig


class LudvikaSocialConfig(AppConfig):
    name = "ludvika_social"
    verbose_name = "Ludvika sociala medier"

    def ready(self):
        # Every process (web, workers, beat, manage.py) stops here with one line when single sign-on is
        # switched on but not configured; the test settings switch it off (settings/startup.py).
        from django.conf import settings

        from .settings.startup import require_complete_oidc

        require_complete_oidc({name: getattr(settings, name, None) for name in (
            "OIDC_ENABLED", "OIDC_ISSUER", "OIDC_RP_CLIENT_ID", "OIDC_RP_CLIENT_SECRET", "OIDC_RP_SCOPES")})
