"""Untrusted platform data never stops a channel: every connector's parser, then the inbound store,
fed pages whose strings are anything at all (lone surrogates, NUL, right-to-left marks, megabyte
strings, in ids, texts, names and the raw payload). Each page is stored: what can be stored is, with
its strings cleaned; what cannot is quarantined with its payload; the cursor moves on every time."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.models import ArchiveRecord
from channels.models import ChannelSync, Item, QuarantinedItem
from channels.services import items_store
from channels.services.admission import items_admit
from core.textclean import clean_json, clean_str

from .test_parsers_platforms import SPECS

pytestmark = pytest.mark.django_db

NASTY = st.one_of(
    # Any code point, surrogates included (Hypothesis leaves category Cs out unless told not to).
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40),
    st.sampled_from(["\ud800", "a\x00b", "\u202eevil\u202c", "\udfff\ud83d", "\x00", "", " ", "x" * 1_000_000]),
)


def _mangle(value, draw):
    """The entry with each string replaced by a drawn one (keys too, now and then)."""
    if isinstance(value, str):
        return draw(NASTY)
    if isinstance(value, dict):
        return {(draw(NASTY) if draw(st.integers(0, 9)) == 0 else k): _mangle(v, draw) for k, v in value.items()}
    if isinstance(value, list):
        return [_mangle(v, draw) for v in value]
    return value


def _storable(value) -> None:
    """What our database holds: no NUL and nothing UTF-8 cannot encode, anywhere in it."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    assert "\x00" not in text and "\\u0000" not in text
    text.encode("utf-8")


@pytest.mark.parametrize("name", list(SPECS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow, HealthCheck.large_base_example])
@given(data=st.data())
def test_any_strings_from_the_platform_are_stored_or_quarantined_and_the_cursor_moves(name, channel, data):
    spec = SPECS[name]
    entries = [_mangle(spec.sample(i), data.draw) for i in range(3)]
    items, failures = spec.parse(spec.page(entries))
    marker = {"page": data.draw(st.integers(0, 10**9))}
    result = items_store(channel=channel, items=items, cursor=marker, failures=failures)
    assert ChannelSync.objects.get(channel=channel).cursor == marker  # the channel goes on
    admitted, refused = items_admit(items)
    assert result.received == len({i.platform_id for i in admitted})
    assert result.quarantined == len(failures) + len(refused)
    for item in Item.objects.filter(channel=channel).only("platform_id", "text", "author_name", "raw"):
        _storable(item.platform_id)
        _storable(item.text)
        _storable(item.author_name)
        _storable(item.raw)
    for row in QuarantinedItem.objects.filter(channel=channel).only("raw", "reason"):
        _storable(row.raw)
        _storable(row.reason)
    for record in ArchiveRecord.objects.filter(channel_id=channel.pk).only("content"):
        _storable(record.content)


def test_a_lone_surrogate_in_one_comment_no_longer_stops_the_channel(channel):
    """The finding: "\\ud800" in one comment made every poll fail with UnicodeEncodeError and the
    cursor never moved; on PostgreSQL a NUL did the same."""
    spec = SPECS["wordpress"]
    bad = spec.sample(1)
    bad["content"] = {"raw": "Bra \ud800 jobbat\x00!", "rendered": "<p>Bra</p>"}
    bad["author_name"] = "Anna\x00"
    items, failures = spec.parse(spec.page([bad, spec.sample(2)]))
    items_store(channel=channel, items=items, cursor={"after": 1}, failures=failures)
    stored = Item.objects.get(channel=channel, platform_id=str(bad["id"]))
    assert stored.text == "Bra \ufffd jobbat!" and stored.author_name == "Anna"
    assert Item.objects.filter(channel=channel).count() == 2
    assert ChannelSync.objects.get(channel=channel).cursor == {"after": 1}


def test_an_item_that_cannot_be_stored_is_quarantined_with_its_payload_and_shown(client, channel, informator):
    spec = SPECS["wordpress"]
    no_id = spec.sample(1)
    no_id["id"] = "x" * 400  # longer than any platform's ids
    items, failures = spec.parse(spec.page([no_id, spec.sample(2)]))
    result = items_store(channel=channel, items=items, cursor={"after": 2}, failures=failures)
    assert result.quarantined == 1 and Item.objects.filter(channel=channel).count() == 1
    row = QuarantinedItem.objects.get(channel=channel)
    assert row.raw["id"] == "x" * 400 and "platform id" in row.reason
    client.force_login(informator)
    from django.urls import reverse

    page = client.get(reverse("channels-channel-health", kwargs={"pk": channel.pk})).content.decode()
    assert "Åsidosatta" in page and "platform id" in page


@pytest.mark.parametrize("value, expected", [
    ("ok", "ok"), ("\ud800", "\ufffd"), ("a\x00b", "ab"), ("\u202e", "\u202e"), ("\ud83d\ude00", "\ufffd\ufffd"),
])
def test_clean_str_keeps_what_was_published_and_drops_what_cannot_be_stored(value, expected):
    assert clean_str(value) == expected


def test_clean_json_cleans_keys_values_and_numbers_json_cannot_hold():
    assert clean_json({"a\x00": ["\ud800", float("inf"), 1.5, None]}) == {"a": ["\ufffd", "inf", 1.5, None]}
    clean = {"a": ["b", 1]}
    assert clean_json(clean) is clean  # nothing to clean: the same object
