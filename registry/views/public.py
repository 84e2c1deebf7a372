"""Public pages (no login): the list of official channels, its JSON feed and embeddable fragment,
the comment policy and the accessibility statement.

The channel pages are cached by registry version: every registry write adds a ChangeRecord, so the
newest change time is the version, and ETag/Last-Modified change exactly when the registry does.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition

from ludvika_social.access import public
from ludvika_social.context_processors import site_context
from registry import selectors
from registry.audit import VERSION_CACHE_KEY, VERSION_CACHE_SECONDS
from registry.links import web_url
from registry.models import Channel
from registry.policy import POLICY_SOURCE
from registry.signals import public_channel_notes

PUBLIC_MAX_AGE = 60
# Stands for "no change recorded yet" in the cache, where None means a miss.
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


# The cache key of each cached page, by URL name; the language is added per request.
_BODY_KINDS = {"public-channels": "html", "public-channels-json": "json", "public-channels-embed": "embed"}


def _lookup(request) -> None:
    """One cache round trip per request: the register version (registry.audit drops it after every
    committed change) and this page's cached body with the version it was rendered for. A warm
    public page therefore costs no database query and one cache read."""
    body_key = f"public:{_BODY_KINDS[request.resolver_match.url_name]}:{get_language()}"
    hits = cache.get_many([VERSION_CACHE_KEY, body_key])
    version = hits.get(VERSION_CACHE_KEY)
    if version is None:
        version = selectors.registry_version() or _EPOCH
        cache.set(VERSION_CACHE_KEY, version, VERSION_CACHE_SECONDS)
    cached = hits.get(body_key)
    request._registry_version = None if version == _EPOCH else version
    request._public_body = cached[1] if cached and cached[0] == version else None
    request._public_body_key = (body_key, version)


def _version(request, *args, **kwargs):
    # The conditional-GET check and the body share one lookup.
    if not hasattr(request, "_registry_version"):
        _lookup(request)
    return request._registry_version


def _etag(request, *args, **kwargs):
    last = _version(request)
    raw = f"{last.isoformat() if last else '-'}|{get_language()}|{request.resolver_match.url_name}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _cached_body(request, build) -> str | bytes:
    """The page rendered once per register version and language, then served from the cache."""
    _version(request)
    if request._public_body is None:
        body_key, version = request._public_body_key
        request._public_body = build()
        cache.set(body_key, (version, request._public_body), 24 * 60 * 60)
    return request._public_body


def _channel_notes(channels) -> dict[int, list[str]]:
    """What other apps publish with each channel's entry (registry.signals.public_channel_notes)."""
    notes: dict[int, list[str]] = {}
    ids = [c.pk for c in channels]
    for _receiver, answer in public_channel_notes.send(sender=Channel, channel_ids=ids):
        for channel_id, lines in (answer or {}).items():
            notes.setdefault(channel_id, []).extend(lines)
    return notes


def _grouped_context() -> dict:
    channels = list(selectors.public_channels())
    notes = _channel_notes(channels)
    groups: dict[int, dict] = {}
    for channel in channels:
        channel.public_notes = notes.get(channel.pk, [])
        dept = channel.department
        group = groups.setdefault(dept.id, {"department": dept, "channels": []})
        group["channels"].append(channel)
    return {
        "groups": list(groups.values()),
        "channel_count": len(channels),
        "parties": list(selectors.public_parties()),
        "last_modified": selectors.registry_version(),
    }


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response["Vary"] = "Accept-Language, Cookie"
    return response


@public
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@condition(etag_func=_etag, last_modified_func=_version)
def channel_list(request):
    # The whole page is cached per registry version and language. It is rendered without the
    # request, so nothing of one visitor's (session messages, CSRF token, user) can enter the
    # cache; the public layout has no script, so no CSP nonce is needed either.
    body = _cached_body(
        request,
        lambda: render_to_string(
            "registry/public/channel_page.html",
            {**_grouped_context(), **site_context(), "current_page": "public-channels"},
        ),
    )
    return HttpResponse(body)


@public
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@condition(etag_func=_etag, last_modified_func=_version)
def channel_list_embed(request):
    body = _cached_body(
        request,
        lambda: render_to_string("registry/public/channel_list.html", {**_grouped_context(), "embed": True}),
    )
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    return _cors(response)


def channels_feed() -> dict:
    """The JSON feed's content; field names are documented in README."""
    from django.conf import settings
    from django.urls import reverse

    channels = list(selectors.public_channels())
    notes = _channel_notes(channels)
    parties = list(selectors.public_parties())
    last = selectors.registry_version()
    return {
        "municipality": settings.MUNICIPALITY_NAME,
        "updated": last.isoformat() if last else None,
        "comment_policy_url": reverse("comment-policy"),
        "comment_policy_version": selectors.comment_policy_version(),
        "party_disclaimer": PARTY_DISCLAIMER,
        "channels": [
            {
                "id": c.id,
                "name": c.name,
                "platform": c.platform,
                "platform_name": c.get_platform_display(),
                "url": web_url(c.public_url),
                "purpose": c.purpose,
                "department": c.department.name,
                "board": c.department.board.name,
                "contact": c.public_contact,
                "contact_email": c.public_contact_email or None,
                "active_since": c.activated_at.date().isoformat() if c.activated_at else None,
                "comment_policy_additions": notes.get(c.id, []),
            }
            for c in channels
        ],
        "parties": [
            {
                "name": p.name,
                "abbreviation": p.abbreviation,
                "website": web_url(p.website),
                "council_seats": p.council_seats,
                "has_board_seat": p.has_board_seat,
            }
            for p in parties
        ],
    }


PARTY_DISCLAIMER = (
    "Ludvika kommun ansvarar inte för inlägg och kommentarer i de politiska partiernas och politikernas "
    "kanaler och bloggar."
)


@public
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@condition(etag_func=_etag, last_modified_func=_version)
def channel_list_json(request):
    body = _cached_body(
        request, lambda: json.dumps(channels_feed(), ensure_ascii=False, separators=(",", ":")).encode()
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _cors(response)


@public
def comment_policy(request):
    """The comment policy in force today, and the list of every published version."""
    return _policy_page(request, selectors.comment_policy_current())


@public
def comment_policy_version(request, version: str):
    """One version of the comment policy, at an address that never changes."""
    return _policy_page(request, selectors.comment_policy_get(version=version))


def _policy_page(request, policy):
    current = selectors.comment_policy_current()
    return render(request, "registry/public/comment_policy.html", {
        "policy": policy, "current": current, "versions": list(selectors.comment_policy_versions()),
        "source": POLICY_SOURCE, "is_current": policy is not None and current is not None and policy.pk == current.pk,
    })


@public
def accessibility(request):
    return render(request, "registry/public/accessibility.html")

