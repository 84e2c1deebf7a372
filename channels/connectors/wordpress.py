"""WordPress blogs through the core REST API (``/wp-json/wp/v2``), authenticated with an
application password (HTTP Basic; the user needs ``moderate_comments``). Credentials:
``{"username": ..., "application_password": ...}`` (``password`` is accepted as the same).

Reads: ``GET /comments?status=all&context=edit&orderby=date_gmt&order=asc&after=…`` page by page
(``X-WP-TotalPages``); held comments arrive hidden. WordPress keeps no edit time for comments, so
each poll reads again the comments of a recent window (``edit_window_hours``, default 72) and reports
one whose text or status (hold, spam, trash) changed again under the same id.
Actions: reply (``POST /comments`` with ``post``, ``parent``, ``content``), hide = ``status: hold``,
unhide = ``status: approved``, delete = ``DELETE /comments/<id>`` (to the trash, where the site's
administrator can still restore it).
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
    cursor_int,
    html_to_text,
    iso,
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


# Comments written this recently are read again on every poll to see edits and status changes
# (WordPress keeps no edit time for comments). Per connector: the cursor setting ``edit_window_hours``.
EDIT_WINDOW_HOURS = 72
EDIT_WINDOW_MAX_HOURS = 24 * 7
MAX_STATES = 3000  # comments whose state is kept for comparison, newest first


def _load_states(data: object) -> dict[str, str]:
    if not isinstance(data, dict):
        return {}
    out = {}
    for pid, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], str):
            out[str(pid)] = value[0]
    return out


def _dump_states(states: dict[str, list[str]]) -> dict[str, list[str]]:
    newest = sorted(states.items(), key=lambda kv: kv[1][1], reverse=True)[:MAX_STATES]
    return dict(newest)


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
                     "igen. Radering flyttar kommentaren till papperskorgen. Ändringar av kommentarer syns bara "
                     "om de görs inom de senaste dygnen (normalt tre)."),
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

    def _list(self, params: dict) -> Iterator[tuple[list[NormalizedItem], list[ParseFailure]]]:
        """One comment list, page by page (``X-WP-TotalPages``)."""
        page = 1
        while True:
            payload, response = self.request("GET", f"{self.api}/comments", params={**params, "page": page})
            yield parse_comments_page(payload)
            try:
                total_pages = int(response.headers.get("X-WP-TotalPages", "1"))
            except ValueError:
                raise MalformedResponse("wordpress: X-WP-TotalPages is not a number") from None
            if page >= total_pages or not payload:
                break
            page += 1

    def iter_pages(self, *, cursor: dict) -> Iterator[Page]:
        """New comments, and comments of the re-read window whose text or status changed.

        WordPress keeps no edit time for comments, so each poll reads again the comments written in
        the last ``edit_window_hours`` (a cursor setting, default ``EDIT_WINDOW_HOURS``, at most a
        week) and compares each with the state it had (``Watermark.key``: text and visibility): a
        changed one is reported again under the same id, so the store adds a version or updates the
        visibility. ``status=all`` lists approved and held comments; spam and trash are read too, for
        comments already seen, so a comment spammed or trashed on the site is seen as hidden/deleted.
        """
        cursor = cursor if isinstance(cursor, dict) else {}
        wm = Watermark.load(cursor.get("comments"))
        now = dt.datetime.now(dt.UTC)
        window_start = now - dt.timedelta(hours=cursor_int(cursor, "edit_window_hours", EDIT_WINDOW_HOURS,
                                                           low=0, high=EDIT_WINDOW_MAX_HOURS))
        known = _load_states(cursor.get("states"))
        states: dict[str, list[str]] = {}  # platform_id -> [state digest, created] of comments in the window
        me = f"user:{self.me()}"
        params = {"context": "edit", "orderby": "date_gmt", "order": "asc", "per_page": self.page_size}
        if wm.query_from:
            params["after"] = (min(wm.query_from, window_start) - AFTER_SLACK).strftime("%Y-%m-%dT%H:%M:%S")
        for status in ("all", "spam", "trash"):
            if status != "all" and not known:
                break  # nothing seen before that could have been spammed or trashed
            for items, failures in self._list({**params, "status": status}):
                fresh = []
                for item in items:
                    if item.author.platform_id == me:
                        continue
                    key = Watermark.key(item).rpartition("#")[2]  # the digest of text and visibility
                    before = known.get(item.platform_id)
                    changed = before is not None and before != key
                    first_seen = before is None and status == "all" and wm.is_new(item)
                    if changed or first_seen:
                        fresh.append(item)
                    if item.created_at >= window_start and (status == "all" or before is not None):
                        states[item.platform_id] = [key, iso(item.created_at)]
                yield Page(items=fresh, cursor=cursor, failures=failures)
                for item in fresh:
                    if status == "all":
                        wm.add(item)
        wm.start_at(now)
        yield Page(items=[], cursor={**cursor, "comments": wm.dump(), "states": _dump_states(states)})
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
