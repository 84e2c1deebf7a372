"""Settings for the processes the reliability tests start (workers, gunicorn, scenario steps):
the development settings with short leases and grace periods, so recovery happens within a test's
time budget rather than the production five minutes. Everything else is as in production."""

from ludvika_social.settings.base import *  # noqa: F403

DEBUG = False
# Fast hashes for the accounts the tests make; production's PBKDF2 is still checked where a test stores
# one (test_login_behind_proxy.py, where checking a password must take as long as in production).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
CREDENTIALS_KEY = "n2Qw0dJ3V5q1bq8y7l0Zs3j9oJc7m4YtQx2pWz1aB6E="  # test-only key
# A killed worker's claim on an action or a poll is taken over after this long.
CHANNELS_OUTBOX_LEASE_SECONDS = 8
CHANNELS_POLL_LEASE_SECONDS = 8
CHANNELS_OUTBOX_SWEEP_GRACE_SECONDS = 3
CHANNELS_OUTBOX_BACKOFF_BASE_SECONDS = 1
CHANNELS_OUTBOX_BACKOFF_CAP_SECONDS = 4
CHANNELS_POLL_BACKOFF_BASE_SECONDS = 1
CHANNELS_POLL_BACKOFF_CAP_SECONDS = 4
CHANNELS_HTTP_TIMEOUT_SECONDS = 3
CHANNELS_THREAD_CONTEXT_TASKS = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOG_LEVEL = env.str("LOG_LEVEL", default="WARNING")  # noqa: F405
LOGGING["root"]["level"] = LOG_LEVEL  # noqa: F405
