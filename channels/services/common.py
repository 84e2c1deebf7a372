"""Small helpers shared by the channel services: settings with defaults, backoff, secret scrubbing."""

from __future__ import annotations

import random
import re

from django.conf import settings

from ludvika_social.logging import redact


def setting(name: str, default):
    return getattr(settings, name, default)


def backoff_seconds(*, attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with full jitter: a random delay in [base/2, min(cap, base * 2**(attempt-1))]."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return random.uniform(min(base / 2, ceiling), ceiling)  # noqa: S311 - jitter, not cryptography


_BEARER = re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")


def scrub(text: str, *, secrets: dict | None = None, limit: int = 1000) -> str:
    """An error message fit to store and show: credential values, tokens in URLs and personal
    identity numbers removed, and cut to ``limit`` characters."""
    text = str(text)
    for value in _secret_values(secrets or {}):
        text = text.replace(value, "[dolt]")
    text = _BEARER.sub(lambda m: f"{m.group(1)} [dolt]", text)
    text = redact(text)
    return text[:limit]


def _secret_values(secrets) -> list[str]:
    values: list[str] = []
    if isinstance(secrets, dict):
        for value in secrets.values():
            values.extend(_secret_values(value))
    elif isinstance(secrets, list | tuple):
        for value in secrets:
            values.extend(_secret_values(value))
    elif secrets is not None:
        value = str(secrets)
        if len(value) >= 4:  # very short values would scrub ordinary words
            values.append(value)
    return sorted(values, key=len, reverse=True)
