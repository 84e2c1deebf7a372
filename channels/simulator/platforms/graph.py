"""Meta Graph API: Facebook Pages and Instagram professional accounts.

Paths follow the Graph API: ``/{version}/{page-id}/feed``, ``/{post-id}/comments`` (``filter=stream``,
``order``, ``since``), ``/{page-id}/conversations``, ``/{page-id}/messages``, ``POST /{comment-id}``
with ``is_hidden`` (Facebook) or ``hide`` (Instagram), ``DELETE /{comment-id}``; Instagram
``/{ig-user-id}/media``, ``/{media-id}/comments``, ``/{comment-id}/replies``. Errors use the Graph
envelope ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``.
"""

from __future__ import annotations

import json
import math

from ..messages import Response
from .common import graph_time, int_arg, page_after, parse_time


def _error(code: int, message: str, *, status: int = 400, subcode: int | None = None, kind: str = "OAuthException",
           headers: dict | None = None) -> Response:
    body = {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEfSimulator"}}
    if subcode is not None:
        body["error"]["error_subcode"] = subcode
    return Response(status, body, headers or {})


def _not_found(object_id: str) -> Response:
    return _error(100, f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded "
                       "due to missing permissions, or does not support this operation.", subcode=33,
                  kind="GraphMethodException")


class GraphAPI:
    def __init__(self, platform: str):
        self.platform = platform

    # faults ----------------------------------------------------------------------------------
    def server_error(self, status: int = 500) -> Response:
        return _error(2, "An unexpected error has occurred. Please retry your request later.", status=status,
                      kind="OAuthException")

    def auth_error(self) -> Response:
        return _error(190, "Error validating access token: Session has expired.", subcode=463, status=400)

    def rate_limited(self, fault: dict) -> Response:
        retry_after = float(fault.get("retry_after", 600))
        minutes = max(1, math.ceil(retry_after / 60))
        usage_type = "instagram" if self.platform == "instagram" else "pages"
        buc = json.dumps({"sim": [{"type": usage_type, "call_count": 100, "total_cputime": 40, "total_time": 60,
                                   "estimated_time_to_regain_access": minutes}]})
        variant = str(fault.get("variant", "code"))
        if variant == "usage_header":  # an answer that still succeeds but shows the app at its limit
            return Response(200, None, {"X-App-Usage": json.dumps({"call_count": 100, "total_cputime": 30,
                                                                    "total_time": 45})})
        if variant == "buc_header":
            return Response(200, None, {"X-Business-Use-Case-Usage": buc})
        code = int(fault.get("code", 80002 if self.platform == "instagram" else 80001))
        messages = {4: "Application request limit reached", 17: "User request limit reached",
                    32: "Page request limit reached", 613: "Calls to this api have exceeded the rate limit.",
                    80001: "There have been too many calls to this Page account. Wait a bit and try again.",
                    80002: "There have been too many calls to this Instagram account. Wait a bit and try again."}
        headers = {"X-Business-Use-Case-Usage": buc} if code in (32, 80001, 80002) or fault.get("buc") else {}
        if code in (4, 17):
            headers["X-App-Usage"] = json.dumps({"call_count": 100, "total_cputime": 30, "total_time": 45})
        return _error(code, messages.get(code, "Rate limited"), status=400, headers=headers)

    # dispatch --------------------------------------------------------------------------------
    def handle(self, world, request) -> Response:
        path = request.path
        if path and path[0].startswith("v") and "." in path[0]:
            path = path[1:]
        if not path:
            return _error(100, "Unsupported request", kind="GraphMethodException")
        token = request.token
        if not token:
            return _error(190, "An active access token must be used to query information about the current user.")
        object_id, edge = path[0], (path[1] if len(path) > 1 else None)
        located = None if world.accounts.get((self.platform, object_id)) else world.find(self.platform, object_id)
        if located is None and edge in ("feed", "posts", "published_posts", "conversations", "messages", "media"):
            account = world.account(self.platform, object_id)
            item = None
        elif located is not None:
            account, item = located
        elif (self.platform, object_id) in world.accounts:
            account, item = world.account(self.platform, object_id), None
        else:
            conversation = self._find_conversation(world, object_id)
            if conversation is None or request.method != "GET":
                return _not_found(object_id)
            account, messages = conversation
            if world.token_expired(self.platform, account.account_id, token):
                return self.auth_error()
            return Response(200, {"id": object_id, "updated_time": graph_time(messages[-1].created),
                                  "messages": {"data": [self.render(account, m) for m in reversed(messages)]}})
        if world.token_expired(self.platform, account.account_id, token):
            return self.auth_error()
        method = request.method
        if item is None:
            if edge in ("feed", "posts", "published_posts") and method == "GET" and self.platform == "facebook":
                return self.feed(account, request)
            if edge == "media" and method == "GET" and self.platform == "instagram":
                return self.media(account, request)
            if edge == "conversations" and method == "GET":
                return self.conversations(account, request)
            if edge == "messages" and method == "POST":
                return self.send_message(world, account, request)
            if edge is None and method == "GET":
                return Response(200, {"id": account.account_id, "name": "Ludvika kommun"})
            return _error(100, "Unsupported request", kind="GraphMethodException")
        if item.deleted:
            return _not_found(object_id)
        if edge is None:
            if method == "GET":
                return Response(200, self.render(account, item))
            if method == "DELETE":
                item.deleted = True
                return Response(200, {"success": True})
            if method == "POST":
                return self.update(account, item, request)
        if edge in ("comments", "replies"):
            if method == "GET":
                return self.comments(account, item, request, edge)
            if method == "POST":
                return self.add_comment(world, account, item, request)
        return _error(100, "Unsupported request", kind="GraphMethodException")

    def _find_conversation(self, world, conversation_id: str):
        for (platform, _), account in world.accounts.items():
            if platform != self.platform:
                continue
            messages = [i for i in account.items if i.kind == "dm" and i.conversation_id == conversation_id]
            if messages:
                return account, messages
        return None

    # rendering -------------------------------------------------------------------------------
    def render(self, account, item) -> dict:
        if self.platform == "instagram":
            return self.render_ig(account, item)
        if item.kind in ("post", "visitor_post"):
            comments = account.comments_of_post(item.platform_id)
            updated = max([item.created, item.edited or item.created] + [c.created for c in comments])
            return {
                "id": item.platform_id, "message": item.text, "created_time": graph_time(item.created),
                "updated_time": graph_time(updated), "from": {"id": item.author_id, "name": item.author_name},
                "permalink_url": f"https://www.facebook.com/{item.platform_id.replace('_', '/posts/')}",
            }
        if item.kind == "dm":
            return {"id": item.platform_id, "message": item.text, "created_time": graph_time(item.created),
                    "from": {"id": item.author_id, "name": item.author_name}}
        post_num = item.post_id.split("_")[-1]
        body = {
            "id": item.platform_id, "message": item.text, "created_time": graph_time(item.created),
            "from": {"id": item.author_id, "name": item.author_name}, "is_hidden": item.hidden,
            "can_hide": not item.own, "can_remove": True, "can_comment": True,
            "comment_count": len(account.children.get(item.platform_id, [])), "like_count": item.seq % 4,
            "permalink_url": f"https://www.facebook.com/{account.account_id}/posts/{post_num}/?comment_id="
                             f"{item.platform_id.split('_')[-1]}",
            "object": {"id": item.post_id},
        }
        if item.kind == "reply":
            body["parent"] = {"id": item.parent_id}
        return body

    def render_ig(self, account, item) -> dict:
        if item.kind == "post":
            return {"id": item.platform_id, "caption": item.text, "media_type": "IMAGE",
                    "permalink": f"https://www.instagram.com/p/{item.platform_id[-11:]}/",
                    "timestamp": graph_time(item.created), "username": account.own_handle,
                    "comments_count": len([c for c in account.comments_of_post(item.platform_id) if not c.deleted])}
        body = {"id": item.platform_id, "text": item.text, "timestamp": graph_time(item.created),
                "username": item.author_handle, "from": {"id": item.author_id, "username": item.author_handle},
                "like_count": item.seq % 3, "hidden": item.hidden, "media": {"id": item.post_id}}
        if item.kind == "dm":
            return {"id": item.platform_id, "message": item.text, "created_time": graph_time(item.created),
                    "from": {"id": item.author_id, "username": item.author_handle}}
        if item.kind == "reply":
            body["parent_id"] = self._ig_top(account, item).platform_id
        else:
            replies = [self.render_ig(account, r) for r in self._ig_replies(account, item)]
            if replies:
                body["replies"] = {"data": replies}
        return body

    def _ig_top(self, account, item):
        while item.kind == "reply":
            item = account.by_id[item.parent_id]
        return item

    def _ig_replies(self, account, top) -> list:
        """Instagram has one reply level: every reply under a top-level comment, oldest first."""
        return [c for c in account.comments_of_post(top.post_id)
                if c.kind == "reply" and not c.deleted and self._ig_top(account, c) is top]

    # reads -------------------------------------------------------------------------------------
    def feed(self, account, request) -> Response:
        since, until = parse_time(request.q("since")), parse_time(request.q("until"))
        posts = [p for p in reversed(account.posts) if not p.deleted]
        if since:
            posts = [p for p in posts if p.created >= since]
        if until:
            posts = [p for p in posts if p.created <= until]
        limit = int_arg(request.q("limit"), 25, 1, 100)
        chunk, after = page_after(posts, after=request.q("after"), limit=limit, descending=True)
        return Response(200, self._paged(request, [self.render(account, p) for p in chunk], after))

    def media(self, account, request) -> Response:
        posts = [p for p in reversed(account.posts) if not p.deleted and p.kind == "post"]
        limit = int_arg(request.q("limit"), 25, 1, 100)
        chunk, after = page_after(posts, after=request.q("after"), limit=limit, descending=True)
        return Response(200, self._paged(request, [self.render(account, p) for p in chunk], after))

    def comments(self, account, item, request, edge: str) -> Response:
        since = parse_time(request.q("since"))
        if self.platform == "instagram":
            if item.kind == "post" and edge == "comments":
                rows = [c for c in account.children.get(item.platform_id, []) if not c.deleted]
            else:
                rows = self._ig_replies(account, self._ig_top(account, item))
            descending = True
            rows = list(reversed(rows)) if item.kind == "post" else rows
            descending = item.kind == "post"
        else:
            if request.q("filter") == "stream" and item.kind in ("post", "visitor_post"):
                rows = [c for c in account.comments_of_post(item.platform_id) if not c.deleted]
            else:
                rows = [c for c in account.children.get(item.platform_id, []) if not c.deleted]
            descending = request.q("order") == "reverse_chronological"
            rows = sorted(rows, key=lambda c: c.seq, reverse=descending)
        if since:
            rows = [c for c in rows if c.created >= since]
        limit = int_arg(request.q("limit"), 25, 1, 100)
        chunk, after = page_after(rows, after=request.q("after"), limit=limit, descending=descending)
        body = self._paged(request, [self.render(account, c) for c in chunk], after)
        if request.q("summary") == "true":
            body["summary"] = {"order": request.q("order") or "chronological", "total_count": len(rows),
                               "can_comment": True}
        return Response(200, body)

    def conversations(self, account, request) -> Response:
        dms = [i for i in account.items if i.kind == "dm"]
        if request.q("user_id"):
            conv = account.conversation_for(request.q("user_id"))
            dms = [i for i in dms if i.conversation_id == conv]
        by_conv: dict[str, list] = {}
        for dm in dms:
            by_conv.setdefault(dm.conversation_id, []).append(dm)
        convs = sorted(by_conv.items(), key=lambda kv: kv[1][-1].seq, reverse=True)
        limit = int_arg(request.q("limit"), 25, 1, 100)
        start = 0
        after = request.q("after")
        if after:
            ids = [c[0] for c in convs]
            start = ids.index(after) + 1 if after in ids else len(ids)
        chunk = convs[start:start + limit]
        data = []
        for conv_id, messages in chunk:
            partner = next((m for m in messages if not m.own), messages[0])
            participants = [{"id": account.account_id, "name": "Ludvika kommun"},
                            {"id": partner.author_id, "name": partner.author_name}]
            data.append({
                "id": conv_id, "updated_time": graph_time(messages[-1].created), "message_count": len(messages),
                "participants": {"data": participants},
                "messages": {"data": [self.render(account, m) for m in reversed(messages)]},
            })
        more = start + limit < len(convs)
        body = {"data": data, "paging": {"cursors": {"before": chunk[0][0] if chunk else "",
                                                     "after": chunk[-1][0] if chunk else ""}}}
        if more:
            body["paging"]["next"] = f"{request.base}/v21.0/{account.account_id}/conversations?after={chunk[-1][0]}"
        return Response(200, body)

    def _paged(self, request, data: list, after: str | None) -> dict:
        paging: dict = {"cursors": {"before": "QVFIUmJlZm9yZQ", "after": after or "QVFIUmVuZA"}}
        if after:
            query = "&".join(f"{k}={v[0]}" for k, v in request.query.items() if k not in ("after", "access_token"))
            paging["next"] = f"{request.base}/{'/'.join(request.path)}?{query}&after={after}"
        return {"data": data, "paging": paging}

    # writes ------------------------------------------------------------------------------------
    def update(self, account, item, request) -> Response:
        form = request.form()
        flag = form.get("is_hidden") if self.platform == "facebook" else form.get("hide")
        if flag is not None:
            if item.own:
                return _error(100, "This comment cannot be hidden.", kind="GraphMethodException")
            item.hidden = str(flag).lower() in ("true", "1")
            return Response(200, {"success": True})
        if "message" in form and item.own:
            account.edit(item, form["message"], account.world.now())
            return Response(200, {"success": True})
        return _error(100, "Invalid parameter", kind="OAuthException")

    def add_comment(self, world, account, item, request) -> Response:
        text = request.form().get("message", "")
        if not text.strip():
            return _error(100, "(#100) The parameter message is required", kind="OAuthException")
        if item.kind in ("post", "visitor_post"):
            new = account.add(kind="comment", text=text, created=world.now(), post=item)
        else:
            post = account.by_id[item.post_id]
            parent = self._ig_top(account, item) if self.platform == "instagram" else item
            new = account.add(kind="reply", text=text, created=world.now(), parent=parent, post=post)
        return Response(200, {"id": new.platform_id})

    def send_message(self, world, account, request) -> Response:
        data = request.json()
        recipient = (data.get("recipient") or {}).get("id") if isinstance(data.get("recipient"), dict) else None
        text = (data.get("message") or {}).get("text") if isinstance(data.get("message"), dict) else None
        if not recipient or not text:
            return _error(100, "(#100) The parameter recipient is required", kind="OAuthException")
        last = next((m for m in reversed(account.items) if m.kind == "dm" and m.author_id == recipient), None)
        if last is None:
            return _error(551, "This person isn't available right now.", kind="OAuthException")
        new = account.add(kind="dm", text=text, created=world.now(), parent=last)
        return Response(200, {"recipient_id": recipient, "message_id": new.platform_id})


facebook = GraphAPI("facebook")
instagram = GraphAPI("instagram")
