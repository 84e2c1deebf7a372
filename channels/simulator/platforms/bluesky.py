"""Bluesky XRPC: createSession, listNotifications, getPostThread, getPosts, and repo writes.

Hiding a reply is a threadgate record (``app.bsky.feed.threadgate``, rkey = the root post's rkey)
whose ``hiddenReplies`` lists the hidden replies; only the root post's author can write it. Other
people's posts cannot be deleted: ``deleteRecord`` works only in the account's own repo.
Every answer carries ``ratelimit-limit/remaining/reset`` (reset in epoch seconds) and ``ratelimit-policy``.

Direct messages (the account's ``dm`` items; a convo per correspondent) through the chat service as
the PDS proxies it: ``chat.bsky.convo.listConvos``, ``getConvo``, ``getMessages`` and ``sendMessage``
answer only with the header ``atproto-proxy: did:web:api.bsky.chat#bsky_chat``. A message's id is the
rkey (a TID) of the simulator item, a convo's id the item's ``conversation_id``.
"""

from __future__ import annotations

import base64
import time

from ..messages import Response
from ..world import _digest
from .common import decode_cursor, encode_cursor, int_arg, z_time


def _error(status: int, error: str, message: str, headers: dict | None = None) -> Response:
    return Response(status, {"error": error, "message": message}, headers or {})


def server_error(status: int = 502) -> Response:
    return _error(status, "InternalServerError", "Internal Server Error")


def auth_error() -> Response:
    return _error(400, "ExpiredToken", "Token has expired")


def _headers(remaining: int = 2999, reset_in: float = 300) -> dict:
    return {"ratelimit-limit": "3000", "ratelimit-remaining": str(remaining),
            "ratelimit-reset": str(int(time.time() + reset_in)), "ratelimit-policy": "3000;w=300"}


def rate_limited(fault: dict) -> Response:
    retry_after = float(fault.get("retry_after", 300))
    headers = _headers(0, retry_after)
    if fault.get("variant") == "remaining_zero":
        return Response(200, None, headers)
    return _error(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)


def _token_for(did: str) -> str:
    return "simjwt." + base64.urlsafe_b64encode(did.encode()).decode()


def _did_from_token(token: str) -> str:
    if token.startswith("simjwt."):
        try:
            return base64.urlsafe_b64decode(token[7:].encode()).decode()
        except ValueError:
            pass
    if token.startswith("did:"):
        return token
    return "did:plc:" + _digest("bsky-token", token, length=24).lower()


def _rkey(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _author(account, item) -> dict:
    handle = "ludvika.kommun.se" if item.own else f"{item.author_handle}.bsky.social"
    return {"did": item.author_id, "handle": handle, "displayName": item.author_name,
            "avatar": "https://cdn.bsky.app/img/avatar/sim", "labels": []}


def _record(account, item) -> dict:
    record = {"$type": "app.bsky.feed.post", "text": item.text, "createdAt": z_time(item.created), "langs": ["sv"]}
    if item.kind in ("comment", "reply"):
        root = account.by_id[item.post_id]
        parent = account.by_id[item.parent_id]
        record["reply"] = {"root": {"uri": root.platform_id, "cid": root.cid},
                           "parent": {"uri": parent.platform_id, "cid": parent.cid}}
    return record


def post_view(account, item) -> dict:
    return {"uri": item.platform_id, "cid": item.cid, "author": _author(account, item), "record": _record(account, item),
            "replyCount": len(account.children.get(item.platform_id, [])), "repostCount": 0,
            "likeCount": item.seq % 5, "indexedAt": z_time(item.edited or item.created), "labels": []}


def _find(world, uri: str):
    return world.find("bluesky", uri)


def handle(world, request) -> Response:
    path = request.path[1:] if request.path and request.path[0] == "xrpc" else request.path
    method = path[0] if path else ""
    if method == "com.atproto.server.createSession" and request.method == "POST":
        data = request.json()
        identifier, password = str(data.get("identifier", "")), str(data.get("password", ""))
        if not identifier or not password or password.startswith("expired") or password in world.expired_tokens:
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        did = identifier if identifier.startswith("did:") else "did:plc:" + _digest("bsky-handle", identifier,
                                                                                     length=24).lower()
        return Response(200, {"accessJwt": _token_for(did), "refreshJwt": "simrefresh." + did, "did": did,
                              "handle": identifier if not identifier.startswith("did:") else "ludvika.kommun.se",
                              "active": True}, _headers())
    token = request.token
    if not token:
        return _error(401, "AuthenticationRequired", "Authentication Required")
    did = _did_from_token(token)
    account = world.account("bluesky", did)
    if world.token_expired("bluesky", did, token):
        return auth_error()
    if method == "app.bsky.notification.listNotifications":
        return notifications(account, request)
    if method.startswith("chat.bsky.convo."):
        if request.headers.get("atproto-proxy") != CHAT_SERVICE:
            return _error(501, "MethodNotImplemented", "Method Not Implemented")
        return chat(account, method, request)
    if method == "app.bsky.feed.getPostThread":
        return post_thread(world, request)
    if method == "app.bsky.feed.getPosts":
        posts = []
        for uri in request.query.get("uris", []):
            located = _find(world, uri)
            if located and not located[1].deleted:
                posts.append(post_view(*located))
        return Response(200, {"posts": posts}, _headers())
    if method == "com.atproto.repo.getRecord":
        return get_record(world, account, request)
    if request.method == "POST" and method == "com.atproto.repo.createRecord":
        return create_record(world, account, request.json())
    if request.method == "POST" and method == "com.atproto.repo.putRecord":
        return put_record(world, account, request.json())
    if request.method == "POST" and method == "com.atproto.repo.deleteRecord":
        return delete_record(world, account, request.json())
    return _error(501, "MethodNotImplemented", "Method Not Implemented")


def notifications(account, request) -> Response:
    limit = int_arg(request.q("limit"), 50, 1, 100)
    items = [i for i in reversed(account.items) if not i.own and not i.deleted and i.kind in
             ("comment", "reply", "visitor_post")]
    seq = decode_cursor(request.q("cursor"))
    if seq is not None:
        items = [i for i in items if i.seq < seq]
    chunk = items[:limit]
    rows = []
    for item in chunk:
        reason = "mention" if item.kind == "visitor_post" else "reply"
        row = {"uri": item.platform_id, "cid": item.cid, "author": _author(account, item), "reason": reason,
               "record": _record(account, item), "isRead": False, "indexedAt": z_time(item.created), "labels": []}
        if reason == "reply":
            row["reasonSubject"] = item.parent_id
        rows.append(row)
    body = {"notifications": rows}
    if len(items) > limit:
        body["cursor"] = encode_cursor(chunk[-1].seq)
    return Response(200, body, _headers())


CHAT_SERVICE = "did:web:api.bsky.chat#bsky_chat"


def _dms(account, convo_id: str | None = None) -> list:
    return [i for i in account.items if i.kind == "dm" and not i.deleted
            and (convo_id is None or i.conversation_id == convo_id)]


def message_view(item) -> dict:
    return {"$type": "chat.bsky.convo.defs#messageView", "id": _rkey(item.platform_id), "rev": f"{item.seq:013d}",
            "text": item.text, "sender": {"did": item.author_id}, "sentAt": z_time(item.created)}


def convo_view(account, convo_id: str, messages: list) -> dict:
    members = {account.own_id: {"did": account.own_id, "handle": "ludvika.kommun.se", "displayName": "Ludvika kommun"}}
    for item in messages:
        if not item.own:
            members[item.author_id] = {"did": item.author_id, "handle": f"{item.author_handle}.bsky.social",
                                       "displayName": item.author_name}
    last = messages[-1]
    return {"id": convo_id, "rev": f"{last.seq:013d}", "members": list(members.values()),
            "lastMessage": message_view(last), "muted": False, "status": "accepted",
            "unreadCount": sum(1 for i in messages if not i.own)}


def chat(account, method: str, request) -> Response:
    if method == "chat.bsky.convo.listConvos":
        limit = int_arg(request.q("limit"), 50, 1, 100)
        convos: dict[str, list] = {}
        for item in _dms(account):
            convos.setdefault(item.conversation_id, []).append(item)
        ordered = sorted(convos.items(), key=lambda kv: kv[1][-1].seq, reverse=True)  # latest activity first
        seq = decode_cursor(request.q("cursor"))
        if seq is not None:
            ordered = [kv for kv in ordered if kv[1][-1].seq < seq]
        chunk = ordered[:limit]
        body = {"convos": [convo_view(account, cid, msgs) for cid, msgs in chunk]}
        if len(ordered) > limit:
            body["cursor"] = encode_cursor(chunk[-1][1][-1].seq)
        return Response(200, body, _headers())
    if method == "chat.bsky.convo.getConvo":
        messages = _dms(account, request.q("convoId") or "")
        if not messages:
            return _error(400, "InvalidConvo", "Convo not found")
        return Response(200, {"convo": convo_view(account, request.q("convoId"), messages)}, _headers())
    if method == "chat.bsky.convo.getMessages":
        messages = list(reversed(_dms(account, request.q("convoId") or "")))  # newest first
        if not messages:
            return _error(400, "InvalidConvo", "Convo not found")
        limit = int_arg(request.q("limit"), 50, 1, 100)
        seq = decode_cursor(request.q("cursor"))
        if seq is not None:
            messages = [i for i in messages if i.seq < seq]
        chunk = messages[:limit]
        body = {"messages": [message_view(i) for i in chunk]}
        if len(messages) > limit:
            body["cursor"] = encode_cursor(chunk[-1].seq)
        return Response(200, body, _headers())
    if method == "chat.bsky.convo.sendMessage" and request.method == "POST":
        data = request.json()
        messages = _dms(account, str(data.get("convoId") or ""))
        if not messages:
            return _error(400, "InvalidConvo", "Convo not found")
        text = (data.get("message") or {}).get("text") if isinstance(data.get("message"), dict) else None
        if not isinstance(text, str) or not text.strip():
            return _error(400, "InvalidRequest", "Input/message/text is required")
        partner = next((i for i in reversed(messages) if not i.own), messages[-1])
        new = account.add(kind="dm", text=text, created=account.world.now(), parent=partner)
        return Response(200, message_view(new), _headers())
    return _error(501, "MethodNotImplemented", "Method Not Implemented")


def _thread_view(account, item, *, depth: int, with_parent: int) -> dict:
    if item.deleted:
        return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": item.platform_id, "notFound": True}
    view = {"$type": "app.bsky.feed.defs#threadViewPost", "post": post_view(account, item)}
    if with_parent > 0 and item.kind in ("comment", "reply"):
        view["parent"] = _thread_view(account, account.by_id[item.parent_id], depth=0, with_parent=with_parent - 1)
    if depth > 0:
        view["replies"] = [_thread_view(account, c, depth=depth - 1, with_parent=0)
                           for c in account.children.get(item.platform_id, []) if not c.deleted]
    return view


def post_thread(world, request) -> Response:
    uri = request.q("uri") or ""
    located = _find(world, uri)
    if not located or located[1].deleted:
        return _error(400, "NotFound", f"Post not found: {uri}")
    account, item = located
    depth = int_arg(request.q("depth"), 6, 0, 1000)
    parent_height = int_arg(request.q("parentHeight"), 80, 0, 1000)
    body = {"thread": _thread_view(account, item, depth=depth, with_parent=parent_height)}
    root_uri = item.post_id
    gate = account.threadgates.get(root_uri)
    if gate:
        body["threadgate"] = {"uri": gate["uri"], "cid": gate["cid"], "record": gate["record"], "lists": []}
    return Response(200, body, _headers())


def get_record(world, account, request) -> Response:
    repo, collection, rkey = request.q("repo"), request.q("collection"), request.q("rkey")
    if collection == "app.bsky.feed.threadgate":
        for gate in account.threadgates.values():
            if gate["uri"] == f"at://{repo}/{collection}/{rkey}":
                return Response(200, {"uri": gate["uri"], "cid": gate["cid"], "value": gate["record"]}, _headers())
    if collection == "app.bsky.feed.post":
        located = _find(world, f"at://{repo}/{collection}/{rkey}")
        if located and not located[1].deleted:
            return Response(200, {"uri": located[1].platform_id, "cid": located[1].cid,
                                  "value": _record(*located)}, _headers())
    return _error(400, "RecordNotFound", f"Could not locate record: at://{repo}/{collection}/{rkey}")


def create_record(world, account, data: dict) -> Response:
    if data.get("repo") != account.account_id:
        return _error(401, "AuthRequired", "Input/repo must be the authenticated account")
    if data.get("collection") == "app.bsky.graph.block":
        return create_block(world, account, data.get("record") or {})
    if data.get("collection") != "app.bsky.feed.post":
        return _error(400, "InvalidRequest", "Unsupported collection")
    record = data.get("record") or {}
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return _error(400, "InvalidRequest", "Invalid app.bsky.feed.post record: text is required")
    reply = record.get("reply") or {}
    now = world.now()
    if reply:
        parent_uri = (reply.get("parent") or {}).get("uri", "")
        root_uri = (reply.get("root") or {}).get("uri", "")
        located = _find(world, parent_uri)
        if not located or located[1].deleted or located[0] is not account:
            return _error(400, "InvalidRequest", "Reply parent not found")
        parent = located[1]
        if parent.post_id != root_uri and parent.platform_id != root_uri:
            return _error(400, "InvalidRequest", "Reply root does not match the parent's root")
        post = account.by_id[parent.post_id]
        is_comment = parent.kind in ("post", "visitor_post")
        new = account.add(kind="comment" if is_comment else "reply", text=text, created=now,
                          parent=None if is_comment else parent, post=post)
    else:
        new = account.add(kind="post", text=text, created=now)
    return Response(200, {"uri": new.platform_id, "cid": new.cid, "validationStatus": "valid"}, _headers())


def create_block(world, account, record: dict) -> Response:
    """An ``app.bsky.graph.block`` record in the account's repo: ``subject`` is the blocked DID."""
    subject = record.get("subject")
    if not isinstance(subject, str) or not subject.startswith("did:"):
        return _error(400, "InvalidRequest", "Invalid app.bsky.graph.block record: subject must be a DID")
    uri = f"at://{account.account_id}/app.bsky.graph.block/{_digest('block', subject, length=13).lower()}"
    account.blocks[subject] = uri
    return Response(200, {"uri": uri, "cid": "bafyrei" + _digest("blockcid", uri, length=40).lower(),
                          "validationStatus": "valid"}, _headers())


def put_record(world, account, data: dict) -> Response:
    if data.get("repo") != account.account_id:
        return _error(401, "AuthRequired", "Input/repo must be the authenticated account")
    if data.get("collection") != "app.bsky.feed.threadgate":
        return _error(400, "InvalidRequest", "Unsupported collection")
    record = data.get("record") or {}
    root_uri = record.get("post", "")
    root = account.by_id.get(root_uri)
    if root is None or not root.own or _rkey(root_uri) != data.get("rkey"):
        return _error(400, "InvalidRequest", "A threadgate's rkey must equal the rkey of the account's own root post")
    hidden = record.get("hiddenReplies") or []
    if not isinstance(hidden, list) or len(hidden) > 50:
        return _error(400, "InvalidRequest", "hiddenReplies must be a list of at most 50 post URIs")
    for item in account.comments_of_post(root_uri):
        item.hidden = item.platform_id in hidden
    uri = f"at://{account.account_id}/app.bsky.feed.threadgate/{data['rkey']}"
    account.threadgates[root_uri] = {"uri": uri, "cid": "bafyrei" + _digest("gate", uri, len(hidden), length=40).lower(),
                                     "record": record}
    return Response(200, {"uri": uri, "cid": account.threadgates[root_uri]["cid"]}, _headers())


def delete_record(world, account, data: dict) -> Response:
    if data.get("repo") != account.account_id:
        return _error(401, "AuthRequired", "Input/repo must be the authenticated account")
    uri = f"at://{data.get('repo')}/{data.get('collection')}/{data.get('rkey')}"
    if data.get("collection") == "app.bsky.graph.block":
        for subject, block_uri in list(account.blocks.items()):
            if block_uri == uri:
                del account.blocks[subject]
        return Response(200, {}, _headers())
    item = account.by_id.get(uri)
    if item is not None and item.own:
        item.deleted = True
    return Response(200, {}, _headers())
