"""/healthz (the process is alive), /readyz (it can serve: database and ledger), /metrics."""

from __future__ import annotations

import hmac
import ipaddress

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from safeshare.operations import conf, probes
from safeshare.operations.lockout import client_address
from safeshare.operations.metrics import REGISTRY

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: answers without touching the database, so a restart is never triggered by an
    outage elsewhere."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database and the ledger answer. 503 with ``Retry-After`` when not."""
    database = probes.database_ok()
    ledger = database and probes.ledger_ok()
    checks = {
        "database": "ok" if database else "unavailable",
        "ledger": "ok" if ledger else "unavailable",
    }
    ready = database and ledger
    response = JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
    if not ready:
        response["Retry-After"] = str(conf.retry_after_seconds())
    return response


def _address_allowed(address: str) -> bool:
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in conf.metrics_allowed_networks():
        try:
            if client in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def _metrics_refusal(request: HttpRequest) -> HttpResponse | None:
    token = conf.metrics_token()
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return None
    if _address_allowed(client_address(request)):
        return None
    if not token and not conf.metrics_allowed_networks():
        message = "Metrics are closed. Set SAFESHARE_METRICS_TOKEN or SAFESHARE_METRICS_ALLOW."
        return HttpResponse(message, status=403, content_type="text/plain")
    response = HttpResponse("Metrics need a valid token.", status=401, content_type="text/plain")
    response["WWW-Authenticate"] = 'Bearer realm="safeshare-metrics"'
    return response


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text exposition, for a bearer token or an allowed address only."""
    refusal = _metrics_refusal(request)
    if refusal is not None:
        return refusal
    return HttpResponse(REGISTRY.render(), content_type=PROMETHEUS_TEXT)
