"""The headers a security review looks at first: a Content-Security-Policy whose scripts run only by
nonce (no 'unsafe-inline', no eval), framing refused, no sniffing; and every script tag the app sends
carries that response's nonce."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from moderation.tests.workspace_helpers import arrive


def _directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _assert_scripts_by_nonce_only(response):
    csp = _directives(response)
    scripts = csp["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    nonces = [s for s in scripts if s.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-"):-1]
    body = response.content.decode()
    tags = re.findall(r"<script\b[^>]*>", body)
    assert tags, "the page should load its scripts"
    for tag in tags:
        assert f'nonce="{nonce}"' in tag, tag
    # No inline event handlers either: with this policy they would not run.
    assert not re.search(r"<[^>]+\son[a-z]+=", body)
    assert csp["object-src"] == ["'none'"]
    assert csp.get("frame-ancestors") == ["'none'"] or response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_public_pages_allow_scripts_only_by_nonce(client, channel):
    response = client.get(reverse("public-channels"))
    assert "Content-Security-Policy" in response
    csp = _directives(response)
    assert "'unsafe-inline'" not in csp["script-src"]
    assert csp["connect-src"] == ["'self'"]


@pytest.mark.parametrize("name", ["staff-home", "moderation-queue", "registry-channel-list", "archive-search"])
def test_staff_pages_run_scripts_only_by_nonce(client, informator, channel, name):
    arrive(channel, "c-1", "Hej <script>alert(1)</script>")
    client.force_login(informator)
    _assert_scripts_by_nonce_only(client.get(reverse(name)))


def test_each_response_gets_its_own_nonce(client, informator, channel):
    client.force_login(informator)
    first = _directives(client.get(reverse("staff-home")))["script-src"]
    second = _directives(client.get(reverse("staff-home")))["script-src"]
    assert first != second
