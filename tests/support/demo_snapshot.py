"""The demo, seeded once per test run and set of settings, then copied into each test that uses it.

Seeding the demo (``safeshare.demo.seed``) takes several seconds of actions, matching and ledger
work. Tests that need the demo whole but do not test the seeding itself call ``seed_demo``: the
first call of a run (under a given policy, notification settings and day) seeds as usual and
keeps a copy of every table's rows and of the files the demo wrote in ``VAR_DIR`` (logins, keys,
letters); every later call, in any process of the run, writes those rows into its own test
database and those files into its own ``VAR_DIR``. The copy goes into the test's database like
any other write (inside the test's transaction, or one of its own for a transactional test), so
a test sees the demo exactly as seeded, and what it writes is rolled back or flushed as before:
no test sees another's writes. Tests of the seeding itself (tests/ledger_db/test_demo.py,
tests/web/test_demo_policies.py) seed for real.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from safeshare import demo
from safeshare.accounts.demo import DemoLogin
from safeshare.ledger.keys import hmac_key

SKIPPED_TABLES = {"django_migrations", "sqlite_sequence"}
"""Left as the migrations made them: the schema's own records, not the demo's."""

JSON_TYPES = {114, 3802}
"""PostgreSQL's type ids for ``json`` and ``jsonb``."""
ROWS_FILE = "rows.pickle"
KEY_FILE = "ledger-hmac-key"
FILES_FOLDER = "var"


def seed_demo(snapshots: Path, test_settings) -> list[DemoLogin]:
    """``demo.seed()`` in this test's database and ``settings.VAR_DIR``, from the run's copy in
    ``snapshots`` (the ``demo_snapshots`` fixture) when there is one. Set ``VAR_DIR`` (and any
    setting the demo reads) before calling; ``test_settings`` is pytest-django's ``settings``.

    The ledger's entries name people by keyed tokens, under a key each process keeps once made
    (``ledger.keys.hmac_key``). A copy made in another process came with that process's key: the
    test gets it through ``SAFESHARE_LEDGER_HMAC_KEY``, so that the copy reads as seeded here.
    The caller forgets the key after the test (``hmac_key.cache_clear()``)."""
    letters = settings.SAFESHARE_LETTER_DIR
    var_dir = Path(settings.VAR_DIR)
    if letters and not Path(letters).is_relative_to(var_dir):
        return demo.seed()  # letters outside VAR_DIR could not be copied with it: seed for real
    folder = snapshots / _key(var_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        if (folder / ROWS_FILE).exists():
            _restore(folder, var_dir)
            kept_key = (folder / KEY_FILE).read_text(encoding="ascii")
            if hmac_key().hex() != kept_key:
                test_settings.SAFESHARE_LEDGER_HMAC_KEY = kept_key
                hmac_key.cache_clear()
            return demo.load_logins()
        logins = demo.seed()
        _keep(folder, var_dir)
        return logins


def _key(var_dir: Path) -> str:
    """What the demo's data depends on: the engine, every ``SAFESHARE_`` setting (the policy, how
    notices go out, …; the letters' folder as a place in ``VAR_DIR``) and the day (the demo's
    dates are relative to today). A test that changes any of them gets a demo of its own."""
    parts = {
        name: repr(getattr(settings, name))
        for name in dir(settings)
        if name.startswith("SAFESHARE_")
    }
    letters = settings.SAFESHARE_LETTER_DIR
    parts["SAFESHARE_LETTER_DIR"] = str(Path(letters).relative_to(var_dir)) if letters else ""
    parts["engine"] = connection.vendor
    parts["day"] = timezone.localdate().isoformat()
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One process at a time seeds or reads a copy; the others wait for it."""
    with open(folder / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _tables() -> list[str]:
    """The tables (not views) but the schema's own."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_table_list(cursor)
    return sorted(t.name for t in found if t.type == "t" and t.name not in SKIPPED_TABLES)


def _keep(folder: Path, var_dir: Path) -> None:
    quote = connection.ops.quote_name
    rows: dict[str, tuple[list[str], list[tuple]]] = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 (a table's own name)
            columns = [column[0] for column in cursor.description]
            json = {i for i, column in enumerate(cursor.description) if column[1] in JSON_TYPES}
            kept = [_as_stored(tuple(row), json) for row in cursor.fetchall()]
            rows[table] = (columns, kept)
    shutil.copytree(var_dir, folder / FILES_FOLDER, dirs_exist_ok=True)
    (folder / KEY_FILE).write_text(hmac_key().hex(), encoding="ascii")
    partial = folder / f"{ROWS_FILE}.partial"
    partial.write_bytes(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
    partial.replace(folder / ROWS_FILE)  # written whole or not at all


def _restore(folder: Path, var_dir: Path) -> None:
    rows = pickle.loads((folder / ROWS_FILE).read_bytes())  # noqa: S301 (this run's own file)
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (columns, kept) in rows.items():
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608
            if sorted(map(tuple, cursor.fetchall()), key=repr) == sorted(kept, key=repr):
                continue  # as the migrations left it (content types, permissions)
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
            if not kept:
                continue
            names = ", ".join(quote(column) for column in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})",  # noqa: S608
                kept,
            )
        _reset_sequences(cursor)
    shutil.copytree(folder / FILES_FOLDER, var_dir, dirs_exist_ok=True)


def _as_stored(row: tuple, json: set[int]) -> tuple:
    """A row as it can be written back. PostgreSQL reads JSON columns as Python values; they go
    back as JSON. Django's SQLite reads times as ``datetime.time``, which it writes as text."""
    if connection.vendor == "sqlite":
        return tuple(str(value) if isinstance(value, dt.time) else value for value in row)
    if not json:
        return row
    from psycopg.types.json import Jsonb

    return tuple(
        Jsonb(value) if i in json and value is not None else value for i, value in enumerate(row)
    )


def _reset_sequences(cursor) -> None:
    """PostgreSQL's id sequences continue after the copied rows (SQLite's follow by itself)."""
    if connection.vendor != "postgresql":
        return
    from django.apps import apps
    from django.core.management.color import no_style

    for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
        cursor.execute(statement)
