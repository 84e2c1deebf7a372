"""Instagram professional accounts through the Graph API.

Reads: the account's recent media (``/{ig-user-id}/media``), the comments of each
(``/{media-id}/comments`` with nested ``replies``; Instagram has no ``since`` on comments, so the
connector re-reads the newest media and keeps what is new), and DMs
(``/{id}/conversations?platform=instagram``). Actions: reply (``POST /{ig-comment-id}/replies``),
hide/unhide (``POST /{ig-comment-id}?hide=true|false``), delete (``DELETE /{ig-comment-id}``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from .base import (
    Author,
    Capabilities,
    ItemKind,
    NormalizedItem,
    Page,
    ParseFailure,
    PermanentError,
    Visibility,
)
from .graph import GraphConnector
from .http import MalformedResponse, Watermark, as_str, cursor_int, obj, parse_dt, parse_entries, seg, text_of

MEDIA_FIELDS = "id,caption,media_type,permalink,timestamp,comments_count"
_COMMENT = "id,text,timestamp,username,from{id,username},hidden,parent_id,media{id}"
COMMENT_FIELDS = f"{_COMMENT},replies{{{_COMMENT}}}"
MEDIA_LOOKBACK = 25


def parse_media(entry: object) -> NormalizedItem:
    entry = obj(entry, "media")
    media_id = as_str(entry["id"], "id")
    return NormalizedItem(
        platform_id=media_id, kind=ItemKind.POST, text=text_of(entry.get("caption"), "caption"),
        author=Author(platform_id="", name=text_of(entry.get("username"), "username")),
        created_at=parse_dt(entry["timestamp"]), thread_platform_id=media_id,
        permalink=text_of(entry.get("permalink"), "permalink"), raw=entry,
    )


def parse_comment(entry: object, *, media_id: str | None) -> NormalizedItem:
    entry = obj(entry, "comment")
    sender = entry.get("from") if entry.get("from") is not None else {}
    sender = obj(sender, "from")
    username = text_of(entry.get("username") or sender.get("username"), "username")
    author_id = str(sender["id"]) if sender.get("id") is not None else ""
    parent_id = entry.get("parent_id")
    parent_id = as_str(parent_id, "parent_id") if parent_id is not None else None
    media = entry.get("media") if isinstance(entry.get("media"), dict) else {}
    root = media_id or (str(media["id"]) if media.get("id") else None)
    hidden = entry.get("hidden", False)
    if not isinstance(hidden, bool):
        raise ValueError("hidden is not a boolean")
    return NormalizedItem(
        platform_id=as_str(entry["id"], "id"), kind=ItemKind.REPLY if parent_id else ItemKind.COMMENT,
        text=text_of(entry.get("text"), "text"), author=Author(platform_id=author_id or username, name=username),
        created_at=parse_dt(entry["timestamp"]), parent_platform_id=parent_id or root, thread_platform_id=root,
        visibility=Visibility.HIDDEN if hidden else Visibility.VISIBLE, raw=entry,
    )


def parse_comments_page(payload: object, *, media_id: str | None) -> tuple[list[NormalizedItem], list[ParseFailure]]:
    """Top-level comments and the replies nested under each (a bad reply fails only itself)."""
    if not isinstance(payload, dict):
        raise MalformedResponse("comments: the answer is not an object")
    failures: list[ParseFailure] = []

    def one(entry: object) -> list[NormalizedItem]:
        top = parse_comment(entry, media_id=media_id)
        replies = entry.get("replies") if isinstance(entry, dict) else None
        out = [top]
        if isinstance(replies, dict):
            nested, bad = parse_entries(replies.get("data", []), lambda r: _reply(r, top))
            out.extend(nested)
            failures.extend(bad)
        return out

    def _reply(raw: object, top: NormalizedItem) -> NormalizedItem:
        item = parse_comment(raw, media_id=media_id)
        if item.parent_platform_id in (None, media_id):
            item = NormalizedItem(**{**item.__dict__, "kind": ItemKind.REPLY, "parent_platform_id": top.platform_id})
        return item

    items, top_failures = parse_entries(payload.get("data"), one)
    return items, top_failures + failures


class InstagramConnector(GraphConnector):
    platform = "instagram"
    hide_field = "hide"
    reply_edge = "replies"
    dm_prefix = "aWdf"
    conversations_platform = "instagram"
    capabilities = Capabilities(
        can_reply=True, can_hide=True, can_unhide=True, can_delete=True, has_dms=True,
        limitations=("Instagram har bara en svarsnivå: svar på svar hamnar under den översta kommentaren. "
                     "Kontots egna kommentarer kan inte döljas. Nya kommentarer hämtas från de senaste "
                     f"{MEDIA_LOOKBACK} inläggen."),
    )

    def own_ids(self) -> set[str]:
        return {self.account_id, str(self.credentials.get("username", "")) or self.account_id}

    def iter_pages(self, *, cursor: dict) -> Iterator[Page]:
        cursor = cursor if isinstance(cursor, dict) else {}
        comments_wm = Watermark.load(cursor.get("comments"))
        dms_wm = Watermark.load(cursor.get("dms"))
        now = dt.datetime.now(dt.UTC)
        lookback = cursor_int(cursor, "media_lookback", MEDIA_LOOKBACK, high=100)
        payload = self.get(f"{seg(self.account_id)}/media", {"fields": MEDIA_FIELDS, "limit": lookback})
        if not isinstance(payload, dict):
            raise MalformedResponse("instagram: media answer is not an object")
        media, failures = parse_entries(payload.get("data"), parse_media)
        yield Page(items=[], cursor=cursor, failures=failures)
        own = self.own_ids()
        for post in media:
            if not post.raw.get("comments_count"):
                continue
            params = {"fields": COMMENT_FIELDS, "limit": self.page_size}
            for page in self.paginate(f"{seg(post.platform_id)}/comments", params):
                items, failures = parse_comments_page(page, media_id=post.platform_id)
                fresh = [i for i in items if i.author.platform_id not in own and i.author.name not in own
                         and comments_wm.is_new(i)]
                yield Page(items=fresh, cursor=cursor, failures=failures)
                for item in fresh:
                    comments_wm.add(item)
        for fresh, failures in self.iter_dms(dms_wm, since_floor=dms_wm.query_from):
            yield Page(items=fresh, cursor=cursor, failures=failures)
            for item in fresh:
                dms_wm.add(item)
        comments_wm.start_at(now)
        yield Page(items=[], cursor={**cursor, "comments": comments_wm.dump(), "dms": dms_wm.dump()})
        self.check_throttle()

    def fetch_thread(self, *, platform_id: str) -> list[NormalizedItem]:
        try:
            if platform_id.startswith("aWdf"):  # an Instagram message or conversation
                return self.fetch_dm_thread(platform_id)
            try:
                entry = self._get_object(platform_id, _COMMENT)
                is_comment = "text" in entry or "hidden" in entry
            except PermanentError:
                is_comment = False
            if not is_comment:
                return [parse_media(self._get_object(platform_id, MEDIA_FIELDS))]
            chain = [parse_comment(entry, media_id=None)]
            if chain[0].kind == ItemKind.REPLY:
                chain.append(parse_comment(self._get_object(chain[0].parent_platform_id, _COMMENT), media_id=None))
            root = chain[-1].thread_platform_id
            if root:
                chain.append(parse_media(self._get_object(root, MEDIA_FIELDS)))
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedResponse(f"instagram: thread entry could not be read ({exc})") from None
        return list(reversed(chain))

    def find_own_reply(self, *, parent_platform_id: str, text: str) -> str | None:
        if parent_platform_id.startswith("aWdf"):
            return self.find_own_dm(parent_message_id=parent_platform_id, text=text)
        own = self.own_ids()
        for payload in self.paginate(f"{seg(parent_platform_id)}/replies", {"fields": _COMMENT, "limit": 50}, max_pages=20):
            for entry in payload["data"]:
                if not isinstance(entry, dict):
                    continue
                sender = entry.get("from") if isinstance(entry.get("from"), dict) else {}
                if (str(sender.get("id")) in own or entry.get("username") in own) and entry.get("text") == text:
                    return str(entry.get("id"))
        return None
