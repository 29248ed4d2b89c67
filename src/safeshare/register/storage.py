"""The register in the database: posting lists, candidate sources and bulk writes.

``RegisterKey`` holds one row per blocking key: the number of register entries carrying it
(``n``) and their ids (``ids``, packed). A clearance reads every query key's exact count, and
the ids of the keys it may use, in one indexed query; then the prepared identities of those
ids in a second, through a per-process cache. Entries never change once written (a changed
identity gets a new entry and id), so the cache needs no invalidation. See
docs/adr/0005-register-storage.md.

Writers lock key rows in key order (``#``, the register size, first), so concurrent writers
queue rather than deadlock.
"""

from __future__ import annotations

import functools
import sys
import threading
from array import array
from collections import OrderedDict
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Model

from safeshare.kernel.bulk import BulkTable, BulkWriter, adapt, copy_rows
from safeshare.matching.blocking import name_key_sets, near_keys, query_keys
from safeshare.matching.model import MatchModel, Thresholds, load_model
from safeshare.matching.record import PreparedIdentity
from safeshare.matching.register import TokenNeighbours
from safeshare.register.models import RegisterEntry, RegisterKey, RegisterState

SIZE_KEY = "#"
"""The ``RegisterKey`` row whose ``n`` is the number of entries in the register."""
KEY_SET_KEY = "#keys"
"""The ``RegisterKey`` row whose ``n`` is the ``blocking.KEY_SET_VERSION`` the stored keys
were made with (written by ``register rebuild``); a register without it predates the row
(version 1)."""
SQLITE_CHUNK = 500
POSTGRES_CHUNK = 20_000
# An entry id can come back with other contents: SQLite's sequence rolls back with a rolled-back
# insert, and a restore from backup rewinds PostgreSQL's. A cached identity is therefore only
# used while the row it came from is still there: every lookup reads each candidate's
# ``created_at`` with the candidate list and re-reads any entry whose row differs (see
# ``fetch_entries``). ``SAFESHARE_MATCHING_CACHE=0`` turns the cache off.
CACHE_SIZE: int = getattr(settings, "SAFESHARE_MATCHING_CACHE", 200_000)
_LITTLE = sys.byteorder == "little"

Postings = Mapping[str, int | Sequence[int] | array]


# --- Posting lists ---------------------------------------------------------------------------


def pack_ids(ids: Iterable[int]) -> bytes:
    """Entry ids as little-endian signed 64-bit integers."""
    packed = ids if isinstance(ids, array) and ids.typecode == "q" else array("q", ids)
    if not _LITTLE:
        packed = array("q", packed)
        packed.byteswap()
    return packed.tobytes()


def unpack_ids(data: bytes | memoryview | None) -> array:
    ids = array("q")
    if data:
        ids.frombytes(bytes(data))
        if not _LITTLE:
            ids.byteswap()
    return ids


# --- Prepared identities, cached by entry id -------------------------------------------------


_Cached = tuple[object, PreparedIdentity]
"""The row version (its ``created_at`` as the database returns it) and the identity."""


class PreparedCache:
    """A thread-safe least-recently-used map of entry id to (row version, identity)."""

    def __init__(self, capacity: int = CACHE_SIZE) -> None:
        self.capacity = capacity
        self._items: OrderedDict[int, _Cached] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get_many(self, ids: Iterable[int]) -> dict[int, _Cached]:
        found: dict[int, _Cached] = {}
        items = self._items
        with self._lock:
            for entry_id in ids:
                cached = items.get(entry_id)
                if cached is not None:
                    items.move_to_end(entry_id)
                    found[entry_id] = cached
        return found

    def put_many(self, items_to_add: Iterable[tuple[int, _Cached]]) -> None:
        if self.capacity <= 0:
            return
        items = self._items
        with self._lock:
            for entry_id, cached in items_to_add:
                items[entry_id] = cached
                items.move_to_end(entry_id)
            while len(items) > self.capacity:
                items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


CACHE = PreparedCache()
"""The process's cache of prepared entries (``SAFESHARE_MATCHING_CACHE`` entries, default
200,000, about 120 MB when full; checked against the database on every use, see
``CACHE_SIZE``)."""


# --- Queries ---------------------------------------------------------------------------------


def _quoted(model: type[Model], using: str = "default") -> str:
    return connections[using].ops.quote_name(model._meta.db_table)


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fetch_keys(
    keys: Collection[str],
    thresholds: Thresholds | None,
    using: str = "default",
) -> dict[str, tuple[int, bytes | None]]:
    """``{key: (n, packed ids)}`` for the keys present, with the ids only of the keys the
    matcher may use (``n`` within the key's cap: ``token_key_cap`` for ``t:`` and ``b:``
    keys, ``key_cap`` for the others), or of every key when ``thresholds`` is None."""
    connection = connections[using]
    table = _quoted(RegisterKey, using)
    unlimited = sys.maxsize >> 1
    token_cap = unlimited if thresholds is None else thresholds.token_key_cap
    cap = unlimited if thresholds is None else thresholds.key_cap
    ids = (
        "CASE WHEN n <= (CASE WHEN substr(\"key\", 1, 1) IN ('t', 'b') THEN %s ELSE %s END) "
        "THEN ids END"
    )
    rows: dict[str, tuple[int, bytes | None]] = {}
    keys = list(keys)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for part in _chunks(keys, POSTGRES_CHUNK):
                cursor.execute(
                    f'SELECT "key", n, {ids} FROM {table} WHERE "key" = ANY(%s::text[])',  # noqa: S608
                    [token_cap, cap, list(part)],
                )
                rows.update((key, (n, packed)) for key, n, packed in cursor.fetchall())
        else:
            for part in _chunks(keys, SQLITE_CHUNK):
                marks = ",".join(["%s"] * len(part))
                cursor.execute(
                    f'SELECT "key", n, {ids} FROM {table} WHERE "key" IN ({marks})',  # noqa: S608
                    [token_cap, cap, *part],
                )
                rows.update((key, (n, packed)) for key, n, packed in cursor.fetchall())
    return rows


def fetch_entries(
    ids: Collection[int], cache: PreparedCache | None = CACHE, using: str = "default"
) -> dict[int, PreparedIdentity]:
    """The prepared identities of ``ids`` still in the register.

    One query reads every id's row version (``created_at``) and the prepared JSON of those not
    cached; a cached identity whose row version differs (the id was reused) is read again."""
    cached = cache.get_many(ids) if cache is not None else {}
    found: dict[int, PreparedIdentity] = {}
    loaded: list[tuple[int, _Cached]] = []
    stale: list[int] = []
    parse = _parse_candidate
    for entry_id, version, text in _entry_rows(list(ids), set(cached), using):
        if text is not None:
            prepared = parse(text)
            loaded.append((entry_id, (version, prepared)))
            found[entry_id] = prepared
        elif cached[entry_id][0] == version:
            found[entry_id] = cached[entry_id][1]
        else:
            stale.append(entry_id)
    if stale:
        for entry_id, version, text in _entry_rows(stale, set(), using):
            assert text is not None  # none of these ids is given as cached, so each has its JSON
            prepared = parse(text)
            loaded.append((entry_id, (version, prepared)))
            found[entry_id] = prepared
    if cache is not None and loaded:
        cache.put_many(loaded)
    return found


def _version_column(connection) -> str:
    """An entry's row version as every cache lookup reads it: ``created_at`` as text (text is
    quicker to fetch than datetimes, and only compared for equality)."""
    return "created_at::text" if connection.vendor == "postgresql" else "created_at"


def _parse_candidate(text: str) -> PreparedIdentity:
    """A stored entry as a candidate for scoring: without its blocking keys."""
    return PreparedIdentity.from_json(text, with_keys=False)


def _entry_rows(
    ids: list[int], cached: set[int], using: str
) -> Iterator[tuple[int, object, str | None]]:
    """(id, row version, prepared JSON unless the id is in ``cached``) for the ids present.

    One statement a chunk: the cached ids' versions and the others' rows, as two halves of a
    ``UNION ALL`` (each an indexed lookup, so the cost grows with the number of ids, not with
    its square)."""
    if not ids:
        return
    connection = connections[using]
    table = _quoted(RegisterEntry, using)
    postgres = connection.vendor == "postgresql"
    version = _version_column(connection)
    versions = f"SELECT id, {version}, NULL FROM {table} WHERE id "  # noqa: S608
    rows = f"SELECT id, {version}, prepared FROM {table} WHERE id "  # noqa: S608
    with connection.cursor() as cursor:
        for part in _chunks(ids, POSTGRES_CHUNK if postgres else SQLITE_CHUNK):
            known = [i for i in part if i in cached]
            unknown = [i for i in part if i not in cached]
            if postgres:
                sql = f"{versions}= ANY(%s::bigint[]) UNION ALL {rows}= ANY(%s::bigint[])"
                params: list[Any] = [known, unknown]
            else:
                sql = (
                    f"{versions}IN ({','.join(['%s'] * len(known)) or 'NULL'}) UNION ALL "
                    f"{rows}IN ({','.join(['%s'] * len(unknown)) or 'NULL'})"
                )
                params = [*known, *unknown]
            cursor.execute(sql, params)
            yield from cursor.fetchall()


@functools.cache
def service_model() -> MatchModel:
    """The matcher's parameters for this service: the file ``SAFESHARE_MATCHING_MODEL`` names,
    or the shipped one (loaded once per process)."""
    return load_model(settings.SAFESHARE_MATCHING_MODEL or None)


def default_thresholds() -> Thresholds:
    return service_model().thresholds


_NEIGHBOURS: dict[str, tuple[tuple[int, int, int], TokenNeighbours]] = {}
_NEIGHBOURS_LOCK = threading.Lock()


def key_set_version(using: str = "default") -> int:
    """The ``blocking.KEY_SET_VERSION`` the register's stored keys were made with."""
    row = fetch_keys([KEY_SET_KEY], None, using).get(KEY_SET_KEY)
    return row[0] if row else 1


def register_size(using: str = "default") -> int:
    """The number of entries in the register."""
    return fetch_keys([SIZE_KEY], None, using).get(SIZE_KEY, (0, None))[0]


def set_key_set_version(version: int, using: str = "default") -> None:
    """Record the key set the stored keys were made with. In the caller's transaction."""
    RegisterKey.objects.using(using).update_or_create(
        key=KEY_SET_KEY, defaults={"n": version, "ids": b""}
    )


def token_neighbours(using: str = "default") -> TokenNeighbours:
    """The register's token keys (``t:``), for ``similar_tokens``: read once per register
    version and process, as the resident register keeps them in memory. The register's size
    is part of the version read, so that a version number seen again (a restore from backup,
    a rolled-back test) with other contents is read again too."""
    version, generation = read_version(using)
    size = fetch_keys([SIZE_KEY], None, using).get(SIZE_KEY, (0, None))[0]
    stamp = (version, generation, size)
    with _NEIGHBOURS_LOCK:
        cached = _NEIGHBOURS.get(using)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    connection = connections[using]
    table = _quoted(RegisterKey, using)
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "key" FROM {table} WHERE substr("key", 1, 2) = %s AND n > 0',  # noqa: S608
            ["t:"],
        )
        neighbours = TokenNeighbours(row[0][2:] for row in cursor.fetchall())
    with _NEIGHBOURS_LOCK:
        _NEIGHBOURS[using] = (stamp, neighbours)
    return neighbours


def forget_token_neighbours() -> None:
    """Drop the token keys read by ``token_neighbours`` (tests)."""
    with _NEIGHBOURS_LOCK:
        _NEIGHBOURS.clear()


def _tokens(subject: PreparedIdentity) -> set[str]:
    return {token for names in name_key_sets(subject) for token in names}


class DatabaseRegister:
    """The register as a ``CandidateSource``: one query for every key's count (and the ids of
    keys under the cap, kept for ``candidates``), one for the entries not already cached.

    The caps mirror ``Matcher.retrieve``; they only decide what is fetched up front, and a key
    the matcher asks for whose ids were not fetched is fetched then."""

    def __init__(
        self,
        thresholds: Thresholds | None = None,
        *,
        cache: PreparedCache | None = CACHE,
        using: str = "default",
    ) -> None:
        self._thresholds = thresholds or default_thresholds()
        self._cache = cache
        self._using = using
        self._rows: dict[str, tuple[int, bytes | None]] = {}
        self._size: int | None = None

    def __len__(self) -> int:
        if self._size is None:
            rows = fetch_keys([SIZE_KEY], self._thresholds, self._using)
            self._size = rows.get(SIZE_KEY, (0, None))[0]
        return self._size

    def key_counts(self, keys: Iterable[str]) -> Mapping[str, int]:
        rows = fetch_keys([*keys, SIZE_KEY], self._thresholds, self._using)
        self._size = rows.pop(SIZE_KEY, (0, None))[0]
        self._rows.update(rows)
        return {key: n for key, (n, _) in rows.items()}

    def candidates(self, keys: Iterable[str]) -> Iterable[tuple[Hashable, PreparedIdentity]]:
        keys = list(keys)
        unfetched = [k for k in keys if k not in self._rows or self._rows[k][1] is None]
        if unfetched:
            self._rows.update(fetch_keys(unfetched, None, self._using))
        ids: set[int] = set()
        for key in keys:
            row = self._rows.get(key)
            if row is not None:
                ids.update(unpack_ids(row[1]))
        return sorted(fetch_entries(ids, self._cache, self._using).items())

    def similar_tokens(self, tokens: Iterable[str]) -> Mapping[str, set[str]]:
        return token_neighbours(self._using).similar(tokens)


class PrefetchedRegister:
    """A ``CandidateSource`` for a batch of subjects (a sweep): every key and candidate the
    batch needs is fetched in a few queries up front."""

    def __init__(
        self,
        subjects: Iterable[PreparedIdentity],
        thresholds: Thresholds | None = None,
        *,
        cache: PreparedCache | None = CACHE,
        using: str = "default",
    ) -> None:
        self._thresholds = thresholds or default_thresholds()
        self._cache = cache
        self._using = using
        wanted: set[str] = {SIZE_KEY}
        self._neighbours = token_neighbours(using)
        for subject in subjects:
            wanted |= query_keys(subject)
            wanted |= near_keys(subject, self._neighbours.similar(_tokens(subject)))
        self._rows = fetch_keys(wanted, self._thresholds, using)
        self._size = self._rows.pop(SIZE_KEY, (0, None))[0]
        ids: set[int] = set()
        for _, packed in self._rows.values():
            ids.update(unpack_ids(packed))
        self._entries = fetch_entries(ids, cache, using)

    def __len__(self) -> int:
        return self._size

    def key_counts(self, keys: Iterable[str]) -> Mapping[str, int]:
        rows = self._rows
        return {key: rows[key][0] for key in keys if key in rows}

    def candidates(self, keys: Iterable[str]) -> Iterable[tuple[Hashable, PreparedIdentity]]:
        keys = list(keys)
        unfetched = [k for k in keys if k in self._rows and self._rows[k][1] is None]
        if unfetched:
            self._rows.update(fetch_keys(unfetched, None, self._using))
        ids: set[int] = set()
        for key in keys:
            row = self._rows.get(key)
            if row is not None:
                ids.update(unpack_ids(row[1]))
        missing = [i for i in ids if i not in self._entries]
        if missing:
            self._entries.update(fetch_entries(missing, self._cache, self._using))
        entries = self._entries
        return [(i, entries[i]) for i in sorted(ids) if i in entries]

    def similar_tokens(self, tokens: Iterable[str]) -> Mapping[str, set[str]]:
        return self._neighbours.similar(tokens)


# --- The register's version ----------------------------------------------------------------


def bump_version(*, generation: bool = False, using: str = "default") -> int:
    """Raise the register's version (and its generation, when entries are changed in place)
    and return the new version. Every writer calls it first in its transaction: the row lock
    makes writers queue, so versions commit in order (see ``models.RegisterState``)."""
    connection = connections[using]
    table = _quoted(RegisterState, using)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, version, generation) VALUES (1, 1, %s) "  # noqa: S608
            f"ON CONFLICT (id) DO UPDATE SET version = {table}.version + 1, "
            f"generation = {table}.generation + %s RETURNING version",
            [int(generation), int(generation)],
        )
        return cursor.fetchone()[0]


def read_version(using: str = "default") -> tuple[int, int]:
    """(version, generation) of the register as committed."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT version, generation FROM {_quoted(RegisterState, using)} WHERE id = 1"  # noqa: S608
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, 0)


# --- Writing posting lists -------------------------------------------------------------------


def _posting_row(key: str, ids: int | Sequence[int] | array) -> tuple[str, int, bytes]:
    if isinstance(ids, int):
        return key, 1, ids.to_bytes(8, "little", signed=True)
    return key, len(ids), pack_ids(ids)


def add_postings(postings: Postings, size_delta: int, using: str = "default") -> None:
    """Add entry ids to their keys' posting lists, and ``size_delta`` to the register size.
    In the caller's transaction. Rows are written in key order, the order every writer locks
    them in."""
    connection = connections[using]
    table = _quoted(RegisterKey, using)
    size_row = (SIZE_KEY, size_delta, b"")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if len(postings) > 1000:
                cursor.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS matching_postings_in "
                    '("key" text COLLATE "C", n integer, ids bytea) ON COMMIT DROP'
                )
                cursor.execute("TRUNCATE matching_postings_in")
                posted = (_posting_row(key, ids) for key, ids in postings.items())
                copy_rows(cursor, "matching_postings_in", ("key", "n", "ids"), [size_row])
                copy_rows(cursor, "matching_postings_in", ("key", "n", "ids"), posted)
                source = 'SELECT "key", n, ids FROM matching_postings_in ORDER BY "key"'
                cursor.execute(
                    f'INSERT INTO {table} AS k ("key", n, ids) {source} '
                    'ON CONFLICT ("key") DO UPDATE SET n = k.n + EXCLUDED.n, '
                    "ids = k.ids || EXCLUDED.ids"
                )
                cursor.execute("TRUNCATE matching_postings_in")
            else:
                rows = [size_row, *sorted(_posting_row(k, ids) for k, ids in postings.items())]
                cursor.executemany(
                    f'INSERT INTO {table} AS k ("key", n, ids) VALUES (%s, %s, %s) '  # noqa: S608
                    'ON CONFLICT ("key") DO UPDATE SET n = k.n + EXCLUDED.n, '
                    "ids = k.ids || EXCLUDED.ids",
                    rows,
                )
        else:
            rows = [size_row]
            rows += (_posting_row(key, postings[key]) for key in sorted(postings))
            cursor.executemany(
                f'INSERT INTO {table} ("key", n, ids) VALUES (%s, %s, %s) '  # noqa: S608
                'ON CONFLICT ("key") DO UPDATE SET n = n + excluded.n, '
                "ids = CAST(ids || excluded.ids AS BLOB)",
                rows,
            )


def remove_postings(postings: Mapping[str, Collection[int]], size_delta: int, using="default"):
    """Take entry ids off their keys' posting lists (a key left empty is deleted) and add
    ``size_delta`` (negative) to the register size. In the caller's transaction."""
    connection = connections[using]
    table = _quoted(RegisterKey, using)
    keys = sorted(postings)
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {table} SET n = n + %s WHERE "key" = %s',  # noqa: S608
            [size_delta, SIZE_KEY],
        )
        current: dict[str, bytes] = {}
        for part in _chunks(keys, SQLITE_CHUNK):
            marks = ",".join(["%s"] * len(part))
            cursor.execute(
                f'SELECT "key", ids FROM {table} WHERE "key" IN ({marks}) '  # noqa: S608
                f'ORDER BY "key"{lock}',
                list(part),
            )
            current.update((key, ids) for key, ids in cursor.fetchall())
        updates, deletes = [], []
        for key in keys:
            if key not in current:
                continue
            gone = set(postings[key])
            kept = array("q", (i for i in unpack_ids(current[key]) if i not in gone))
            if kept:
                updates.append((len(kept), pack_ids(kept), key))
            else:
                deletes.append((key,))
        if updates:
            cursor.executemany(
                f'UPDATE {table} SET n = %s, ids = %s WHERE "key" = %s',  # noqa: S608
                updates,
            )
        if deletes:
            cursor.executemany(f'DELETE FROM {table} WHERE "key" = %s', deletes)  # noqa: S608


# --- Bulk inserts ---

__all__ = [
    "BulkTable",
    "BulkWriter",
    "adapt",
    "copy_rows",
]  # re-exported for the register's actions
