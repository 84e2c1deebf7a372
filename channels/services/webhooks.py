"""Meta (Facebook Pages) webhook deliveries: signature check and storing through the poll's upsert path.

A delivery is verified with X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the app secret,
settings.META_APP_SECRET). ``feed`` changes for comments are stored with item_store_from_webhook:
``add`` and ``edited`` as the comment's current state, ``hide``/``unhide``/``remove`` as a visibility
change of a stored comment (so a removal made outside the tool raises its alert at once).

A delivery that is not what Meta documents (an entry or change that is not an object, a time that is
no time) is refused whole (WebhookMalformed, answered 400) and stores nothing. A delivery for a
comment that is not newer than the last one taken for it (by the entry's ``time``) is a repeat: Meta
retries, and a replay of an old delivery would otherwise turn the comment back into an older text
and raise a false removal alert. It is skipped (WebhookMark).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction

from registry.models import Channel, ChannelStatus, Platform

from ..connectors.base import Author, ItemKind, NormalizedItem, Visibility
from ..models import Item, WebhookMark
from .ingest import StoreResult, item_store_from_webhook

logger = logging.getLogger(__name__)

VERB_VISIBILITY = {"hide": Visibility.HIDDEN, "unhide": Visibility.VISIBLE, "remove": Visibility.DELETED}


def meta_signature_valid(*, body: bytes, header: str) -> bool:
    secret = getattr(settings, "META_APP_SECRET", "")
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


class WebhookMalformed(ValueError):
    """The delivery is not shaped as Meta documents it; nothing of it is stored."""


@dataclass
class WebhookResult:
    stored: StoreResult
    skipped: int = 0
    repeats: int = 0


def _list(value, what: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise WebhookMalformed(f"{what} is not a list")
    return value


def _entry_time(entry: dict) -> int:
    """The entry's delivery time in seconds (Meta sends seconds; milliseconds are taken too)."""
    raw = entry.get("time", 0)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise WebhookMalformed("the entry's time is not a number")
    value = int(raw) if abs(raw) < 1e14 else 0
    return value // 1000 if value > 10**11 else value


def _parsed(payload) -> list[tuple[Channel, int, NormalizedItem]]:
    """(channel, delivery time, item) for each comment change; raises WebhookMalformed."""
    if not isinstance(payload, dict):
        raise WebhookMalformed("the delivery is not an object")
    if payload.get("object") != "page":
        return []
    out = []
    for entry in _list(payload.get("entry"), "entry"):
        if not isinstance(entry, dict):
            raise WebhookMalformed("an entry is not an object")
        channel = (
            Channel.objects.select_related("department", "department__board")
            .filter(platform=Platform.FACEBOOK, account_id=str(entry.get("id", "")), status=ChannelStatus.ACTIVE)
            .first()
        )
        time = _entry_time(entry)
        for change in _list(entry.get("changes"), "changes"):
            if not isinstance(change, dict):
                raise WebhookMalformed("a change is not an object")
            value = change.get("value")
            if channel is None or change.get("field") != "feed" or not isinstance(value, dict) \
                    or value.get("item") != "comment":
                continue
            try:
                item = _comment(channel=channel, value=value)
            except (TypeError, ValueError, OverflowError, OSError) as exc:
                raise WebhookMalformed(f"a comment change cannot be read: {type(exc).__name__}") from None
            if item is not None:
                out.append((channel, time, item))
    return out


def meta_webhook_process(*, payload: dict) -> WebhookResult:
    """Store the comment changes of a verified delivery. Unknown pages and other fields are skipped;
    a malformed delivery raises WebhookMalformed and stores nothing."""
    result = WebhookResult(stored=StoreResult())
    for channel, time, item in _parsed(payload):
        with transaction.atomic():
            mark = WebhookMark.objects.select_for_update().filter(channel=channel, platform_id=item.platform_id).first()
            if time and mark is not None and time <= mark.delivered_at:
                result.repeats += 1
                continue
            result.stored.add(item_store_from_webhook(channel=channel, item=item))
            if time:  # a delivery without a time cannot be told from a repeat: taken, never marked
                WebhookMark.objects.update_or_create(channel=channel, platform_id=item.platform_id[:300],
                                                     defaults={"delivered_at": time})
    return result


def _comment(*, channel: Channel, value: dict) -> NormalizedItem | None:
    comment_id = str(value.get("comment_id") or "")
    if not comment_id:
        return None
    verb = value.get("verb")
    if verb in VERB_VISIBILITY:
        stored = Item.objects.filter(channel=channel, platform_id=comment_id).first()
        if stored is None:
            return None
        return replace(_from_stored(stored), visibility=VERB_VISIBILITY[verb])
    if verb not in ("add", "edited"):
        return None
    sender = value.get("from") if isinstance(value.get("from"), dict) else {}
    if str(sender.get("id", "")) == channel.account_id:
        return None  # the page's own comment: our replies
    post_id = str(value.get("post_id") or "") or None
    parent_id = str(value.get("parent_id") or "") or post_id
    created = dt.datetime.fromtimestamp(int(value.get("created_time")), dt.UTC)
    return NormalizedItem(
        platform_id=comment_id,
        kind=ItemKind.REPLY if parent_id and parent_id != post_id else ItemKind.COMMENT,
        text=str(value.get("message") or ""),
        author=Author(platform_id=str(sender.get("id", "")), name=str(sender.get("name", ""))),
        created_at=created,
        parent_platform_id=parent_id,
        thread_platform_id=post_id,
        edited_at=dt.datetime.now(dt.UTC) if verb == "edited" else None,
        visibility=Visibility.HIDDEN if value.get("is_hidden") else Visibility.VISIBLE,
        raw=value,
    )


def _from_stored(item: Item) -> NormalizedItem:
    return NormalizedItem(
        platform_id=item.platform_id,
        kind=ItemKind(item.kind),
        text=item.text,
        author=Author(platform_id=item.author_platform_id, name=item.author_name, profile_url=item.author_profile_url),
        created_at=item.created_at,
        parent_platform_id=item.parent_platform_id or None,
        thread_platform_id=item.thread_platform_id or None,
        edited_at=item.edited_at,
        visibility=Visibility(item.visibility),
        permalink=item.permalink,
        raw=item.raw,
    )
