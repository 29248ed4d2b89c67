"""SQL-level adapters between the ledger's pure core and its tables (SQLite and PostgreSQL).

The hot paths (appends, sequencing, proofs, streaming every entry for ``verify`` and
``export``) use the driver's cursor on Django's connection, inside Django's transactions: the
ORM, and even Django's cursor wrapper, would cost more than the hashing. An inclusion or
consistency proof reads everything it needs in one query. Nothing here signs.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from itertools import batched
from typing import Any, NamedTuple

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from psycopg.types.numeric import Int8

from safeshare.ledger.entries import entry_format
from safeshare.ledger.merkle import (
    HASH_SIZE,
    NodeId,
    TreeStore,
    _perfect_nodes,
    fold_parts,
    inclusion_parts,
    perfect_root,
)
from safeshare.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerSubject, LedgerSubtree

LOCK_KEY = 0x5AFE_5AE1_ED6E
"""PostgreSQL advisory lock key held by whoever sequences or signs (one at a time)."""

MIN_CACHED_LEVEL = 4
"""Subtrees of 16 entries and more are cached (about one row per 8 entries)."""

STREAM_CHUNK = 20_000
"""Rows fetched per query when streaming the whole log."""

PREPARE_NEVER_BY_COUNT = 2**31 - 1
"""psycopg's ``prepare_threshold`` set by ``run_binary``: prepare only when asked."""


def _table(model: type) -> str:
    """The quoted table name (double quotes suit both SQLite and PostgreSQL)."""
    return f'"{model._meta.db_table}"'  # type: ignore[attr-defined]


ENTRIES = _table(LedgerEntry)
SUBJECTS = _table(LedgerSubject)
SUBTREES = _table(LedgerSubtree)
CHECKPOINTS = _table(LedgerCheckpoint)
INDEX = '"index"'
SUBJECT_FIELD = "subjects"
"""``LedgerSubject.field`` of a person the entry is about."""


def _sql(text: str) -> str:
    """Write queries with ``%s``; SQLite's driver wants ``?``."""
    return text.replace("%s", "?") if connection.vendor == "sqlite" else text


def run(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Execute one statement on Django's connection (in its transaction, if any); fetch all."""
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        cursor.execute(_sql(sql), params)
        return cursor.fetchall() if cursor.description else []
    finally:
        cursor.close()


def run_binary(
    sql: str, params: Sequence[Any] = (), *, returns_rows: bool = False
) -> list[tuple[Any, ...]]:
    """``run`` for the hot paths: on PostgreSQL the statement is prepared once per connection
    (the server parses and plans it once, not on every call), its parameters are bound by the
    server and the results come back in binary (``bytea`` as raw bytes, not hex text that both
    sides would encode and decode). Elsewhere the same as ``run``.

    Use it only for statements of a fixed text (a few shapes), so that the prepared statements
    kept per connection stay few."""
    db = connections[DEFAULT_DB_ALIAS]  # one look-up of Django's per-thread connection
    if db.vendor != "postgresql":
        return run(sql, params)
    db.ensure_connection()
    driver = db.connection
    if driver.prepare_threshold is None:
        # Django turns psycopg's automatic preparation off (its own cursors bind on the client
        # and never prepare). Turned on with a threshold never reached, only the statements
        # asked for here (``prepare=True``) are prepared.
        driver.prepare_threshold = PREPARE_NEVER_BY_COUNT
    with psycopg.Cursor(driver) as cursor:
        cursor.execute(sql, params, binary=True, prepare=True)
        if returns_rows:  # in pipeline mode the description is not known before the answer
            return cursor.fetchall()
        return cursor.fetchall() if cursor.description else []


def pipelined() -> AbstractContextManager[object]:
    """On PostgreSQL, psycopg's pipeline mode for the statements run inside: the driver sends
    them without waiting for each answer (the transaction's ``BEGIN`` goes with the first), and
    waits only where a result is read. Elsewhere nothing."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return nullcontext()
    db.ensure_connection()
    return db.connection.pipeline()


def run_many(sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Execute one statement for each row of parameters."""
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(_sql(sql), rows)
    finally:
        cursor.close()


def lock_ledger() -> None:
    """Serialise sequencers and signers until the current transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: every transaction is ``BEGIN
    IMMEDIATE`` (see settings), which already holds the database's single write lock.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock_ledger() must run inside a transaction")
    if connection.vendor == "postgresql":
        run("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _as_bytes(value: object) -> bytes | None:
    if value is None:
        return None
    # The database driver gives bytes, bytearray or memoryview, all of which bytes() takes.
    return value if type(value) is bytes else bytes(value)  # type: ignore[call-overload]


def sequenced_size() -> int:
    """Number of sequenced entries (one more than the largest index; the index is unique)."""
    [(largest,)] = run(f"SELECT MAX({INDEX}) FROM {ENTRIES}")  # noqa: S608
    return 0 if largest is None else int(largest) + 1


def has_queued() -> bool:
    """Whether any entry waits for an index (a cheap look, outside any lock)."""
    return bool(run(f"SELECT 1 FROM {ENTRIES} WHERE {INDEX} IS NULL LIMIT 1"))  # noqa: S608


def last_entry_format(size: int) -> int | None:
    """The format (``v``) of the last sequenced entry, or ``None`` for an empty log.

    Canonical JSON sorts its keys, so ``v`` is an entry's last field.
    """
    if size == 0:
        return None
    rows = run(f"SELECT body FROM {ENTRIES} WHERE {INDEX} = %s", [size - 1])  # noqa: S608
    body = _as_bytes(rows[0][0]) if rows else None
    if not body:
        return None
    return entry_format(body)


def queued_drafts(limit: int) -> list[tuple[int, dict[str, object]]]:
    """Up to ``limit`` queued entries, oldest first: ``(row id, draft fields)``."""
    rows = run(
        f"SELECT id, draft FROM {ENTRIES} WHERE {INDEX} IS NULL ORDER BY id LIMIT %s",  # noqa: S608
        [limit],
    )
    return [
        (row_id, json.loads(draft) if isinstance(draft, str | bytes) else draft)
        for row_id, draft in rows
    ]


def store_sequenced(rows: Sequence[tuple[int, int, bytes, bytes]]) -> None:
    """Give queued rows their index, canonical bytes and leaf hash: ``(id, index, body, leaf)``.

    PostgreSQL gets the whole batch in one statement (arrays); SQLite, in-process, one each.
    """
    if connection.vendor == "postgresql":
        ids, indices, bodies, leaves = (list(column) for column in zip(*rows, strict=True))
        run_binary(
            f"UPDATE {ENTRIES} AS e SET {INDEX} = v.position, body = v.body, "  # noqa: S608
            "leaf_hash = v.leaf FROM unnest(%s::bigint[], %s::bigint[], %s::bytea[], "
            "%s::bytea[]) AS v(id, position, body, leaf) "
            f"WHERE e.id = v.id AND e.{INDEX} IS NULL",
            [ids, indices, bodies, leaves],
        )
        return
    run_many(
        f"UPDATE {ENTRIES} SET {INDEX} = %s, body = %s, leaf_hash = %s "  # noqa: S608
        f"WHERE id = %s AND {INDEX} IS NULL",
        [(index, body, leaf, row_id) for row_id, index, body, leaf in rows],
    )


def read_leaf_hashes(start: int, end: int) -> list[bytes]:
    """The recorded leaf hashes of entries ``[start, end)``, in index order."""
    rows = run(
        f"SELECT leaf_hash FROM {ENTRIES} "  # noqa: S608
        f"WHERE {INDEX} >= %s AND {INDEX} < %s ORDER BY {INDEX}",
        [start, end],
    )
    return [_as_bytes(value) or b"" for (value,) in rows]


def _padded(count: int) -> int:
    """Round up to a power of two, so that a few query shapes serve every proof (and the
    driver's prepared statements are reused)."""
    return 1 << max(0, (count - 1).bit_length())


def _values(rows: Sequence[tuple[int, int]]) -> tuple[str, list[int]]:
    """``(VALUES (a, b), …) AS v``, padded with ``(-1, -1)``; columns ``column1``, ``column2``."""
    padded = [*rows, *[(-1, -1)] * (_padded(len(rows)) - len(rows))]
    first = "(CAST(%s AS INTEGER), CAST(%s AS BIGINT))"
    sql = f"(VALUES {', '.join([first, *['(%s, %s)'] * (len(padded) - 1)])}) AS v"
    return sql, [value for row in padded for value in row]


def _pairs(rows: Sequence[tuple[int, int]]) -> tuple[str, list[Any]]:
    """A relation ``v(column1, column2)`` of the rows, as padded ``VALUES`` (exact row counts
    keep the planner on the indexes; few distinct query texts)."""
    values, params = _values(rows)
    if connection.vendor == "postgresql":
        # One parameter type whatever the value, so that each padded shape is one prepared
        # statement (psycopg would otherwise pick int2, int4 or int8 by size).
        return values, [Int8(value) for value in params]
    return values, list(params)


NODE_KEY_SHIFT = 48
"""A node is sent as one number, ``level << 48 | index`` (an index stays below ``2**48``)."""


def _nodes_query(nodes: Collection[NodeId]) -> tuple[str, list[Any]]:
    """The cached hashes of ``nodes``: one parameter a node, padded to a power of two, so that
    a proof's query stays within the driver's cache of converted queries (50 parameters) and
    is one of a few prepared statements."""
    keys = [node.level << NODE_KEY_SHIFT | node.index for node in nodes]
    keys += [-1] * (_padded(len(keys)) - len(keys))
    rows = ", ".join(["(CAST(%s AS BIGINT))", *["(%s)"] * (len(keys) - 1)])
    mask = (1 << NODE_KEY_SHIFT) - 1
    return (
        f"SELECT s.level, s.{INDEX}, s.hash FROM (VALUES {rows}) AS v "  # noqa: S608
        f"JOIN {SUBTREES} s ON s.level = v.column1 >> {NODE_KEY_SHIFT} "
        f"AND s.{INDEX} = v.column1 & {mask}",
        [Int8(key) for key in keys] if connection.vendor == "postgresql" else keys,
    )


def _leaves_query(ranges: Sequence[tuple[int, int]]) -> tuple[str, list[Any]]:
    relation, params = _pairs(ranges)
    return (
        f"SELECT -1, e.{INDEX}, e.leaf_hash FROM {relation} "  # noqa: S608
        f"JOIN {ENTRIES} e ON e.{INDEX} >= v.column1 AND e.{INDEX} < v.column2",
        params,
    )


class DatabaseSubtreeCache:
    """``SubtreeCache`` over the ``LedgerSubtree`` table, optionally with hashes read ahead."""

    def __init__(self, known: Mapping[NodeId, bytes] | None = None) -> None:
        self._known = dict(known or {})

    def get_many(self, nodes: Collection[NodeId]) -> Mapping[NodeId, bytes]:
        """Return the cached hashes among ``nodes`` (one query for those not read ahead)."""
        found = {node: self._known[node] for node in nodes if node in self._known}
        missing = [node for node in nodes if node not in found]
        for group in batched(missing, 512):
            for level, index, digest in run_binary(*_nodes_query(group)):
                found[NodeId(level, index)] = _as_bytes(digest) or b""
        return found

    def put_many(self, hashes: Mapping[NodeId, bytes]) -> None:
        """Store hashes of complete subtrees (ones already stored are left as they are)."""
        if not hashes:
            return
        if connection.vendor == "postgresql":
            run(
                f"INSERT INTO {SUBTREES} (level, {INDEX}, hash) "  # noqa: S608
                "SELECT * FROM unnest(%s::smallint[], %s::bigint[], %s::bytea[]) "
                f"ON CONFLICT (level, {INDEX}) DO NOTHING",
                [
                    [node.level for node in hashes],
                    [node.index for node in hashes],
                    list(hashes.values()),
                ],
            )
            return
        run_many(
            f"INSERT INTO {SUBTREES} (level, {INDEX}, hash) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (level, {INDEX}) DO NOTHING",
            [(node.level, node.index, digest) for node, digest in hashes.items()],
        )


def tree() -> TreeStore:
    """Roots and proofs over the sequenced entries, with the subtree cache."""
    return TreeStore(read_leaf_hashes, DatabaseSubtreeCache(), min_cached_level=MIN_CACHED_LEVEL)


class ReadAhead(NamedTuple):
    """What ``tree_for_ranges`` read: a tree over it, the log's size, and the leaf hashes."""

    tree: TreeStore
    size: int
    leaves: dict[int, bytes]


def tree_for_ranges(ranges: Iterable[tuple[int, int]]) -> ReadAhead:
    """A tree that has read ahead, in one query, everything a proof over ``ranges`` needs.

    ``ranges`` are the leaf ranges whose hashes make up the proof (``merkle``'s proof ranges).
    The log's size is read in the same query. Anything missing (a cold cache) is read on
    demand, as ``tree()`` would.
    """
    nodes = {node for start, end in ranges for node in _perfect_nodes(start, end)}
    high = [node for node in nodes if node.level >= MIN_CACHED_LEVEL]
    tiles = sorted(
        {node.index >> (MIN_CACHED_LEVEL - node.level) for node in nodes if node not in high}
    )
    parts: list[str] = []
    params: list[Any] = []
    if high:
        sql, node_params = _nodes_query(high)
        parts.append(sql)
        params += node_params
    if tiles:
        width = 1 << MIN_CACHED_LEVEL
        sql, leaf_params = _leaves_query([(tile * width, (tile + 1) * width) for tile in tiles])
        parts.append(sql)
        params += leaf_params
    parts.append(f"SELECT -2, MAX({INDEX}), NULL FROM {ENTRIES}")  # noqa: S608
    known: dict[NodeId, bytes] = {}
    leaves: dict[int, bytes] = {}
    size = 0
    for level, index, digest in run_binary(" UNION ALL ".join(parts), params):
        if level == -2:
            size = 0 if index is None else int(index) + 1
        elif level == -1:
            leaves[index] = _as_bytes(digest) or b""
        else:
            known[NodeId(level, index)] = _as_bytes(digest) or b""

    def read(start: int, end: int) -> list[bytes]:
        if all(i in leaves for i in range(start, end)):
            return [leaves[i] for i in range(start, end)]
        return read_leaf_hashes(start, end)

    store = TreeStore(read, DatabaseSubtreeCache(known), min_cached_level=MIN_CACHED_LEVEL)
    return ReadAhead(store, size, leaves)


UPPER_LEVEL = 8
"""Subtrees of ``2**8`` entries and more are also kept in each process's memory
(``UpperNodes``): about ``n/128`` hashes, 8,000 (some 600 KB) at 10^6 entries."""

PROOF_TABLE_NODES = 8
"""Cached subtrees below ``UPPER_LEVEL`` that the proof query reads: at most four around the
entry and four at the log's right edge."""

PROOF_LEAF_GROUPS = 2
"""Groups of ``2**MIN_CACHED_LEVEL`` leaf hashes the proof query reads: the entry's, and the
one at the log's right edge."""

_NO_NODE = -1
"""A padding node key or leaf bound that matches no row."""


def _fixed_proof_query() -> str:
    nodes = ", ".join(["(CAST(%s AS BIGINT))", *["(%s)"] * (PROOF_TABLE_NODES - 1)])
    mask = (1 << NODE_KEY_SHIFT) - 1
    # The LIMIT changes no answer but lets PostgreSQL keep one generic plan for the statement:
    # without it the planner guesses a range of unknown bounds to hold thousands of rows, finds
    # the generic plan dearer than a plan made for each call's values, and plans every call
    # again (which took more time than running the query).
    leaves = [
        f"SELECT * FROM (SELECT -1, {INDEX}, leaf_hash FROM {ENTRIES} "  # noqa: S608
        f"WHERE {INDEX} >= %s AND {INDEX} < %s ORDER BY {INDEX} LIMIT {1 << MIN_CACHED_LEVEL}) "
        f"AS leaves{number}"
        for number in range(PROOF_LEAF_GROUPS)
    ]
    return " UNION ALL ".join(
        [
            f"SELECT s.level, s.{INDEX}, s.hash FROM (VALUES {nodes}) AS v "  # noqa: S608
            f"JOIN {SUBTREES} s ON s.level = v.column1 >> {NODE_KEY_SHIFT} "
            f"AND s.{INDEX} = v.column1 & {mask} WHERE v.column1 >= 0",
            *leaves,
            f"SELECT -2, MAX({INDEX}), NULL FROM {ENTRIES}",  # noqa: S608
            f"SELECT -3, id, leaf_hash FROM {ENTRIES} WHERE {INDEX} = 0",  # noqa: S608
        ]
    )


PROOF_QUERY = _fixed_proof_query()
"""One text for every inclusion proof (so PostgreSQL prepares it once per connection): the
cached subtrees below ``UPPER_LEVEL`` it needs (padded), two groups of leaf hashes, the log's
size, and the log's first row (``UpperNodes``' tag)."""

_REFRESH_PG = (
    f"SELECT s.level, s.{INDEX}, s.hash "  # noqa: S608
    "FROM unnest(%s::bigint[], %s::bigint[]) AS w(level, first) "
    f"JOIN {SUBTREES} s ON s.level = w.level AND s.{INDEX} >= w.first "
    f"UNION ALL SELECT -3, id, leaf_hash FROM {ENTRIES} WHERE {INDEX} = 0 ORDER BY 1, 2"
)
_REFRESH_SQLITE = (
    f"SELECT level, {INDEX}, hash FROM {SUBTREES} WHERE level >= %s "  # noqa: S608
    f"UNION ALL SELECT -3, id, leaf_hash FROM {ENTRIES} WHERE {INDEX} = 0 ORDER BY 1, 2"
)

Tag = tuple[object, ...]


class UpperNodes:
    """Hashes of complete subtrees at ``UPPER_LEVEL`` and above, kept in this process.

    A complete subtree never changes, so once read its hash is good for as long as the log is
    the same log. Each level holds a gapless run of subtrees from the first, copied from the
    ``LedgerSubtree`` table (which holds complete subtrees only), and only from committed data:
    the cache is filled and used only outside transactions. ``tag`` names the log it was read
    from (the database and the log's first row: its id, which a log made anew never reuses, and
    its leaf hash); every proof reads the tag again, and a different one empties the cache.
    """

    def __init__(self, tag: Tag | None = None) -> None:
        self.tag = tag
        self.levels: dict[int, list[bytes]] = {}

    def get(self, level: int, index: int) -> bytes | None:
        """The hash of subtree ``(level, index)``, if held."""
        hashes = self.levels.get(level)
        return hashes[index] if hashes is not None and index < len(hashes) else None

    def first_missing(self, level: int) -> int:
        """The index of the first subtree of ``level`` not held."""
        return len(self.levels.get(level, ()))

    def add(self, rows: Iterable[tuple[int, int, bytes]]) -> None:
        """Keep the rows ``(level, index, hash)`` (in index order within a level) that extend a
        level's run without a gap; others are left out."""
        for level, index, digest in rows:
            hashes = self.levels.setdefault(level, [])
            if index == len(hashes) and len(digest) == 32:
                hashes.append(digest)


_upper: dict[tuple[object, ...], UpperNodes] = {}
_upper_lock = threading.Lock()


def _database_key() -> tuple[object, ...]:
    db = connections[DEFAULT_DB_ALIAS]
    settings = db.settings_dict
    return (db.vendor, settings.get("NAME"), settings.get("HOST"), settings.get("PORT"))


def _log_tag(row_id: object, digest: object, key: tuple[object, ...] | None = None) -> Tag:
    return (*(key or _database_key()), row_id, _as_bytes(digest))


def upper_nodes(key: tuple[object, ...] | None = None) -> UpperNodes:
    """This process's ``UpperNodes`` for the current database (``key``, if known)."""
    key = key or _database_key()
    found = _upper.get(key)
    if found is None:
        with _upper_lock:
            found = _upper.setdefault(key, UpperNodes())
    return found


def forget_upper_nodes() -> None:
    """Empty this process's ``UpperNodes`` (every database)."""
    with _upper_lock:
        _upper.clear()


def _read_upper(levels: list[int], upper: UpperNodes) -> tuple[Tag | None, list[Any]]:
    """The log's tag and the subtrees of ``levels`` that ``upper`` does not hold (on SQLite,
    all of them), in index order."""
    if connection.vendor == "postgresql":
        firsts = [Int8(upper.first_missing(level)) for level in levels]
        rows = run_binary(_REFRESH_PG, [[Int8(level) for level in levels], firsts])
    else:
        rows = run(_REFRESH_SQLITE, [UPPER_LEVEL])
    tag: Tag | None = None
    nodes = []
    for level, index, digest in rows:
        if level == -3:
            tag = _log_tag(index, digest)
        elif levels[0] <= level <= levels[-1]:
            nodes.append((level, index, _as_bytes(digest) or b""))
    return tag, nodes


def refresh_upper_nodes(top_level: int) -> UpperNodes:
    """Read the subtrees at ``UPPER_LEVEL``..``top_level`` not yet held into this process's
    ``UpperNodes`` (one query); if the log is not the one they were read from, start again."""
    levels = list(range(UPPER_LEVEL, max(UPPER_LEVEL, top_level) + 1))
    with _upper_lock:
        key = _database_key()
        upper = _upper.get(key) or UpperNodes()
        tag, nodes = _read_upper(levels, upper)
        if tag != upper.tag:
            held = bool(upper.levels)
            upper = UpperNodes(tag)
            if held:  # what was read follows on from another log's subtrees
                tag, nodes = _read_upper(levels, upper)
                if tag != upper.tag:
                    nodes = []
        upper.add(nodes)
        _upper[key] = upper
        return upper


class CachedProof(NamedTuple):
    """An inclusion proof read by ``prove_with_upper_nodes``; ``proof`` is empty (and
    ``leaf_hash`` ``b""``) when the size asked for is beyond ``log_size``."""

    log_size: int
    leaf_hash: bytes
    proof: list[bytes]


def prove_with_upper_nodes(index: int, size: int) -> CachedProof | None:
    """The inclusion proof of entry ``index`` (``0 <= index < size``) in the tree of ``size``
    entries, from this process's ``UpperNodes`` and one query of a fixed text
    (``PROOF_QUERY``). ``None`` where that cannot be done (inside a transaction, a subtree
    missing from the tables, a log that changed under the cache): the caller then reads the
    proof as ``tree_for_ranges`` does."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.in_atomic_block:
        return None
    parts = inclusion_parts(index, size)
    high: list[NodeId] = []
    table: list[NodeId] = []
    low: list[NodeId] = []
    for nodes in parts:
        for node in nodes:
            if node[0] >= UPPER_LEVEL:
                high.append(node)
            elif node[0] >= MIN_CACHED_LEVEL:
                table.append(node)
            else:
                low.append(node)
    key = _database_key()
    upper = upper_nodes(key)
    hashes: dict[NodeId, bytes] = {}
    for attempt in range(2):
        levels = upper.levels
        try:
            for node in high:
                hashes[node] = levels[node[0]][node[1]]
            break
        except (KeyError, IndexError):
            if attempt:
                return None
            upper = refresh_upper_nodes(size.bit_length())
    groups = sorted({index >> MIN_CACHED_LEVEL, *((i << lv) >> MIN_CACHED_LEVEL for lv, i in low)})
    if len(table) > PROOF_TABLE_NODES or len(groups) > PROOF_LEAF_GROUPS:
        return None
    params = [level << NODE_KEY_SHIFT | i for level, i in table]
    params += [_NO_NODE] * (PROOF_TABLE_NODES - len(table))
    for group in groups:
        params += [group << MIN_CACHED_LEVEL, (group + 1) << MIN_CACHED_LEVEL]
    params += [_NO_NODE, _NO_NODE] * (PROOF_LEAF_GROUPS - len(groups))
    postgres = db.vendor == "postgresql"
    leaves: dict[int, bytes] = {}
    log_size = 0
    tag: Tag | None = None
    for level, position, digest in run_binary(
        PROOF_QUERY, [Int8(value) for value in params] if postgres else params
    ):
        if not postgres:
            digest = _as_bytes(digest)
        if level >= 0:
            hashes[NodeId(level, position)] = digest
        elif level == -1:
            leaves[position] = digest
        elif level == -2:
            log_size = 0 if position is None else position + 1
        else:
            tag = _log_tag(position, digest, key)
    if tag != upper.tag:  # not the log the cache was read from (or nothing read yet)
        with _upper_lock:
            _upper[key] = UpperNodes(tag)
        if high:
            return None
    if size > log_size:
        return CachedProof(log_size, b"", [])
    try:
        for node in low:
            level, first = node[0], node[1] << node[0]
            hashes[node] = perfect_root([leaves[i] for i in range(first, first + (1 << level))])
        if any(digest is None or len(digest) != HASH_SIZE for digest in leaves.values()):
            return None  # the slow way says which
        return CachedProof(log_size, leaves[index], fold_parts(parts, hashes))
    except KeyError:  # a subtree or a leaf hash not in the tables: read the slow way
        return None


STREAM_PAGE = 8_192
"""Rows a page when ``stream_pages`` reads the whole log: a page's answer (about 3 MB) fits
in the socket's buffers, so the server sends it while the verifier hashes the page before."""

STREAM_AHEAD = 2
"""Pages asked for before the one being read is used (PostgreSQL)."""


def _page_query(first: bool) -> str:
    lower = "" if first else f"{INDEX} >= %s AND "
    return (
        f"SELECT body, leaf_hash FROM {ENTRIES} "  # noqa: S608
        f"WHERE {lower}{INDEX} < %s ORDER BY {INDEX}"
    )


def _page_params(page: int, size: int, below: int) -> list[Any]:
    end = min(below, (page + 1) * size)
    return [Int8(end)] if page == 0 else [Int8(page * size), Int8(end)]


def _columns(rows: Sequence[tuple[Any, Any]]) -> tuple[Sequence[bytes], Sequence[bytes]]:
    """A page's rows as its two columns; ``b""`` for a NULL (which verification then reports)."""
    if not rows:
        return (), ()
    bodies, leaves = zip(*rows, strict=True)
    return _no_nulls(bodies), _no_nulls(leaves)


def _no_nulls(values: tuple[Any, ...]) -> Sequence[bytes]:
    if None in values:
        return [b"" if value is None else bytes(value) for value in values]
    return values


def stream_pages(
    below: int, page: int = STREAM_PAGE
) -> Iterator[tuple[Sequence[bytes], Sequence[bytes]]]:
    """The sequenced rows below index ``below``, in index order, a page at a time:
    ``(bodies, recorded leaf hashes)``, a NULL read as ``b""``.

    Each page is a range of indices (the first has no lower bound, so that a row numbered
    below 0 is read too), so the pages are known in advance. On PostgreSQL the queries are
    prepared, answered in binary and pipelined: the next pages are asked for before the
    current one is handed over, so the server reads them while the caller hashes.
    """
    pages = max(1, -(-below // page))
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        for number in range(pages):
            params = [int(value) for value in _page_params(number, page, below)]
            rows = run(_page_query(number == 0), params)
            yield _columns(rows)
        return
    db.ensure_connection()
    driver = db.connection
    if driver.prepare_threshold is None:
        driver.prepare_threshold = PREPARE_NEVER_BY_COUNT
    with driver.pipeline():
        asked: deque[psycopg.Cursor[Any]] = deque()
        try:
            for number in range(pages + STREAM_AHEAD):
                if number < pages:
                    cursor = psycopg.Cursor(driver)
                    cursor.execute(
                        _page_query(number == 0),
                        _page_params(number, page, below),
                        binary=True,
                        prepare=True,
                    )
                    asked.append(cursor)
                if number < STREAM_AHEAD or not asked:
                    continue
                cursor = asked.popleft()
                rows = cursor.fetchall()
                cursor.close()
                yield _columns(rows)
        finally:
            for cursor in asked:
                cursor.close()


def stream_entries(
    below: int | None = None, chunk: int = STREAM_CHUNK
) -> Iterator[tuple[int, bytes | None, bytes | None]]:
    """Every sequenced row in index order: ``(index, body, recorded leaf hash)``.

    Reads in keyset pages, so memory stays flat however long the log is. ``below`` stops at an
    index (rows sequenced after the caller took its size are left out).
    """
    last: int | None = None
    while True:
        conditions = [f"{INDEX} IS NOT NULL"]
        params: list[object] = []
        if last is not None:
            conditions.append(f"{INDEX} > %s")
            params.append(last)
        if below is not None:
            conditions.append(f"{INDEX} < %s")
            params.append(below)
        params.append(chunk)
        rows = run_binary(
            f"SELECT {INDEX}, body, leaf_hash FROM {ENTRIES} "  # noqa: S608
            f"WHERE {' AND '.join(conditions)} ORDER BY {INDEX} LIMIT %s",
            params,
        )
        for index, body, leaf in rows:
            yield index, _as_bytes(body), _as_bytes(leaf)
        if len(rows) < chunk:
            return
        last = rows[-1][0]


def checkpoint_notes() -> dict[str, str]:
    """Every stored checkpoint note, in size order, labelled ``checkpoint <size>``."""
    rows = LedgerCheckpoint.objects.order_by("size").values_list("size", "note")
    return {f"checkpoint {size}": note for size, note in rows}
