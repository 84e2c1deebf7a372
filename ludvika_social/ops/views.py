"""/healthz (liveness), /readyz (readiness), both public for load balancers and uptime checks, and
/metrics (Prometheus; allow-listed addresses or a bearer token, see ludvika_social.access.metrics_access).
What each checks is in ludvika_social/ops/health.py."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ludvika_social import access

from . import health, metrics


@access.public
@never_cache
@require_GET
def healthz(request):
    alive, body = health.liveness()
    return JsonResponse(body, status=200 if alive else 503)


@access.public
@never_cache
@require_GET
def readyz(request):
    ready, body = health.readiness()
    return JsonResponse(body, status=200 if ready else 503)


@access.metrics_access
@never_cache
@require_GET
def metrics_view(request):
    return HttpResponse(metrics.render(), content_type=metrics.CONTENT_TYPE)
