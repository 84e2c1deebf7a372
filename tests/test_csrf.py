"""Every state change is a POST that needs the CSRF token: walk the access tables, and for each
POST row send the request as a persona who may make it, once without a token (refused, 403) and once
as a GET (refused, 405). Only the Meta webhook is exempt: Meta signs it (X-Hub-Signature-256)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.access import ANONYMOUS, STAFF_PERSONAS
from tests.test_url_access import ACCESS

# Signed by the platform instead (channels/views.py meta_webhook checks the HMAC signature).
CSRF_EXEMPT = {"channels-meta-webhook"}
POSTS = sorted(name for name, row in ACCESS.items() if row.method == "post" and name not in CSRF_EXEMPT)


def _persona(row) -> str | None:
    return next((p for p in STAFF_PERSONAS if p in row.allowed), None)


def test_the_walk_finds_the_state_changes():
    # A guard against a walk that silently covers nothing.
    assert {"moderation-remove", "registry-channel-approve", "archive-request-export", "logout"} <= set(POSTS)


@pytest.mark.parametrize("url_name", POSTS)
def test_a_state_change_without_the_csrf_token_is_refused(url_name, personas, channel, other_channel, request):
    row = ACCESS[url_name]
    fx = request.getfixturevalue
    url = reverse(url_name, kwargs=row.kwargs(fx) if row.kwargs else None)
    client = Client(enforce_csrf_checks=True)
    persona = _persona(row)
    if persona is not None:
        client.force_login(personas[persona])
    else:
        assert ANONYMOUS in row.allowed
    response = client.post(url, row.data(fx) if row.data else {})
    assert response.status_code == 403, f"{url_name} as {persona}: {response.status_code} without a CSRF token"
    # Refused by the CSRF check, not by the role check (a 403 of its own would look the same).
    assert "CSRF" in response.content.decode(), url_name


@pytest.mark.parametrize("url_name", [n for n in POSTS if n != "set-language"])
def test_a_state_change_is_never_made_by_a_get(url_name, personas, channel, other_channel, request):
    row = ACCESS[url_name]
    fx = request.getfixturevalue
    url = reverse(url_name, kwargs=row.kwargs(fx) if row.kwargs else None)
    client = Client()
    client.force_login(personas[_persona(row)])
    assert client.get(url).status_code == 405, url_name
