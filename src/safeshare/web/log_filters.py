"""Log lines about requests: the route, never the path, and expected refusals without a traceback.

Django logs every 4xx and 5xx answer as ``"<reason>: <path>"`` on ``django.request``, with the
exception's traceback when a view raised one. Paths carry protection references
(``/protections/<reference>/``) and could carry anything a caller typed, so the line names the
route template instead (``protections/<str:reference>/``), or ``(no route)``. A refusal the
service meant to give (400, 403, 404, 405, 409, 413, 422, 429 ...) is logged as that one line:
its traceback would only bury real errors. 5xx answers keep theirs.
"""

from __future__ import annotations

import logging

REQUEST_LOGGERS = ("django.request", "django.security", "django.server")


def route_of(request: object) -> str:
    """The URL pattern a request matched, or ``(no route)``."""
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", "") if match is not None else ""
    return route or "(no route)"


class RequestLogFilter(logging.Filter):
    """Route instead of path in request lines; no traceback for an expected refusal."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(REQUEST_LOGGERS):
            return True
        request = getattr(record, "request", None)
        args = record.args
        if request is not None and isinstance(args, tuple) and args:
            path = getattr(request, "path", None)
            escaped = path.encode("unicode_escape").decode("ascii") if path else None
            if args[-1] in (path, escaped):
                route = f"{getattr(request, 'method', '')} {route_of(request)}"
                record.args = (*args[:-1], route)
        status = getattr(record, "status_code", None)
        if record.name.startswith("django.security") or (status is not None and status < 500):
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
