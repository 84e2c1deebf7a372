"""Meta (Facebook Pages) webhook deliveries: signature check and storing through the poll's upsert path.

A delivery is verified with X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the app secret,
settings.META_APP_SECRET). ``feed`` changes for comments are stored with item_store_from_webhook:
``add`` and ``edited`` as the comment's current state, ``hide``/``unhide``/``remove`` as a visibility
change of a stored comment (so a removal made outside the tool raises its alert at once).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass, replace

from django.conf import settings

from registry.models import Channel, ChannelStatus, Platform

from ..connectors.base import Author, ItemKind, NormalizedItem, Visibility
from ..models import Item
from .ingest import StoreResult, item_store_from_webhook

logger = logging.getLogger(__name__)

VERB_VISIBILITY = {"hide": Visibility.HIDDEN, "unhide": Visibility.VISIBLE, "remove": Visibility.DELETED}


def meta_signature_valid(*, body: bytes, header: str) -> bool:
    secret = getattr(settings, "META_APP_SECRET", "")
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


@dataclass
class WebhookResult:
    stored: StoreResult
    skipped: int = 0


def meta_webhook_process(*, payload: dict) -> WebhookResult:
    """Store the comment changes of a verified delivery. Unknown pages and other fields are skipped."""
    result = WebhookResult(stored=StoreResult())
    if not isinstance(payload, dict) or payload.get("object") != "page":
        return result
    for entry in payload.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        channel = (
            Channel.objects.select_related("department", "department__board")
            .filter(platform=Platform.FACEBOOK, account_id=str(entry.get("id", "")), status=ChannelStatus.ACTIVE)
            .first()
        )
        for change in entry.get("changes") or []:
            value = change.get("value") if isinstance(change, dict) else None
            if channel is None or change.get("field") != "feed" or not isinstance(value, dict):
                result.skipped += 1
                continue
            if value.get("item") != "comment":
                result.skipped += 1
                continue
            item = _comment(channel=channel, value=value)
            if item is None:
                result.skipped += 1
                continue
            result.stored.add(item_store_from_webhook(channel=channel, item=item))
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
    try:
        created = dt.datetime.fromtimestamp(int(value.get("created_time")), dt.UTC)
    except (TypeError, ValueError):
        return None
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
