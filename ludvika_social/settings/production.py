"""Production settings: refuse to start without a secret key of its own, with DEBUG on, without hosts,
with a key this repository publishes, or with a half-configured single sign-on. Each refusal is one line
on stderr and exit status 3 (settings/startup.py)."""

from .base import *  # noqa: F403
from .base import BASE_DIR, _logging, env
from .startup import is_published, refuse_start, require_complete_oidc

if env.bool("DEBUG", default=False):
    refuse_start("DEBUG får inte vara på i produktion (DEBUG must be off in production).")
DEBUG = False

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY.startswith(("dev-only", "django-insecure")) or len(SECRET_KEY) < 50:
    refuse_start("SECRET_KEY saknas eller är för kort (at least 50 random characters, set in the environment).")
if is_published(SECRET_KEY, BASE_DIR):
    refuse_start("SECRET_KEY är en nyckel som står i koden eller i demo.env och är därför känd för alla. "
                 "Skapa en egen (at least 50 random characters).")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    refuse_start("ALLOWED_HOSTS måste anges i produktion.")
CREDENTIALS_KEY = env.str("CREDENTIALS_KEY", default="")
if not CREDENTIALS_KEY:
    refuse_start("CREDENTIALS_KEY måste anges i produktion (platform credentials are encrypted).")
if is_published(CREDENTIALS_KEY, BASE_DIR):
    refuse_start("CREDENTIALS_KEY är demo- eller testnyckeln ur koden eller demo.env och är därför känd för alla. "
                 "Skapa en egen: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'")

# Single sign-on: complete, and the identity provider's addresses carry codes and tokens, so only over TLS.
require_complete_oidc(globals())
if OIDC_ENABLED:  # noqa: F405
    for _name in ("OIDC_ISSUER", "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_USER_ENDPOINT",
                  "OIDC_OP_JWKS_ENDPOINT"):
        _value = globals()[_name]
        if _value and not _value.startswith("https://"):
            refuse_start(f"{_name} måste vara en https-adress i produktion (OIDC over TLS only).")

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
