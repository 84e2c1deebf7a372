"""What every HTTP connector shares: one guarded request path, time parsing, and watermarks.

``HttpConnector.request`` is the only place a connector calls ``requests``: it turns every
``requests`` exception into ``TransientError``, HTTP 429/401/404/5xx into the typed errors of
``base``, a body that is not JSON into ``TransientError``, and lets each platform map its own error
bodies first (``map_error``). Error messages carry the method, the URL without its query string and
the status, never a token.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit, urlunsplit

import requests

from .base import (
    AuthorizationExpired,
    Connector,
    ConnectorError,
    NormalizedItem,
    NotFound,
    ParseFailure,
    PermanentError,
    RateLimited,
    TransientError,
)

UTC = dt.UTC


class MalformedResponse(TransientError):
    """The platform answered with a body that is not what its API promises (not JSON, wrong shape)."""


def seg(value: object) -> str:
    """A platform id as one URL path segment: an id holding ``/``, ``?`` or ``..`` cannot change the path."""
    return quote(str(value), safe="_-.~:@")


def scrub_url(url: str) -> str:
    """The URL without query string or fragment: tokens (``access_token=``) can live there."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<url>"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def retry_after_seconds(value: str | None, *, default: float | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date."""
    if not value:
        return default
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - dt.datetime.now(UTC)).total_seconds())


def parse_dt(value: object) -> dt.datetime:
    """A timezone-aware datetime from the formats the platforms use.

    ISO 8601 with ``Z``, ``+00:00`` or Graph's ``+0000``; naive ISO (WordPress ``date_gmt``) as UTC;
    integers as epoch milliseconds (LinkedIn) when large, else epoch seconds. Raises ValueError.
    """
    if isinstance(value, bool):
        raise ValueError("a boolean is not a time")
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) > 10**11 else value
        try:
            return dt.datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError) as exc:
            raise ValueError(f"time out of range: {value!r}") from exc
    if not isinstance(value, str) or not value:
        raise ValueError(f"not a time: {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit() and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"  # Graph's +0000
    parsed = dt.datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def as_str(value: object, what: str) -> str:
    """A non-empty string id (platform ids may arrive as numbers)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{what} missing")
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} is not a string")
    return value


def text_of(value: object, what: str = "text") -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{what} is not a string")
    return value


def obj(value: object, what: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not an object")
    return value


def cursor_int(cursor: dict, key: str, default: int, *, low: int = 1, high: int = 1000) -> int:
    """A whole-number setting kept in the cursor, within bounds; a damaged value gives the default."""
    value = cursor.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | str):
        return default
    try:
        return max(low, min(high, int(value)))
    except ValueError:
        return default


def iso(value: dt.datetime) -> str:
    return value.astimezone(UTC).isoformat()


@dataclass
class Watermark:
    """How far a poll got: the newest time seen plus the items seen in an overlap window before it.

    Each poll asks the platform from ``since - OVERLAP`` and drops what it has seen, so an item that
    appears late or shares the watermark's second is neither skipped nor returned twice. An item's
    key includes a digest of its text, edit time and visibility, so an edit or a hide seen on a
    re-read counts as new: the store adds a version or updates the visibility.
    """

    since: dt.datetime | None = None  # as loaded: what this poll filters against
    recent: dict[str, str] = field(default_factory=dict)  # key -> ISO time of the item
    overlap: float = 120.0
    newest: dt.datetime | None = None  # the newest item this poll saw

    @classmethod
    def load(cls, data: object, *, overlap: float = 120.0) -> Watermark:
        if not isinstance(data, dict):
            return cls(overlap=overlap)
        try:
            since = parse_dt(data["since"]) if data.get("since") else None
        except ValueError:
            since = None
        recent = data.get("recent") if isinstance(data.get("recent"), dict) else {}
        return cls(since=since, recent={str(k): str(v) for k, v in recent.items()}, overlap=overlap)

    @property
    def query_from(self) -> dt.datetime | None:
        return self.since - dt.timedelta(seconds=self.overlap) if self.since else None

    @staticmethod
    def key(item: NormalizedItem) -> str:
        """The item in one state: a changed text, edit time or visibility is a new key."""
        state = f"{item.text}\x00{item.visibility}\x00{item.edited_at.timestamp() if item.edited_at else ''}"
        return f"{item.platform_id}#{hashlib.sha256(state.encode()).hexdigest()[:12]}"

    @staticmethod
    def when(item: NormalizedItem) -> dt.datetime:
        return item.edited_at or item.created_at

    def is_new(self, item: NormalizedItem) -> bool:
        if self.since is None:
            return self.key(item) not in self.recent
        if self.when(item) < self.query_from:
            return False
        return self.key(item) not in self.recent

    def add(self, item: NormalizedItem) -> None:
        when = self.when(item)
        self.recent[self.key(item)] = iso(when)
        if self.newest is None or when > self.newest:
            self.newest = when

    def start_at(self, when: dt.datetime) -> None:
        """Where an account with nothing yet starts: items older than this are not new."""
        if self.since is None and self.newest is None:
            self.newest = when

    def dump(self) -> dict:
        since = max(filter(None, (self.since, self.newest)), default=None)
        if since is None:
            return {}
        floor = since - dt.timedelta(seconds=self.overlap)
        kept = {}
        for k, v in self.recent.items():
            try:
                if parse_dt(v) >= floor:
                    kept[k] = v
            except ValueError:
                continue
        return {"since": iso(since), "recent": kept}


class HttpConnector(Connector):
    """A connector over HTTP: subclasses add auth headers, error mapping and header-based throttling."""

    default_retry_after = 60.0
    page_size = 100  # entries asked for per page (each platform's maximum or less)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._throttled_until = 0.0

    def __repr__(self) -> str:  # never show credentials
        return f"<{type(self).__name__} account={self.account_id!r} base_url={scrub_url(self.base_url)!r}>"

    # hooks ----------------------------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        return {}

    def map_error(self, response: requests.Response, body: object) -> ConnectorError | None:
        """A platform-specific error for this answer, or None to use the generic mapping."""
        return None

    def observe(self, response: requests.Response) -> None:
        """Look at the rate-limit headers of an answer; call ``throttle`` when the limit is reached."""

    # throttling -------------------------------------------------------------------------------
    def throttle(self, seconds: float) -> None:
        self._throttled_until = max(self._throttled_until, time.monotonic() + max(1.0, seconds))

    def throttled_for(self) -> float:
        return max(0.0, self._throttled_until - time.monotonic())

    def check_throttle(self) -> None:
        remaining = self.throttled_for()
        if remaining > 0:
            raise RateLimited(f"{self.platform}: rate limit reached, wait {remaining:.0f}s", retry_after=remaining)

    # the one request path -----------------------------------------------------------------
    def url(self, path: str) -> str:
        """Always under the base URL: a path is never taken as an absolute URL (the token would follow)."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, *, params=None, json=None, data=None, headers=None,
                expect_json: bool = True) -> tuple[object, requests.Response]:
        self.check_throttle()
        url = self.url(path)
        where = f"{self.platform} {method} {scrub_url(url)}"
        all_headers = {"Accept": "application/json", **self.auth_headers(), **(headers or {})}
        try:
            response = self.session.request(method, url, params=params, json=json, data=data, headers=all_headers,
                                            timeout=self.timeout, allow_redirects=False)
        except requests.Timeout:
            raise TransientError(f"{where}: timed out after {self.timeout:.0f}s") from None
        except requests.RequestException as exc:
            raise TransientError(f"{where}: {type(exc).__name__}") from None
        self.observe(response)
        body: object = None
        body_error: str | None = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body_error = "the answer is not valid JSON"
        status = response.status_code
        if status >= 400 or (isinstance(body, dict) and self.is_error_body(body)):
            mapped = self.map_error(response, body)
            if mapped is not None:
                raise mapped
            raise self.generic_error(response, where)
        if expect_json and body_error:
            raise MalformedResponse(f"{where}: {body_error}")
        if 300 <= status < 400:
            raise PermanentError(f"{where}: unexpected redirect ({status})")
        return body, response

    def is_error_body(self, body: dict) -> bool:
        return False

    def generic_error(self, response: requests.Response, where: str) -> ConnectorError:
        status = response.status_code
        if status == 429:
            retry = retry_after_seconds(response.headers.get("Retry-After"), default=self.default_retry_after)
            self.throttle(retry)
            return RateLimited(f"{where}: 429 Too Many Requests", retry_after=retry)
        if status == 401:
            return AuthorizationExpired(f"{where}: 401, the token is no longer valid")
        if status in (404, 410):
            return NotFound(f"{where}: {status}")
        if status >= 500 or status == 408:
            return TransientError(f"{where}: {status}")
        return PermanentError(f"{where}: {status}")

    def get(self, path: str, params=None, **kwargs) -> object:
        return self.request("GET", path, params=params, **kwargs)[0]


def parse_entries(entries: object, parse_one) -> tuple[list, list[ParseFailure]]:
    """Run ``parse_one`` on each entry; an entry that fails becomes a ParseFailure, the rest go on.

    ``parse_one`` returns a NormalizedItem, a list of them, or None (an entry to skip).
    """
    if not isinstance(entries, list):
        raise MalformedResponse("the page's entries are not a list")
    items: list[NormalizedItem] = []
    failures: list[ParseFailure] = []
    for entry in entries:
        try:
            parsed = parse_one(entry)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError,
                MalformedResponse) as exc:  # MalformedResponse: a nested list inside the entry is broken
            failures.append(ParseFailure(reason=f"{type(exc).__name__}: {exc}"[:300], platform_id=_guess_id(entry),
                                         raw=entry))
            continue
        if parsed is None:
            continue
        if isinstance(parsed, list):
            items.extend(parsed)
        else:
            items.append(parsed)
    return items, failures


def _guess_id(entry: object) -> str | None:
    if isinstance(entry, dict):
        for key in ("id", "uri", "commentUrn"):
            value = entry.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return str(value)[:200]
    return None


class _TextExtractor(HTMLParser):
    BREAKS = {"br", "p", "div", "li"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BREAKS and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(value: object) -> str:
    """Plain text of an HTML fragment (Mastodon ``content``, WordPress ``content.rendered``)."""
    source = text_of(value, "content")
    if "<" not in source and "&" not in source:
        return source
    parser = _TextExtractor()
    parser.feed(source)
    parser.close()
    return "".join(parser.parts).strip()
