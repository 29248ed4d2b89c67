"""Request timing for the metrics, and 503 (not 500) when the database cannot be reached."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from safeshare.operations.logs import bind_request_id
from safeshare.operations.metrics import LATENCY, REQUESTS, route_kind
from safeshare.operations.responses import unavailable_response
from safeshare.operations.signals import DATABASE_DOWN_FLAG, is_database_unavailable
from safeshare.web.middleware import request_id_for


class MetricsMiddleware:
    """First in the chain: answers /healthz, /readyz and /metrics itself, and times and counts
    every other request by kind of route and status.

    Probes and scrapers call by address over plain HTTP inside the network, so these three are
    answered before the host check (``ALLOWED_HOSTS``), the HTTPS redirect and the session:
    a load balancer's health check must not fail because of a Host header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        from safeshare.operations import views

        self.probes = {
            "/healthz": views.healthz,
            "/readyz": views.readyz,
            "/metrics": views.metrics,
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.probes.get(request.path)
        if probe is not None:
            response = probe(request)
            REQUESTS.inc(route="operations", status=str(response.status_code))
            return response
        started = time.perf_counter()
        response = self.get_response(request)
        kind = route_kind(request.method or "", request.path)
        LATENCY.observe(time.perf_counter() - started, route=kind)
        REQUESTS.inc(route=kind, status=str(response.status_code))
        return response


class DatabaseUnavailableMiddleware:
    """Turn a lost database into 503 with ``Retry-After`` (see docs/adr/0004).

    A database error raised by a view is caught in ``process_exception``. One raised by another
    middleware (loading the session, for example) has already become a 500 by the time it gets
    here; ``signals._mark_database_errors`` flagged the request, and the 500 is replaced. The API
    maps the same errors itself (``safeshare.api_kit``), because django-ninja handles its own.
    Placed just after ``RequestIdMiddleware``, so that every 503 carries the request id.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with bind_request_id(request_id_for(request)):
            try:
                response = self.get_response(request)
            except Exception as error:
                if not is_database_unavailable(error):
                    raise
                return unavailable_response(request)
            if response.status_code == 500 and getattr(request, DATABASE_DOWN_FLAG, False):
                return unavailable_response(request)
            return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if is_database_unavailable(exception):
            setattr(request, DATABASE_DOWN_FLAG, True)
            return unavailable_response(request)
        return None
