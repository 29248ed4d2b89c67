"""The read audit: one record for every read of personal data (DPA 2018 s.62 logs of
consultation and disclosure), and the queries behind the oversight report of reads per user.

Each record says who read (the signed-in person, or the API token and whom it acts for), what
kind of record, which people (keyed tokens only: the same person has the same token in every
record, so the report can count distinct people, but nobody can read a name from it) and the
route. The route is taken from the request by ``AccessControlMiddleware`` (``set_route``), so a
view cannot forget to say where the read happened.

The ledger's ``personal_data_read`` entry (``safeshare.ledger.audit``) writes this record in the
same transaction; see docs/adr/0027-read-audit.md.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import ReadAudit
from safeshare.kernel.transactions import action_transaction

_route: ContextVar[str] = ContextVar("safeshare_read_route", default="")

RECORD_KINDS: dict[str, str] = {
    # Pages.
    "case_page": "case",
    "referral_form": "case_party",
    "referral_check": "case_party",
    "consent_page": "case_party",
    "referral_page": "referral",
    "protection_page": "protection",
    "protection_letter": "protection",
    "review_list": "review",
    "review_page": "review",
    "override_page": "override",
    "clearance_page": "clearance",
    "clearance_list": "clearance",
    "ie_worklist": "clearance",
    "override_form": "clearance",
    "subject_access_page": "subject_access",
    "subject_access_export": "subject_access",
    "advice_page": "protection",
    "safe_contact_page": "contact_details",
    "letter_form": "protection",
    "advice_pack_form": "protection",
    "advice_pack_page": "advice_pack",
    "advice_pack_pdf": "advice_pack",
    "sweep_results_download": "sweep_results",
    "exemptions_page": "subject_access",
    "staff_search": "person",
    "advocate_people": "protection",
    "advocate_person": "protection",
    "advocate_pack": "advice_pack",
    "advocate_letter": "protection",
    "advocate_subject_access": "subject_access",
    "sar_requests_list": "subject_access",
    "advocate_consents": "consent",
    "notice_settings_page": "contact_details",
    # Check-answers and confirmation pages (ADR 0044).
    "case_event_check": "case",
    "case_event_recorded": "case",
    "close_check": "protection",
    "override_check": "clearance",
    "safe_contact_check": "contact_details",
    "safe_contact_saved": "contact_details",
    # The API.
    "api_case_read": "case",
    "api_protection_read": "protection",
    "api_protection_check": "protection",
    "api_protection_list": "protection",
    "api_possible_duplicates": "person",
    "person_duplicates_page": "person",
    "api_clearance_read": "clearance",
    "api_review_list": "review",
    "api_notifications_read": "notice",
}
"""The kind of record each read purpose shows (``person`` for a purpose not listed)."""


def set_route(request: HttpRequest) -> None:
    """Remember the route of the request being served (called before every view)."""
    match = request.resolver_match
    if match is not None and match.view_name and not request.path.startswith("/api/"):
        route = match.view_name
    else:
        route = f"{request.method} {match.route if match is not None else request.path}"
    _route.set(route[:200])


def current_route() -> str:
    return _route.get() or "(no request)"


def record_kind_for(purpose: str) -> str:
    return RECORD_KINDS.get(purpose, "person")


def record_read(
    actor: Actor,
    person_tokens: Sequence[str],
    purpose: str,
    *,
    record_kind: str | None = None,
    unregistered: int = 0,
) -> ReadAudit | None:
    """Write the audit record of one read. ``person_tokens`` are keyed person tokens;
    ``unregistered`` counts people shown who are not on the register (a sweep's caseload
    rows). Nothing is written when the read showed nobody.

    Runs in the caller's transaction (the ledger's ``personal_data_read`` action), so that the
    record and the ledger entry are written together or not at all."""
    db = connections[DEFAULT_DB_ALIAS]  # one look-up of Django's per-thread connection
    if not db.in_atomic_block:
        raise RuntimeError("record_read must run inside the action's transaction")
    people = sorted(set(person_tokens))
    count = len(people) + unregistered
    if count == 0:
        return None
    values: dict[str, Any] = {
        "at": timezone.now(),
        "user_id": actor.user.pk if actor.user is not None else None,
        "token_id": actor.token.pk if actor.token is not None else None,
        "organisation_id": actor.organisation.pk,
        "role": actor.role.value,
        "record_kind": record_kind or record_kind_for(purpose),
        "purpose": purpose,
        "route": current_route(),
        "people": people,
        "person_count": count,
    }
    row_id = _insert(db, values)
    return ReadAudit.from_db(db.alias, ["id", *values], [row_id, *values.values()])


_COLUMNS = (
    "at, user_id, token_id, organisation_id, role, record_kind, purpose, route, people, "
    "person_count"
)


def _insert(db: BaseDatabaseWrapper, values: dict[str, Any]) -> int:
    """Insert one record; return its id.

    Plain SQL: one record is written with every read of personal data, and the ORM's
    ``create`` cost more than the rest of the read's ledger entry. On PostgreSQL the statement
    is prepared once per connection and its parameters are bound by the server.
    """
    table = db.ops.quote_name(ReadAudit._meta.db_table)
    people = json.dumps(values["people"], separators=(",", ":"))
    at = db.ops.adapt_datetimefield_value(values["at"])
    params: list[Any] = [at, *list(values.values())[1:8], people, values["person_count"]]
    db.ensure_connection()
    if db.vendor == "postgresql":
        sql = (
            f"INSERT INTO {table} ({_COLUMNS}) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s) RETURNING id"
        )
        driver = db.connection
        if driver.prepare_threshold is None:  # Django's own cursors never prepare
            driver.prepare_threshold = 2**31 - 1
        with psycopg.Cursor(driver) as cursor:
            cursor.execute(sql, params, prepare=True)
            [(row_id,)] = cursor.fetchall()
        return int(row_id)
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({_COLUMNS}) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            params,
        )
        [(row_id,)] = cursor.fetchall()
    return int(row_id)


def do_record_read(
    actor: Actor,
    person_tokens: Sequence[str],
    purpose: str,
    *,
    record_kind: str | None = None,
    unregistered: int = 0,
) -> ReadAudit | None:
    """``record_read`` in a transaction of its own."""
    with action_transaction():
        return record_read(
            actor, person_tokens, purpose, record_kind=record_kind, unregistered=unregistered
        )
