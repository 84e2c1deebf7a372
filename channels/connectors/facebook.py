"""Facebook Pages through the Graph API.

Reads: the Page feed (``/{page-id}/feed``: the Page's posts and visitor posts), the comments of each
post that changed since the last poll (``/{post-id}/comments?filter=stream&order=chronological&since=``:
comments and replies with ``parent``, ``is_hidden``), and Messenger conversations
(``/{page-id}/conversations?platform=messenger``). Actions: reply (``POST /{comment-id}/comments``;
to a DM through the Send API ``POST /{page-id}/messages``), hide/unhide (``POST /{comment-id}``
with ``is_hidden``), delete (``DELETE /{comment-id}``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from .base import (
    Attachment,
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

POST_FIELDS = "id,message,from{id,name},created_time,updated_time,permalink_url"
COMMENT_FIELDS = ("id,message,from{id,name},created_time,parent{id},is_hidden,can_hide,can_remove,"
                  "permalink_url,attachment,object{id}")
LOOKBACK_DAYS = 30
# Graph comments carry no edit time: each poll re-reads this many seconds before the watermark, so
# an edit or a hide within that window is seen (older edits arrive only by webhook).
EDIT_WINDOW = 3600.0


def _attachments(entry: dict) -> tuple[Attachment, ...]:
    attachment = entry.get("attachment")
    if not isinstance(attachment, dict):
        return ()
    media = attachment.get("media") if isinstance(attachment.get("media"), dict) else {}
    image = media.get("image") if isinstance(media.get("image"), dict) else {}
    url = image.get("src") or attachment.get("url")
    if not isinstance(url, str) or not url:
        return ()
    target = attachment.get("target") if isinstance(attachment.get("target"), dict) else {}
    return (Attachment(url=url, media_type=text_of(attachment.get("type"), "type"),
                       platform_id=str(target.get("id") or "")),)


def parse_post(entry: object, *, page_id: str) -> NormalizedItem:
    entry = obj(entry, "post")
    sender = obj(entry.get("from") or {"id": page_id, "name": ""}, "from")
    author_id = as_str(sender.get("id"), "from.id")
    post_id = as_str(entry["id"], "id")
    return NormalizedItem(
        platform_id=post_id, kind=ItemKind.POST if author_id == page_id else ItemKind.VISITOR_POST,
        text=text_of(entry.get("message"), "message"), author=Author(author_id, text_of(sender.get("name"), "name")),
        created_at=parse_dt(entry["created_time"]), thread_platform_id=post_id,
        permalink=text_of(entry.get("permalink_url"), "permalink_url"), raw=entry,
    )


def parse_comment(entry: object, *, post_id: str | None) -> NormalizedItem:
    entry = obj(entry, "comment")
    sender = obj(entry.get("from"), "from")
    parent = entry.get("parent")
    parent_id = as_str(obj(parent, "parent").get("id"), "parent.id") if parent is not None else None
    obj_ref = entry.get("object") if isinstance(entry.get("object"), dict) else {}
    root = post_id or (str(obj_ref["id"]) if obj_ref.get("id") else None)
    hidden = entry.get("is_hidden", False)
    if not isinstance(hidden, bool):
        raise ValueError("is_hidden is not a boolean")
    return NormalizedItem(
        platform_id=as_str(entry["id"], "id"), kind=ItemKind.REPLY if parent_id else ItemKind.COMMENT,
        text=text_of(entry.get("message"), "message"),
        author=Author(as_str(sender.get("id"), "from.id"), text_of(sender.get("name"), "from.name")),
        created_at=parse_dt(entry["created_time"]), parent_platform_id=parent_id or root, thread_platform_id=root,
        visibility=Visibility.HIDDEN if hidden else Visibility.VISIBLE,
        permalink=text_of(entry.get("permalink_url"), "permalink_url"), attachments=_attachments(entry), raw=entry,
    )


def parse_feed_page(payload: object, *, page_id: str) -> tuple[list[NormalizedItem], list[ParseFailure]]:
    if not isinstance(payload, dict):
        raise MalformedResponse("feed: the answer is not an object")
    return parse_entries(payload.get("data"), lambda e: parse_post(e, page_id=page_id))


def parse_comments_page(payload: object, *, post_id: str | None) -> tuple[list[NormalizedItem], list[ParseFailure]]:
    if not isinstance(payload, dict):
        raise MalformedResponse("comments: the answer is not an object")
    return parse_entries(payload.get("data"), lambda e: parse_comment(e, post_id=post_id))


class FacebookConnector(GraphConnector):
    platform = "facebook"
    hide_field = "is_hidden"
    reply_edge = "comments"
    dm_prefix = "m_"
    capabilities = Capabilities(
        can_reply=True, can_hide=True, can_unhide=True, can_delete=True, has_dms=True,
        limitations=("Sidans egna kommentarer kan inte döljas. Svar på privata meddelanden får bara skickas inom "
                     "Messengers 24-timmarsfönster. Ändringar av äldre kommentarer syns bara via webhooks."),
    )

    def iter_pages(self, *, cursor: dict) -> Iterator[Page]:
        cursor = cursor if isinstance(cursor, dict) else {}
        comments_wm = Watermark.load(cursor.get("comments"), overlap=EDIT_WINDOW)
        dms_wm = Watermark.load(cursor.get("dms"))
        now = dt.datetime.now(dt.UTC)
        lookback = now - dt.timedelta(days=cursor_int(cursor, "lookback_days", LOOKBACK_DAYS, high=365))
        posts_to_scan: list[str] = []
        feed_params = {"fields": POST_FIELDS, "since": int(lookback.timestamp()), "limit": self.page_size}
        for payload in self.paginate(f"{seg(self.account_id)}/feed", feed_params):
            posts, failures = parse_feed_page(payload, page_id=self.account_id)
            fresh = []
            for post in posts:
                updated = post.raw.get("updated_time")
                try:
                    changed = parse_dt(updated) if updated else post.created_at
                except ValueError:
                    changed = now
                if comments_wm.query_from is None or changed >= comments_wm.query_from:
                    posts_to_scan.append(post.platform_id)
                if post.kind == ItemKind.VISITOR_POST and comments_wm.is_new(post):
                    fresh.append(post)
            yield Page(items=fresh, cursor=cursor, failures=failures)
            for post in fresh:
                comments_wm.add(post)
        since = comments_wm.query_from
        for post_id in posts_to_scan:
            params = {"filter": "stream", "order": "chronological", "fields": COMMENT_FIELDS, "limit": self.page_size}
            if since is not None:
                params["since"] = int(since.timestamp())
            for payload in self.paginate(f"{seg(post_id)}/comments", params):
                items, failures = parse_comments_page(payload, post_id=post_id)
                fresh = [i for i in items if i.author.platform_id != self.account_id
                         and comments_wm.is_new(i)]
                yield Page(items=fresh, cursor=cursor, failures=failures)
                for item in fresh:
                    comments_wm.add(item)
        for fresh, failures in self.iter_dms(dms_wm, since_floor=dms_wm.query_from):
            yield Page(items=fresh, cursor=cursor, failures=failures)
            for item in fresh:
                dms_wm.add(item)
        comments_wm.start_at(now)
        new_cursor = {**cursor, "comments": comments_wm.dump(), "dms": dms_wm.dump()}
        yield Page(items=[], cursor=new_cursor)
        self.check_throttle()

    def fetch_thread(self, *, platform_id: str) -> list[NormalizedItem]:
        try:
            if platform_id.startswith(("m_", "t_")):  # a Messenger message or conversation
                return self.fetch_dm_thread(platform_id)
            try:
                entry = self._get_object(platform_id, COMMENT_FIELDS)
                is_comment = any(key in entry for key in ("is_hidden", "can_hide", "parent"))
            except PermanentError:  # a post has no comment fields
                is_comment = False
            if not is_comment:
                return [parse_post(self._get_object(platform_id, POST_FIELDS), page_id=self.account_id)]
            chain = [parse_comment(entry, post_id=None)]
            while chain[-1].kind == ItemKind.REPLY and len(chain) < 20:
                parent = self._get_object(chain[-1].parent_platform_id, COMMENT_FIELDS)
                chain.append(parse_comment(parent, post_id=None))
            root_id = chain[-1].thread_platform_id
            if root_id:
                chain.append(parse_post(self._get_object(root_id, POST_FIELDS), page_id=self.account_id))
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedResponse(f"facebook: thread entry could not be read ({exc})") from None
        return list(reversed(chain))

    def find_own_reply(self, *, parent_platform_id: str, text: str) -> str | None:
        if parent_platform_id.startswith("m_"):
            return self.find_own_dm(parent_message_id=parent_platform_id, text=text)
        params = {"fields": "id,message,from{id,name},created_time", "limit": 100, "order": "reverse_chronological"}
        for payload in self.paginate(f"{seg(parent_platform_id)}/comments", params, max_pages=20):
            for entry in payload["data"]:
                if not isinstance(entry, dict):
                    continue
                sender = entry.get("from") if isinstance(entry.get("from"), dict) else {}
                if str(sender.get("id")) == self.account_id and entry.get("message") == text:
                    return str(entry.get("id"))
        return None

