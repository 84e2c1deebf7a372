"""What the Facebook and Instagram connectors share: the Meta Graph API's errors, usage headers,
cursor paging and Messenger-style conversations."""

from __future__ import annotations

import json
from collections.abc import Iterator

import requests

from .base import (
    Author,
    AuthorizationExpired,
    ConnectorError,
    ItemKind,
    NormalizedItem,
    NotFound,
    PermanentError,
    RateLimited,
    TransientError,
)
from .http import (
    HttpConnector,
    MalformedResponse,
    as_str,
    obj,
    parse_dt,
    parse_entries,
    scrub_url,
    seg,
    text_of,
)

RATE_LIMIT_CODES = {4, 17, 32, 613, 80001, 80002}
AUTH_CODES = {190, 102}
# How long to wait when Graph says "throttled" without estimated_time_to_regain_access.
DEFAULT_GRAPH_WAIT = 600.0


def usage_wait(headers) -> float | None:
    """Seconds to wait according to Graph's usage headers, or None when there is room left.

    ``X-Business-Use-Case-Usage`` carries ``estimated_time_to_regain_access`` in minutes, which wins
    when given; ``X-App-Usage``, ``X-Page-Usage`` and the BUC percentages reach 100 at the limit,
    and then the wait is DEFAULT_GRAPH_WAIT.
    """
    regain = 0.0
    full = False
    raw = headers.get("X-Business-Use-Case-Usage")
    if raw:
        try:
            usage = json.loads(raw)
            for entries in usage.values() if isinstance(usage, dict) else []:
                for entry in entries if isinstance(entries, list) else []:
                    regain = max(regain, float(entry.get("estimated_time_to_regain_access") or 0) * 60)
                    full |= max(float(entry.get(k) or 0) for k in ("call_count", "total_cputime", "total_time")) >= 100
        except (ValueError, TypeError, AttributeError):
            pass
    for name in ("X-App-Usage", "X-Page-Usage", "X-Ad-Account-Usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
            full |= max(float(v) for v in usage.values() if isinstance(v, int | float)) >= 100
        except (ValueError, TypeError, AttributeError):
            continue
    if regain > 0:
        return regain
    return DEFAULT_GRAPH_WAIT if full else None


def parse_dm(entry: object, *, account_id: str, conversation_id: str) -> NormalizedItem | None:
    entry = obj(entry, "message")
    sender = obj(entry.get("from"), "from")
    sender_id = as_str(sender.get("id"), "from.id")
    if sender_id == account_id:
        return None  # the channel's own message
    return NormalizedItem(
        platform_id=as_str(entry["id"], "id"), kind=ItemKind.DM, text=text_of(entry.get("message")),
        author=Author(platform_id=sender_id, name=text_of(sender.get("name") or sender.get("username"))),
        created_at=parse_dt(entry["created_time"]), thread_platform_id=conversation_id, raw=entry,
    )


def parse_conversations_page(payload: object, *, account_id: str) -> tuple[list[NormalizedItem], list, list[str]]:
    """DMs from one page of ``/{id}/conversations``: (items, failures, update times of the conversations)."""
    if not isinstance(payload, dict):
        raise MalformedResponse("conversations: the answer is not an object")
    updated: list[str] = []

    def one(conv: object) -> list[NormalizedItem]:
        conv = obj(conv, "conversation")
        conv_id = as_str(conv["id"], "id")
        updated.append(text_of(conv.get("updated_time")))
        messages = obj(conv.get("messages") or {"data": []}, "messages").get("data")
        items, failures = parse_entries(messages, lambda m: parse_dm(m, account_id=account_id, conversation_id=conv_id))
        if failures:
            raise ValueError(f"conversation {conv_id}: {failures[0].reason}")
        return items

    items, failures = parse_entries(payload.get("data"), one)
    return items, failures, updated


class GraphConnector(HttpConnector):
    """Base of the Facebook and Instagram connectors."""

    default_retry_after = DEFAULT_GRAPH_WAIT
    conversations_platform = "messenger"

    def auth_headers(self) -> dict[str, str]:
        token = self.credentials.get("access_token", "")
        return {"Authorization": f"Bearer {token}"} if token else {}

    def observe(self, response: requests.Response) -> None:
        wait = usage_wait(response.headers)
        if wait:
            self.throttle(wait)

    def is_error_body(self, body: dict) -> bool:
        return isinstance(body.get("error"), dict)

    def map_error(self, response: requests.Response, body: object) -> ConnectorError | None:
        where = f"{self.platform} {response.request.method} {scrub_url(response.url)}"
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return None
        code = error.get("code")
        subcode = error.get("error_subcode")
        message = str(error.get("message", ""))[:200]
        if code in RATE_LIMIT_CODES:
            wait = usage_wait(response.headers) or self.throttled_for() or DEFAULT_GRAPH_WAIT
            self.throttle(wait)
            return RateLimited(f"{where}: Graph error {code} ({message})", retry_after=wait)
        if code in AUTH_CODES or (code == 200 and subcode in (458, 459, 460, 463, 464, 467)):
            return AuthorizationExpired(f"{where}: Graph error {code}/{subcode}: the token is no longer valid")
        if code == 100 and subcode == 33:
            return NotFound(f"{where}: the object does not exist")
        if code in (1, 2) or response.status_code >= 500 or error.get("is_transient"):
            return TransientError(f"{where}: Graph error {code} ({message})")
        if response.status_code == 429:
            return None
        return PermanentError(f"{where}: Graph error {code}/{subcode} ({message})")

    def paginate(self, path: str, params: dict, *, max_pages: int = 1000) -> Iterator[dict]:
        """Pages of a Graph edge, following ``paging.cursors.after`` while ``paging.next`` exists."""
        params = dict(params)
        for _ in range(max_pages):
            payload = self.get(path, params)
            if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
                raise MalformedResponse(f"{self.platform}: {path.split('/')[-1]} page has no data list")
            yield payload
            paging = payload.get("paging") if isinstance(payload.get("paging"), dict) else {}
            cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
            if not paging.get("next") or not cursors.get("after"):
                return
            params["after"] = cursors["after"]

    def iter_dms(self, watermark, *, since_floor) -> Iterator[tuple[list, list]]:
        """New DMs page by page: stops at conversations not updated since the watermark's window."""
        fields = "id,updated_time,messages.limit(25){id,message,from,created_time}"
        params = {"platform": self.conversations_platform, "fields": fields, "limit": min(self.page_size, 25)}
        for payload in self.paginate(f"{seg(self.account_id)}/conversations", params):
            items, failures, updated = parse_conversations_page(payload, account_id=self.account_id)
            new = [i for i in items if watermark.is_new(i)]
            yield new, failures
            stale = []
            for value in updated:
                try:
                    stale.append(since_floor is not None and parse_dt(value) < since_floor)
                except ValueError:
                    stale.append(False)
            if stale and all(stale):
                return

    def dm_sender(self, message_id: str) -> str:
        body = self.get(seg(message_id), {"fields": "id,from,message"})
        try:
            return as_str(obj(obj(body, "message").get("from"), "from").get("id"), "from.id")
        except ValueError as exc:
            raise MalformedResponse(f"{self.platform}: message without sender") from exc

    def send_dm(self, *, parent_message_id: str, text: str) -> str:
        recipient = self.dm_sender(parent_message_id)
        body, _ = self.request("POST", f"{seg(self.account_id)}/messages", json={
            "recipient": {"id": recipient}, "messaging_type": "RESPONSE", "message": {"text": text}})
        try:
            return as_str(obj(body, "answer").get("message_id"), "message_id")
        except ValueError as exc:
            raise MalformedResponse(f"{self.platform}: send answer without message_id") from exc

    def find_own_dm(self, *, parent_message_id: str, text: str) -> str | None:
        recipient = self.dm_sender(parent_message_id)
        params = {"platform": self.conversations_platform, "user_id": recipient,
                  "fields": "id,messages.limit(50){id,message,from,created_time}"}
        for payload in self.paginate(f"{seg(self.account_id)}/conversations", params, max_pages=5):
            for conv in payload["data"]:
                messages = (conv.get("messages") or {}).get("data") if isinstance(conv, dict) else None
                for message in messages if isinstance(messages, list) else []:
                    if not isinstance(message, dict):
                        continue
                    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
                    if str(sender.get("id")) == self.account_id and message.get("message") == text:
                        return str(message.get("id"))
        return None

    def fetch_dm_thread(self, object_id: str) -> list[NormalizedItem]:
        """A conversation (its messages, oldest first) or a single message, by id."""
        try:
            body = self.get(seg(object_id), {"fields": "id,updated_time,messages.limit(50){id,message,from,created_time}"})
        except PermanentError:  # a message node has no "messages" field
            body = self.get(seg(object_id), {"fields": "id,message,from,created_time"})
        if not isinstance(body, dict):
            raise MalformedResponse(f"{self.platform}: object answer is not an object")
        try:
            if isinstance(body.get("messages"), dict):
                conv_id = as_str(body["id"], "id")
                items, failures = parse_entries(body["messages"].get("data"),
                                                lambda m: parse_dm(m, account_id="", conversation_id=conv_id))
                if failures:
                    raise ValueError(failures[0].reason)
                return sorted(items, key=lambda i: i.created_at)
            item = parse_dm(body, account_id="", conversation_id="")
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedResponse(f"{self.platform}: conversation could not be read ({exc})") from None
        return [item] if item else []

    # Graph comment actions differ between Facebook and Instagram only in these names.
    #: The form field that hides a comment (Facebook "is_hidden", Instagram "hide").
    hide_field = ""
    #: The edge a reply to a comment is posted to (Facebook "comments", Instagram "replies").
    reply_edge = ""
    #: How a direct message's id starts: a reply to it is sent as a message, not a comment.
    dm_prefix = ""

    def _get_object(self, object_id: str, fields: str) -> dict:
        body = self.get(seg(object_id), {"fields": fields})
        if not isinstance(body, dict):
            raise MalformedResponse(f"{self.platform}: object answer is not an object")
        return body

    def reply(self, *, parent_platform_id: str, text: str) -> str:
        if parent_platform_id.startswith(self.dm_prefix):
            return self.send_dm(parent_message_id=parent_platform_id, text=text)
        body, _ = self.request("POST", f"{seg(parent_platform_id)}/{self.reply_edge}", data={"message": text})
        try:
            return as_str(obj(body, "answer").get("id"), "id")
        except ValueError as exc:
            raise MalformedResponse(f"{self.platform}: reply answer without id") from exc

    def hide(self, *, platform_id: str) -> None:
        body, _ = self.request("POST", seg(platform_id), data={self.hide_field: "true"})
        self.success(body, "hide")

    def unhide(self, *, platform_id: str) -> None:
        body, _ = self.request("POST", seg(platform_id), data={self.hide_field: "false"})
        self.success(body, "unhide")

    def delete(self, *, platform_id: str) -> None:
        body, _ = self.request("DELETE", seg(platform_id))
        self.success(body, "delete")

    def success(self, body: object, action: str) -> None:
        if isinstance(body, dict) and body.get("success") in (True, "true"):
            return
        raise MalformedResponse(f"{self.platform}: {action} did not report success")
