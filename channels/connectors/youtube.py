"""YouTube Data API v3.

Reads: ``commentThreads?allThreadsRelatedToChannelId=…&order=time`` twice per poll, with
``moderationStatus=published`` and ``heldForReview`` (held comments arrive hidden), with the replies
of each thread (``comments?parentId=`` when the thread holds more than it shows). There is no
``since``: the connector pages newest first and stops past the watermark (minus a reply lookback).
Actions: reply (``POST comments?part=snippet``), hide = ``setModerationStatus`` ``heldForReview``,
unhide = ``published``; delete: the channel's own comments with ``comments.delete``, anyone else's
with ``setModerationStatus`` ``rejected`` (YouTube's only way; it cannot be undone).
Quota exhaustion (``quotaExceeded``) waits until the daily reset at midnight Pacific time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import requests

from .base import (
    Author,
    AuthorizationExpired,
    Capabilities,
    ConnectorError,
    ItemKind,
    NormalizedItem,
    NotFound,
    Page,
    ParseFailure,
    PermanentError,
    RateLimited,
    TransientError,
    Visibility,
)
from .http import (
    HttpConnector,
    MalformedResponse,
    Watermark,
    as_str,
    obj,
    parse_dt,
    parse_entries,
    retry_after_seconds,
    scrub_url,
    text_of,
)

PACIFIC = ZoneInfo("America/Los_Angeles")
REPLY_LOOKBACK = dt.timedelta(days=7)
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
NOT_FOUND_REASONS = {"commentNotFound", "notFound", "videoNotFound", "parentCommentNotFound", "channelNotFound"}


def seconds_until_quota_reset(now: dt.datetime | None = None) -> float:
    """Seconds until the next midnight in Pacific time, when YouTube's daily quota resets."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(PACIFIC)
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0), tzinfo=PACIFIC)
    return max(1.0, (midnight - now).total_seconds())


def parse_comment(entry: object, *, thread_id: str | None = None, held: bool = False) -> NormalizedItem:
    entry = obj(entry, "comment")
    snippet = obj(entry["snippet"], "snippet")
    comment_id = as_str(entry["id"], "id")
    author_channel = snippet.get("authorChannelId")
    author_id = as_str(obj(author_channel, "authorChannelId").get("value"), "authorChannelId.value") \
        if author_channel is not None else ""
    created = parse_dt(snippet["publishedAt"])
    updated = parse_dt(snippet["updatedAt"]) if snippet.get("updatedAt") else created
    parent_id = snippet.get("parentId")
    parent_id = as_str(parent_id, "parentId") if parent_id is not None else None
    video_id = text_of(snippet.get("videoId"), "videoId") or None
    status = snippet.get("moderationStatus")
    hidden = held or status in ("heldForReview", "likelySpam")
    text = snippet.get("textOriginal")
    if text is None:
        text = snippet.get("textDisplay")
    return NormalizedItem(
        platform_id=comment_id, kind=ItemKind.REPLY if parent_id else ItemKind.COMMENT, text=text_of(text),
        author=Author(platform_id=author_id, name=text_of(snippet.get("authorDisplayName"), "authorDisplayName"),
                      profile_url=text_of(snippet.get("authorChannelUrl"), "authorChannelUrl")),
        created_at=created, edited_at=updated if updated > created else None,
        parent_platform_id=parent_id or video_id, thread_platform_id=video_id or thread_id,
        visibility=Visibility.HIDDEN if hidden else Visibility.VISIBLE,
        permalink=f"https://www.youtube.com/watch?v={video_id}&lc={comment_id}" if video_id else "", raw=entry,
    )


def parse_thread(entry: object, *, held: bool = False) -> list[NormalizedItem]:
    entry = obj(entry, "commentThread")
    snippet = obj(entry["snippet"], "snippet")
    top = parse_comment(snippet["topLevelComment"], thread_id=as_str(entry["id"], "id"), held=False)
    if held and top.raw.get("snippet", {}).get("moderationStatus") == "heldForReview":
        top = NormalizedItem(**{**top.__dict__, "visibility": Visibility.HIDDEN})
    items = [top]
    replies = entry.get("replies")
    if replies is not None:
        for reply in obj(replies, "replies").get("comments") or []:
            items.append(parse_comment(reply))
    return items


def parse_threads_page(payload: object, *, held: bool = False) -> tuple[list[NormalizedItem], list[ParseFailure]]:
    if not isinstance(payload, dict):
        raise MalformedResponse("commentThreads: the answer is not an object")
    return parse_entries(payload.get("items"), lambda e: parse_thread(e, held=held))


def parse_comments_page(payload: object) -> tuple[list[NormalizedItem], list[ParseFailure]]:
    if not isinstance(payload, dict):
        raise MalformedResponse("comments: the answer is not an object")
    return parse_entries(payload.get("items"), parse_comment)


class YouTubeConnector(HttpConnector):
    platform = "youtube"
    capabilities = Capabilities(
        can_reply=True, can_hide=True, can_unhide=True, can_delete=True, has_dms=False,
        limitations=("YouTube har inga direktmeddelanden. Att dölja betyder att kommentaren hålls för granskning. "
                     "Andras kommentarer kan inte raderas via API:t: de avvisas i stället (rejected), vilket tar "
                     "bort dem från YouTube och inte kan ångras. Varje åtgärd kostar 50 av dagens 10 000 kvotenheter."),
    )

    def auth_headers(self) -> dict[str, str]:
        token = self.credentials.get("access_token", "")
        return {"Authorization": f"Bearer {token}"} if token else {}

    def is_error_body(self, body: dict) -> bool:
        return isinstance(body.get("error"), dict)

    def map_error(self, response: requests.Response, body: object) -> ConnectorError | None:
        where = f"youtube {response.request.method} {scrub_url(response.url)}"
        error = body.get("error") if isinstance(body, dict) else None
        reasons = set()
        if isinstance(error, dict) and isinstance(error.get("errors"), list):
            reasons = {e.get("reason") for e in error["errors"] if isinstance(e, dict)}
        status = response.status_code
        if reasons & QUOTA_REASONS:
            wait = seconds_until_quota_reset()
            self.throttle(wait)
            return RateLimited(f"{where}: daily quota exceeded", retry_after=wait)
        if reasons & RATE_REASONS or status == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"), default=60.0)
            self.throttle(wait)
            return RateLimited(f"{where}: rate limited", retry_after=wait)
        if "authError" in reasons or status == 401:
            return AuthorizationExpired(f"{where}: the token is no longer valid")
        if reasons & NOT_FOUND_REASONS or status == 404:
            return NotFound(f"{where}: {', '.join(sorted(r for r in reasons if r)) or status}")
        if status >= 500 or reasons & {"backendError", "processingFailure"}:
            return TransientError(f"{where}: {status}")
        if isinstance(error, dict):
            return PermanentError(f"{where}: {status} {', '.join(sorted(r for r in reasons if r))}")
        return None

    # reading ----------------------------------------------------------------------------------
    def _threads(self, status: str) -> Iterator[dict]:
        params = {"part": "snippet,replies", "allThreadsRelatedToChannelId": self.account_id,
                  "moderationStatus": status, "order": "time", "maxResults": self.page_size,
                  "textFormat": "plainText"}
        for _ in range(1000):
            payload = self.get("commentThreads", params)
            if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
                raise MalformedResponse("youtube: commentThreads page has no items list")
            yield payload
            token = payload.get("nextPageToken")
            if not isinstance(token, str) or not token:
                return
            params = {**params, "pageToken": token}

    def _all_replies(self, thread_id: str) -> tuple[list[NormalizedItem], list[ParseFailure]]:
        items, failures = [], []
        params = {"part": "snippet", "parentId": thread_id, "maxResults": self.page_size, "textFormat": "plainText"}
        for _ in range(100):
            payload = self.get("comments", params)
            got, bad = parse_comments_page(payload)
            items.extend(got)
            failures.extend(bad)
            token = payload.get("nextPageToken") if isinstance(payload, dict) else None
            if not isinstance(token, str) or not token:
                break
            params = {**params, "pageToken": token}
        return items, failures

    def iter_pages(self, *, cursor: dict) -> Iterator[Page]:
        cursor = cursor if isinstance(cursor, dict) else {}
        wm = Watermark.load(cursor.get("comments"))
        now = dt.datetime.now(dt.UTC)
        floor = wm.query_from - REPLY_LOOKBACK if wm.query_from else None
        for status in ("published", "heldForReview"):
            for payload in self._threads(status):
                items, failures = parse_threads_page(payload, held=status == "heldForReview")
                for thread in payload["items"]:
                    try:
                        snippet = thread["snippet"]
                        shown = len((thread.get("replies") or {}).get("comments") or [])
                        if snippet.get("totalReplyCount", 0) > shown:
                            more, bad = self._all_replies(thread["id"])
                            items.extend(more)
                            failures.extend(bad)
                    except (KeyError, TypeError, AttributeError):
                        continue  # already reported as a ParseFailure of the thread
                fresh = []
                for item in items:
                    if item.author.platform_id != self.account_id and wm.is_new(item):
                        fresh.append(item)
                yield Page(items=fresh, cursor=cursor, failures=failures)
                for item in fresh:
                    wm.add(item)
                tops = [i for i in items if i.kind == ItemKind.COMMENT]
                if floor and tops and all(i.created_at < floor for i in tops):
                    break
        wm.start_at(now)
        yield Page(items=[], cursor={**cursor, "comments": wm.dump()})
        self.check_throttle()

    def _comment(self, comment_id: str) -> NormalizedItem:
        payload = self.get("comments", {"part": "snippet", "id": comment_id, "textFormat": "plainText"})
        items, failures = parse_comments_page(payload)
        if failures:
            raise MalformedResponse(f"youtube: comment could not be read ({failures[0].reason})")
        if not items:
            raise NotFound(f"youtube: comment {comment_id} not found")
        return items[0]

    def fetch_thread(self, *, platform_id: str) -> list[NormalizedItem]:
        chain = [self._comment(platform_id)]
        if chain[0].kind == ItemKind.REPLY and chain[0].raw.get("snippet", {}).get("parentId"):
            chain.append(self._comment(chain[0].raw["snippet"]["parentId"]))
        video_id = chain[-1].thread_platform_id
        if video_id:
            payload = self.get("videos", {"part": "snippet", "id": video_id})
            try:
                video = obj(payload, "videos")["items"][0]
                snippet = obj(video["snippet"], "snippet")
                chain.append(NormalizedItem(
                    platform_id=as_str(video["id"], "id"), kind=ItemKind.POST,
                    text=text_of(snippet.get("title")) + "\n\n" + text_of(snippet.get("description")),
                    author=Author(platform_id=text_of(snippet.get("channelId")),
                                  name=text_of(snippet.get("channelTitle"))),
                    created_at=parse_dt(snippet["publishedAt"]), thread_platform_id=video_id,
                    permalink=f"https://www.youtube.com/watch?v={video_id}", raw=video))
            except (KeyError, IndexError, TypeError, ValueError):
                pass  # the video is gone or private: the comments are still the thread
        return list(reversed(chain))

    # actions -------------------------------------------------------------------------------
    def reply(self, *, parent_platform_id: str, text: str) -> str:
        top = parent_platform_id.split(".")[0]
        body, _ = self.request("POST", "comments", params={"part": "snippet"},
                               json={"snippet": {"parentId": top, "textOriginal": text}})
        try:
            return as_str(obj(body, "answer")["id"], "id")
        except (KeyError, ValueError) as exc:
            raise MalformedResponse("youtube: reply answer without id") from exc

    def _set_status(self, platform_id: str, status: str) -> None:
        self.request("POST", "comments/setModerationStatus", params={"id": platform_id, "moderationStatus": status},
                     expect_json=False)

    def hide(self, *, platform_id: str) -> None:
        self._set_status(platform_id, "heldForReview")

    def unhide(self, *, platform_id: str) -> None:
        self._set_status(platform_id, "published")

    def delete(self, *, platform_id: str) -> None:
        comment = self._comment(platform_id)
        if comment.author.platform_id == self.account_id:
            self.request("DELETE", "comments", params={"id": platform_id}, expect_json=False)
        else:
            self._set_status(platform_id, "rejected")

    def find_own_reply(self, *, parent_platform_id: str, text: str) -> str | None:
        replies, _ = self._all_replies(parent_platform_id.split(".")[0])
        for item in replies:
            if item.author.platform_id == self.account_id and item.text == text:
                return item.platform_id
        return None
