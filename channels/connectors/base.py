"""The one small interface every platform connector implements, with its normalised data and errors.

A connector talks to one platform's HTTP API with ``requests`` against a base URL from settings
(or the channel's own site for WordPress and Mastodon), so the platform simulator, a proxy or a
test server can stand in for the real service. It never touches the database: it returns
normalised data, and the inbound store (channels.services) decides what to keep.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class ItemKind(StrEnum):
    POST = "post"  # the channel's own post (thread root), kept as context
    COMMENT = "comment"  # a comment on a post
    REPLY = "reply"  # a reply to a comment
    VISITOR_POST = "visitor_post"  # a post by someone else on the channel's page/wall
    DM = "dm"  # a direct/private message to the channel
    # The channel's own comment or reply under a post (made through the tool or on the platform):
    # a record of the municipality's own voice, kept in the thread, never moderated.
    OWN_REPLY = "own_reply"


class Visibility(StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"
    DELETED = "deleted"


@dataclass(frozen=True)
class Author:
    platform_id: str
    name: str
    profile_url: str = ""


@dataclass(frozen=True)
class Attachment:
    url: str
    media_type: str = ""  # MIME type or the platform's own type word ("photo", "video")
    platform_id: str = ""


@dataclass(frozen=True)
class NormalizedItem:
    platform_id: str
    kind: ItemKind
    text: str
    author: Author
    created_at: dt.datetime  # timezone-aware
    parent_platform_id: str | None = None  # the direct parent (post or comment)
    thread_platform_id: str | None = None  # the root post of the thread, or the DM conversation id
    edited_at: dt.datetime | None = None
    visibility: Visibility = Visibility.VISIBLE
    permalink: str = ""
    attachments: tuple[Attachment, ...] = ()
    raw: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ParseFailure:
    """An entry in a page that could not be normalised: logged with its reason, never fatal."""

    reason: str
    platform_id: str | None = None
    raw: object = None


@dataclass
class Page:
    """One page of new items. ``cursor`` is what to store once this page is saved: storing it
    only after the items commit means a crash re-reads the page instead of skipping it."""

    items: list[NormalizedItem]
    cursor: dict
    failures: list[ParseFailure] = field(default_factory=list)


@dataclass
class Reconciliation:
    """What a re-read of known items found: the current state of those the platform still has, and
    the ids it answered for that no longer exist. An id in neither list was not checked."""

    items: list[NormalizedItem] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    failures: list[ParseFailure] = field(default_factory=list)


@dataclass(frozen=True)
class Capabilities:
    can_reply: bool
    can_hide: bool
    can_unhide: bool
    can_delete: bool
    has_dms: bool
    # The channel's account can block another account through the API (Mastodon, Bluesky); elsewhere
    # a block is made on the platform by hand and recorded in the tool.
    can_block: bool = False
    # Shown to staff in Swedish where an action is impossible, e.g. "Bluesky kan inte dölja andras svar ...".
    limitations: str = ""
    # How many known items one ``reconcile`` call can check (0: the platform offers no batch read, so
    # a removal that leaves no trace in the lists a poll reads is not noticed).
    reconcile_batch: int = 0


class ConnectorError(Exception):
    """Base of the typed errors every connector raises; never a bare requests exception."""

    transient = False


class RateLimited(ConnectorError):
    transient = True

    def __init__(self, message: str = "", *, retry_after: float = 60.0):
        super().__init__(message or f"rate limited, retry after {retry_after:.0f}s")
        self.retry_after = retry_after


class AuthorizationExpired(ConnectorError):
    """The token expired or was revoked: the channel needs re-authorisation."""


class NotFound(ConnectorError):
    """The item or account no longer exists on the platform."""


class TransientError(ConnectorError):
    """5xx, timeouts, connection errors, malformed or truncated responses: retry with backoff."""

    transient = True


class PermanentError(ConnectorError):
    """The platform refused the request for good (bad parameters, forbidden action)."""


class Unsupported(PermanentError):
    """The platform offers no API for this action (see Capabilities.limitations)."""


class Connector(ABC):
    platform: str
    capabilities: Capabilities

    def __init__(self, *, account_id: str, credentials: dict, base_url: str, session=None, timeout: float = 20.0):
        import requests

        self.account_id = account_id
        self.credentials = credentials
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.timeout = timeout

    @abstractmethod
    def iter_pages(self, *, cursor: dict) -> Iterator[Page]:
        """New items since ``cursor`` (empty on the first poll), page by page, streaming."""

    @abstractmethod
    def fetch_thread(self, *, platform_id: str) -> list[NormalizedItem]:
        """The thread an item belongs to: the root post first, then the item's ancestors."""

    @abstractmethod
    def reply(self, *, parent_platform_id: str, text: str) -> str:
        """Post a reply as the channel; returns the new item's platform id."""

    @abstractmethod
    def hide(self, *, platform_id: str) -> None: ...

    @abstractmethod
    def unhide(self, *, platform_id: str) -> None: ...

    @abstractmethod
    def delete(self, *, platform_id: str) -> None: ...

    def block(self, *, account_platform_id: str) -> str:
        """Block an account from the channel; returns the block's reference on the platform (needed to
        lift it where the platform keeps the block as a record), or ""."""
        raise Unsupported(f"{self.platform}: blocking an account is not offered through the API")

    def unblock(self, *, account_platform_id: str, block_ref: str = "") -> None:
        raise Unsupported(f"{self.platform}: blocking an account is not offered through the API")

    def reconcile(self, *, platform_ids: list[str]) -> Reconciliation:
        """Read these known items again, at most ``capabilities.reconcile_batch`` of them: the
        periodic check that notices a removal no list shows (a permanent delete on the platform)."""
        raise Unsupported(f"{self.platform}: no batch read of known items")

    def find_own_reply(self, *, parent_platform_id: str, text: str) -> str | None:
        """The platform id of a reply by this channel with exactly ``text`` under the parent, if one
        exists. The outbox asks this before re-posting a reply whose first attempt had an unknown
        outcome (a timeout, a worker killed mid-call), so a reply is never posted twice."""
        return None
