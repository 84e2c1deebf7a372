"""LinkedIn Community Management API (versioned ``/rest``): posts by author, socialActions comments.

Every call must carry ``LinkedIn-Version: YYYYMM`` (426 otherwise) and ``X-Restli-Protocol-Version:
2.0.0``. Comments page with ``start``/``count``; deleting takes ``actor=urn:li:organization:…``.
There is no hide. Errors: ``{"status", "serviceErrorCode", "code", "message"}``.
"""

from __future__ import annotations

from urllib.parse import unquote

from ..messages import Response
from .common import int_arg


def _error(status: int, code: str, message: str, service_code: int = 100, headers: dict | None = None) -> Response:
    return Response(status, {"status": status, "serviceErrorCode": service_code, "code": code, "message": message},
                    headers or {})


def server_error(status: int = 504) -> Response:
    return _error(status, "GATEWAY_TIMEOUT", "Gateway timeout", 0)


def auth_error() -> Response:
    return _error(401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65600)


def rate_limited(fault: dict) -> Response:
    headers = {"Retry-After": str(int(fault["retry_after"]))} if fault.get("retry_after") else {}
    return _error(429, "TOO_MANY_REQUESTS", "Resource level throttle APPLICATION DAY limit for calls to this "
                  "resource is reached.", 101, headers)


def _org_id(value: str) -> str:
    return value.rsplit(":", 1)[-1]


def render_comment(account, item) -> dict:
    comment_id = item.platform_id.rsplit(",", 1)[-1].rstrip(")")
    time_ms = int(item.created.timestamp() * 1000)
    children = [c for c in account.children.get(item.platform_id, []) if not c.deleted]
    body = {
        "id": comment_id, "commentUrn": item.platform_id, "actor": item.author_id, "agent": item.author_id,
        "object": item.post_id, "message": {"text": item.text, "attributes": []},
        "created": {"actor": item.author_id, "time": time_ms},
        "lastModified": {"actor": item.author_id, "time": int((item.edited or item.created).timestamp() * 1000)},
        "commentsSummary": {"aggregatedTotalComments": len(children), "totalFirstLevelComments": len(children)},
        "likesSummary": {"totalLikes": item.seq % 3, "likedByCurrentUser": False},
    }
    if item.kind == "reply":
        body["parentComment"] = item.parent_id
    return body


def handle(world, request) -> Response:
    if not request.headers.get("linkedin-version"):
        return _error(426, "NONEXISTENT_VERSION", "Requested version  is not active", 0)
    token = request.token
    if not token:
        return _error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65604)
    path = request.path[1:] if request.path and request.path[0] == "rest" else request.path
    if path == ["posts"] and request.method == "GET":
        author = request.q("author") or ""
        if request.q("q") != "author" or not author.startswith("urn:li:organization:"):
            return _error(400, "ILLEGAL_ARGUMENT", "q=author with an organization author is required")
        account = world.account("linkedin", _org_id(author))
        if world.token_expired("linkedin", account.account_id, token):
            return auth_error()
        posts = [p for p in reversed(account.posts) if not p.deleted]
        start, count = int_arg(request.q("start"), 0, 0, 10**6), int_arg(request.q("count"), 10, 1, 100)
        chunk = posts[start:start + count]
        elements = [{"id": p.platform_id, "author": account.own_id, "commentary": p.text,
                     "createdAt": int(p.created.timestamp() * 1000), "publishedAt": int(p.created.timestamp() * 1000),
                     "lastModifiedAt": int(p.created.timestamp() * 1000), "lifecycleState": "PUBLISHED",
                     "visibility": "PUBLIC"} for p in chunk]
        return Response(200, {"elements": elements, "paging": {"start": start, "count": count, "total": len(posts),
                                                               "links": []}})
    if len(path) == 2 and path[0] == "posts" and request.method == "GET":
        located = world.find("linkedin", unquote(path[1]))
        if not located or located[1].deleted or located[1].kind != "post":
            return _error(404, "NOT_FOUND", "Post not found", 100)
        account, post = located
        if world.token_expired("linkedin", account.account_id, token):
            return auth_error()
        return Response(200, {"id": post.platform_id, "author": account.own_id, "commentary": post.text,
                              "createdAt": int(post.created.timestamp() * 1000), "lifecycleState": "PUBLISHED",
                              "visibility": "PUBLIC"})
    if len(path) >= 3 and path[0] == "socialActions" and path[2] == "comments":
        target_urn = unquote(path[1])
        located = world.find("linkedin", target_urn)
        if not located or located[1].deleted:
            return _error(404, "NOT_FOUND", f"Entity {target_urn} not found", 100)
        account, target = located
        if world.token_expired("linkedin", account.account_id, token):
            return auth_error()
        if len(path) == 3 and request.method == "GET":
            rows = [c for c in account.children.get(target.platform_id, []) if not c.deleted]
            start, count = int_arg(request.q("start"), 0, 0, 10**6), int_arg(request.q("count"), 10, 1, 100)
            chunk = rows[start:start + count]
            return Response(200, {"elements": [render_comment(account, c) for c in chunk],
                                  "paging": {"start": start, "count": count, "total": len(rows), "links": []}})
        if len(path) == 3 and request.method == "POST":
            data = request.json()
            text = ((data.get("message") or {}).get("text") if isinstance(data.get("message"), dict) else None)
            if data.get("actor") != account.own_id:
                return _error(403, "ACCESS_DENIED", "Not enough permissions to comment as this actor", 100)
            if not text:
                return _error(422, "UNPROCESSABLE_ENTITY", "message.text is required", 100)
            post = account.by_id[target.post_id]
            if target.kind == "post":
                new = account.add(kind="comment", text=text, created=world.now(), post=post)
            else:
                if data.get("parentComment") != target.platform_id:
                    return _error(400, "ILLEGAL_ARGUMENT", "parentComment must be the comment URN in the path", 100)
                new = account.add(kind="reply", text=text, created=world.now(), parent=target, post=post)
            body = render_comment(account, new)
            return Response(201, body, {"x-restli-id": body["id"], "x-linkedin-id": body["id"]})
        if len(path) == 4:
            comment = next((c for c in account.comments_of_post(target.post_id)
                            if c.platform_id.rsplit(",", 1)[-1].rstrip(")") == path[3]), None)
            if comment is None or comment.deleted:
                return _error(404, "NOT_FOUND", "Comment not found", 100)
            if request.method == "GET":
                return Response(200, render_comment(account, comment))
            if request.method == "DELETE":
                actor = request.q("actor") or ""
                if actor != account.own_id:
                    return _error(403, "ACCESS_DENIED", "The actor may not delete this comment", 100)
                comment.deleted = True
                return Response(204, None)
    return _error(404, "RESOURCE_NOT_FOUND", "No virtual resource found", 0)
