"""Operations' views: small, never a template.

/health/        the load balancer's: is this process able to serve? No database, no auth.
/health/ready/  the monitor's: database, cache, broker and the loop (django-health-check).
/health/loop/   the loop's detail, for a recruiter or an administrator (JSON).
/metrics        Prometheus text format, for a scraper holding the token or on the allow-list.
"""

import asyncio
import ipaddress
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from health_check.checks import Cache, Database
from health_check.views import HealthCheckView
from prometheus_client import CONTENT_TYPE_LATEST

from feedback.roles import is_verified_recruiter

from . import checks, selectors
from .exposition import metrics_text


@never_cache
@require_GET
def liveness(request):
    """200 while this process serves; 503 once the host is being drained (the file named by
    HEALTH_DRAIN_FILE exists), so that the balancer stops sending before a restart."""
    drain = settings.HEALTH_DRAIN_FILE
    if drain and Path(drain).exists():
        return HttpResponse("draining\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


class ReadinessView(HealthCheckView):
    """Every check, answered as JSON; 503 when one fails."""

    checks = (Database, Cache, checks.Broker, checks.Loop)

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        failed = any(result.error for result in self.results)
        return self.render_to_response_json(503 if failed else 200)


def _may_see_the_loop(user) -> bool:
    return is_verified_recruiter(user)


@never_cache
@require_GET
@login_required
def loop_detail(request):
    if not _may_see_the_loop(request.user):
        raise PermissionDenied
    status = selectors.loop_status()
    return JsonResponse(status.as_dict(), status=200 if not status.problems else 503)


@never_cache
@require_GET
def metrics(request):
    refusal = _metrics_refusal(request)
    if refusal is not None:
        return refusal
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)


def _metrics_refusal(request) -> HttpResponse | None:
    """None when the scraper may read the metrics: it holds the bearer token
    (METRICS_TOKEN), or it connects from an address on METRICS_ALLOWED_IPS. With neither
    configured, nobody may."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, offered = header.partition(" ")
        if token and scheme.lower() == "bearer" and secrets.compare_digest(offered, token):
            return None
        return _unauthorized()
    if _address_allowed(request.META.get("REMOTE_ADDR", "")):
        return None
    return _unauthorized() if token else HttpResponse("forbidden\n", status=403)


def _unauthorized() -> HttpResponse:
    response = HttpResponse("a bearer token is required\n", status=401)
    response["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return response


def _address_allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        ip in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_IPS
    )
