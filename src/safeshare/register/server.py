"""The matching server: one process holds the register in memory for every web and sweep
worker, and matches their subjects on request over a Unix socket.

``safeshare register serve`` runs it. A client (``service.match_prepared``, with
``SAFESHARE_MATCHING_INDEX=server``) sends ``("match", [prepared JSON, ...])`` and receives
``("ok", [MatchResult, ...])``. Before each request the server brings its register up to date
with the database (``ResidentRegister.sync``: one single-row read unless something changed), so
a change committed by any process is seen by the next match anywhere. Connections are
authenticated with a key derived from ``SECRET_KEY`` (``multiprocessing.connection``), and the
socket file is readable by this service's user only. A client that cannot reach the server
matches through the database instead, with the same decisions, and says so in the log.

See docs/adr/0012-register-app-and-resident-index.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path

from django.conf import settings
from django.db import connections

from safeshare.matching.record import PreparedIdentity
from safeshare.register.resident import ResidentRegister

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60
"""How long a client waits for an answer before matching through the database instead."""


def socket_path() -> Path:
    configured = settings.SAFESHARE_MATCHING_SOCKET
    return Path(configured) if configured else Path(settings.VAR_DIR) / "matching.sock"


def auth_key() -> bytes:
    return hashlib.sha256(b"safeshare-matching-server:" + settings.SECRET_KEY.encode()).digest()


class MatchingServer:
    """Serves matches from one ``ResidentRegister``; ``start()`` loads the register and
    listens in a background thread, ``serve_forever()`` in this one, ``close()`` stops."""

    def __init__(self, path: Path | None = None, register: ResidentRegister | None = None):
        from safeshare.register.service import matcher

        self.path = Path(path or socket_path())
        self.register = register or ResidentRegister()
        self.engine = matcher()
        self._listener: Listener | None = None
        self._closed = threading.Event()
        self.requests = 0

    def listen(self) -> None:
        self.register.sync()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            self.path.unlink()
        old = os.umask(0o177)
        try:
            self._listener = Listener(str(self.path), family="AF_UNIX", authkey=auth_key())
        finally:
            os.umask(old)
        log.info("matching server listening on %s (%d entries)", self.path, len(self.register))

    def start(self) -> MatchingServer:
        self.listen()
        threading.Thread(target=self.accept_loop, name="matching-accept", daemon=True).start()
        return self

    def serve_forever(self) -> None:
        self.listen()
        self.accept_loop()

    def close(self) -> None:
        self._closed.set()
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.close()
        self.path.unlink(missing_ok=True)

    def accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self._closed.is_set():
            try:
                conn = listener.accept()
            except Exception:
                if self._closed.is_set():
                    return
                log.warning("a client failed to connect to the matching server", exc_info=True)
                continue
            threading.Thread(
                target=self._serve_connection, args=(conn,), name="matching-conn", daemon=True
            ).start()

    def _serve_connection(self, conn: Connection) -> None:
        try:
            while not self._closed.is_set():
                try:
                    request = conn.recv()
                except (EOFError, OSError):
                    return
                try:
                    response = ("ok", self.handle(request))
                except Exception as error:
                    log.exception("matching server request failed")
                    response = ("error", type(error).__name__)
                conn.send(response)
        finally:
            conn.close()
            connections.close_all()

    def handle(self, request: tuple):
        kind = request[0]
        if kind == "match":
            subjects = [PreparedIdentity.from_json(text) for text in request[1]]
            with self.register.lock:
                self.register.sync()
                self.requests += 1
                return self.engine.match_many(subjects, self.register)
        if kind == "status":
            with self.register.lock:
                self.register.sync()
                return {
                    "entries": len(self.register),
                    "version": self.register.version,
                    "generation": self.register.generation,
                }
        raise ValueError(f"unknown request {kind!r}")


class ServerUnavailable(RuntimeError):
    """The matching server could not be reached or failed; match through the database."""


_local = threading.local()


def _connection(path: Path) -> Connection:
    conn = getattr(_local, "conn", None)
    if conn is None or getattr(_local, "path", None) != path:
        conn = Client(str(path), family="AF_UNIX", authkey=auth_key())
        _local.conn, _local.path = conn, path
    return conn


def disconnect() -> None:
    """Close this thread's connection to the server (before forking: a child must open its
    own)."""
    _drop()


def _drop() -> None:
    conn = getattr(_local, "conn", None)
    _local.conn = None
    if conn is not None:
        with contextlib.suppress(OSError):
            conn.close()


def ask(request: tuple, path: Path | None = None):
    """Send one request to the server (one retry on a fresh connection)."""
    path = Path(path or socket_path())
    for attempt in (1, 2):
        try:
            conn = _connection(path)
            conn.send(request)
            if not conn.poll(TIMEOUT_SECONDS):
                raise TimeoutError(f"no answer in {TIMEOUT_SECONDS} s")
            status, payload = conn.recv()
        except (OSError, EOFError, AuthenticationError) as error:
            _drop()
            if attempt == 2:
                raise ServerUnavailable(str(error)) from error
            continue
        if status != "ok":
            raise ServerUnavailable(f"the matching server failed: {payload}")
        return payload
    raise ServerUnavailable("unreachable")
