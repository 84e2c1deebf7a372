"""Walk every URL pattern: each view has an access rule, and each persona gets exactly the pages
its role and department allow (DESIGN §6.6). A new view without a row in its app's access table,
or without an access decorator, makes this test fail."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access import ANONYMOUS, EVERYONE, STAFF_PERSONAS, access_tables


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            namespace = f"{p.namespace}:" if p.namespace else ""
            yield from ((f"{namespace}{name}" if name else None, cb) for name, cb in _walk(p.url_patterns))
        elif isinstance(p, URLPattern):
            yield p.name, p.callback


ACCESS = access_tables()
URLS = list(_walk(get_resolver().url_patterns))
STATIC_PREFIXES = (settings.STATIC_URL,)


def test_every_url_is_named_and_has_an_access_rule():
    for name, callback in URLS:
        assert name, f"an unnamed URL pattern serves {callback}"
        assert hasattr(callback, "access_rule"), f"view for {name!r} has no access decorator"


def test_every_url_has_a_row_in_an_access_table():
    names = {name for name, _ in URLS}
    assert names - set(ACCESS) == set(), "URLs without an access table row"
    assert set(ACCESS) - names == set(), "access table rows for URLs that do not exist"


def test_public_rule_and_table_agree():
    for name, callback in URLS:
        is_public = callback.access_rule == "public"
        assert is_public == (ACCESS[name].allowed == EVERYONE), f"{name}: decorator and table disagree"


CASES = [(name, persona) for name in sorted(ACCESS) for persona in (ANONYMOUS, *STAFF_PERSONAS)]


@pytest.mark.parametrize(("url_name", "persona"), CASES)
def test_persona_access(url_name, persona, client, personas, channel, other_channel, request):
    row = ACCESS[url_name]
    fx = request.getfixturevalue
    url = reverse(url_name, kwargs=row.kwargs(fx) if row.kwargs else None)
    if persona != ANONYMOUS:
        client.force_login(personas[persona])
    data = row.data(fx) if row.data else {}
    response = client.post(url, data) if row.method == "post" else client.get(url)
    status = response.status_code
    if persona in row.allowed:
        assert status < 400 or (status == 400 and row.method == "post"), f"{persona} should reach {url_name}: {status}"
        if row.allowed != EVERYONE and row.method == "get":
            assert not (status == 302 and "/logga-in/" in response["Location"]), f"{persona} sent to login"
    elif persona == ANONYMOUS:
        assert status == 302 and response["Location"].startswith(reverse("login")), (
            f"anonymous on {url_name} should go to login, got {status}"
        )
    else:
        assert status in (403, 404), f"{persona} must be refused {url_name}, got {status}"
