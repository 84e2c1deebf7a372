"""Settings shared by every mode, read from the environment with django-environ.

Without DATABASE_URL the project uses SQLite; without REDIS_URL Celery uses kombu's
filesystem transport, so a first run needs no server at all.
"""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# A development default only; production.py refuses to start without a real one.
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_filters",
    "ludvika_social",
    "ludvika_social.ops",
    "registry",
    "channels",
    "moderation",
    "archive",
]

MIDDLEWARE = [
    # First: every request gets its id (logs, audit rows, X-Request-ID) and its latency measured.
    "ludvika_social.ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their caching): no-store on staff pages and every download.
    "ludvika_social.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # An <int:...> in a URL larger than any 64-bit key is a 404 before the view asks the database.
    "ludvika_social.middleware.IdBoundsMiddleware",
]

ROOT_URLCONF = "ludvika_social.urls"
WSGI_APPLICATION = "ludvika_social.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ludvika_social.context_processors.site",
                "ludvika_social.context_processors.staff_nav",
            ],
        },
    }
]

# An empty DATABASE_URL counts as unset, so `DATABASE_URL= make test` runs on SQLite.
DATABASES = {"default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file in the zero-setup mode: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            # Misses instead of errors while Redis is down, so the web keeps serving (ops/cache.py).
            "BACKEND": "ludvika_social.ops.cache.ResilientRedisCache",
            "LOCATION": env.str("CACHE_URL", default="") or REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ls"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "login"

# The client's address behind the TLS proxy (ludvika_social/throttling.py): off by default, since without a
# proxy in front a client could write its own. With one proxy that appends to X-Forwarded-For, set
# TRUSTED_PROXY_HEADER=X-Forwarded-For (and TRUSTED_PROXY_HOPS to the number of proxies, default 1).
TRUSTED_PROXY_HEADER = env.str("TRUSTED_PROXY_HEADER", default="").strip().removeprefix("HTTP_").replace("_", "-")
TRUSTED_PROXY_HOPS = max(1, env.int("TRUSTED_PROXY_HOPS", default=1))

# Login throttling (ludvika_social/throttling.py), every attempt counted before the password is checked.
# LOGIN_FAILURE_LIMIT unsuccessful attempts at one account from one address, or LOGIN_ACCOUNT_FAILURE_LIMIT
# from anywhere, within the window refuse further attempts at that account (from there / at all) until
# the window has passed. An address is never refused: after LOGIN_ADDRESS_SLOWDOWN_AFTER unsuccessful
# attempts each further one waits 0.1 s longer, at most LOGIN_ADDRESS_DELAY_MAX_SECONDS.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=20)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
LOGIN_ADDRESS_SLOWDOWN_AFTER = env.int("LOGIN_ADDRESS_SLOWDOWN_AFTER", default=20)
LOGIN_ADDRESS_DELAY_MAX_SECONDS = env.float("LOGIN_ADDRESS_DELAY_MAX_SECONDS", default=2.0)

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Lax (not Strict): the identity provider's redirect back to the OIDC callback is a top-level GET from
# another site, and it must carry the session that holds the state, nonce and PKCE verifier.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Single sign-on with the municipality's identity provider (OpenID Connect, mozilla-django-oidc), off
# unless OIDC_ENABLED. It only logs in an existing active account whose e-mail matches the verified
# claim, and binds the provider's subject to it; it never creates accounts or changes roles
# (ludvika_social/oidc.py). When off, neither the backend nor the URLs exist. Login starts with a plain
# link (GET) that redirects to the provider, so the CSP's form-action needs no foreign origin.
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
# The issuer is required and kept exactly as configured: ID tokens must name it (iss) character for
# character, trailing slash included. Endpoints left empty are read from
# <issuer without trailing slash>/.well-known/openid-configuration at the first login and cached.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_JWKS_ENDPOINT", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email")
# The claim compared (case-insensitively) with the accounts' e-mail addresses.
OIDC_MATCH_CLAIM = env.str("OIDC_MATCH_CLAIM", default="email")
# Only addresses in these domains may sign in (empty: any). Compared exactly, so no subdomains.
OIDC_ALLOWED_EMAIL_DOMAINS = [d.strip().lower().lstrip("@") for d in env.list("OIDC_ALLOWED_EMAIL_DOMAINS", default=[])
                              if d.strip()]
# Some providers (Microsoft Entra ID) never send email_verified. Only when the provider's e-mail is
# authoritative (it alone assigns the addresses of its domain) may the claim's absence be accepted.
OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM = env.bool("OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM", default=False)
# prompt=login: the provider asks for the password again even if its own session is alive, so on a
# shared computer logging out here does not let the next person in as the previous one.
OIDC_PROMPT_LOGIN = env.bool("OIDC_PROMPT_LOGIN", default=True)
OIDC_TOKEN_USE_BASIC_AUTH = env.bool("OIDC_TOKEN_USE_BASIC_AUTH", default=False)
# Short: every request to the provider holds a gunicorn thread while it waits.
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT_SECONDS", default=5.0)
# Starting a login creates a session and may reach the provider: this many starts per client address
# within the window, then each further start waits 0.1 s longer, at most OIDC_START_DELAY_MAX_SECONDS.
# Never a refusal: many people may share the address of a proxy.
OIDC_START_LIMIT = env.int("OIDC_START_LIMIT", default=30)
OIDC_START_WINDOW_SECONDS = env.int("OIDC_START_WINDOW_SECONDS", default=60)
OIDC_START_DELAY_MAX_SECONDS = env.float("OIDC_START_DELAY_MAX_SECONDS", default=2.0)
# Fixed, not configurable: signed ID tokens checked against the provider's JWKS, nonce, PKCE (S256).
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_CREATE_USER = False
OIDC_STORE_ACCESS_TOKEN = False
OIDC_STORE_ID_TOKEN = False
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc-callback"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
if OIDC_ENABLED:
    # A half-configured OIDC stops start-up with one line naming what is missing (ludvika_social/apps.py),
    # never the test settings, which turn it off.
    AUTHENTICATION_BACKENDS.append("ludvika_social.oidc.MunicipalOIDCBackend")

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("Engelska"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site root (/favicon.ico), served by WhiteNoise like static files.
WHITENOISE_ROOT = BASE_DIR / "ludvika_social" / "webroot"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Archive exports (PDF, BagIt, E-ARK SIP) are written here and served only to the user who made them.
ARCHIVE_EXPORT_ROOT = Path(env.str("ARCHIVE_EXPORT_ROOT", default=str(VAR_DIR / "archive-exports")))
# The court named in refusal decisions for public-records requests (where an appeal is heard).
ARCHIVE_APPEAL_COURT = env.str("ARCHIVE_APPEAL_COURT", default="Kammarrätten i Sundsvall")
# Export files are operational copies: removed this many days after they were made (archive/services/purge.py).
ARCHIVE_EXPORT_RETENTION_DAYS = env.int("ARCHIVE_EXPORT_RETENTION_DAYS", default=30)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="sociala-medier@ludvika.se")
# The communications coordinator's shared mailbox, told of new anmälningar and closures.
INFORMATOR_EMAIL = env.str("INFORMATOR_EMAIL", default="informator@ludvika.se")
# Largest channel-list file the informatör may upload for import (/personal/kanaler/importera/).
REGISTRY_IMPORT_MAX_BYTES = env.int("REGISTRY_IMPORT_MAX_BYTES", default=1024 * 1024)
REGISTRY_IMPORT_MAX_ROWS = env.int("REGISTRY_IMPORT_MAX_ROWS", default=500)  # rows per file, page and command

# The municipality this installation serves, shown on the public pages.
MUNICIPALITY_NAME = env.str("MUNICIPALITY_NAME", default="Ludvika kommun")
MUNICIPALITY_WEBSITE = env.str("MUNICIPALITY_WEBSITE", default="https://www.ludvika.se")
MUNICIPALITY_CONTACT_EMAIL = env.str("MUNICIPALITY_CONTACT_EMAIL", default="kommun@ludvika.se")
MUNICIPALITY_PHONE = env.str("MUNICIPALITY_PHONE", default="0240-860 00")

# Celery. Late acknowledgement and rejection on worker loss: a task a dying worker held is redelivered.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    _queue_dir = VAR_DIR / "celery-queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        # kombu writes broadcast exchange bindings here (relative to the working directory otherwise).
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
    }
    for _d in (_queue_dir, VAR_DIR / "celery-processed", VAR_DIR / "celery-control"):
        _d.mkdir(parents=True, exist_ok=True)
else:
    # A message not acknowledged within the visibility timeout is delivered again. It must exceed the
    # longest task (CELERY_TASK_TIME_LIMIT, 30 min) and the longest retry countdown (15 min, the outbox
    # backoff cap), or a task would run twice; the services' compare-and-set claims make a second run
    # harmless anyway. A killed worker's tasks come back after this time (or at once on restart, since
    # a warm shutdown or a lost worker requeues them: CELERY_TASK_REJECT_ON_WORKER_LOST).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60),
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_DEFAULT_QUEUE = "default"
# Keep reconnecting to the broker for ever (at start and after an outage) instead of giving up.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# When the broker connection is lost, running tasks are cancelled: their unacknowledged messages are
# redelivered anyway (late acknowledgement), and the claims make the second run safe.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Publishing a task retries a few times, then fails fast (the outbox sweep re-enqueues what was lost).
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
# Logging is Django's LOGGING (JSON with task ids in production), not Celery's own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_SEND_TASK_EVENTS = False
# Beat entries and task routes are declared in each app's schedule.py (see ludvika_social/celery.py).

# Content-Security-Policy: no inline script without the per-request nonce; nothing from foreign hosts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Encryption key for platform credentials at rest (Fernet, 32 url-safe base64 bytes).
CREDENTIALS_KEY = env.str("CREDENTIALS_KEY", default="")

# Platform API base URLs; a simulator, proxy or test server can stand in for the real service.
FACEBOOK_GRAPH_URL = env.str("FACEBOOK_GRAPH_URL", default="https://graph.facebook.com/v21.0")
INSTAGRAM_GRAPH_URL = env.str("INSTAGRAM_GRAPH_URL", default="https://graph.facebook.com/v21.0")
YOUTUBE_API_URL = env.str("YOUTUBE_API_URL", default="https://www.googleapis.com/youtube/v3")
BLUESKY_API_URL = env.str("BLUESKY_API_URL", default="https://bsky.social/xrpc")
LINKEDIN_API_URL = env.str("LINKEDIN_API_URL", default="https://api.linkedin.com/rest")
# Meta (Facebook/Instagram) webhooks: the app secret signs payloads (X-Hub-Signature-256), the verify
# token answers the subscription handshake. The endpoint refuses everything until both are set.
META_APP_SECRET = env.str("META_APP_SECRET", default="")
META_WEBHOOK_VERIFY_TOKEN = env.str("META_WEBHOOK_VERIFY_TOKEN", default="")

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# Plain text in development, one JSON object per line in production (LOG_JSON, default on there).
# Either way every record carries the request id / task id and passes the redaction filter.
LOG_JSON = env.bool("LOG_JSON", default=False)


def _logging(json_logs: bool) -> dict:
    from ludvika_social.ops.logs import logging_config

    return logging_config(json_logs=json_logs, level=LOG_LEVEL)


LOGGING = _logging(LOG_JSON)
# One log line per request (method, URL name, path without query, status, duration, request id).
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=False)

# Operations: /healthz thresholds and who may read /metrics (see docs/operations.md).
HEALTH_POLL_MAX_AGE_SECONDS = env.int("HEALTH_POLL_MAX_AGE_SECONDS", default=15 * 60)
HEALTH_OUTBOX_MAX_AGE_SECONDS = env.int("HEALTH_OUTBOX_MAX_AGE_SECONDS", default=15 * 60)
HEALTH_OUTBOX_MAX_BACKLOG = env.int("HEALTH_OUTBOX_MAX_BACKLOG", default=0)
HEALTH_BROKER_TIMEOUT_SECONDS = env.float("HEALTH_BROKER_TIMEOUT_SECONDS", default=2.0)
# Addresses or networks (REMOTE_ADDR) that may scrape /metrics, and/or a bearer token for it.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
