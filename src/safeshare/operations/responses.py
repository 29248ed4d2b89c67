"""The answer when the database cannot be reached: 503, ``Retry-After``, and a clear message."""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from safeshare.operations import conf
from safeshare.operations.metrics import DATABASE_UNAVAILABLE
from safeshare.web.middleware import request_id_for

logger = logging.getLogger("safeshare.operations")

API_MESSAGE = (
    "The service cannot reach its database just now. Nothing was changed unless you were told "
    "so. Try again shortly; repeat a POST with the same Idempotency-Key so that it is never "
    "done twice."
)
FALLBACK_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
    "<title>Sorry, the service is unavailable – SafeShare</title></head><body>"
    "<h1>Sorry, the service is unavailable</h1>"
    "<p>You will be able to use the service again shortly.</p></body></html>"
)


def api_error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """The one error body every API failure uses (``docs/architecture.md``)."""
    body = {
        "error": {
            "code": code,
            "message": message,
            "fields": fields or {},
            "request_id": request_id_for(request),
        }
    }
    response = HttpResponse(
        json.dumps(body), status=status, content_type="application/json; charset=utf-8"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: the API's error body under /api/, a GOV.UK page elsewhere."""
    DATABASE_UNAVAILABLE.inc()
    retry_after = str(conf.retry_after_seconds())
    logger.warning(
        "Database unavailable; answered 503", extra={"request_id": request_id_for(request)}
    )
    if request.path.startswith("/api/"):
        response = api_error_response(
            request, 503, "service_unavailable", API_MESSAGE, headers={"Retry-After": retry_after}
        )
    else:
        try:
            page: str = render_to_string(
                "operations/unavailable.html",
                {"service_name": "SafeShare", "request_id": request_id_for(request)},
            )
        except Exception:  # the outage page must never fail
            page = FALLBACK_PAGE
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = retry_after
    response["Cache-Control"] = "no-store"
    return response
