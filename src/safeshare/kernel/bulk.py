"""Bulk writes for any app's tables: ``COPY`` on PostgreSQL, ``executemany`` on SQLite.

Infrastructure, not a noun: the app that owns a model describes its table with ``BulkTable``
(``people.bulk``, ``protocol.bulk``, ``register.actions``) and writes through a ``BulkWriter``
inside its own action's transaction, so a bulk write stays its owner's.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import cast

from django.db import connections, models
from django.db.models import Model


def _quoted(model: type[Model], using: str = "default") -> str:
    return connections[using].ops.quote_name(model._meta.db_table)


class BulkTable:
    """A bulk insert into one model's table (with ``BulkWriter``): the columns given per row,
    then every other column at a constant value (its default unless given), adapted for the
    database once. The owner app of the model describes its table (``people.bulk``,
    ``protocol.bulk``): a bulk write stays its owner's."""

    def __init__(self, model: type[models.Model], per_row: Sequence[str], **fixed: object):
        self.model = model
        fields = list(model._meta.concrete_fields)
        by_name = {f.name: f for f in fields}
        # A concrete field always has a column (only non-concrete ones have None).
        self.columns = [cast(str, by_name[name].column) for name in per_row]
        constant = []
        for f in fields:
            if f.name in per_row:
                continue
            if f.name in fixed:
                value = fixed[f.name]
            elif f.has_default() or (f.empty_strings_allowed and not f.null):
                value = f.get_default()
            elif f.null:
                value = None
            else:
                raise RuntimeError(f"{model.__name__}.{f.name} needs a value for a bulk insert")
            self.columns.append(cast(str, f.column))
            constant.append(adapt(f, value))
        self.constant = tuple(constant)

    def rows(self, per_row: Iterable[tuple]) -> list[tuple]:
        tail = self.constant
        return [(*values, *tail) for values in per_row]


def adapt(model_field: models.Field, value: object) -> object:
    """A Python value as the database column takes it (for raw bulk inserts)."""
    if value is None:
        return None
    if isinstance(model_field, models.JSONField):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(model_field, models.DateTimeField) and isinstance(value, datetime):
        return connections["default"].ops.adapt_datetimefield_value(value)
    if isinstance(model_field, models.DateField) and isinstance(value, date):
        return connections["default"].ops.adapt_datefield_value(value)
    if isinstance(model_field, models.UUIDField):
        return value.hex if isinstance(value, uuid.UUID) else value
    if isinstance(model_field, models.ForeignKey) and isinstance(value, models.Model):
        return value.pk
    return value


# ----------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: object) -> str:
    if value is None:
        return "\\N"
    if type(value) is str:
        return value.translate(_COPY_ESCAPES)
    if type(value) is int:
        return str(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def copy_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]):
    """``COPY table (columns) FROM STDIN`` on PostgreSQL (psycopg 3), in text format.
    ``cursor`` is Django's cursor wrapper; ``table`` is quoted here unless it already is."""
    quote = cursor.db.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    target = table if table.startswith('"') else quote(table)
    text = _copy_text
    with cursor.cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
        lines: list[str] = []
        for row in rows:
            lines.append("\t".join([text(v) for v in row]))
            if len(lines) >= 5000:
                copy.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            copy.write("\n".join(lines) + "\n")


class BulkWriter:
    """Inserts many rows fast, inside the caller's transaction: ``COPY`` on PostgreSQL,
    ``executemany`` on SQLite. Ids are reserved up front, so that rows can refer to rows
    written in the same batch."""

    def __init__(self, using: str = "default") -> None:
        self.connection = connections[using]
        self.postgres = self.connection.vendor == "postgresql"
        self._next: dict[str, int] = {}

    def reserve_ids(self, model: type[Model], count: int) -> list[int]:
        if count <= 0:
            return []
        table = model._meta.db_table
        column = str(model._meta.pk.column)
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [self.connection.ops.quote_name(table), column, count],
                )
                return [row[0] for row in cursor.fetchall()]
            start = self._next.get(table)
            if start is None:
                quote = self.connection.ops.quote_name
                sql = (
                    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                    f"coalesce((SELECT max({quote(column)}) FROM {quote(table)}), 0))"
                )
                cursor.execute(sql, [table])
                start = cursor.fetchone()[0] + 1
            self._next[table] = start + count
            return list(range(start, start + count))

    def insert(
        self, model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[object]]
    ) -> None:
        if not rows:
            return
        table = _quoted(model, self.connection.alias)
        with self.connection.cursor() as cursor:
            if self.postgres:
                copy_rows(cursor, table, columns, rows)
            else:
                quote = self.connection.ops.quote_name
                names = ", ".join(quote(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                    rows,  # type: ignore[arg-type]  # the stubs' parameter type is too narrow
                )
