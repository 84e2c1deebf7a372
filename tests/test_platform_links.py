"""Addresses that come from the platforms (an author's profile, a permalink) are linked only when they
are http(s), through the same filter as the registry's (registry/links.py web_url, the template filter
``{% load registry_tags %}{{ value|web_url }}``), issue 17 item 4."""

from __future__ import annotations

import dataclasses

import pytest
from django.urls import reverse

from channels.services import items_store
from channels.tests.helpers import make_item, make_post
from moderation.services import versions_screen
from registry.links import web_url

HOSTILE = [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "\tjava\nscript:alert(1)",
    "\x01javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
    "//evil.example/", "https:evil.example", "https:///evil", "file:///etc/passwd", "", None,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_platform_address_that_is_not_http_is_never_a_link(value):
    assert web_url(value) == ""


@pytest.mark.parametrize("value", ["https://www.facebook.com/anna.andersson", "http://example.org/p/1?x=1"])
def test_an_http_address_stays_a_link(value):
    assert web_url(value) == value


@pytest.mark.django_db
def test_the_item_page_does_not_link_a_javascript_profile_or_permalink(client, channel, representative):
    item = make_item("c-js", "Titta på min profil!")
    item = dataclasses.replace(item, permalink="javascript:alert(2)",
                               author=dataclasses.replace(item.author, profile_url="javascript:alert(1)"))
    items_store(channel=channel, items=[make_post(), item])
    versions_screen(version_ids=list(channel.items.get(platform_id="c-js").versions.values_list("pk", flat=True)))
    client.force_login(representative)
    stored = channel.items.get(platform_id="c-js")
    page = client.get(reverse("moderation-item", kwargs={"pk": stored.pk})).content.decode()
    assert "Titta på min profil" in page
    assert "javascript:" not in page.lower()
