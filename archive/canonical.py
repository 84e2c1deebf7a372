"""Canonical serialisation and hashing of archive records.

Canonical JSON: every string (keys and values) normalised to Unicode NFC, keys sorted, no
whitespace (separators "," and ":"), non-ASCII characters written as themselves (not \\u escapes),
encoded as UTF-8. Datetimes are written as ISO 8601 strings, dates as YYYY-MM-DD. The SHA-256 of
those bytes is the record's ``content_sha256``.

``record_sha256`` = SHA-256 of "<sequence>\\n<record_type>\\n<content_sha256>\\n<previous_sha256>"
(ASCII), and ``previous_sha256`` is the previous record's ``record_sha256``. The first record's
previous hash is 64 zeros.
"""

import datetime
import hashlib
import json
import unicodedata
from decimal import Decimal
from typing import Any


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {unicodedata.normalize("NFC", str(k)): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return unicodedata.normalize("NFC", str(value))


def _default(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError


def canonical_json(value: Any) -> str:
    # Fast path: when the whole text is already NFC, so is every key and string in it (the JSON
    # punctuation around them never composes with anything), and the key order is already right.
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)
    except TypeError:
        text = None
    if text is not None and (text.isascii() or unicodedata.is_normalized("NFC", text)):
        return text
    return json.dumps(_normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_hash(sequence: int, record_type: str, content_sha256: str, previous_sha256: str) -> str:
    return hashlib.sha256(f"{sequence}\n{record_type}\n{content_sha256}\n{previous_sha256}".encode("ascii")).hexdigest()
