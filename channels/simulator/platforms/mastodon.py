"""Mastodon REST API: notifications (mentions), statuses, context, verify_credentials.

The instance's path segment is the account (one municipal account per simulated instance).
Notifications are of type ``mention`` (a status to the account; the status inside is rendered as it
is now, so an edit by ``/_sim/edit`` shows there with ``edited_at``) and ``update`` (an edit of a
status the account boosted with ``POST /statuses/:id/reblog``, as Mastodon sends it). Pagination is by the ``Link`` header with ``max_id``/``min_id``; every answer carries
``X-RateLimit-Limit/Remaining/Reset`` (Reset is an ISO 8601 time). An ordinary account cannot hide
or delete other people's statuses, so neither can it here: DELETE of another's status is a 404.
"""

from __future__ import annotations

import datetime as dt
import html

from ..messages import Response
from .common import int_arg, z_time


def _error(status: int, message: str, headers: dict | None = None) -> Response:
    return Response(status, {"error": message}, headers or {})


def server_error(status: int = 503) -> Response:
    return _error(status, "Service Unavailable")


def auth_error() -> Response:
    return _error(401, "The access token is invalid")


def _reset(seconds: float) -> str:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    return when.isoformat(timespec="microseconds").replace("+00:00", "Z")


def rate_limited(fault: dict) -> Response:
    retry_after = float(fault.get("retry_after", 300))
    headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": _reset(retry_after)}
    if fault.get("variant") == "remaining_zero":
        return Response(200, None, headers)
    return _error(429, "Too many requests", headers)


def _account_json(account, item) -> dict:
    if item.own:
        return {"id": account.own_id, "username": "ludvikakommun", "acct": "ludvikakommun",
                "display_name": "Ludvika kommun", "bot": False,
                "url": f"https://{account.account_id}.example/@ludvikakommun"}
    return {"id": item.author_id, "username": item.author_handle, "acct": f"{item.author_handle}@mastodon.nu",
            "display_name": item.author_name, "bot": False, "url": f"https://mastodon.nu/@{item.author_handle}"}


def render_status(account, item) -> dict:
    parent = account.by_id.get(item.parent_id) if item.parent_id else None
    if item.kind in ("comment",):
        parent = account.by_id.get(item.post_id)
    mention = "" if item.own else (
        f'<span class="h-card"><a href="https://{account.account_id}.example/@ludvikakommun" class="u-url mention">'
        f"@<span>ludvikakommun</span></a></span> ")
    text = html.escape(item.text).replace("\n", "<br />")
    return {
        "id": item.platform_id, "created_at": z_time(item.created),
        "in_reply_to_id": parent.platform_id if parent else None,
        "in_reply_to_account_id": (parent.author_id if parent else None),
        "sensitive": False, "spoiler_text": "", "visibility": "direct" if item.kind == "dm" else "public",
        "language": "sv", "uri": f"https://mastodon.nu/users/{item.author_handle}/statuses/{item.platform_id}",
        "url": f"https://mastodon.nu/@{item.author_handle}/{item.platform_id}",
        "replies_count": len(account.children.get(item.platform_id, [])), "reblogs_count": 0,
        "favourites_count": item.seq % 4, "edited_at": z_time(item.edited) if item.edited else None,
        "content": f"<p>{mention}{text}</p>", "account": _account_json(account, item), "media_attachments": [],
        "mentions": [] if item.own else [{"id": account.own_id, "username": "ludvikakommun",
                                          "url": f"https://{account.account_id}.example/@ludvikakommun",
                                          "acct": "ludvikakommun"}],
        "tags": [], "emojis": [], "card": None, "poll": None,
    }


def _headers(extra: dict | None = None) -> dict:
    headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299", "X-RateLimit-Reset": _reset(300)}
    headers.update(extra or {})
    return headers


def handle(world, request) -> Response:
    path = request.path
    account = world.account("mastodon", request.site)
    token = request.token
    if not token:
        return _error(401, "The access token is invalid")
    if world.token_expired("mastodon", account.account_id, token):
        return auth_error()
    if path[:2] != ["api", "v1"]:
        return _error(404, "Record not found")
    rest = path[2:]
    if rest == ["accounts", "verify_credentials"]:
        me = {"id": account.own_id, "username": "ludvikakommun", "acct": "ludvikakommun",
              "display_name": "Ludvika kommun", "url": f"https://{account.account_id}.example/@ludvikakommun"}
        return Response(200, me, _headers())
    if rest == ["notifications"] and request.method == "GET":
        return notifications(account, request)
    if rest == ["statuses"] and request.method == "POST":
        return post_status(world, account, request)
    if len(rest) == 3 and rest[0] == "accounts" and rest[2] in ("block", "unblock") and request.method == "POST":
        return block(world, account, rest[1], blocking=rest[2] == "block")
    if len(rest) >= 2 and rest[0] == "statuses":
        item = account.by_id.get(rest[1])
        if item is None or item.deleted:
            return _error(404, "Record not found")
        if len(rest) == 2 and request.method == "GET":
            return Response(200, render_status(account, item), _headers())
        if len(rest) == 2 and request.method == "DELETE":
            if not item.own:
                return _error(404, "Record not found")
            item.deleted = True
            body = render_status(account, item)
            body["text"] = item.text
            return Response(200, body, _headers())
        if rest[2:] == ["context"] and request.method == "GET":
            return context(account, item)
        if rest[2:] == ["reblog"] and request.method == "POST":
            account.__dict__.setdefault("mastodon_reblogged", set()).add(item.platform_id)
            body = render_status(account, item)
            body["reblogged"] = True
            return Response(200, body, _headers())
    return _error(404, "Record not found")


def block(world, account, target_id: str, *, blocking: bool) -> Response:
    """``POST /api/v1/accounts/:id/block`` and ``/unblock`` (docs.joinmastodon.org/methods/accounts):
    the Relationship with the account, ``blocking`` set; an unknown account is 404."""
    if world.person_by_platform_id("mastodon", target_id) is None:
        return _error(404, "Record not found")
    if blocking:
        account.blocks[target_id] = target_id
    else:
        account.blocks.pop(target_id, None)
    return Response(200, {"id": target_id, "following": False, "followed_by": False, "blocking": blocking,
                          "blocked_by": False, "muting": False, "requested": False, "domain_blocking": False,
                          "endorsed": False, "note": ""}, _headers())


def _update_ids(account) -> dict[str, int]:
    """The ``update`` notification of each edited status the account has boosted: a new id per edit.

    Mastodon notifies an edit only to local accounts that reblogged the status
    (``FanOutOnWriteService#notify_about_update!``), with a new notification (ids keep increasing)
    carrying the status as it is now; a mentioned account gets no notification for an edit, but the
    status inside its ``mention`` notification is rendered as it is now (text and ``edited_at``). Edits reach the simulator through ``/_sim/edit`` and the world's own activity, so the
    notification is numbered the first time the notifications are read after the edit: from the
    account's counter, which the ids of mentions (the items' sequence numbers) also come from.
    """
    updates = account.__dict__.setdefault("mastodon_updates", {})  # platform_id -> (edited, id)
    reblogged = account.__dict__.setdefault("mastodon_reblogged", set())
    for item in account.items:
        if item.edited and item.platform_id in reblogged:
            known = updates.get(item.platform_id)
            if known is None or known[0] != item.edited:
                account.counter += 1
                updates[item.platform_id] = (item.edited, account.counter)
    return {pid: number for pid, (_, number) in updates.items()}


def notifications(account, request) -> Response:
    types = request.query.get("types[]") or ["mention", "update"]
    statuses = [i for i in account.items if not i.own and not i.deleted and i.kind != "post"]
    rows = []  # (notification id, type, item)
    if "mention" in types:
        rows += [(i.seq, "mention", i) for i in statuses]
    if "update" in types:
        updates = _update_ids(account)
        rows += [(updates[i.platform_id], "update", i) for i in statuses if i.platform_id in updates]
    rows.sort(key=lambda row: row[0])
    limit = int_arg(request.q("limit"), 40, 1, 80)
    max_id, since_id, min_id = request.q("max_id"), request.q("since_id"), request.q("min_id")
    try:  # notification ids are sequence numbers here: increasing, as Mastodon's are
        if max_id:
            rows = [r for r in rows if r[0] < int(max_id)]
        if since_id:
            rows = [r for r in rows if r[0] > int(since_id)]
        rows = [r for r in rows if r[0] > int(min_id)][:limit] if min_id else rows[-limit:]
    except ValueError:
        return _error(400, "Invalid id")
    rows = list(reversed(rows))
    body = [{"id": str(n), "type": kind, "created_at": z_time(i.edited if kind == "update" else i.created),
             "group_key": f"ungrouped-{n}", "account": _account_json(account, i), "status": render_status(account, i)}
            for n, kind, i in rows]
    links = []
    if rows:
        query = "&".join(f"types[]={t}" for t in types)
        url = f"{request.base}/api/v1/notifications?{query}&limit={limit}"
        links.append(f'<{url}&max_id={rows[-1][0]}>; rel="next"')
        links.append(f'<{url}&min_id={rows[0][0]}>; rel="prev"')
    return Response(200, body, _headers({"Link": ", ".join(links)} if links else {}))


def context(account, item) -> Response:
    ancestors = []
    current = item
    while True:
        parent_id = current.parent_id if current.kind in ("reply", "dm") else (
            current.post_id if current.kind == "comment" else None)
        parent = account.by_id.get(parent_id) if parent_id else None
        if parent is None or parent.deleted:
            break
        ancestors.insert(0, parent)
        current = parent
    descendants = []
    stack = list(reversed(account.children.get(item.platform_id, [])))
    while stack:
        child = stack.pop()
        if not child.deleted:
            descendants.append(child)
        stack.extend(reversed(account.children.get(child.platform_id, [])))
    return Response(200, {"ancestors": [render_status(account, a) for a in ancestors],
                          "descendants": [render_status(account, d) for d in descendants]}, _headers())


def post_status(world, account, request) -> Response:
    data = request.json() or request.form()
    text = str(data.get("status", "")).strip()
    if not text:
        return _error(422, "Validation failed: Text can't be blank")
    key = request.headers.get("idempotency-key")
    keys = account.idempotency
    if key and key in keys and keys[key] in account.by_id:
        return Response(200, render_status(account, account.by_id[keys[key]]), _headers())
    parent = account.by_id.get(str(data.get("in_reply_to_id", ""))) if data.get("in_reply_to_id") else None
    if data.get("in_reply_to_id") and (parent is None or parent.deleted):
        return _error(404, "Record not found")
    now = world.now()
    if parent is None:
        new = account.add(kind="post", text=text, created=now)
    elif parent.kind == "dm" or data.get("visibility") == "direct":
        new = account.add(kind="dm", text=text, created=now, parent=parent)
    else:
        post = account.by_id[parent.post_id]
        new = account.add(kind="comment" if parent.kind in ("post", "visitor_post") else "reply", text=text, created=now,
                          parent=None if parent.kind in ("post", "visitor_post") else parent, post=post)
    if key:
        keys[key] = new.platform_id
    return Response(200, render_status(account, new), _headers())
