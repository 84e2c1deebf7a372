"""Project-wide guards that no single view should have to remember.

IdBoundsMiddleware: an ``<int:...>`` in a URL accepts any number of digits, but every primary key is a
64-bit integer. A larger number cannot name anything, so the request is answered 404 before the view
runs (SQLite would otherwise raise "Python int too large to convert to SQLite INTEGER", PostgreSQL
"bigint out of range").

NoStoreMiddleware: nothing a staff member sees, and no download, may stay in a browser's or a proxy's
cache. Every response gets ``Cache-Control: no-store, private`` unless the view has declared its own
caching (the public channel pages say ``public, max-age=60``); a download (``Content-Disposition:
attachment``) always gets it, whatever the view said. Static files are served by WhiteNoise before
this middleware and keep their long caching.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.cache import patch_cache_control

from core.bounds import ID_MAX


class IdBoundsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and not -ID_MAX <= value <= ID_MAX:
                raise Http404("id out of range")
        return None


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        download = response.get("Content-Disposition", "").lower().startswith("attachment")
        if download:
            del response["Cache-Control"]
        if download or not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
