"""The production web server: gunicorn managing uvicorn workers, run as

    gunicorn safeshare.asgi:application -c python:safeshare.server --bind ADDRESS:PORT

Each worker is an asyncio event loop (ASGI), so a connection that sends its request slowly, or
not at all, costs a socket and a little memory instead of one of a few threads: slow and
half-open connections no longer stop the service (bench/slow_clients.py). On top of that:

* **Request deadline.** A request's line, headers and body must all arrive within
  ``REQUEST_READ_SECONDS`` of its first byte (or of the connection opening); otherwise the
  connection is closed. Idle kept-alive connections close after ``keepalive`` seconds.
* **Limits.** At most ``MAX_CONNECTIONS`` connections per worker: beyond that new requests get
  503 at once. The request line and headers may total ``MAX_HEAD_BYTES``; SafeShare itself
  answers addresses over 8 KB with 414 and its standard error body (safeshare.web.strict_input).
* **Forwarded headers** (``X-Forwarded-For``, ``X-Forwarded-Proto``) are believed only from the
  addresses in ``SAFESHARE_TRUSTED_PROXIES``; with none set they are ignored.
* **No banner**: no ``Server`` header. No access log from the server: its lines would carry the
  full path and query string, which may hold personal data; SafeShare logs each request itself by
  route (safeshare.web.log_filters).
"""

from __future__ import annotations

import asyncio
import os

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn_worker import UvicornWorker

REQUEST_READ_SECONDS = 20
MAX_CONNECTIONS = 1000
MAX_HEAD_BYTES = 64 * 1024

# gunicorn settings (``-c python:safeshare.server``); the command line can override them.
worker_class = "safeshare.server.SafeShareWorker"
workers = 2
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = None


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for reading each request."""

    _read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._read_deadline is None and (self.cycle is None or self.cycle.response_complete):
            self._arm()  # the first byte of the next request on a kept-alive connection
        super().data_received(data)
        if self._request_read():
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _request_read(self) -> bool:
        cycle = self.cycle
        return cycle is not None and not cycle.response_complete and not cycle.more_body

    def _arm(self) -> None:
        self._disarm()
        self._read_deadline = self.loop.call_later(REQUEST_READ_SECONDS, self._too_slow)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _too_slow(self) -> None:
        self._read_deadline = None
        if not self._request_read() and not self.transport.is_closing():
            self.transport.close()


def _trusted_proxies() -> list[str]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeshare.settings")
    from django.conf import settings

    return list(settings.SAFESHARE_TRUSTED_PROXIES)


class SafeShareWorker(UvicornWorker):
    """A uvicorn worker with SafeShare's limits (see the module's description)."""

    def __init__(self, *args, **kwargs) -> None:
        proxies = _trusted_proxies()
        self.CONFIG_KWARGS = {
            "loop": "asyncio",
            "http": DeadlineH11Protocol,
            "lifespan": "off",
            "server_header": False,
            "access_log": False,
            "limit_concurrency": MAX_CONNECTIONS,
            "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
            "proxy_headers": bool(proxies),
            "forwarded_allow_ips": proxies or None,
        }
        super().__init__(*args, **kwargs)
