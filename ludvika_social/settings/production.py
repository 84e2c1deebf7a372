"""Production settings: refuse to start without a secret key, with DEBUG on, or without hosts."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import _logging, env

if env.bool("DEBUG", default=False):
    raise ImproperlyConfigured("DEBUG får inte vara på i produktion (DEBUG must be off in production).")
DEBUG = False

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY saknas eller är för kort (at least 50 characters, set in the environment)."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS måste anges i produktion.")
CREDENTIALS_KEY = env.str("CREDENTIALS_KEY", default="")
if not CREDENTIALS_KEY:
    raise ImproperlyConfigured("CREDENTIALS_KEY måste anges i produktion (platform credentials are encrypted).")

# Single sign-on: the identity provider's addresses carry codes and tokens, so only over TLS.
if OIDC_ENABLED:  # noqa: F405
    for _name in ("OIDC_ISSUER", "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT",
                  "OIDC_OP_JWKS_ENDPOINT"):
        _value = globals()[_name]
        if _value and not _value.startswith("https://"):
            raise ImproperlyConfigured(f"{_name} måste vara en https-adress i produktion (OIDC over TLS only).")

# TLS terminates in front of the application (see README): trust its forwarded-protocol header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

# Structured JSON logs by default in production (LOG_JSON=false gives plain text).
LOG_JSON = env.bool("LOG_JSON", default=True)
LOGGING = _logging(LOG_JSON)
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=True)
