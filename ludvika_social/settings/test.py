"""Test settings: the same as development, with fast hashing and in-memory mail."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CREDENTIALS_KEY = "n2Qw0dJ3V5q1bq8y7l0Zs3j9oJc7m4YtQx2pWz1aB6E="  # test-only key
LANGUAGE_CODE = "sv"
# Tasks enqueued by on-commit callbacks in tests go to an in-memory broker, never to var/.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
# A developer's .env must not change the tests: single sign-on off and every OIDC setting at its
# default, whatever the environment says (the OIDC tests switch it on against the simulator).
OIDC_ENABLED = False
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
OIDC_ISSUER = ""
OIDC_OP_AUTHORIZATION_ENDPOINT = OIDC_OP_TOKEN_ENDPOINT = OIDC_OP_USER_ENDPOINT = OIDC_OP_JWKS_ENDPOINT = ""
OIDC_RP_CLIENT_ID = OIDC_RP_CLIENT_SECRET = ""
OIDC_RP_SCOPES = "openid email"
OIDC_MATCH_CLAIM = "email"
OIDC_ALLOWED_EMAIL_DOMAINS: list[str] = []
OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM = False
OIDC_PROMPT_LOGIN = True
OIDC_TOKEN_USE_BASIC_AUTH = False
OIDC_TIMEOUT = 5.0
OIDC_START_LIMIT = 30
OIDC_START_WINDOW_SECONDS = 60
OIDC_START_DELAY_MAX_SECONDS = 2.0
# Likewise the client address and the login limits: the tests set what they exercise.
TRUSTED_PROXY_HEADER = ""
TRUSTED_PROXY_HOPS = 1
LOGIN_FAILURE_LIMIT = 5
LOGIN_ACCOUNT_FAILURE_LIMIT = 20
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
LOGIN_ADDRESS_SLOWDOWN_AFTER = 20
LOGIN_ADDRESS_DELAY_MAX_SECONDS = 2.0
