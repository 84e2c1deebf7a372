"""What may enter the inbound store: every string cleaned (core/textclean.py), every item checked.

An item that still cannot be stored (no usable id, a time that is no time) is set aside in the
channel's quarantine with its raw payload, as is an entry the connector could not read at all; the
rest of the page is stored and the cursor moves on, so one bad entry never stops a channel.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from core.textclean import clean_json, clean_str

from ..connectors.base import Attachment, Author, NormalizedItem, ParseFailure
from ..models import QuarantinedItem

ID_MAX = 300
NAME_MAX = 300
URL_MAX = 1000
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


class Refused(ValueError):
    """The item cannot be stored; the message says why (kept with the quarantined payload)."""


def _opt(value: str | None) -> str | None:
    return clean_str(value) if isinstance(value, str) else value


def _author(a: Author) -> Author:
    pid, name, url = clean_str(a.platform_id), clean_str(a.name), clean_str(a.profile_url)
    if pid is a.platform_id and name is a.name and url is a.profile_url and len(pid) <= ID_MAX \
            and len(name) <= NAME_MAX and len(url) <= URL_MAX:
        return a
    return Author(platform_id=pid[:ID_MAX], name=name[:NAME_MAX], profile_url=url[:URL_MAX])


def _attachment(a: Attachment) -> Attachment:
    url, media_type, pid = clean_str(a.url), clean_str(a.media_type), clean_str(a.platform_id)
    if url is a.url and media_type is a.media_type and pid is a.platform_id and len(media_type) <= 100:
        return a
    return Attachment(url=url, media_type=media_type[:100], platform_id=pid[:ID_MAX])


def _cleaned(n: NormalizedItem) -> NormalizedItem:
    """The item with every string cleaned and the descriptive fields cut to what is stored (the raw
    payload keeps them whole); the same object when nothing changed (the usual case)."""
    changes = {
        "platform_id": clean_str(n.platform_id), "text": clean_str(n.text), "author": _author(n.author),
        "parent_platform_id": _opt(n.parent_platform_id), "thread_platform_id": _opt(n.thread_platform_id),
        "permalink": clean_str(n.permalink), "raw": clean_json(n.raw),
        "attachments": tuple(_attachment(a) for a in n.attachments) if n.attachments else n.attachments,
    }
    if len(changes["permalink"]) > URL_MAX:
        changes["permalink"] = changes["permalink"][:URL_MAX]
    if all(value is getattr(n, key) for key, value in changes.items() if key != "attachments") \
            and all(a is b for a, b in zip(changes["attachments"], n.attachments, strict=True)):
        return n
    return dataclasses.replace(n, **changes)


def _check(n: NormalizedItem) -> None:
    if not n.platform_id or len(n.platform_id) > ID_MAX:
        raise Refused("the item has no usable platform id")
    for ref in (n.parent_platform_id, n.thread_platform_id):
        if ref is not None and len(ref) > ID_MAX:
            raise Refused("a parent or thread id is longer than any platform's ids")
    for moment in (n.created_at, *([n.edited_at] if n.edited_at is not None else [])):
        if not isinstance(moment, dt.datetime) or moment.tzinfo is None or not EARLIEST <= moment < LATEST:
            raise Refused(f"the item's time is not a time we can store ({moment!r:.60})")
    if not isinstance(n.raw, dict):
        raise Refused("the raw payload is not an object")


def items_admit(items) -> tuple[list[NormalizedItem], list[ParseFailure]]:
    """The items ready to store, and those set aside (with the reason)."""
    admitted, refused = [], []
    for n in items:
        try:
            cleaned = _cleaned(n)
            _check(cleaned)
        except Exception as exc:  # anything about one item must not stop the page
            refused.append(ParseFailure(reason=f"{type(exc).__name__}: {exc}"[:300],
                                        platform_id=_safe_id(getattr(n, "platform_id", None)), raw=_raw_of(n)))
            continue
        admitted.append(cleaned)
    return admitted, refused


def _safe_id(value) -> str:
    return clean_str(str(value))[:ID_MAX] if value is not None else ""


def _raw_of(n) -> dict:
    raw = getattr(n, "raw", None)
    return raw if isinstance(raw, dict) else {"value": repr(raw)[:10000]}


def _storable(raw) -> dict:
    """The payload as JSON our database can hold: cleaned, and if it is no JSON at all, its text."""
    cleaned = clean_json(raw)
    try:
        json.dumps(cleaned, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return {"text": clean_str(repr(raw))[:100000]}
    return cleaned if isinstance(cleaned, dict) else {"value": cleaned}


def quarantine_rows(*, channel, failures: list[ParseFailure], seen_how: str, now) -> list[QuarantinedItem]:
    return [
        QuarantinedItem(channel=channel, platform_id=_safe_id(f.platform_id), reason=clean_str(f.reason)[:500],
                        raw=_storable(f.raw), seen_how=seen_how, received_at=now)
        for f in failures
    ]
