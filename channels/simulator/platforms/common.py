"""Helpers shared by the simulated platform APIs: opaque cursors, timestamps, paging."""

from __future__ import annotations

import base64
import datetime as dt

UTC = dt.UTC


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def decode_cursor(value: str | None) -> int | None:
    if not value:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        return int(raw.split(":", 1)[1])
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def page_after(items: list, *, after: str | None, limit: int, descending: bool) -> tuple[list, str | None]:
    """Items (already ordered by seq asc or desc) after the cursor; the next cursor if more remain."""
    seq = decode_cursor(after)
    if seq is not None:
        items = [i for i in items if (i.seq < seq if descending else i.seq > seq)]
    chunk = items[:limit]
    more = len(items) > limit
    return chunk, (encode_cursor(chunk[-1].seq) if chunk and more else None)


def parse_time(value: str | None) -> dt.datetime | None:
    """Unix seconds or an ISO 8601 timestamp (as Graph's ``since`` and WordPress's ``after`` take)."""
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(float(value), UTC)
    except ValueError:
        pass
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def int_arg(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return max(low, min(high, number))


def graph_time(value: dt.datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def z_time(value: dt.datetime, millis: bool = True) -> str:
    value = value.astimezone(UTC)
    if millis:
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
