"""Text from outside that our storage can hold: no NUL characters, no lone UTF-16 surrogates.

Platforms send what their users typed, and sometimes what their own bugs made: a lone surrogate
("\\ud800", valid in JSON's \\u escapes but not in UTF-8) cannot be encoded for PostgreSQL or hashed
for the archive, and PostgreSQL's text and jsonb cannot hold NUL at all. One such string would fail
every store of the page it is in. So every string that arrives is cleaned once, at the door: a lone
surrogate becomes U+FFFD (the replacement character), NUL is removed, and a number JSON cannot hold
(NaN, infinity, what "1e400" parses to) is kept as its text. Everything else, right-to-left marks
and zero-width characters included, is kept as it came: it is what was published.
"""

from __future__ import annotations

import math
import re

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean_str(value: str) -> str:
    """The string without NUL and with lone surrogates replaced (the same object when it is clean)."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if not value.isascii() and _SURROGATE.search(value):
        value = _SURROGATE.sub(REPLACEMENT, value)
    return value


def clean_json(value):
    """A JSON-like value (dicts, lists, strings, numbers) with every string cleaned, keys included.
    Returns the same object when nothing needed cleaning, so the usual case costs one walk."""
    if isinstance(value, str):
        return clean_str(value)
    if isinstance(value, dict):
        changed = False
        out = {}
        for key, item in value.items():
            new_key = clean_str(key) if isinstance(key, str) else key
            new_item = clean_json(item)
            changed = changed or new_key is not key or new_item is not item
            out[new_key] = new_item
        return out if changed else value
    if isinstance(value, list):
        items = [clean_json(item) for item in value]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # JSON (and jsonb) has no NaN or infinity: kept as the text it was
    return value
