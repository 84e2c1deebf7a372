"""Nothing a staff member sees, and no download, stays in a browser's or a proxy's cache
(ludvika_social/middleware.py NoStoreMiddleware, issue 17 item 6); the public channel pages keep their
short public caching."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.access import EVERYONE, access_tables

ACCESS = access_tables()
STAFF_GET = sorted(name for name, row in ACCESS.items() if row.method == "get" and row.allowed != EVERYONE)
PUBLIC_CACHED = ("public-channels", "public-channels-json", "public-channels-embed")


@pytest.mark.parametrize("url_name", STAFF_GET)
def test_every_staff_page_and_download_is_not_stored(url_name, client, personas, channel, other_channel, settings,
                                                     tmp_path, request):
    row = ACCESS[url_name]
    persona = next(p for p in ("informator", "records_officer", "representative", "dept_admin") if p in row.allowed)
    client.force_login(personas[persona])
    url = reverse(url_name, kwargs=row.kwargs(request.getfixturevalue) if row.kwargs else None)
    response = client.get(url)
    assert response.status_code == 200, url
    assert "no-store" in response.get("Cache-Control", ""), f"{url}: {response.get('Cache-Control')}"


def test_the_login_page_is_not_stored(client):
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]


@pytest.mark.parametrize("url_name", PUBLIC_CACHED)
def test_the_public_channel_pages_keep_their_public_caching(url_name, client, channel):
    cache_control = client.get(reverse(url_name))["Cache-Control"]
    assert "public" in cache_control and "no-store" not in cache_control


def test_a_download_is_never_stored_whatever_the_view_says(rf):
    from django.http import HttpResponse

    from ludvika_social.middleware import NoStoreMiddleware

    def view(request):
        response = HttpResponse(b"x", content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="x.csv"'
        response["Cache-Control"] = "public, max-age=3600"
        return response

    response = NoStoreMiddleware(view)(rf.get("/"))
    assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]
