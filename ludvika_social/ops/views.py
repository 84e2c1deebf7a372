"""/healthz (public, for load balancers and uptime checks) and /metrics (Prometheus; allow-listed
addresses or a bearer token, see ludvika_social.access.metrics_access)."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ludvika_social import access

from . import metrics
from .health import health_report


@access.public
@never_cache
@require_GET
def healthz(request):
    healthy, body = health_report()
    return JsonResponse(body, status=200 if healthy else 503)


@access.metrics_access
@never_cache
@require_GET
def metrics_view(request):
    return HttpResponse(metrics.render(), content_type=metrics.CONTENT_TYPE)
