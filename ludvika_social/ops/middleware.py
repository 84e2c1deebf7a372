"""Request id and request latency.

Every request gets an id: the proxy's X-Request-ID when it is a safe token, else a fresh one. It is
stored on ``request.request_id``, put in the logging context for the duration of the request, and
returned in the X-Request-ID response header. The request's duration goes into the per-process
latency histogram of ludvika_social.ops.metrics (labelled by the URL pattern's name, never the path,
so that ids in paths do not create unbounded label values)."""

from __future__ import annotations

import logging
import time

from django.conf import settings

from .context import new_request_id, request_id_var, safe_request_id
from .metrics import observe_request

logger = logging.getLogger("ludvika_social.request")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = safe_request_id(request.headers.get("X-Request-ID")) or new_request_id()
        request.request_id = rid
        token = request_id_var.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unmatched"
        seconds = time.perf_counter() - started
        observe_request(method=request.method, view=view, status=response.status_code, seconds=seconds)
        if getattr(settings, "LOG_REQUESTS", False):
            # The path only, never the query string (it may carry search terms or tokens).
            logger.info("%s %s %s", request.method, request.path, response.status_code, extra={
                "request_id": rid, "view": view, "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1)})
        response["X-Request-ID"] = rid
        return response
