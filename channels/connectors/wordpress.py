"""WordPress blogs through the core REST API (``/wp-json/wp/v2``), authenticated with an
application password (HTTP Basic; the user needs ``moderate_comments``). Credentials:
``{"username": ..., "application_password": ...}`` (``password`` is accepted as the same).

Reads: ``GET /comments?status=all&context=edit&orderby=date_gmt&order=asc&after=…`` page by page
(``X-WP-TotalPages``); held comments arrive hidden. WordPress keeps no edit time for comments, so
edits are not seen. Actions: reply (``POST /comments`` with ``post``, ``parent``, ``content``),
hide = ``status: hold``, unhide = ``status: approved``, delete = ``DELETE /comments/<id>`` (to the
trash, where the site's administrator can still restore it).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator

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
    html_to_text,
    obj,
    parse_dt,
    parse_entries,
    retry_after_seconds,
    scrub_url,
    seg,
    text_of,
)

# ``after`` is compared in the site's own timezone by some WordPress versions: ask from this much
# earlier and let the watermark drop what was already seen.
AFTER_SLACK = dt.timedelta(hours=14)
AUTH_CODES = {"rest_not_logged_in", "incorrect_password", "invalid_username", "invalid_email",
              "rest_forbidden_context", "application_passwords_disabled", "rest_cannot_read"}
STATUS_VISIBILITY = {"approved": Visibility.VISIBLE, "approve": Visibility.VISIBLE, "hold": Visibility.HIDDEN,
                     "unapproved": Visibility.HIDDEN, "spam": Visibility.HIDDEN, "trash": Visibility.DELETED}


def parse_comment(entry: object) -> NormalizedItem:
    entry = obj(entry, "comment")
    comment_id = as_str(entry["id"], "id")
    post_id = as_str(entry["post"], "post")
    parent = entry.get("parent", 0)
    if isinstance(parent, bool) or not isinstance(parent, int | str):
        raise ValueError("parent is not an id")
    parent_id = None if str(parent) in ("0", "") else str(parent)
    content = obj(entry.get("content") or {}, "content")
    text = content["raw"] if isinstance(content.get("raw"), str) else html_to_text(content.get("rendered"))
    status = entry.get("status", "approved")
    if status not in STATUS_VISIBILITY:
        raise ValueError(f"unknown status {status!r}")
    author = entry.get("author", 0)
    if isinstance(author, bool) or not isinstance(author, int | str):
        raise ValueError("author is not an id")
    name = text_of(entry.get("author_name"), "author_name")
    email = text_of(entry.get("author_email"), "author_email")
    author_key = f"user:{author}" if str(author) not in ("0", "") else (f"email:{email}" if email else f"name:{name}")
    created = entry.get("date_gmt") or entry["date"]
    return NormalizedItem(
        platform_id=comment_id, kind=ItemKind.REPLY if parent_id else ItemKind.COMMENT, text=text,
        author=Author(platform_id=author_key, name=name, profile_url=text_of(entry.get("author_url"), "author_url")),
        created_at=parse_dt(created), parent_platform_id=parent_id or post_id, thread_platform_id=post_id,
        visibility=STATUS_VISIBILITY[status], permalink=text_of(entry.get("link"), "link"), raw=entry,
    )


def parse_comments_page(payload: object) -> tuple[list[NormalizedItem], list[ParseFailure]]:
    if not isinstance(payload, list):
        raise MalformedResponse("comments: the answer is not a list")
    return parse_entries(payload, parse_comment)


class WordPressConnector(HttpConnector):
    platform = "wordpress"
    capabilities = Capabilities(
        can_reply=True, can_hide=True, can_unhide=True, can_delete=True, has_dms=False,
        limitations=("Bloggar har inga direktmeddelanden. Att dölja betyder att kommentaren väntar på granskning "
                     "igen. Radering flyttar kommentaren till papperskorgen. Ändringar av kommentarer syns inte "
                     "via API:t."),
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._me: str | None = None

    @property
    def api(self) -> str:
        return "wp-json/wp/v2"

    def auth_headers(self) -> dict[str, str]:
        user = self.credentials.get("username", "")
        password = self.credentials.get("application_password") or self.credentials.get("password", "")
        if not user or not password:
            return {}
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def is_error_body(self, body: dict) -> bool:
        return False

    def map_error(self, response: requests.Response, body: object) -> ConnectorError | None:
        where = f"wordpress {response.request.method} {scrub_url(response.url)}"
        code = body.get("code") if isinstance(body, dict) else None
        status = response.status_code
        if status == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"), default=60.0)
            self.throttle(wait)
            return RateLimited(f"{where}: 429", retry_after=wait)
        if status == 401 or code in AUTH_CODES:
            return AuthorizationExpired(f"{where}: {status} {code or ''}".strip())
        if status in (404, 410) or code in ("rest_comment_invalid_id", "rest_post_invalid_id"):
            return NotFound(f"{where}: {status} {code or ''}".strip())
        if status >= 500:
            return TransientError(f"{where}: {status}")
        return PermanentError(f"{where}: {status} {code or ''}".strip())

    def me(self) -> str:
        if self._me is None:
            body = self.get(f"{self.api}/users/me", {"context": "edit"})
            try:
                self._me = as_str(obj(body, "user")["id"], "id")
            except (KeyError, ValueError) as exc:
                raise MalformedResponse("wordpress: users/me without id") from exc
        return self._me

    def iter_pages(self, *, cursor: dict) -> Iterator[Page]:
        cursor = cursor if isinstance(cursor, dict) else {}
        wm = Watermark.load(cursor.get("comments"))
        now = dt.datetime.now(dt.UTC)
        me = f"user:{self.me()}"
        params = {"context": "edit", "status": "all", "orderby": "date_gmt", "order": "asc",
                  "per_page": self.page_size}
        if wm.query_from:
            params["after"] = (wm.query_from - AFTER_SLACK).strftime("%Y-%m-%dT%H:%M:%S")
        page = 1
        while True:
            payload, response = self.request("GET", f"{self.api}/comments", params={**params, "page": page})
            items, failures = parse_comments_page(payload)
            fresh = [i for i in items if i.author.platform_id != me and wm.is_new(i)]
            yield Page(items=fresh, cursor=cursor, failures=failures)
            for item in fresh:
                wm.add(item)
            try:
                total_pages = int(response.headers.get("X-WP-TotalPages", "1"))
            except ValueError:
                raise MalformedResponse("wordpress: X-WP-TotalPages is not a number") from None
            if page >= total_pages or not payload:
                break
            page += 1
        wm.start_at(now)
        yield Page(items=[], cursor={**cursor, "comments": wm.dump()})
        self.check_throttle()

    def _comment(self, comment_id: str) -> NormalizedItem:
        body = self.get(f"{self.api}/comments/{seg(comment_id)}", {"context": "edit"})
        try:
            return parse_comment(body)
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedResponse(f"wordpress: comment could not be read ({exc})") from None

    def fetch_thread(self, *, platform_id: str) -> list[NormalizedItem]:
        chain = [self._comment(platform_id)]
        while chain[-1].kind == ItemKind.REPLY and len(chain) < 30:
            chain.append(self._comment(chain[-1].parent_platform_id))
        post_id = chain[-1].thread_platform_id
        body = self.get(f"{self.api}/posts/{seg(post_id)}", {"context": "view"})
        try:
            post = obj(body, "post")
            title = html_to_text(obj(post.get("title") or {}, "title").get("rendered"))
            text = html_to_text(obj(post.get("content") or {}, "content").get("rendered"))
            chain.append(NormalizedItem(
                platform_id=as_str(post["id"], "id"), kind=ItemKind.POST, text=f"{title}\n\n{text}".strip(),
                author=Author(platform_id=f"user:{post.get('author', '')}", name=""),
                created_at=parse_dt(post.get("date_gmt") or post["date"]), thread_platform_id=post_id,
                permalink=text_of(post.get("link"), "link"), raw=post))
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedResponse(f"wordpress: post could not be read ({exc})") from None
        return list(reversed(chain))

    def reply(self, *, parent_platform_id: str, text: str) -> str:
        parent = self._comment(parent_platform_id)
        body, _ = self.request("POST", f"{self.api}/comments", json={
            "post": int(parent.thread_platform_id), "parent": int(parent.platform_id), "content": text})
        try:
            return as_str(obj(body, "answer")["id"], "id")
        except (KeyError, ValueError) as exc:
            raise MalformedResponse("wordpress: reply answer without id") from exc

    def _set_status(self, platform_id: str, status: str) -> None:
        body, _ = self.request("POST", f"{self.api}/comments/{seg(platform_id)}", json={"status": status})
        if not isinstance(body, dict) or "id" not in body:
            raise MalformedResponse("wordpress: status change answer without the comment")

    def hide(self, *, platform_id: str) -> None:
        self._set_status(platform_id, "hold")

    def unhide(self, *, platform_id: str) -> None:
        self._set_status(platform_id, "approved")

    def delete(self, *, platform_id: str) -> None:
        try:
            self.request("DELETE", f"{self.api}/comments/{seg(platform_id)}")
        except NotFound as exc:
            if "rest_already_trashed" in str(exc):
                return  # deleted by an earlier attempt: the outcome we want
            raise

    def find_own_reply(self, *, parent_platform_id: str, text: str) -> str | None:
        params = {"context": "edit", "status": "all", "parent": parent_platform_id, "author": self.me(),
                  "per_page": 100}
        payload = self.get(f"{self.api}/comments", params)
        items, _ = parse_comments_page(payload)
        for item in items:
            if item.text == text and item.visibility != Visibility.DELETED:
                return item.platform_id
        return None
