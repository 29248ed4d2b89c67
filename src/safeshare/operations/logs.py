"""Structured logs: one JSON object a line, with the request id and no personal data.

Set ``SAFESHARE_LOG_FORMAT=json`` to use it. Records carry the time, level, logger, message and
the request id; arguments are interpolated by the code that logs, which never logs names, dates
of birth, document numbers or free text about people (tests/security/test_hardening.py checks).
Exception tracebacks are kept, but the exception's own message is dropped: database drivers put
the offending values in theirs.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_request_id: ContextVar[str] = ContextVar("safeshare_log_request_id", default="")


@contextmanager
def bind_request_id(request_id: str) -> Iterator[None]:
    """Attach ``request_id`` to every record logged while the block runs."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Give every record a ``request_id`` attribute (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or _request_id.get(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info and record.exc_info[0] is not None:
            kind, _error, trace = record.exc_info
            stack = "".join(traceback.format_tb(trace)) if trace else ""
            entry["exception"] = {"type": f"{kind.__module__}.{kind.__qualname__}", "stack": stack}
        return json.dumps(entry, ensure_ascii=False)
