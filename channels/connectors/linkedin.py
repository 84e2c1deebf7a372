"""LinkedIn organization pages through the Community Management API (versioned ``/rest``).

Every call carries ``LinkedIn-Version: YYYYMM`` and ``X-Restli-Protocol-Version: 2.0.0``.
Reads: the organization's recent posts (``/rest/posts?q=author&author=urn:li:organization:…``) and
their comments and replies (``/rest/socialActions/{urn}/comments``, ``start``/``count`` paging).
Actions: reply (``POST /rest/socialActions/{urn}/comments`` with ``actor`` = the organization and
``parentComment`` for replies); delete (``DELETE /rest/socialActions/{urn}/comments/{id}?actor=…``),
which an organization administrator may do on the organization's own posts.
LinkedIn has no hide, and organizations have no DM API.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from urllib.parse import quote

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
    Unsupported,
)
from .http import (
    HttpConnector,
    MalformedResponse,
    Watermark,
    as_str,
    cursor_int,
    obj,
    parse_dt,
    parse_entries,
    retry_after_seconds,
    scrub_url,
    text_of,
)

API_VERSION = "202610"
POST_LOOKBACK = 20
LIMITATIONS = ("LinkedIn har ingen funktion för att dölja kommentarer: en olämplig kommentar kan bara raderas. "
               "Organisationssidor har inga direktmeddelanden i API:t. Kommentarernas författare visas som "
               "LinkedIn-id (namn kräver People-API:t).")
_COMMENT_URN = re.compile(r"^urn:li:comment:\((?P<target>urn:li:[A-Za-z]+:[^,]+),(?P<id>[^)]+)\)$")


def split_comment_urn(urn: str) -> tuple[str, str]:
    """(the post/activity URN, the comment id) of ``urn:li:comment:(urn:li:share:1,2)``."""
    match = _COMMENT_URN.match(urn)
    if not match:
        raise ValueError(f"not a comment URN: {urn[:80]!r}")
    return match["target"], match["id"]


def seconds_until_utc_midnight() -> float:
    now = dt.datetime.now(dt.UTC)
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
    return max(1.0, (midnight - now).total_seconds())


def parse_comment(entry: object) -> NormalizedItem:
    entry = obj(entry, "comment")
    urn = as_str(entry.get("commentUrn"), "commentUrn")
    target, _ = split_comment_urn(urn)
    actor = as_str(entry.get("actor") or obj(entry["created"], "created").get("actor"), "actor")
    created = obj(entry["created"], "created")
    created_at = parse_dt(created["time"])
    modified = entry.get("lastModified")
    edited = parse_dt(obj(modified, "lastModified")["time"]) if modified is not None else None
    parent = entry.get("parentComment")
    parent = as_str(parent, "parentComment") if parent is not None else None
    post = text_of(entry.get("object"), "object") or target
    message = obj(entry.get("message") or {}, "message")
    return NormalizedItem(
        platform_id=urn, kind=ItemKind.REPLY if parent else ItemKind.COMMENT,
        text=text_of(message.get("text"), "message.text"), author=Author(platform_id=actor, name=""),
        created_at=created_at, edited_at=edited if edited and edited > created_at else None,
        parent_platform_id=parent or post, thread_platform_id=post,
        permalink=f"https://www.linkedin.com/feed/update/{post}/", raw=entry,
    )


def parse_comments_page(payload: object) -> tuple[list[NormalizedItem], list[ParseFailure]]:
    if not isinstance(payload, dict):
        raise MalformedResponse("comments: the answer is not an object")
    return parse_entries(payload.get("elements"), parse_comment)


def parse_post(entry: object) -> NormalizedItem:
    entry = obj(entry, "post")
    urn = as_str(entry["id"], "id")
    return NormalizedItem(
        platform_id=urn, kind=ItemKind.POST, text=text_of(entry.get("commentary"), "commentary"),
        author=Author(platform_id=text_of(entry.get("author"), "author"), name=""),
        created_at=parse_dt(entry.get("publishedAt") or entry["createdAt"]), thread_platform_id=urn,
        permalink=f"https://www.linkedin.com/feed/update/{urn}/", raw=entry,
    )


class LinkedInConnector(HttpConnector):
    platform = "linkedin"
    capabilities = Capabilities(can_reply=True, can_hide=False, can_unhide=False, can_delete=True, has_dms=False,
                                limitations=LIMITATIONS)

    @property
    def org(self) -> str:
        return self.account_id if self.account_id.startswith("urn:") else f"urn:li:organization:{self.account_id}"

    def auth_headers(self) -> dict[str, str]:
        headers = {"LinkedIn-Version": str(self.credentials.get("linkedin_version") or API_VERSION),
                   "X-Restli-Protocol-Version": "2.0.0"}
        token = self.credentials.get("access_token", "")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def map_error(self, response: requests.Response, body: object) -> ConnectorError | None:
        where = f"linkedin {response.request.method} {scrub_url(response.url)}"
        status = response.status_code
        code = body.get("code") if isinstance(body, dict) else None
        if status == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"), default=seconds_until_utc_midnight())
            self.throttle(wait)
            return RateLimited(f"{where}: 429 {code or ''}".strip(), retry_after=wait)
        if status == 401:
            return AuthorizationExpired(f"{where}: 401 {code or ''}".strip())
        if status == 404:
            return NotFound(f"{where}: 404")
        if status >= 500:
            return TransientError(f"{where}: {status}")
        return PermanentError(f"{where}: {status} {code or ''}".strip())

    def _comments(self, target_urn: str) -> Iterator[dict]:
        start = 0
        for _ in range(1000):
            payload = self.get(f"socialActions/{quote(target_urn, safe='')}/comments", {"start": start, "count": self.page_size})
            if not isinstance(payload, dict) or not isinstance(payload.get("elements"), list):
                raise MalformedResponse("linkedin: comments page has no elements list")
            yield payload
            paging = payload.get("paging") if isinstance(payload.get("paging"), dict) else {}
            try:
                total = int(paging.get("total", 0))
            except (TypeError, ValueError):
                total = 0
            start += len(payload["elements"])
            if not payload["elements"] or start >= total:
                return

    def iter_pages(self, *, cursor: dict) -> Iterator[Page]:
        cursor = cursor if isinstance(cursor, dict) else {}
        wm = Watermark.load(cursor.get("comments"))
        now = dt.datetime.now(dt.UTC)
        count = cursor_int(cursor, "post_lookback", POST_LOOKBACK, high=100)
        payload = self.get("posts", {"q": "author", "author": self.org, "count": count, "sortBy": "LAST_MODIFIED"})
        if not isinstance(payload, dict):
            raise MalformedResponse("linkedin: posts answer is not an object")
        posts, failures = parse_entries(payload.get("elements"), parse_post)
        yield Page(items=[], cursor=cursor, failures=failures)
        for post in posts:
            targets = [post.platform_id]
            while targets:
                target = targets.pop(0)
                for page in self._comments(target):
                    items, failures = parse_comments_page(page)
                    for item in items:
                        summary = item.raw.get("commentsSummary")
                        if isinstance(summary, dict) and summary.get("aggregatedTotalComments"):
                            targets.append(item.platform_id)
                    fresh = [i for i in items if i.author.platform_id != self.org
                             and wm.is_new(i)]
                    yield Page(items=fresh, cursor=cursor, failures=failures)
                    for item in fresh:
                        wm.add(item)
        wm.start_at(now)
        yield Page(items=[], cursor={**cursor, "comments": wm.dump()})
        self.check_throttle()

    def _comment(self, urn: str) -> NormalizedItem:
        try:
            target, comment_id = split_comment_urn(urn)
        except ValueError as exc:
            raise NotFound(f"linkedin: {exc}") from None
        body = self.get(f"socialActions/{quote(target, safe='')}/comments/{quote(comment_id, safe='')}")
        try:
            return parse_comment(body)
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedResponse(f"linkedin: comment could not be read ({exc})") from None

    def fetch_thread(self, *, platform_id: str) -> list[NormalizedItem]:
        chain = [self._comment(platform_id)]
        while chain[-1].kind == ItemKind.REPLY and len(chain) < 10:
            chain.append(self._comment(chain[-1].parent_platform_id))
        post_urn = chain[-1].thread_platform_id
        try:
            chain.append(parse_post(self.get(f"posts/{quote(post_urn, safe='')}")))
        except NotFound:
            pass  # the post is gone: the comments are still the thread
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedResponse(f"linkedin: post could not be read ({exc})") from None
        return list(reversed(chain))

    def reply(self, *, parent_platform_id: str, text: str) -> str:
        body = {"actor": self.org, "message": {"text": text}}
        if parent_platform_id.startswith("urn:li:comment:"):
            try:
                post_urn, _ = split_comment_urn(parent_platform_id)
            except ValueError as exc:
                raise PermanentError(f"linkedin: {exc}") from None
            body.update({"object": post_urn, "parentComment": parent_platform_id})
        else:
            body["object"] = parent_platform_id
        answer, response = self.request("POST", f"socialActions/{quote(parent_platform_id, safe='')}/comments",
                                        json=body)
        if isinstance(answer, dict) and isinstance(answer.get("commentUrn"), str):
            return answer["commentUrn"]
        comment_id = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        if not comment_id:
            raise MalformedResponse("linkedin: reply answer without comment id")
        return f"urn:li:comment:({body['object']},{comment_id})"

    def hide(self, *, platform_id: str) -> None:
        raise Unsupported(LIMITATIONS)

    def unhide(self, *, platform_id: str) -> None:
        raise Unsupported(LIMITATIONS)

    def delete(self, *, platform_id: str) -> None:
        try:
            target, comment_id = split_comment_urn(platform_id)
        except ValueError as exc:
            raise PermanentError(f"linkedin: {exc}") from None
        self.request("DELETE", f"socialActions/{quote(target, safe='')}/comments/{quote(comment_id, safe='')}",
                     params={"actor": self.org}, expect_json=False)

    def find_own_reply(self, *, parent_platform_id: str, text: str) -> str | None:
        for page in self._comments(parent_platform_id):
            items, _ = parse_comments_page(page)
            for item in items:
                if item.author.platform_id == self.org and item.text == text:
                    return item.platform_id
        return None
