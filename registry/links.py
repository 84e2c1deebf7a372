"""Addresses from the registry that the public pages link to.

Forms accept only http(s) addresses, but the public list is also embedded in the municipality's own
pages, where our Content-Security-Policy does not apply: an address with any other scheme (a
``javascript:`` URL written to the database by other means) is never output as a link."""

from __future__ import annotations

from urllib.parse import urlsplit


def web_url(value: str | None) -> str:
    """The address if it is an absolute http(s) URL with a host, else an empty string."""
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    return value if parts.scheme.lower() in ("http", "https") and parts.netloc else ""
