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
