"""Property tests of each platform's page parser (pure functions, no HTTP): whatever the platform
sends, the parser returns items and ParseFailures or raises MalformedResponse; a bad entry becomes a
ParseFailure with its reason and every good entry on the page is still returned."""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.connectors import bluesky, facebook, graph, instagram, linkedin, mastodon, wordpress, youtube
from channels.connectors.base import NormalizedItem, ParseFailure
from channels.connectors.http import MalformedResponse

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


@dataclass
class Spec:
    sample: Any  # i -> a valid entry with a unique id
    page: Any  # entries -> the payload the parser takes
    parse: Any  # payload -> (items, failures)
    item_id: Any  # entry -> the platform id its item gets


def _fb(i):
    return {"id": f"122_{1000 + i}", "message": f"Hej nummer {i}", "from": {"id": f"27{i}", "name": "Anna Andersson"},
            "created_time": "2026-03-02T08:15:30+0000", "is_hidden": False, "can_hide": True,
            "permalink_url": "https://www.facebook.com/1/posts/2/?comment_id=3", "parent": {"id": "122_1"},
            "attachment": {"type": "photo", "media": {"image": {"src": "https://scontent.example/x.jpg"}}}}


def _fb_conversation(i):
    return {"id": f"t_{i}", "updated_time": "2026-03-02T08:15:30+0000", "messages": {"data": [
        {"id": f"m_{i}", "message": "Hej", "from": {"id": f"5{i}", "name": "Erik"},
        "created_time": "2026-03-02T08:15:30+0000"}]}}


def _ig(i):
    return {"id": f"1785{i}", "text": f"Fråga {i}", "timestamp": "2026-03-02T08:15:30+0000", "username": "anna",
            "from": {"id": f"1784{i}", "username": "anna"}, "hidden": False,
            "replies": {"data": [{"id": f"1786{i}", "text": "svar", "timestamp": "2026-03-02T09:01:00+0000",
                                  "username": "erik", "from": {"id": "99", "username": "erik"}, "parent_id": f"1785{i}"}]}}


def _yt(i):
    snippet = {"authorDisplayName": "Anna", "authorChannelUrl": "http://www.youtube.com/channel/UCa",
               "authorChannelId": {"value": "UCa"}, "videoId": "JE8xdDp5B8Q", "textOriginal": f"Bra {i}",
               "textDisplay": f"Bra {i}", "publishedAt": "2026-03-01T03:36:55Z", "updatedAt": "2026-03-01T03:36:55Z"}
    return {"kind": "youtube#commentThread", "id": f"Ug{i}", "snippet": {
        "videoId": "JE8xdDp5B8Q", "topLevelComment": {"kind": "youtube#comment", "id": f"Ug{i}", "snippet": snippet},
        "totalReplyCount": 0}}


def _wp(i):
    return {"id": 400 + i, "post": 123, "parent": 0, "author": 0, "author_name": "Anna", "author_url": "",
            "author_email": "anna@example.se", "date": "2026-03-02T09:15:30", "date_gmt": "2026-03-02T08:15:30",
            "content": {"rendered": f"<p>Hur ansöker jag {i}?</p>", "raw": f"Hur ansöker jag {i}?"},
            "link": "https://blogg.example/?p=123#comment-456", "status": "hold", "type": "comment"}


def _md(i):
    return {"id": str(i + 1), "type": "mention", "created_at": "2026-03-02T08:15:30.458Z",
            "account": {"id": "1170", "acct": "anna@mastodon.nu"},
            "status": {"id": f"11702057715769{i:04d}", "created_at": "2026-03-02T08:15:29.823Z",
                       "in_reply_to_id": "1170205", "in_reply_to_account_id": "999", "visibility": "public",
                       "content": f"<p><span class=\"h-card\">@kommunen</span> Fråga {i} &amp; svar</p>",
                       "url": "https://mastodon.nu/@anna/1", "edited_at": None, "spoiler_text": "",
                       "media_attachments": [{"id": "5", "type": "image", "url": "https://files.example/a.png"}],
                       "account": {"id": "1170", "username": "anna", "acct": "anna@mastodon.nu",
                                   "display_name": "Anna Andersson", "url": "https://mastodon.nu/@anna"}}}


def _bs(i):
    root = "at://did:plc:kommun/app.bsky.feed.post/3lk5wabc1232k"
    return {"uri": f"at://did:plc:abc/app.bsky.feed.post/3lk5xq2vz{i:04d}", "cid": "bafyreih",
            "author": {"did": "did:plc:abc", "handle": "anna.bsky.social", "displayName": "Anna"},
            "reason": "reply", "reasonSubject": root,
            "record": {"$type": "app.bsky.feed.post", "text": f"Gäller detta Norrby {i}?",
                       "createdAt": "2026-03-02T08:15:30.123Z",
                       "reply": {"root": {"uri": root, "cid": "a"}, "parent": {"uri": root, "cid": "a"}}},
            "isRead": False, "indexedAt": "2026-03-02T08:15:31.000Z"}


def _li(i):
    return {"id": f"71029{i}", "commentUrn": f"urn:li:comment:(urn:li:activity:7096,71029{i})",
            "actor": "urn:li:person:8675309", "object": "urn:li:activity:7096", "message": {"text": f"Bra {i}!"},
            "created": {"actor": "urn:li:person:8675309", "time": 1740902130000},
            "lastModified": {"actor": "urn:li:person:8675309", "time": 1740902130000}}


SPECS = {
    "facebook-comments": Spec(_fb, lambda e: {"data": e, "paging": {}},
                              lambda p: facebook.parse_comments_page(p, post_id="1_122"), lambda e: e["id"]),
    "facebook-feed": Spec(_fb, lambda e: {"data": e}, lambda p: facebook.parse_feed_page(p, page_id="1"),
                          lambda e: e["id"]),
    "facebook-conversations": Spec(_fb_conversation, lambda e: {"data": e},
                                   lambda p: graph.parse_conversations_page(p, account_id="1")[:2],
                                   lambda e: e["messages"]["data"][0]["id"]),
    "instagram": Spec(_ig, lambda e: {"data": e}, lambda p: instagram.parse_comments_page(p, media_id="178"),
                      lambda e: e["id"]),
    "youtube": Spec(_yt, lambda e: {"items": e}, youtube.parse_threads_page, lambda e: e["id"]),
    "wordpress": Spec(_wp, lambda e: e, wordpress.parse_comments_page, lambda e: str(e["id"])),
    "mastodon": Spec(_md, lambda e: e, lambda p: mastodon.parse_notifications_page(p, me="999"),
                     lambda e: e["status"]["id"]),
    "bluesky": Spec(_bs, lambda e: {"notifications": e}, lambda p: bluesky.parse_notifications_page(p, me="did:plc:k"),
                    lambda e: e["uri"]),
    "linkedin": Spec(_li, lambda e: {"elements": e}, linkedin.parse_comments_page, lambda e: e["commentUrn"]),
}


def _paths(value, prefix=()):
    """Every key path in a nested entry."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield (*prefix, index)
            yield from _paths(child, (*prefix, index))


def _mutate(entry, path, replacement, delete: bool):
    entry = copy.deepcopy(entry)
    target = entry
    for key in path[:-1]:
        target = target[key]
    if delete and isinstance(target, dict):
        del target[path[-1]]
    else:
        target[path[-1]] = replacement
    return entry


def _check_result(result):
    items, failures = result
    assert all(isinstance(i, NormalizedItem) for i in items)
    assert all(isinstance(f, ParseFailure) and f.reason for f in failures)
    for item in items:
        assert isinstance(item.platform_id, str) and item.platform_id
        assert isinstance(item.text, str)
        assert item.created_at.tzinfo is not None
    return items, failures


@pytest.mark.parametrize("name", list(SPECS))
def test_a_valid_page_parses_completely(name):
    spec = SPECS[name]
    entries = [spec.sample(i) for i in range(3)]
    items, failures = _check_result(spec.parse(spec.page(entries)))
    assert failures == []
    assert {spec.item_id(e) for e in entries} <= {i.platform_id for i in items}


@pytest.mark.parametrize("name", list(SPECS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=json_values)
def test_any_json_gives_a_result_or_a_malformed_response(name, payload):
    with contextlib.suppress(MalformedResponse):
        _check_result(SPECS[name].parse(payload))


@pytest.mark.parametrize("name", list(SPECS))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_broken_entry_fails_alone_and_the_rest_of_the_page_is_kept(name, data):
    spec = SPECS[name]
    good = [spec.sample(i) for i in range(4)]
    victim = spec.sample(99)
    path = data.draw(st.sampled_from(sorted(_paths(victim), key=repr)))
    replacement = data.draw(json_values)
    broken = _mutate(victim, path, replacement, delete=data.draw(st.booleans()))
    position = data.draw(st.integers(min_value=0, max_value=len(good)))
    page = [*good[:position], broken, *good[position:]]
    items, failures = _check_result(spec.parse(spec.page(page)))
    ids = {i.platform_id for i in items}
    good_ids = {spec.item_id(e) for e in good}
    assert good_ids <= ids, "a good entry was lost"
    assert not {f.platform_id for f in failures} & good_ids, "only the broken entry (or its nested parts) fails"


@pytest.mark.parametrize("name", list(SPECS))
@settings(max_examples=40, deadline=None)
@given(junk=st.lists(json_values, min_size=1, max_size=3))
def test_junk_entries_become_failures_with_reasons(name, junk):
    spec = SPECS[name]
    good = [spec.sample(i) for i in range(2)]
    items, failures = _check_result(spec.parse(spec.page([*junk, *good])))
    assert {spec.item_id(e) for e in good} <= {i.platform_id for i in items}
    assert len(items) + len(failures) >= len(good)
