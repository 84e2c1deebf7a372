"""Bluesky (AT Protocol) through XRPC on the account's PDS.

Authentication: an app password exchanged for a session (``com.atproto.server.createSession``),
renewed once when the access token expires; or a ready ``access_jwt``. Credentials:
``{"identifier": handle or DID, "app_password": ...}`` (``username``/``password`` are accepted too).
The session is always opened for the channel's account: when the channel's account id is a DID it is
the ``identifier`` (``createSession`` accepts a handle or the DID), and a session for another DID is
refused, so a channel never reads another account's notifications.
Reads: ``app.bsky.notification.listNotifications`` (replies, mentions, quotes), newest first, until
the watermark; thread context from ``app.bsky.feed.getPostThread``. Direct messages through the chat
service, proxied by the PDS (header ``atproto-proxy: did:web:api.bsky.chat#bsky_chat``):
``chat.bsky.convo.listConvos`` (most recent activity first) and ``chat.bsky.convo.getMessages``
(newest first) until the DM watermark; a DM's platform id is ``chat/<convoId>/<messageId>`` and its
thread the convo id. A DM is answered with ``chat.bsky.convo.sendMessage`` in the same convo.
Actions: reply (``com.atproto.repo.createRecord`` of an ``app.bsky.feed.post`` with ``reply.root``
and ``reply.parent``); hide/unhide: the reply's URI goes into (or out of) ``hiddenReplies`` of the
thread's threadgate record (``app.bsky.feed.threadgate``, rkey = the root post's rkey), which only
the root post's author may write, at most 50 per thread; the reply stays on Bluesky, behind a
"hidden by the author" fold. Other people's posts cannot be deleted (``deleteRecord`` works only in
the account's own repository); the channel's own posts can.
"""

from __future__ import annotations

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
    Unsupported,
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

AUTH_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing", "AccountTakedown"}
NOT_FOUND_ERRORS = {"NotFound", "RecordNotFound", "RepoNotFound"}
MAX_HIDDEN = 50
LIMITATIONS = ("Bluesky: andras inlägg kan inte raderas. Att dölja ett svar lägger det bakom en "
               "\"dold av författaren\"-spärr i trådens threadgate; svaret finns kvar och går att öppna. Det går "
               "bara i trådar som kanalen själv startat, och högst 50 svar per tråd. Direktmeddelanden kräver ett "
               "applösenord med åtkomst till direktmeddelanden.")
CHAT_PROXY = {"atproto-proxy": "did:web:api.bsky.chat#bsky_chat"}
CHAT_PREFIX = "chat/"


def _rkey(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def _repo(uri: str) -> str:
    return uri.removeprefix("at://").split("/", 1)[0]


def _permalink(handle: str, uri: str) -> str:
    return f"https://bsky.app/profile/{handle or _repo(uri)}/post/{_rkey(uri)}"


def parse_post(post: object, *, me: str, hidden: frozenset = frozenset()) -> NormalizedItem:
    """A post view or notification (both carry uri, author, record, indexedAt)."""
    post = obj(post, "post")
    uri = as_str(post["uri"], "uri")
    if not uri.startswith("at://"):
        raise ValueError("uri is not an at:// URI")
    author = obj(post["author"], "author")
    did = as_str(author["did"], "author.did")
    handle = text_of(author.get("handle"), "author.handle")
    record = obj(post["record"], "record")
    reply = record.get("reply")
    parent = root = None
    if reply is not None:
        reply = obj(reply, "reply")
        parent = as_str(obj(reply["parent"], "reply.parent")["uri"], "reply.parent.uri")
        root = as_str(obj(reply["root"], "reply.root")["uri"], "reply.root.uri")
    if did == me:
        kind = ItemKind.POST if parent is None else ItemKind.REPLY
    elif parent is None:
        kind = ItemKind.VISITOR_POST
    elif parent == root:
        kind = ItemKind.COMMENT
    else:
        kind = ItemKind.REPLY
    created = record.get("createdAt") or post["indexedAt"]
    return NormalizedItem(
        platform_id=uri, kind=kind, text=text_of(record.get("text"), "record.text"),
        author=Author(platform_id=did, name=text_of(author.get("displayName") or handle, "displayName"),
                      profile_url=f"https://bsky.app/profile/{handle or did}"),
        created_at=parse_dt(created), parent_platform_id=parent, thread_platform_id=root or uri,
        visibility=Visibility.HIDDEN if uri in hidden else Visibility.VISIBLE, permalink=_permalink(handle, uri),
        raw=post,
    )


def parse_notifications_page(payload: object, *, me: str) -> tuple[list[NormalizedItem], list[ParseFailure]]:
    if not isinstance(payload, dict):
        raise MalformedResponse("listNotifications: the answer is not an object")

    def one(entry: object) -> NormalizedItem | None:
        entry = obj(entry, "notification")
        if entry.get("reason") not in ("reply", "mention", "quote"):
            return None
        return parse_post(entry, me=me)

    return parse_entries(payload.get("notifications"), one)


def dm_id(convo_id: str, message_id: str) -> str:
    return f"{CHAT_PREFIX}{convo_id}/{message_id}"


def split_dm_id(platform_id: str) -> tuple[str, str]:
    """(convo id, message id) of a DM's platform id; a bare ``chat/<convoId>`` names the convo."""
    rest = platform_id.removeprefix(CHAT_PREFIX)
    convo_id, _, message_id = rest.partition("/")
    if not convo_id:
        raise ValueError("not a Bluesky DM id")
    return convo_id, message_id


def _members(convo: dict) -> dict[str, dict]:
    members = convo.get("members") if isinstance(convo.get("members"), list) else []
    return {m["did"]: m for m in members if isinstance(m, dict) and isinstance(m.get("did"), str)}


def parse_message(message: object, *, convo_id: str, members: dict[str, dict]) -> NormalizedItem | None:
    """A ``chat.bsky.convo.defs#messageView``; a deleted message (no text) is skipped."""
    message = obj(message, "message")
    if message.get("$type") == "chat.bsky.convo.defs#deletedMessageView" or "text" not in message:
        return None
    message_id = as_str(message["id"], "id")
    did = as_str(obj(message["sender"], "sender")["did"], "sender.did")
    member = members.get(did, {})
    handle = text_of(member.get("handle"), "handle")
    return NormalizedItem(
        platform_id=dm_id(convo_id, message_id), kind=ItemKind.DM, text=text_of(message["text"], "text"),
        author=Author(platform_id=did, name=text_of(member.get("displayName") or handle or did, "displayName"),
                      profile_url=f"https://bsky.app/profile/{handle or did}"),
        created_at=parse_dt(message["sentAt"]), thread_platform_id=convo_id, raw=message,
    )


def parse_messages_page(payload: object, *, convo_id: str, members: dict[str, dict]
                        ) -> tuple[list[NormalizedItem], list[ParseFailure]]:
    if not isinstance(payload, dict):
        raise MalformedResponse("getMessages: the answer is not an object")
    return parse_entries(payload.get("messages"),
                         lambda entry: parse_message(entry, convo_id=convo_id, members=members))


def parse_thread(payload: object, *, me: str) -> list[NormalizedItem]:
    """The chain from the thread's root to the requested post, oldest first."""
    payload = obj(payload, "thread answer")
    gate = payload.get("threadgate") if isinstance(payload.get("threadgate"), dict) else {}
    record = gate.get("record") if isinstance(gate.get("record"), dict) else {}
    hidden = frozenset(u for u in record.get("hiddenReplies") or [] if isinstance(u, str))
    chain = []
    node = obj(payload["thread"], "thread")
    for _ in range(1000):
        if node.get("notFound") or "post" not in node:
            break
        chain.append(parse_post(node["post"], me=me, hidden=hidden))
        parent = node.get("parent")
        if not isinstance(parent, dict):
            break
        node = parent
    return list(reversed(chain))


class BlueskyConnector(HttpConnector):
    platform = "bluesky"
    capabilities = Capabilities(can_reply=True, can_hide=True, can_unhide=True, can_delete=False, has_dms=True,
                                can_block=True,
                                limitations=LIMITATIONS)
    default_retry_after = 300.0

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._access = self.credentials.get("access_jwt") or ""
        self._did = self.account_id if self.account_id.startswith("did:") else ""
        self._renewed = False

    # session -----------------------------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._access}"} if self._access else {}

    def _create_session(self) -> None:
        # The channel's DID names the account to sign in to; a handle in the credentials could belong
        # to another account (a renamed handle, a copied password), whose notifications would then be
        # stored under this channel while the channel's own were never read.
        if self.account_id.startswith("did:"):
            identifier = self.account_id
        else:
            identifier = self.credentials.get("identifier") or self.credentials.get("username") or self.account_id
        password = self.credentials.get("app_password") or self.credentials.get("password")
        if not password:
            raise AuthorizationExpired("bluesky: no app password to create a session with")
        self._access = ""
        body, _ = super().request("POST", "com.atproto.server.createSession",
                                  json={"identifier": identifier, "password": password})
        try:
            body = obj(body, "session")
            self._access = as_str(body["accessJwt"], "accessJwt")
            did = as_str(body["did"], "did")
        except (KeyError, ValueError) as exc:
            raise MalformedResponse("bluesky: session answer without accessJwt/did") from exc
        if self.account_id.startswith("did:") and did != self.account_id:
            self._access = ""
            raise AuthorizationExpired(f"bluesky: the app password opens {did}, not the channel's account "
                                       f"{self.account_id}")
        self._did = did

    def request(self, method, path, **kwargs):
        if not self._access:
            self._create_session()
        try:
            return super().request(method, path, **kwargs)
        except AuthorizationExpired:
            if self._renewed or not (self.credentials.get("app_password") or self.credentials.get("password")):
                raise
            self._renewed = True
            self._create_session()
            return super().request(method, path, **kwargs)

    @property
    def did(self) -> str:
        if not self._did:
            self._create_session()
        return self._did

    # errors ------------------------------------------------------------------------------------
    def observe(self, response: requests.Response) -> None:
        if response.headers.get("ratelimit-remaining") == "0":
            self.throttle(self._reset(response) or self.default_retry_after)

    @staticmethod
    def _reset(response: requests.Response) -> float | None:
        try:
            reset = float(response.headers.get("ratelimit-reset", ""))
        except ValueError:
            return None
        return max(1.0, reset - dt.datetime.now(dt.UTC).timestamp())

    def map_error(self, response: requests.Response, body: object) -> ConnectorError | None:
        where = f"bluesky {response.request.method} {scrub_url(response.url)}"
        error = body.get("error") if isinstance(body, dict) else None
        status = response.status_code
        if status == 429 or error == "RateLimitExceeded":
            wait = self._reset(response) or retry_after_seconds(response.headers.get("Retry-After"),
                                                                default=self.default_retry_after)
            self.throttle(wait)
            return RateLimited(f"{where}: rate limited", retry_after=wait)
        if status == 401 or error in AUTH_ERRORS:
            return AuthorizationExpired(f"{where}: {error or status}")
        if status == 404 or error in NOT_FOUND_ERRORS:
            return NotFound(f"{where}: {error or status}")
        if status >= 500:
            return TransientError(f"{where}: {status}")
        return PermanentError(f"{where}: {status} {error or ''}".strip())

    # reading -----------------------------------------------------------------------------------
    def iter_pages(self, *, cursor: dict) -> Iterator[Page]:
        cursor = cursor if isinstance(cursor, dict) else {}
        wm = Watermark.load(cursor.get("notifications"))
        now = dt.datetime.now(dt.UTC)
        me = self.did
        params: dict = {"limit": self.page_size}
        for _ in range(10_000):
            payload = self.get("app.bsky.notification.listNotifications", params)
            items, failures = parse_notifications_page(payload, me=me)
            fresh = [i for i in items if i.author.platform_id != me and wm.is_new(i)]
            yield Page(items=fresh, cursor=cursor, failures=failures)
            for item in fresh:
                wm.add(item)
            seen_times = []
            for entry in payload.get("notifications") or []:
                try:
                    seen_times.append(parse_dt(entry["indexedAt"]))
                except (KeyError, TypeError, ValueError):
                    continue
            next_cursor = payload.get("cursor")
            if not isinstance(next_cursor, str) or not next_cursor or not payload.get("notifications"):
                break
            if wm.query_from and seen_times and max(seen_times) < wm.query_from:
                break
            params = {**params, "cursor": next_cursor}
        wm.start_at(now)
        dms_wm = Watermark.load(cursor.get("dms"))
        for fresh, failures in self.iter_dms(dms_wm):
            yield Page(items=fresh, cursor=cursor, failures=failures)
            for item in fresh:
                dms_wm.add(item)
        yield Page(items=[], cursor={**cursor, "notifications": wm.dump(), "dms": dms_wm.dump()})
        self.check_throttle()

    # direct messages ---------------------------------------------------------------------------
    def chat_get(self, path: str, params: dict) -> dict:
        body = self.get(path, params, headers=CHAT_PROXY)
        if not isinstance(body, dict):
            raise MalformedResponse(f"bluesky: {path} answer is not an object")
        return body

    def iter_convos(self, *, query_from: dt.datetime | None) -> Iterator[dict]:
        """Convos with activity since ``query_from``, most recent first (the order of listConvos)."""
        params: dict = {"limit": min(self.page_size, 100)}
        for _ in range(10_000):
            payload = self.chat_get("chat.bsky.convo.listConvos", params)
            convos = payload.get("convos")
            if not isinstance(convos, list):
                raise MalformedResponse("bluesky: listConvos answer has no convos list")
            for convo in convos:
                if not isinstance(convo, dict) or not isinstance(convo.get("id"), str):
                    continue
                last = convo.get("lastMessage") if isinstance(convo.get("lastMessage"), dict) else {}
                try:
                    last_at = parse_dt(last["sentAt"]) if last.get("sentAt") else None
                except ValueError:
                    last_at = None
                if query_from is not None and last_at is not None and last_at < query_from:
                    return  # every later convo is quieter still
                yield convo
            next_cursor = payload.get("cursor")
            if not isinstance(next_cursor, str) or not next_cursor or not convos:
                return
            params = {**params, "cursor": next_cursor}

    def iter_dms(self, wm: Watermark) -> Iterator[tuple[list[NormalizedItem], list[ParseFailure]]]:
        me = self.did
        for convo in self.iter_convos(query_from=wm.query_from):
            convo_id, members = convo["id"], _members(convo)
            params: dict = {"convoId": convo_id, "limit": min(self.page_size, 100)}
            for _ in range(10_000):
                payload = self.chat_get("chat.bsky.convo.getMessages", params)
                items, failures = parse_messages_page(payload, convo_id=convo_id, members=members)
                yield [i for i in items if i.author.platform_id != me and wm.is_new(i)], failures
                next_cursor = payload.get("cursor")
                if not isinstance(next_cursor, str) or not next_cursor or not items:
                    break
                if wm.query_from and min(i.created_at for i in items) < wm.query_from:
                    break
                params = {**params, "cursor": next_cursor}

    def fetch_thread(self, *, platform_id: str) -> list[NormalizedItem]:
        if platform_id.startswith(CHAT_PREFIX):
            return self.fetch_dm_thread(platform_id)
        body = self.get("app.bsky.feed.getPostThread", {"uri": platform_id, "depth": 0, "parentHeight": 100})
        try:
            return parse_thread(body, me=self.did)
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedResponse(f"bluesky: thread could not be read ({exc})") from None

    def _convo(self, convo_id: str) -> dict:
        body = self.chat_get("chat.bsky.convo.getConvo", {"convoId": convo_id})
        convo = body.get("convo")
        if not isinstance(convo, dict):
            raise MalformedResponse("bluesky: getConvo answer has no convo")
        return convo

    def fetch_dm_thread(self, platform_id: str) -> list[NormalizedItem]:
        """The convo's latest messages up to the given one, oldest first (at most one page)."""
        try:
            convo_id, message_id = split_dm_id(platform_id)
        except ValueError as exc:
            raise NotFound(f"bluesky: {exc}") from None
        members = _members(self._convo(convo_id))
        payload = self.chat_get("chat.bsky.convo.getMessages", {"convoId": convo_id, "limit": 50})
        items, _failures = parse_messages_page(payload, convo_id=convo_id, members=members)
        wanted = dm_id(convo_id, message_id)
        ids = [i.platform_id for i in items]
        if message_id and wanted in ids:
            items = items[ids.index(wanted):]
        return list(reversed(items))

    def send_dm(self, *, convo_id: str, text: str) -> str:
        body, _ = self.request("POST", "chat.bsky.convo.sendMessage", headers=CHAT_PROXY,
                               json={"convoId": convo_id, "message": {"text": text}})
        try:
            return dm_id(convo_id, as_str(obj(body, "answer")["id"], "id"))
        except (KeyError, ValueError) as exc:
            raise MalformedResponse("bluesky: sendMessage answer without id") from exc

    def find_own_dm(self, *, convo_id: str, after_message_id: str, text: str) -> str | None:
        """Our message with exactly ``text`` sent after the given message (newest first, a few pages)."""
        params: dict = {"convoId": convo_id, "limit": 100}
        me = self.did
        for _ in range(5):
            payload = self.chat_get("chat.bsky.convo.getMessages", params)
            messages = payload.get("messages")
            if not isinstance(messages, list):
                raise MalformedResponse("bluesky: getMessages answer has no messages list")
            for message in messages:
                if not isinstance(message, dict):
                    continue
                if after_message_id and message.get("id") == after_message_id:
                    return None
                sender = message.get("sender") if isinstance(message.get("sender"), dict) else {}
                if sender.get("did") == me and message.get("text") == text and isinstance(message.get("id"), str):
                    return dm_id(convo_id, message["id"])
            next_cursor = payload.get("cursor")
            if not isinstance(next_cursor, str) or not next_cursor or not messages:
                return None
            params = {**params, "cursor": next_cursor}
        return None

    def _post(self, uri: str) -> dict:
        body = self.get("app.bsky.feed.getPosts", {"uris": uri})
        posts = body.get("posts") if isinstance(body, dict) else None
        if not isinstance(posts, list):
            raise MalformedResponse("bluesky: getPosts answer has no posts list")
        if not posts or not isinstance(posts[0], dict):
            raise NotFound(f"bluesky: post {uri} not found")
        return posts[0]

    # actions -------------------------------------------------------------------------------
    def _root_of(self, post: dict) -> dict:
        record = post.get("record") if isinstance(post.get("record"), dict) else {}
        reply = record.get("reply") if isinstance(record.get("reply"), dict) else None
        if reply and isinstance(reply.get("root"), dict):
            return {"uri": reply["root"].get("uri"), "cid": reply["root"].get("cid")}
        return {"uri": post.get("uri"), "cid": post.get("cid")}

    def reply(self, *, parent_platform_id: str, text: str) -> str:
        if parent_platform_id.startswith(CHAT_PREFIX):
            try:
                convo_id, _message_id = split_dm_id(parent_platform_id)
            except ValueError as exc:
                raise NotFound(f"bluesky: {exc}") from None
            return self.send_dm(convo_id=convo_id, text=text)
        parent = self._post(parent_platform_id)
        record = {"$type": "app.bsky.feed.post", "text": text, "langs": ["sv"],
                  "createdAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
                  "reply": {"root": self._root_of(parent), "parent": {"uri": parent.get("uri"), "cid": parent.get("cid")}}}
        body, _ = self.request("POST", "com.atproto.repo.createRecord",
                               json={"repo": self.did, "collection": "app.bsky.feed.post", "record": record})
        try:
            return as_str(obj(body, "answer")["uri"], "uri")
        except (KeyError, ValueError) as exc:
            raise MalformedResponse("bluesky: createRecord answer without uri") from exc

    def _threadgate(self, platform_id: str) -> tuple[str, dict]:
        root_uri = self._root_of(self._post(platform_id)).get("uri") or ""
        if _repo(root_uri) != self.did:
            raise Unsupported("Bluesky: svar kan bara döljas i trådar som kanalen själv startat.")
        try:
            body = self.get("com.atproto.repo.getRecord", {"repo": self.did, "collection": "app.bsky.feed.threadgate",
                                                           "rkey": _rkey(root_uri)})
            record = dict(obj(obj(body, "record")["value"], "value"))
        except NotFound:
            record = {"$type": "app.bsky.feed.threadgate", "post": root_uri,
                      "createdAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")}
        except (KeyError, ValueError) as exc:
            raise MalformedResponse("bluesky: threadgate record could not be read") from exc
        return root_uri, record

    def _put_threadgate(self, root_uri: str, record: dict) -> None:
        self.request("POST", "com.atproto.repo.putRecord", json={
            "repo": self.did, "collection": "app.bsky.feed.threadgate", "rkey": _rkey(root_uri), "record": record})

    def hide(self, *, platform_id: str) -> None:
        root_uri, record = self._threadgate(platform_id)
        hidden = [u for u in record.get("hiddenReplies") or [] if isinstance(u, str)]
        if platform_id in hidden:
            return
        if len(hidden) >= MAX_HIDDEN:
            raise PermanentError("Bluesky: högst 50 svar per tråd kan döljas.")
        record["hiddenReplies"] = [*hidden, platform_id]
        self._put_threadgate(root_uri, record)

    def unhide(self, *, platform_id: str) -> None:
        root_uri, record = self._threadgate(platform_id)
        hidden = [u for u in record.get("hiddenReplies") or [] if isinstance(u, str)]
        if platform_id not in hidden:
            return
        record["hiddenReplies"] = [u for u in hidden if u != platform_id]
        self._put_threadgate(root_uri, record)

    def delete(self, *, platform_id: str) -> None:
        if _repo(platform_id) != self.did:
            raise Unsupported(LIMITATIONS)
        self.request("POST", "com.atproto.repo.deleteRecord", json={
            "repo": self.did, "collection": "app.bsky.feed.post", "rkey": _rkey(platform_id)})

    def block(self, *, account_platform_id: str) -> str:
        """An ``app.bsky.graph.block`` record (``subject``: the blocked DID) in the channel's repo; its
        at-uri is the reference that lifts it."""
        if not account_platform_id.startswith("did:"):
            raise PermanentError("Bluesky: bara ett konto med ett DID kan blockeras.")
        record = {"$type": "app.bsky.graph.block", "subject": account_platform_id,
                  "createdAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")}
        body, _ = self.request("POST", "com.atproto.repo.createRecord",
                               json={"repo": self.did, "collection": "app.bsky.graph.block", "record": record})
        try:
            return as_str(obj(body, "answer")["uri"], "uri")
        except (KeyError, ValueError) as exc:
            raise MalformedResponse("bluesky: createRecord answer without uri") from exc

    def unblock(self, *, account_platform_id: str, block_ref: str = "") -> None:
        if not block_ref or _repo(block_ref) != self.did:
            raise PermanentError("Bluesky: blockeringens post saknas; häv den i appen.")
        self.request("POST", "com.atproto.repo.deleteRecord", json={
            "repo": self.did, "collection": "app.bsky.graph.block", "rkey": _rkey(block_ref)})

    def find_own_reply(self, *, parent_platform_id: str, text: str) -> str | None:
        if parent_platform_id.startswith(CHAT_PREFIX):
            try:
                convo_id, message_id = split_dm_id(parent_platform_id)
            except ValueError:
                return None
            return self.find_own_dm(convo_id=convo_id, after_message_id=message_id, text=text)
        body = self.get("app.bsky.feed.getPostThread", {"uri": parent_platform_id, "depth": 1, "parentHeight": 0})
        thread = body.get("thread") if isinstance(body, dict) else None
        replies = thread.get("replies") if isinstance(thread, dict) else None
        for node in replies if isinstance(replies, list) else []:
            post = node.get("post") if isinstance(node, dict) else None
            if not isinstance(post, dict):
                continue
            author = post.get("author") if isinstance(post.get("author"), dict) else {}
            record = post.get("record") if isinstance(post.get("record"), dict) else {}
            if author.get("did") == self.did and record.get("text") == text:
                return str(post.get("uri"))
        return None
