"""Feeds from a force's records system: cases, the people in them and what happened, one row
per event, in CSV or JSON Lines (docs/adr/0025-feeds-from-force-systems.md).

Each row carries the force's own identifiers: the crime reference, the person's reference in
the force's system (for a ``party_added`` row) and the event's id. A row is applied once: the
key (force, crime reference, person reference, event id) and a digest of the row are kept
(``ImportedEvent``), so importing the same file twice changes nothing, and a re-import applies
only the rows whose content changed. Every row is checked first and each problem is named by
row, field and reason; by default one bad row stores nothing, and ``skip_invalid`` applies the
good rows and hands the bad ones back.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.cases import actions
from safeshare.cases.lifecycle import CaseEvent as CaseEventType
from safeshare.cases.lifecycle import OffenceCategory, PartyRole
from safeshare.cases.models import Case, ImportedEvent, Party
from safeshare.kernel.identity import IDENTITY_FIELDS
from safeshare.kernel.transactions import request_transaction
from safeshare.people.actions import do_add_identity
from safeshare.people.identity import IdentityIn
from safeshare.people.models import Person

PARTY_ADDED = "party_added"
EVENTS = frozenset({PARTY_ADDED, *(e.value for e in CaseEventType)})
COLUMNS = (
    "event_id",
    "crime_reference",
    "offence_category",
    "event",
    "occurred_on",
    "person_reference",
    "role",
    *IDENTITY_FIELDS,
    "migrant",
)
MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.reason}"


@dataclass(frozen=True)
class FeedRow:
    """One checked row."""

    row: int
    event_id: str
    crime_reference: str
    offence_category: str
    event: str
    occurred_on: dt.date | None
    person_reference: str
    role: str
    identity: IdentityIn | None
    migrant: bool
    raw: dict[str, object]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.crime_reference, self.person_reference, self.event_id)

    @property
    def digest(self) -> str:
        content = json.dumps(
            {
                "offence_category": self.offence_category,
                "event": self.event,
                "occurred_on": self.occurred_on.isoformat() if self.occurred_on else None,
                "role": self.role,
                "identity": self.identity.model_dump(mode="json") if self.identity else None,
                "migrant": self.migrant,
            },
            sort_keys=True,
        )
        return hashlib.sha256(content.encode()).hexdigest()


@dataclass
class ImportReport:
    """What an import did, or would have done."""

    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    rejected_rows: list[dict[str, object]] = field(default_factory=list)
    applied: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "created": self.created,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "applied": self.applied,
            "problems": [vars(p) for p in self.problems],
            "warnings": [vars(w) for w in self.warnings],
        }


# --- Reading ---------------------------------------------------------------------------------


def read_rows(text: str, fmt: str) -> Iterator[tuple[int, dict[str, object] | RowProblem]]:
    """(row number, the row's fields or the problem reading it). Row 1 is the first data row
    (a CSV's header is row 0); JSON Lines rows are numbered by line."""
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        header = reader.fieldnames or []
        unknown = [name for name in header if name not in COLUMNS]
        if unknown:
            yield (
                0,
                RowProblem(
                    0, unknown[0], f"unknown column (the columns are: {', '.join(COLUMNS)})"
                ),
            )
            return
        for missing in ("event_id", "crime_reference", "event"):
            if missing not in header:
                yield 0, RowProblem(0, missing, "the header has no such column")
                return
        for number, values in enumerate(reader, start=1):
            if None in values:
                yield number, RowProblem(number, "row", "more values than columns")
                continue
            yield number, {k: v for k, v in values.items() if v not in (None, "")}
        return
    if fmt != "jsonl":
        raise ValueError(f"unknown format {fmt!r}")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, RowProblem(number, "row", f"not valid JSON ({error.msg})")
            continue
        if not isinstance(value, dict):
            yield number, RowProblem(number, "row", "each line must be one JSON object")
            continue
        unknown = [name for name in value if name not in COLUMNS]
        if unknown:
            yield number, RowProblem(number, str(unknown[0]), "unknown field")
            continue
        yield number, {k: v for k, v in value.items() if v not in (None, "")}


def _text(values: dict[str, object], name: str, number: int, limit: int) -> str:
    value = values.get(name, "")
    if not isinstance(value, str):
        raise _problem(number, name, "must be text")
    value = " ".join(value.split())
    if len(value) > limit:
        raise _problem(number, name, f"longer than {limit} characters")
    return value


class _RowError(Exception):
    def __init__(self, problem: RowProblem) -> None:
        self.problem = problem


def _problem(number: int, name: str, reason: str) -> _RowError:
    return _RowError(RowProblem(number, name, reason))


def check_row(number: int, values: dict[str, object], today: dt.date) -> FeedRow:
    """Check one row; raise ``_RowError`` naming the first wrong field."""
    event_id = _text(values, "event_id", number, 64)
    if not event_id:
        raise _problem(number, "event_id", "enter the event's id in your records system")
    reference = _text(values, "crime_reference", number, 40).upper()
    if not reference:
        raise _problem(number, "crime_reference", "enter the crime reference")
    offence = _text(values, "offence_category", number, 40) or OffenceCategory.OTHER.value
    if offence not in {o.value for o in OffenceCategory}:
        choices = ", ".join(o.value for o in OffenceCategory)
        raise _problem(number, "offence_category", f"must be one of: {choices}")
    event = _text(values, "event", number, 40)
    if event not in EVENTS:
        raise _problem(
            number,
            "event",
            f"must be {PARTY_ADDED} or a case event, for example investigation_opened",
        )
    occurred_on = None
    if values.get("occurred_on"):
        try:
            occurred_on = dt.date.fromisoformat(_text(values, "occurred_on", number, 10))
        except ValueError:
            raise _problem(number, "occurred_on", "must be a date, YYYY-MM-DD") from None
        if occurred_on > today:
            raise _problem(number, "occurred_on", "is in the future")
    person_reference = _text(values, "person_reference", number, 64)
    role = _text(values, "role", number, 20)
    identity = None
    migrant = True
    if event == PARTY_ADDED:
        if not person_reference:
            raise _problem(
                number,
                "person_reference",
                "a party_added row needs the person's reference in your records system",
            )
        if role not in {r.value for r in PartyRole}:
            raise _problem(number, "role", "must be victim, witness, dependant or suspect")
        given = {name: values[name] for name in IDENTITY_FIELDS if name in values}
        if isinstance(given.get("aliases"), str):
            given["aliases"] = [a for a in str(given["aliases"]).split(";") if a.strip()]
        try:
            identity = IdentityIn.model_validate(given)
        except PydanticValidationError as error:
            first = error.errors()[0]
            name = str(first["loc"][0]) if first["loc"] else "identity"
            raise _problem(number, name, first["msg"].removeprefix("Value error, ")) from None
        if not (identity.given_names or identity.family_name):
            raise _problem(number, "family_name", "enter a given name or family name")
        flag = values.get("migrant", True)
        if isinstance(flag, str):
            if flag.lower() not in ("true", "false", "yes", "no", "1", "0"):
                raise _problem(number, "migrant", "must be true or false")
            flag = flag.lower() in ("true", "yes", "1")
        if not isinstance(flag, bool):
            raise _problem(number, "migrant", "must be true or false")
        migrant = flag
    elif role or any(name in values for name in IDENTITY_FIELDS):
        raise _problem(number, "event", "only a party_added row gives a role or an identity")
    return FeedRow(
        row=number,
        event_id=event_id,
        crime_reference=reference,
        offence_category=offence,
        event=event,
        occurred_on=occurred_on,
        person_reference=person_reference,
        role=role,
        identity=identity,
        migrant=migrant,
        raw=values,
    )


def check_rows(
    rows: Iterable[tuple[int, dict[str, object] | RowProblem]],
) -> tuple[list[FeedRow], list[RowProblem], list[dict[str, object]]]:
    """The good rows, every problem, and the bad rows as read."""
    good: list[FeedRow] = []
    problems: list[RowProblem] = []
    bad: list[dict[str, object]] = []
    seen: dict[tuple[str, str, str], int] = {}
    today = timezone.localdate()
    for number, values in rows:
        if isinstance(values, RowProblem):
            problems.append(values)
            continue
        if number > MAX_ROWS:
            problems.append(RowProblem(number, "row", f"a file holds at most {MAX_ROWS:,} rows"))
            break
        try:
            row = check_row(number, values, today)
        except _RowError as error:
            problems.append(error.problem)
            bad.append({"row": number, **values, "reason": str(error.problem)})
            continue
        if row.key in seen:
            problem = RowProblem(number, "event_id", f"repeats the event of row {seen[row.key]}")
            problems.append(problem)
            bad.append({"row": number, **values, "reason": str(problem)})
            continue
        seen[row.key] = number
        good.append(row)
    return good, problems, bad


# --- Applying --------------------------------------------------------------------------------


class _Abort(Exception):
    """Roll the whole import back (a row failed and the import is all-or-nothing)."""


def _apply_row(
    row: FeedRow,
    actor: Actor,
    force: Organisation,
    existing: ImportedEvent | None,
    cases: dict[str, Case],
    people: dict[str, Person],
    report: ImportReport,
) -> None:
    case = cases.get(row.crime_reference)
    if case is None:
        case = Case.objects.filter(force=force, crime_reference=row.crime_reference).first()
        if case is None:
            case = actions.do_create_case(
                actor, crime_reference=row.crime_reference, offence_category=row.offence_category
            )
        cases[row.crime_reference] = case
    person = None
    if row.event == PARTY_ADDED:
        assert row.identity is not None
        person = people.get(row.person_reference)
        if existing is not None and person is not None:
            # A corrected identity: recorded beside the earlier one, so the person stays
            # protected under both (R24); their case role is kept.

            do_add_identity(person, row.identity, actor)
            report.warnings.append(
                RowProblem(row.row, "identity", "changed: the new identity was added")
            )
        elif person is not None:
            if not Party.objects.filter(case=case, person=person, role=row.role).exists():
                actions.do_add_party(
                    case, actor, role=row.role, person=person, migrant=row.migrant
                )
        else:
            party = actions.do_add_party(
                case, actor, role=row.role, identity=row.identity, migrant=row.migrant
            )
            person = party.person
        people[row.person_reference] = person
    elif existing is None:
        actions.do_record_case_event(case, actor, event=row.event, occurred_on=row.occurred_on)
    else:
        report.warnings.append(
            RowProblem(
                row.row,
                "occurred_on",
                "changed, but a case event already recorded is kept as it was: record a "
                "correcting event instead",
            )
        )
    actions.do_record_imported_event(
        force=force,
        crime_reference=row.crime_reference,
        person_reference=row.person_reference,
        event_id=row.event_id,
        digest=row.digest,
        case=case,
        person=person,
    )


def import_feed(
    actor: Actor,
    text: str,
    fmt: str,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check and apply a feed for the actor's organisation. All or nothing unless
    ``skip_invalid``: then the good rows are applied and the bad ones returned."""
    force = actor.organisation
    good, problems, bad = check_rows(read_rows(text, fmt))
    report = ImportReport(rows=len(good) + len(bad), problems=problems, rejected_rows=bad)
    if problems and not skip_invalid:
        return report
    if any(p.row == 0 for p in problems):
        return report
    existing = {
        (e.crime_reference, e.person_reference, e.event_id): e
        for e in ImportedEvent.objects.filter(force=force)
    }
    cases: dict[str, Case] = {}
    # The force's people by its own person reference, from the events applied before.
    people: dict[str, Person] = {
        e.person_reference: e.person
        for e in ImportedEvent.objects.filter(force=force, person__isnull=False).select_related(
            "person"
        )
        if e.person is not None
    }
    try:
        with request_transaction():
            for done, row in enumerate(good, start=1):
                before = existing.get(row.key)
                if before is not None and before.digest == row.digest:
                    report.unchanged += 1
                else:
                    try:
                        with transaction.atomic():
                            _apply_row(row, actor, force, before, cases, people, report)
                    except ValidationError as error:
                        reason = "; ".join(error.messages)
                        report.problems.append(RowProblem(row.row, "event", reason))
                        report.rejected_rows.append(
                            {"row": row.row, **row.raw, "reason": f"row {row.row}: {reason}"}
                        )
                        cases.pop(row.crime_reference, None)
                        if not skip_invalid:
                            raise _Abort from error
                        continue
                    if before is None:
                        report.created += 1
                    else:
                        report.changed += 1
                if progress is not None:
                    progress(done)
            if dry_run:
                raise _Abort
    except _Abort:
        if dry_run and not report.problems:
            return report
        report.created = report.changed = 0
        return report
    report.applied = True
    return report
