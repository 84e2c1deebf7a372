"""Credentials at rest: Fernet-encrypted, key rotation, and a missing key refuses clearly."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from channels.crypto import CredentialsUnreadable, credentials_decrypt, credentials_encrypt
from channels.services.common import scrub


def test_credentials_round_trip_and_are_not_plaintext():
    token = credentials_encrypt(credentials={"access_token": "EAAB-hemlig"})
    assert "EAAB-hemlig" not in token
    assert credentials_decrypt(token=token) == {"access_token": "EAAB-hemlig"}


def test_a_rotated_key_still_reads_old_credentials(settings):
    old = settings.CREDENTIALS_KEY
    token = credentials_encrypt(credentials={"access_token": "gammal"})
    settings.CREDENTIALS_KEY = f"{Fernet.generate_key().decode()},{old}"
    assert credentials_decrypt(token=token) == {"access_token": "gammal"}


def test_a_wrong_key_is_reported_not_guessed(settings):
    token = credentials_encrypt(credentials={"access_token": "x"})
    settings.CREDENTIALS_KEY = Fernet.generate_key().decode()
    with pytest.raises(CredentialsUnreadable):
        credentials_decrypt(token=token)


def test_a_missing_key_refuses_to_store(settings):
    settings.CREDENTIALS_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        credentials_encrypt(credentials={"access_token": "x"})


def test_error_messages_are_scrubbed_of_secrets():
    message = "GET https://graph/x?access_token=EAAB123456 failed; Authorization: Bearer abc.def-ghi; pnr 19121212-1212"
    cleaned = scrub(message, secrets={"access_token": "EAAB123456"})
    assert "EAAB123456" not in cleaned
    assert "abc.def-ghi" not in cleaned
    assert "19121212-1212" not in cleaned
