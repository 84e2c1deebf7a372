"""WordPress REST API (core): /wp-json/wp/v2/comments, /comments/<id>, /posts/<id>, /users/me.

The blog's path segment is the account. Lists carry ``X-WP-Total``/``X-WP-TotalPages`` and a ``Link``
header; errors look like ``{"code": "rest_comment_invalid_id", "message": ..., "data": {"status": 404}}``.
Authentication is an application password (HTTP Basic). The simulated site's timezone is UTC.
An edit (``/_sim/edit``) changes the comment's content in place: like WordPress, a comment has no
modified date, so only its text differs on the next read.
"""

from __future__ import annotations

import html
import math

from ..messages import Response
from .common import int_arg, parse_time


def _error(status: int, code: str, message: str, headers: dict | None = None) -> Response:
    return Response(status, {"code": code, "message": message, "data": {"status": status}}, headers or {})


def server_error(status: int = 503) -> Response:
    return Response(status, b"<html><body><h1>503 Service Unavailable</h1></body></html>",
                    {"Content-Type": "text/html"})


def auth_error() -> Response:
    return _error(401, "incorrect_password", "The provided password is an invalid application password.")


def rate_limited(fault: dict) -> Response:
    return _error(429, "too_many_requests", "Too Many Requests", {"Retry-After": str(int(fault.get("retry_after", 120)))})


def _naive(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def _status(item) -> str:
    return "trash" if item.deleted else "hold" if item.hidden else "approved"


def render(request, account, item, edit: bool) -> dict:
    post_id = item.post_id
    body = {
        "id": int(item.platform_id), "post": int(post_id), "parent": 0 if item.kind == "comment" else int(item.parent_id),
        "author": 1 if item.own else 0, "author_name": item.author_name, "author_url": "",
        "date": _naive(item.created), "date_gmt": _naive(item.created),
        "content": {"rendered": "<p>" + html.escape(item.text) + "</p>\n"},
        "link": f"https://{account.account_id}.example/?p={post_id}#comment-{item.platform_id}",
        "status": _status(item), "type": "comment",
        "author_avatar_urls": {"24": "https://secure.gravatar.com/avatar/sim?s=24"}, "meta": [],
        "_links": {"self": [{"href": f"{request.base}/wp-json/wp/v2/comments/{item.platform_id}"}],
                   "up": [{"embeddable": True, "post_type": "post",
                           "href": f"{request.base}/wp-json/wp/v2/posts/{post_id}"}]},
    }
    if edit:
        body["content"]["raw"] = item.text
        body["author_email"] = "" if item.own else f"{item.author_handle}@example.se"
        body["author_ip"] = "" if item.own else f"192.0.2.{item.seq % 250 + 1}"
        body["author_user_agent"] = "Mozilla/5.0"
    return body


def handle(world, request) -> Response:
    path = request.path
    if path[:3] != ["wp-json", "wp", "v2"] or len(path) < 4:
        return _error(404, "rest_no_route", "No route was found matching the URL and request method.")
    account = world.account("wordpress", request.site)
    token = request.token
    edit = request.q("context") == "edit"
    if token and world.token_expired("wordpress", account.account_id, token):
        return auth_error()
    needs_auth = edit or request.method != "GET" or path[3] == "users"
    if needs_auth and not token:
        return _error(401, "rest_forbidden_context", "Sorry, you are not allowed to edit comments.")
    resource, rest = path[3], path[4:]
    if resource == "users" and rest == ["me"]:
        return Response(200, {"id": 1, "name": "Ludvika kommun", "slug": "ludvika-kommun"})
    if resource == "posts" and len(rest) == 1 and request.method == "GET":
        post = account.by_id.get(rest[0])
        if post is None or post.kind != "post":
            return _error(404, "rest_post_invalid_id", "Invalid post ID.")
        return Response(200, {"id": int(post.platform_id), "date_gmt": _naive(post.created),
                              "title": {"rendered": html.escape(post.text[:60])},
                              "content": {"rendered": "<p>" + html.escape(post.text) + "</p>"},
                              "link": f"https://{account.account_id}.example/?p={post.platform_id}", "author": 1})
    if resource != "comments":
        return _error(404, "rest_no_route", "No route was found matching the URL and request method.")
    if not rest:
        if request.method == "GET":
            return list_comments(account, request, bool(token), edit)
        if request.method == "POST":
            return create(world, account, request, edit)
    else:
        item = account.by_id.get(rest[0])
        if item is None or item.kind not in ("comment", "reply") or item.rejected:
            return _error(404, "rest_comment_invalid_id", "Invalid comment ID.")
        if request.method == "GET":
            if item.deleted and not edit:
                return _error(401, "rest_cannot_read", "Sorry, you are not allowed to read this comment.")
            return Response(200, render(request, account, item, edit))
        if request.method == "POST":
            return update(account, item, request, edit)
        if request.method == "DELETE":
            if request.q("force") == "true":
                previous = render(request, account, item, True)
                item.deleted = item.rejected = True
                return Response(200, {"deleted": True, "previous": previous})
            if item.deleted:
                return _error(410, "rest_already_trashed", "The comment has already been trashed.")
            item.deleted = True
            return Response(200, render(request, account, item, True))
    return _error(404, "rest_no_route", "No route was found matching the URL and request method.")


def list_comments(account, request, authed: bool, edit: bool) -> Response:
    status = request.q("status") or "approve"
    if status != "approve" and not authed:
        return _error(401, "rest_forbidden_param", "Query parameter not permitted: status")
    wanted = {"approve": {"approved"}, "approved": {"approved"}, "hold": {"hold"}, "trash": {"trash"},
              "all": {"approved", "hold"}, "spam": set()}.get(status)
    if wanted is None:
        return _error(400, "rest_invalid_param", "Invalid parameter(s): status")
    rows = [c for c in account.items if c.kind in ("comment", "reply") and not c.rejected and _status(c) in wanted]
    after, before = parse_time(request.q("after")), parse_time(request.q("before"))
    if after:
        rows = [c for c in rows if c.created.replace(microsecond=0) > after]
    if before:
        rows = [c for c in rows if c.created.replace(microsecond=0) < before]
    if request.q("parent"):
        parents = set(request.q("parent").split(","))
        rows = [c for c in rows if (c.parent_id if c.kind == "reply" else "0") in parents]
    if request.q("post"):
        posts = set(request.q("post").split(","))
        rows = [c for c in rows if c.post_id in posts]
    if request.q("author"):
        rows = [c for c in rows if c.own == (request.q("author") == "1")]
    rows.sort(key=lambda c: (c.created.replace(microsecond=0), c.seq), reverse=request.q("order", "desc") != "asc")
    per_page = int_arg(request.q("per_page"), 10, 1, 100)
    page = int_arg(request.q("page"), 1, 1, 10**6)
    total_pages = max(1, math.ceil(len(rows) / per_page)) if rows else 0
    if rows and page > total_pages:
        return _error(400, "rest_comment_invalid_page_number",
                      "The page number requested is larger than the number of pages available.")
    chunk = rows[(page - 1) * per_page: page * per_page]
    headers = {"X-WP-Total": str(len(rows)), "X-WP-TotalPages": str(total_pages)}
    if page < total_pages:
        query = "&".join(f"{k}={v[0]}" for k, v in request.query.items() if k != "page")
        headers["Link"] = f'<{request.base}/wp-json/wp/v2/comments?{query}&page={page + 1}>; rel="next"'
    return Response(200, [render(request, account, c, edit) for c in chunk], headers)


def update(account, item, request, edit: bool) -> Response:
    data = request.json() or request.form()
    status = str(data.get("status", ""))
    mapping = {"hold": "hold", "0": "hold", "approved": "approved", "approve": "approved", "1": "approved",
               "trash": "trash", "untrash": "approved"}
    if status not in mapping:
        return _error(400, "rest_invalid_param", "Invalid parameter(s): status")
    target = mapping[status]
    item.deleted = target == "trash"
    item.hidden = target == "hold"
    if "content" in data and item.own:
        account.edit(item, str(data["content"]), account.world.now())
    return Response(200, render(request, account, item, True))


def create(world, account, request, edit: bool) -> Response:
    data = request.json() or request.form()
    text = str(data.get("content", "")).strip()
    if not text:
        return _error(400, "rest_comment_content_invalid", "Invalid comment content.")
    post = account.by_id.get(str(data.get("post", "")))
    if post is None or post.kind != "post":
        return _error(403, "rest_comment_invalid_post_id", "Sorry, you are not allowed to create this comment without a post.")
    parent = None
    if str(data.get("parent", "0")) not in ("0", ""):
        parent = account.by_id.get(str(data["parent"]))
        if parent is None or parent.post_id != post.platform_id:
            return _error(400, "rest_comment_invalid_parent", "Invalid parent comment ID.")
    new = account.add(kind="reply" if parent else "comment", text=text, created=world.now(), parent=parent, post=post)
    return Response(201, render(request, account, new, True))
