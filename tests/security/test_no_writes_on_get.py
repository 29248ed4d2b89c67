"""No GET writes: every page and API read, opened by a role that may open it, on real objects,
changes nothing in the database except the audit record of a personal-data read.

Each request runs under a guard that sees every statement: an ``INSERT``, ``UPDATE`` or ``DELETE``
fails the test unless it is (a) the ``personal_data_read`` ledger entry a page about a person
appends, with its subject rows and its read-audit record, which is the point of those pages,
(b) Django's session row
(the session's expiry and the staff inactivity clock live there), or (c) an API token's
"last used" time (authentication bookkeeping, shown to administrators).

Before each request a ledger entry is queued, so that a read that sequences the ledger (the
worker's job) is caught.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.urls import reverse

from safeshare.accounts.models import ReadAudit
from safeshare.accounts.permissions import API_PERMISSIONS, PAGE_PERMISSIONS, PUBLIC
from safeshare.kernel.roles import Role
from safeshare.ledger.models import LedgerEntry, LedgerSubject
from tests.security.test_access_table import (
    ANONYMOUS,
    API_REQUESTS,
    LAST_ROUTES,
    SITE_OBJECTS,
    VICTIM,
    _signed_in_client,
    _token,
    site_world,  # noqa: F401  (the fixture)
)

pytestmark = pytest.mark.django_db

AUDIT_KIND = "personal_data_read"
WRITE = re.compile(r"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?", re.I)


class WriteGuard:
    """Every table a request inserts into, updates or deletes from, on either database.

    The ledger writes through the driver's own cursor (not Django's), so Django's
    ``execute_wrapper`` would miss it: on SQLite the guard reads every statement through the
    driver's trace callback; on PostgreSQL it reads the transaction's per-table row counts
    (``pg_stat_xact_user_tables``) before and after.
    """

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.counts: dict[str, tuple[int, int, int]] = {}
        self.changes: list[tuple[str, str]] = []  # (INSERT|UPDATE|DELETE, table)

    def _pg_counts(self) -> dict[str, tuple[int, int, int]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables"
            )
            return {name: (ins, upd, dele) for name, ins, upd, dele in cursor.fetchall()}

    def __enter__(self) -> WriteGuard:
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            connection.connection.set_trace_callback(self.statements.append)
        else:
            self.counts = self._pg_counts()
        return self

    def __exit__(self, *exc) -> None:
        if connection.vendor == "sqlite":
            connection.connection.set_trace_callback(None)
            for sql in self.statements:
                match = WRITE.search(sql)
                if match and not sql.lstrip().upper().startswith(("SELECT", "SAVEPOINT")):
                    verb = match.group(1).split()[0].upper()
                    self.changes.append((verb, match.group(2)))
        else:
            after = self._pg_counts()
            for table, counts in after.items():
                before = self.counts.get(table, (0, 0, 0))
                for verb, old, new in zip(
                    ("INSERT", "UPDATE", "DELETE"), before, counts, strict=True
                ):
                    if new > old:
                        self.changes.append((verb, table))

    def forbidden(self) -> list[str]:
        entries, subjects = LedgerEntry._meta.db_table, LedgerSubject._meta.db_table
        allowed = {
            # The audit record of a personal-data read: the entry and its subject rows.
            ("INSERT", entries),
            ("INSERT", subjects),
            # ... and its read-audit record (who, kind of record, people, route).
            ("INSERT", ReadAudit._meta.db_table),
            # The session: its expiry and the staff inactivity clock.
            ("INSERT", "django_session"),
            ("UPDATE", "django_session"),
            ("DELETE", "django_session"),
            # An API token's "last used" time.
            ("UPDATE", "accounts_apitoken"),
        }
        return sorted(
            {f"{verb} {table}" for verb, table in self.changes}
            - {f"{verb} {table}" for verb, table in allowed}
        )


def _queue_entry(world) -> None:
    from safeshare.ledger.audit import do_record_personal_data_read

    do_record_personal_data_read(world.own.police, [world.own.victim.person], "test_queue")


def _get(client, url: str, world, **kwargs):
    _queue_entry(world)
    with WriteGuard() as guard:
        response = client.get(url, **kwargs)
    return response, guard.forbidden()


def _callers(route: str) -> list[Role | str]:
    allowed = PAGE_PERMISSIONS[route]
    if allowed == PUBLIC:
        return [VICTIM, ANONYMOUS]
    return [role for role in Role if role in allowed]


def test_no_page_writes_on_get(site_world):  # noqa: F811
    from tests.web.test_access_matrix import all_named_routes

    routes = sorted(all_named_routes(), key=lambda r: (r in LAST_ROUTES, r))
    problems = []
    opened = 0
    clients: dict[Role | str, object] = {}
    for route in routes:
        build = SITE_OBJECTS.get(route)
        url = reverse(route, kwargs=build(site_world, "own") if build else None)
        for caller in _callers(route):
            if caller not in clients:  # signed in once (leaving the victim's view comes last)
                clients[caller] = _signed_in_client(caller, site_world)
            response, wrong = _get(clients[caller], url, site_world)
            if response.status_code == 405:
                continue
            opened += 1
            problems += [f"GET {route} as {caller}: {sql}" for sql in wrong]
    assert opened > 40
    assert problems == [], "\n".join(problems)


def test_no_api_read_writes(site_world):  # noqa: F811
    problems = []
    opened = 0
    tokens: dict[Role, object] = {}
    for operation, (_, build) in API_REQUESTS.items():
        if not operation.startswith("GET "):
            continue
        for role in sorted(API_PERMISSIONS[operation].roles):
            if role not in tokens:
                tokens[role] = _token(role)
            client = tokens[role]
            path, _ = build(site_world, "own")
            response, wrong = _get(
                client.client, f"/api/v1{path}", site_world, headers=client._headers()
            )
            assert response.status_code < 500, (operation, response.content[:200])
            opened += 1
            problems += [f"{operation} as {role}: {sql}" for sql in wrong]
    assert opened > 20
    assert problems == [], "\n".join(problems)


def test_the_guard_sees_writes_through_the_orm_and_the_driver(site_world):  # noqa: F811
    from safeshare.ledger import service
    from safeshare.oversight.models import Alert

    with WriteGuard() as guard:
        Alert.objects.create(kind="override_requested", summary="x", details={})
    assert guard.forbidden() == ["INSERT oversight_alert"]
    _queue_entry(site_world)
    with WriteGuard() as guard:
        service.sequence_pending()
    assert f"UPDATE {LedgerEntry._meta.db_table}" in guard.forbidden()
