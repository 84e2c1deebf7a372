"""Encryption of platform credentials at rest (Fernet, from the ``cryptography`` package).

settings.CREDENTIALS_KEY holds one or more Fernet keys separated by commas. The first key encrypts;
every key decrypts, so a key can be rotated by putting the new key first and re-saving credentials.
Generate a key with:

    python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"

Plaintext credentials never leave this module except as the dict handed to a connector.
"""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class CredentialsUnreadable(Exception):
    """Stored credentials cannot be decrypted with any configured key."""


def _fernet() -> MultiFernet:
    raw = (settings.CREDENTIALS_KEY or "").strip()
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        raise ImproperlyConfigured("CREDENTIALS_KEY is not set: credentials cannot be stored or read.")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("CREDENTIALS_KEY is not a valid Fernet key.") from exc


def credentials_encrypt(*, credentials: dict) -> str:
    """The credentials dict as a Fernet token (text)."""
    payload = json.dumps(credentials, sort_keys=True, separators=(",", ":")).encode()
    return _fernet().encrypt(payload).decode()


def credentials_decrypt(*, token: str) -> dict:
    """The credentials dict from a Fernet token; an empty dict for an empty token."""
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        raise CredentialsUnreadable("stored credentials cannot be decrypted with CREDENTIALS_KEY") from None
    except ValueError as exc:  # pragma: no cover - only a corrupt token that still authenticates
        raise CredentialsUnreadable("stored credentials are not valid JSON") from exc
