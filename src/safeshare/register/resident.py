"""The register held in memory, kept current with the database on every query.

``ResidentRegister`` is a ``CandidateSource`` over the engine's ``InMemoryRegister``: loaded
once from ``RegisterEntry`` (each entry's prepared identity and blocking keys), then brought up
to date before each use by reading the register's version (one indexed single-row read). When
the version has moved, it reads only the entries added and the removals logged since; when the
generation has moved (``register rebuild`` prepared entries again in place), it loads again.
Every writer raises the version first in its transaction, so versions commit in order and
nothing committed is missed (``models.RegisterState``). Applying a change twice does nothing.

One process holds it for everyone: the matching server (``server.py``, ``safeshare register
serve``) that web workers and sweep workers call over a Unix socket. A process can also hold
its own (``SAFESHARE_MATCHING_INDEX=process``), e.g. a sweep worker on a machine with memory
to spare. See docs/adr/0012-register-app-and-resident-index.md.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Hashable, Iterable, Mapping

from django.db import connections

from safeshare.matching.record import PreparedIdentity
from safeshare.matching.register import InMemoryRegister
from safeshare.register.models import RegisterEntry, RegisterRemoval
from safeshare.register.storage import read_version

log = logging.getLogger(__name__)

LOAD_CHUNK = 10_000


class ResidentRegister:
    """The register in memory, as a ``CandidateSource``; ``sync()`` before each use (or a
    batch of uses). Thread-safe: a sync and the reads it precedes hold one lock."""

    def __init__(self, using: str = "default") -> None:
        self._using = using
        self._register = InMemoryRegister()
        self.version = -1
        self.generation = -1
        self.loaded_at: float | None = None
        self.lock = threading.RLock()

    # --- Keeping current ----------------------------------------------------------------

    def sync(self) -> bool:
        """Bring the register up to date with what the database has committed. True if
        anything changed."""
        version, generation = read_version(self._using)
        with self.lock:
            if generation != self.generation or self.version < 0:
                self._load(version, generation)
                return True
            if version == self.version:
                return False
            self._apply_since(self.version)
            self.version = version
            return True

    def _load(self, version: int, generation: int) -> None:
        started = time.monotonic()
        fresh = InMemoryRegister()
        connection = connections[self._using]
        table = connection.ops.quote_name(RegisterEntry._meta.db_table)
        parse = PreparedIdentity.from_json
        add = fresh.add
        last = 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    f"SELECT id, prepared FROM {table} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
                    [last, LOAD_CHUNK],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                for entry_id, text in rows:
                    add(entry_id, parse(text))
                last = rows[-1][0]
        self._register = fresh
        self.version = version
        self.generation = generation
        self.loaded_at = time.time()
        log.info(
            "register loaded: %d entries at version %d in %.1f s",
            len(fresh),
            version,
            time.monotonic() - started,
        )

    def _apply_since(self, version: int) -> None:
        """Entries added and removed after ``version`` (additions first: an entry added and
        removed since is then gone)."""
        register = self._register
        parse = PreparedIdentity.from_json
        for entry_id, text in (
            RegisterEntry.objects.using(self._using)
            .filter(version__gt=version)
            .values_list("id", "prepared")
        ):
            register.add(entry_id, parse(text))
        for entry_id in (
            RegisterRemoval.objects.using(self._using)
            .filter(version__gt=version)
            .values_list("entry_id", flat=True)
        ):
            register.remove(entry_id)

    # --- CandidateSource ----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._register)

    def key_counts(self, keys: Iterable[str]) -> Mapping[str, int]:
        return self._register.key_counts(keys)

    def candidates(self, keys: Iterable[str]) -> Iterable[tuple[Hashable, PreparedIdentity]]:
        return sorted(self._register.candidates(keys))

    def similar_tokens(self, tokens: Iterable[str]) -> Mapping[str, set[str]]:
        return self._register.similar_tokens(tokens)


_SHARED: ResidentRegister | None = None
_SHARED_LOCK = threading.Lock()


def shared() -> ResidentRegister:
    """This process's resident register (loaded on first use)."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = ResidentRegister()
        return _SHARED


def forget() -> None:
    """Drop this process's resident register (tests; a forked child must not share it)."""
    global _SHARED
    with _SHARED_LOCK:
        _SHARED = None
