"""YouTube Data API v3: commentThreads, comments, comments/setModerationStatus, videos.

Errors use Google's envelope ``{"error": {"code", "message", "errors": [{"domain", "reason"}]}}``;
quota exhaustion is 403 ``quotaExceeded`` (no rate-limit headers on YouTube).
"""

from __future__ import annotations

from ..messages import Response
from .common import int_arg, page_after, z_time


def _error(status: int, reason: str, message: str, domain: str = "youtube.api") -> Response:
    return Response(status, {"error": {"code": status, "message": message,
                                       "errors": [{"message": message, "domain": domain, "reason": reason}]}})


def server_error(status: int = 503) -> Response:
    return _error(status, "backendError", "Backend Error", domain="global")


def auth_error() -> Response:
    body = _error(401, "authError", "Request had invalid authentication credentials.", domain="global")
    body.body["error"]["status"] = "UNAUTHENTICATED"
    return body


def rate_limited(fault: dict) -> Response:
    if fault.get("variant") == "429":
        return Response(429, {"error": {"code": 429, "message": "Too many requests", "errors": [
            {"message": "Too many requests", "domain": "global", "reason": "rateLimitExceeded"}]}},
            {"Retry-After": str(int(fault.get("retry_after", 30)))})
    return _error(403, "quotaExceeded", "The request cannot be completed because you have exceeded your "
                  "<a href=\"/youtube/v3/getting-started#quota\">quota</a>.", domain="youtube.quota")


def _top(account, item):
    while item.kind == "reply":
        item = account.by_id[item.parent_id]
    return item


def _status(item) -> str:
    return "rejected" if item.rejected else "heldForReview" if item.held else "published"


def render_comment(account, item) -> dict:
    snippet = {
        "channelId": account.account_id, "videoId": item.post_id, "textDisplay": item.text,
        "textOriginal": item.text, "authorDisplayName": item.author_name,
        "authorProfileImageUrl": "https://yt3.ggpht.com/sim-avatar",
        "authorChannelUrl": f"http://www.youtube.com/channel/{item.author_id}",
        "authorChannelId": {"value": item.author_id}, "canRate": True, "viewerRating": "none",
        "likeCount": item.seq % 5, "publishedAt": z_time(item.created, millis=False),
        "updatedAt": z_time(item.edited or item.created, millis=False),
    }
    if item.held or item.rejected:
        snippet["moderationStatus"] = _status(item)
    if item.kind == "reply":
        snippet["parentId"] = _top(account, item).platform_id
    return {"kind": "youtube#comment", "etag": f"e{item.seq}", "id": item.platform_id, "snippet": snippet}


def _replies(account, top) -> list:
    return [c for c in account.comments_of_post(top.post_id)
            if c.kind == "reply" and not c.deleted and not c.rejected and _top(account, c) is top]


def render_thread(account, top, moderation: str) -> dict:
    replies = _replies(account, top)
    if moderation == "published":
        replies = [r for r in replies if not r.held]
    body = {"kind": "youtube#commentThread", "etag": f"t{top.seq}", "id": top.platform_id,
            "snippet": {"channelId": account.account_id, "videoId": top.post_id,
                        "topLevelComment": render_comment(account, top), "canReply": True,
                        "totalReplyCount": len(replies), "isPublic": True}}
    if replies:
        body["replies"] = {"comments": [render_comment(account, r) for r in replies]}
    return body


def _list_response(kind: str, items: list, next_token: str | None, per_page: int) -> dict:
    body = {"kind": kind, "etag": "sim", "pageInfo": {"totalResults": len(items), "resultsPerPage": per_page},
            "items": items}
    if next_token:
        body["nextPageToken"] = next_token
    return body


def handle(world, request) -> Response:
    path = request.path[1:] if request.path and request.path[0] == "v3" else request.path
    resource = "/".join(path)
    token = request.token
    if not token:
        return auth_error()
    if resource == "commentThreads" and request.method == "GET":
        return comment_threads(world, request, token)
    if resource == "comments" and request.method == "GET":
        return comments(world, request, token)
    if resource == "comments" and request.method == "POST":
        return insert(world, request, token)
    if resource == "comments/setModerationStatus" and request.method == "POST":
        return set_status(world, request, token)
    if resource == "comments" and request.method == "DELETE":
        return delete(world, request, token)
    if resource == "videos" and request.method == "GET":
        return videos(world, request, token)
    return _error(404, "notFound", "Not Found", domain="global")


def comment_threads(world, request, token) -> Response:
    channel = request.q("allThreadsRelatedToChannelId")
    per_page = int_arg(request.q("maxResults"), 20, 1, 100)
    moderation = request.q("moderationStatus") or "published"
    if request.q("id"):
        located = [world.find("youtube", i) for i in request.q("id").split(",")]
        rows = [render_thread(acc, item, "published") for acc, item in filter(None, located)
                if not item.deleted and not item.rejected]
        return Response(200, _list_response("youtube#commentThreadListResponse", rows, None, per_page))
    if not channel:
        return _error(400, "missingRequiredParameter", "No filter selected. Expected one of: "
                      "allThreadsRelatedToChannelId, channelId, id, videoId", domain="youtube.parameter")
    account = world.account("youtube", channel)
    if world.token_expired("youtube", channel, token):
        return auth_error()
    tops = [c for c in account.items if c.kind == "comment" and not c.deleted and not c.rejected]
    if moderation == "heldForReview":
        tops = [t for t in tops if t.held or any(r.held for r in _replies(account, t))]
    elif moderation == "published":
        tops = [t for t in tops if not t.held]
    else:
        tops = []
    tops.sort(key=lambda c: c.seq, reverse=True)
    chunk, next_token = page_after(tops, after=request.q("pageToken"), limit=per_page, descending=True)
    rows = [render_thread(account, t, moderation) for t in chunk]
    return Response(200, _list_response("youtube#commentThreadListResponse", rows, next_token, per_page))


def comments(world, request, token) -> Response:
    per_page = int_arg(request.q("maxResults"), 20, 1, 100)
    if request.q("id"):
        rows = []
        for comment_id in request.q("id").split(","):
            located = world.find("youtube", comment_id)
            if located and not located[1].deleted and not located[1].rejected:
                if world.token_expired("youtube", located[0].account_id, token):
                    return auth_error()
                rows.append(render_comment(*located))
        return Response(200, _list_response("youtube#commentListResponse", rows, None, per_page))
    parent_id = request.q("parentId")
    located = world.find("youtube", parent_id or "")
    if not located:
        return _error(404, "commentNotFound", "The comment identified by the parentId parameter could not be found.")
    account, parent = located
    if world.token_expired("youtube", account.account_id, token):
        return auth_error()
    replies = [r for r in _replies(account, parent) if not r.held]
    chunk, next_token = page_after(replies, after=request.q("pageToken"), limit=per_page, descending=False)
    rows = [render_comment(account, r) for r in chunk]
    return Response(200, _list_response("youtube#commentListResponse", rows, next_token, per_page))


def insert(world, request, token) -> Response:
    snippet = request.json().get("snippet") or {}
    parent_id, text = snippet.get("parentId"), snippet.get("textOriginal")
    if not parent_id or not text:
        return _error(400, "invalidCommentMetadata", "The request metadata is invalid.")
    located = world.find("youtube", parent_id)
    if not located or located[1].deleted or located[1].rejected:
        return _error(404, "parentCommentNotFound", "The specified parent comment could not be found.")
    account, parent = located
    if world.token_expired("youtube", account.account_id, token):
        return auth_error()
    top = _top(account, parent)
    new = account.add(kind="reply", text=text, created=world.now(), parent=top, post=account.by_id[top.post_id])
    return Response(200, render_comment(account, new))


def set_status(world, request, token) -> Response:
    status = request.q("moderationStatus")
    ban = request.q("banAuthor") == "true"
    if status not in ("heldForReview", "published", "rejected"):
        return _error(400, "invalidModerationStatus", "The moderation status is invalid.")
    if ban and status != "rejected":
        return _error(400, "banWithoutReject", "The banAuthor parameter can only be used with rejected.")
    targets = []
    for comment_id in (request.q("id") or "").split(","):
        located = world.find("youtube", comment_id)
        if not located or located[1].deleted or located[1].rejected:
            return _error(404, "commentNotFound", "The comment could not be found.")
        if world.token_expired("youtube", located[0].account_id, token):
            return auth_error()
        targets.append(located[1])
    for item in targets:
        item.held = status == "heldForReview"
        item.hidden = status == "heldForReview"
        if status == "rejected":
            item.rejected = True
    return Response(204, None)


def delete(world, request, token) -> Response:
    located = world.find("youtube", request.q("id") or "")
    if not located or located[1].deleted:
        return _error(404, "commentNotFound", "The comment could not be found.")
    account, item = located
    if world.token_expired("youtube", account.account_id, token):
        return auth_error()
    if not item.own:
        return _error(403, "forbidden", "The comment could not be deleted: only the author can delete it.")
    item.deleted = True
    return Response(204, None)


def videos(world, request, token) -> Response:
    rows = []
    for video_id in (request.q("id") or "").split(","):
        located = world.find("youtube", video_id)
        if located and located[1].kind == "post":
            account, video = located
            rows.append({"kind": "youtube#video", "etag": "v", "id": video.platform_id, "snippet": {
                "publishedAt": z_time(video.created, millis=False), "channelId": account.account_id,
                "title": video.text[:60], "description": video.text, "channelTitle": "Ludvika kommun"}})
    return Response(200, _list_response("youtube#videoListResponse", rows, None, len(rows) or 1))
