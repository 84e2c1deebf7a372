"""Mastodon through its REST API (``https://<instance>/api/v1``), with a Bearer token.

Reads: ``GET /api/v1/notifications?types[]=mention&types[]=update&min_id=…`` (every reply, mention
and direct message to the account is a mention; a status with ``visibility: direct`` is a DM), paging
upwards from the stored ``min_id``; thread context from ``/api/v1/statuses/:id/context``. An edit of a
status arrives as an ``update`` notification with a new id, carrying the status as it is now (its new
text and ``edited_at``): it is reported again under the same id, so the store adds a version.
Mastodon sends ``update`` only to accounts that boosted the status, so each poll also reads the newest
``edit_recheck`` (default 40) mention notifications again: the status inside is rendered as it is now,
and one whose text or ``edited_at`` changed since the last poll is reported again.
Actions: reply (``POST /api/v1/statuses`` with ``in_reply_to_id`` and an ``Idempotency-Key``).
An ordinary account cannot hide or delete other people's statuses: the API only lets it block or
mute the author (``/api/v1/accounts/:id/block|mute``) or report to the instance's moderators
(``POST /api/v1/reports``); hiding and deleting others' posts belong to the admin API of the
instance the author is on. The account's own statuses can be deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

import requests

from .base import (
    Attachment,
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
    html_to_text,
    obj,
    parse_dt,
    parse_entries,
    retry_after_seconds,
    scrub_url,
    seg,
    text_of,
)

LIMITATIONS = ("Mastodon: ett vanligt konto kan inte dölja eller radera andras inlägg eller svar. Det går bara att "
               "blockera eller tysta avsändaren, eller anmäla inlägget till instansens moderatorer. Kontots egna "
               "inlägg kan raderas.")


# ``mention``: a new status to the account; ``update``: a status the account boosted was edited (the
# notification carries the status as edited, with ``edited_at``).
NOTIFICATION_TYPES = ("mention", "update")
# The newest mention notifications read again on each poll to see edits (cursor setting ``edit_recheck``).
EDIT_RECHECK = 40


def reset_seconds(value: str | None) -> float | None:
    """Seconds until ``X-RateLimit-Reset`` (an ISO 8601 time on Mastodon)."""
    if not value:
        return None
    try:
        return max(1.0, (parse_dt(value) - dt.datetime.now(dt.UTC)).total_seconds())
    except ValueError:
        return None


def parse_status(status: object, *, me: str) -> NormalizedItem:
    status = obj(status, "status")
    status_id = as_str(status["id"], "id")
    account = obj(status["account"], "account")
    reply_to = status.get("in_reply_to_id")
    reply_to = as_str(reply_to, "in_reply_to_id") if reply_to is not None else None
    reply_to_account = status.get("in_reply_to_account_id")
    visibility = status.get("visibility", "public")
    if visibility == "direct":
        kind = ItemKind.DM
    elif account.get("id") is not None and str(account.get("id")) == me:
        kind = ItemKind.POST
    elif reply_to is None:
        kind = ItemKind.VISITOR_POST
    elif reply_to_account is not None and str(reply_to_account) == me:
        kind = ItemKind.COMMENT
    else:
        kind = ItemKind.REPLY
    edited = status.get("edited_at")
    attachments = []
    for media in status.get("media_attachments") or []:
        media = obj(media, "media_attachment")
        if isinstance(media.get("url"), str):
            attachments.append(Attachment(url=media["url"], media_type=text_of(media.get("type"), "type"),
                                          platform_id=str(media.get("id", ""))))
    text = html_to_text(status.get("content"))
    spoiler = text_of(status.get("spoiler_text"), "spoiler_text")
    return NormalizedItem(
        platform_id=status_id, kind=kind, text=f"{spoiler}\n\n{text}".strip() if spoiler else text,
        author=Author(platform_id=as_str(account["id"], "account.id"),
                      name=text_of(account.get("display_name") or account.get("acct"), "display_name"),
                      profile_url=text_of(account.get("url"), "account.url")),
        created_at=parse_dt(status["created_at"]), edited_at=parse_dt(edited) if edited else None,
        parent_platform_id=reply_to, thread_platform_id=status_id if reply_to is None else None,
        permalink=text_of(status.get("url") or status.get("uri"), "url"), attachments=tuple(attachments), raw=status,
    )


def parse_notifications_page(payload: object, *, me: str) -> tuple[list[NormalizedItem], list[ParseFailure]]:
    if not isinstance(payload, list):
        raise MalformedResponse("notifications: the answer is not a list")

    def one(entry: object) -> NormalizedItem | None:
        entry = obj(entry, "notification")
        as_str(entry["id"], "id")
        if entry.get("type") not in NOTIFICATION_TYPES:
            return None
        return parse_status(entry["status"], me=me)

    return parse_entries(payload, one)


def notification_ids(payload: list) -> list[int]:
    ids = []
    for entry in payload:
        try:
            ids.append(int(entry["id"]))
        except (KeyError, TypeError, ValueError):
            continue
    return ids


class MastodonConnector(HttpConnector):
    platform = "mastodon"
    capabilities = Capabilities(can_reply=True, can_hide=False, can_unhide=False, can_delete=False, has_dms=True,
                                can_block=True,
                                limitations=LIMITATIONS)
    default_retry_after = 300.0

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._me: dict | None = None

    def auth_headers(self) -> dict[str, str]:
        token = self.credentials.get("access_token", "")
        return {"Authorization": f"Bearer {token}"} if token else {}

    def observe(self, response: requests.Response) -> None:
        if response.headers.get("X-RateLimit-Remaining") == "0":
            self.throttle(reset_seconds(response.headers.get("X-RateLimit-Reset")) or self.default_retry_after)

    def map_error(self, response: requests.Response, body: object) -> ConnectorError | None:
        where = f"mastodon {response.request.method} {scrub_url(response.url)}"
        status = response.status_code
        if status == 429:
            wait = (reset_seconds(response.headers.get("X-RateLimit-Reset"))
                    or retry_after_seconds(response.headers.get("Retry-After"), default=self.default_retry_after))
            self.throttle(wait)
            return RateLimited(f"{where}: 429", retry_after=wait)
        if status == 401:
            return AuthorizationExpired(f"{where}: 401, the token is invalid or revoked")
        if status in (404, 410):
            return NotFound(f"{where}: {status}")
        if status >= 500:
            return TransientError(f"{where}: {status}")
        message = body.get("error") if isinstance(body, dict) else ""
        return PermanentError(f"{where}: {status} {str(message)[:120]}".strip())

    def me(self) -> dict:
        if self._me is None:
            body = self.get("api/v1/accounts/verify_credentials")
            try:
                body = obj(body, "account")
                self._me = {"id": as_str(body["id"], "id"), "acct": text_of(body.get("acct"), "acct")}
            except (KeyError, ValueError) as exc:
                raise MalformedResponse("mastodon: verify_credentials without id") from exc
        return self._me

    def iter_pages(self, *, cursor: dict) -> Iterator[Page]:
        cursor = cursor if isinstance(cursor, dict) else {}
        me = self.me()["id"]
        min_id = str(cursor.get("min_id") or "0")
        reported: set[str] = set()
        for _ in range(10_000):
            payload = self.get("api/v1/notifications", {"types[]": list(NOTIFICATION_TYPES), "min_id": min_id,
                                                        "limit": min(self.page_size, 40)})
            items, failures = parse_notifications_page(payload, me=me)
            ids = notification_ids(payload)
            if not ids:
                break
            min_id = str(max(ids))
            # A mention and an update of one status carry the status as it is now: report each state once.
            fresh = []
            for item in items:
                key = Watermark.key(item)
                if item.author.platform_id != me and key not in reported:
                    reported.add(key)
                    fresh.append(item)
            items = fresh
            yield Page(items=items, cursor={**cursor, "min_id": min_id}, failures=failures)
        cursor = {**cursor, "min_id": min_id}
        yield from self._recheck(cursor, me=me, reported=reported)
        self.check_throttle()

    def _recheck(self, cursor: dict, *, me: str, reported: set[str]) -> Iterator[Page]:
        """Edits of recent statuses to the account, read again from its newest mention notifications.

        Mastodon sends ``update`` notifications only to accounts that boosted the status; a mention
        notification, though, carries the status as it is now (text and ``edited_at``). So each poll
        reads the newest ``edit_recheck`` mentions again (one request; a cursor setting, default
        ``EDIT_RECHECK``, 0 turns it off) and reports a status whose state changed since the last
        poll again under the same id. Older statuses' edits are not seen.
        """
        count = cursor_int(cursor, "edit_recheck", EDIT_RECHECK, low=0, high=80)
        known = cursor.get("states") if isinstance(cursor.get("states"), dict) else {}
        states: dict[str, str] = {}
        items: list[NormalizedItem] = []
        if count:
            payload = self.get("api/v1/notifications", {"types[]": "mention", "limit": count})
            parsed, _ = parse_notifications_page(payload, me=me)  # broken entries were reported when new
            for item in parsed:
                if item.author.platform_id == me:
                    continue
                key = Watermark.key(item)
                digest = key.rpartition("#")[2]
                states[item.platform_id] = digest
                before = known.get(item.platform_id)
                if before is not None and before != digest and key not in reported:
                    reported.add(key)
                    items.append(item)
        yield Page(items=items, cursor={**cursor, "states": states})

    def _status(self, status_id: str) -> NormalizedItem:
        body = self.get(f"api/v1/statuses/{seg(status_id)}")
        try:
            return parse_status(body, me=self.me()["id"])
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedResponse(f"mastodon: status could not be read ({exc})") from None

    def fetch_thread(self, *, platform_id: str) -> list[NormalizedItem]:
        item = self._status(platform_id)
        body = self.get(f"api/v1/statuses/{seg(platform_id)}/context")
        if not isinstance(body, dict):
            raise MalformedResponse("mastodon: context is not an object")
        ancestors, failures = parse_entries(body.get("ancestors"), lambda s: parse_status(s, me=self.me()["id"]))
        if failures:
            raise MalformedResponse(f"mastodon: thread could not be read ({failures[0].reason})")
        return [*ancestors, item]

    def reply(self, *, parent_platform_id: str, text: str) -> str:
        parent = self._status(parent_platform_id)
        acct = parent.raw.get("account", {}).get("acct", "")
        status_text = text if not acct or text.startswith(f"@{acct}") or parent.author.platform_id == \
            self.me()["id"] else f"@{acct} {text}"
        visibility = "direct" if parent.kind == ItemKind.DM else "public"
        key = hashlib.sha256(f"{parent_platform_id}\n{text}".encode()).hexdigest()
        body, _ = self.request("POST", "api/v1/statuses", headers={"Idempotency-Key": key}, data={
            "status": status_text, "in_reply_to_id": parent_platform_id, "visibility": visibility, "language": "sv"})
        try:
            return as_str(obj(body, "status")["id"], "id")
        except (KeyError, ValueError) as exc:
            raise MalformedResponse("mastodon: reply answer without id") from exc

    def hide(self, *, platform_id: str) -> None:
        raise Unsupported(LIMITATIONS)

    def unhide(self, *, platform_id: str) -> None:
        raise Unsupported(LIMITATIONS)

    def delete(self, *, platform_id: str) -> None:
        status = self._status(platform_id)
        if status.author.platform_id != self.me()["id"]:
            raise Unsupported(LIMITATIONS)
        self.request("DELETE", f"api/v1/statuses/{seg(platform_id)}")

    def block(self, *, account_platform_id: str) -> str:
        """``POST /api/v1/accounts/:id/block`` (scope write:blocks); the answer is the Relationship."""
        body, _ = self.request("POST", f"api/v1/accounts/{seg(account_platform_id)}/block")
        if not isinstance(body, dict) or body.get("blocking") is not True:
            raise MalformedResponse("mastodon: block answer is not a blocking relationship")
        return ""

    def unblock(self, *, account_platform_id: str, block_ref: str = "") -> None:
        body, _ = self.request("POST", f"api/v1/accounts/{seg(account_platform_id)}/unblock")
        if not isinstance(body, dict) or body.get("blocking") is not False:
            raise MalformedResponse("mastodon: unblock answer still says blocking")

    def find_own_reply(self, *, parent_platform_id: str, text: str) -> str | None:
        body = self.get(f"api/v1/statuses/{seg(parent_platform_id)}/context")
        if not isinstance(body, dict):
            raise MalformedResponse("mastodon: context is not an object")
        me = self.me()["id"]
        descendants, _ = parse_entries(body.get("descendants"), lambda s: parse_status(s, me=me))
        for item in descendants:
            if item.author.platform_id == me and item.parent_platform_id == parent_platform_id and (
                    item.text == text or item.text.endswith(f" {text}")):
                return item.platform_id
        return None
