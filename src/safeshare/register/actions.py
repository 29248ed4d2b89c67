"""The only code that changes the register and sweeps: bulk imports, screening, sweeps.

``do_import_register`` writes every imported row as a person, an identity, an active
protection and a register entry, plus the blocking-key posting lists, in one transaction with
one ledger entry: a failure leaves nothing stored. ``do_screen`` and the sweep actions record
one ledger entry per sweep (a sweep is a disclosure decision about many people). See
docs/adr/0005-register-storage.md.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, TextIO, cast

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from safeshare.accounts import webhooks
from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.cases.actions import do_add_party, do_create_case
from safeshare.cases.lifecycle import PartyRole
from safeshare.cases.models import Case
from safeshare.kernel import hooks
from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.kernel.transactions import _joined, action_transaction, request_transaction
from safeshare.ledger.actions import append_entry
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.keys import token_for_record
from safeshare.matching.blocking import KEY_SET_VERSION
from safeshare.matching.record import PreparedIdentity, prepare
from safeshare.people.bulk import ImportedIdentity, PeopleBulk
from safeshare.people.models import Person
from safeshare.protocol.actions import do_clear_sweep_row
from safeshare.protocol.active import active_policy
from safeshare.protocol.bulk import ImportedProtections
from safeshare.protocol.protection import ProtectionStatus
from safeshare.protocol.references import new_reference
from safeshare.register import sweeps
from safeshare.register.csvfiles import (
    FileProblem,
    IdentityCsv,
    IdentityRow,
    RowProblem,
    count_warnings,
    validate_row,
)
from safeshare.register.models import (
    RegisterEntry,
    RegisterImport,
    RegisterKey,
    RegisterRemoval,
    Sweep,
)
from safeshare.register.storage import (
    BulkTable,
    BulkWriter,
    add_postings,
    bump_version,
    copy_rows,
    key_set_version,
    register_size,
    set_key_set_version,
)
from safeshare.register.storage import adapt as storage_adapt

IMPORT_TRIGGER = "register_import"
IMPORT_BATCH = 5000
ENTRY_COLUMNS = ["id", "identity", "protection", "external_id", "address", "postcode", "prepared"]
MAX_SWEEP_ROWS = 250_000


class RegisterError(ValidationError):
    """An import, screen or sweep that cannot go ahead; the message says why (shown to the
    user). Nothing has been stored."""


# --- Import ----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    imported: int
    rejected: list[RowProblem] = field(default_factory=list)
    record: RegisterImport | None = None
    warnings: dict[str, int] = field(default_factory=dict)
    """Rows imported with a warning, by kind (``csvfiles.WARNINGS``)."""
    attached: int = 0
    """Protections attached to the case their row named."""
    new_cases: int = 0
    """Cases recorded because the force had none with the row's crime reference."""


_Prepared = tuple[IdentityRow, str, tuple[str, ...], str]
"""A valid row with its prepared JSON, blocking keys and a fresh protection reference."""


def _prepare_rows(work: tuple) -> list[_Prepared | RowProblem]:
    """Check (raw rows) and prepare a batch: in a worker process, or here. ``work`` is
    ``("raw", index, width, [(row number, values), ...])`` or ``("rows", [checked items])``."""
    if work[0] == "raw":
        _, index, width, raw = work
        items: Iterable[IdentityRow | RowProblem] = (
            validate_row(values, index, row, width) for row, values in raw
        )
    else:
        items = work[1]
    out: list[_Prepared | RowProblem] = []
    for item in items:
        if isinstance(item, RowProblem):
            out.append(item)
            continue
        prepared = prepare(item.record())
        out.append((item, prepared.to_json(), tuple(prepared.keys), new_reference()))
    return out


def _batches(
    rows: IdentityCsv | Iterable[IdentityRow | RowProblem], size: int
) -> Iterator[tuple[tuple, int]]:
    """Work for ``_prepare_rows`` and how many rows it covers: raw rows from a file (checked
    where they are prepared), or checked items as given."""
    if isinstance(rows, IdentityCsv):
        raw = rows.raw()
        while chunk := list(islice(raw, size)):
            yield ("raw", rows.index, rows.width, chunk), len(chunk)
        return
    iterator = iter(rows)
    while items := list(islice(iterator, size)):
        yield ("rows", items), len(items)


def _collect(postings: dict[str, int | array], entry_id: int, keys: Iterable[str]) -> None:
    for key in keys:
        ids = postings.get(key)
        if ids is None:
            postings[key] = entry_id
        elif type(ids) is int:
            postings[key] = array("q", (ids, entry_id))
        else:
            cast(array, ids).append(entry_id)  # not an int, so the array made above


@dataclass
class _ImportState:
    organisation: Organisation
    skip_invalid: bool
    on_reject: Callable[[RowProblem], None] | None
    seen: dict[str, int] = field(default_factory=dict)
    existing: set[str] = field(default_factory=set)
    rejected: list[RowProblem] = field(default_factory=list)
    references: set[str] = field(default_factory=set)
    postings: dict[str, int | array] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    #: (person id, crime reference, offence category) of rows that name the case to attach.
    cases: list[tuple[int, str, str]] = field(default_factory=list)
    imported: int = 0

    def reject(self, problem: RowProblem) -> None:
        if not self.skip_invalid:
            raise RegisterError(f"{problem}. Nothing was imported.")
        self.rejected.append(problem)
        if self.on_reject is not None:
            self.on_reject(problem)

    def check(self, item: _Prepared | RowProblem) -> _Prepared | None:
        if isinstance(item, RowProblem):
            self.reject(item)
            return None
        row = item[0]
        earlier = self.seen.get(row.id)
        if earlier is not None:
            self.reject(
                RowProblem(row.row, f"id ‘{row.id}’ is already used on row {earlier}", row.raw)
            )
            return None
        if row.id in self.existing:
            reason = f"id ‘{row.id}’ is already in the register for {self.organisation.code}"
            self.reject(RowProblem(row.row, reason, row.raw))
            return None
        self.seen[row.id] = row.row
        count_warnings(self.warnings, row)
        return item


def do_import_register(
    rows: IdentityCsv | Iterable[IdentityRow | RowProblem],
    org: Organisation,
    actor: Actor,
    *,
    content_digest: str | Callable[[], str],
    skip_invalid: bool = False,
    on_reject: Callable[[RowProblem], None] | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int = 0,
) -> ImportResult:
    """Import a force's protected identities: each valid row becomes a person, an identity, an
    active protection (trigger ``register_import``) and a register entry. One transaction,
    one ledger entry; any problem (a bad row, unless ``skip_invalid``) stores nothing.

    ``rows`` is an ``IdentityCsv`` being read (a ``FileProblem`` while reading stops the
    import) or checked rows. ``content_digest`` is read once every row has been (the SHA-256
    of the file). With ``workers`` > 0, rows are checked and prepared for matching in that
    many forked processes while this one writes.
    """
    if org.kind != OrganisationKind.POLICE_FORCE:
        raise RegisterError(
            f"Only a police force can import protected identities: {org.code} is "
            f"{org.kind_enum.label.lower()}."
        )
    policy = active_policy()
    now = timezone.now()
    contact = org.contact_point or f"{org.name} protocol officer"
    reason = f"Registered by {org.name} in a bulk import on {timezone.localdate():%d %B %Y}."
    state = _ImportState(org, skip_invalid, on_reject)
    pool = multiprocessing.get_context("fork").Pool(workers) if workers > 0 else None
    try:
        # One transaction; the actions that attach cases join it (they are durable alone).
        with action_transaction() if _joined.get() else request_transaction():
            version = bump_version()
            writer = BulkWriter()
            tables = (
                PeopleBulk(writer, org, now),
                ImportedProtections(
                    writer,
                    org,
                    policy,
                    trigger=IMPORT_TRIGGER,
                    contact_point=contact,
                    reason=reason,
                    now=now,
                ),
                BulkTable(
                    RegisterEntry, ENTRY_COLUMNS, source=org.code, created_at=now, version=version
                ),
            )
            _tune_for_bulk(writer)
            state.existing = set(
                RegisterEntry.objects.filter(source=org.code)
                .exclude(external_id="")
                .values_list("external_id", flat=True)
            )
            pending: deque = deque()

            def write_next() -> None:
                work, size = pending.popleft()
                done = work if isinstance(work, list) else work.get()
                _write_batch(
                    [p for p in map(state.check, done) if p is not None], writer, state, tables
                )
                if progress is not None:
                    progress(size)

            try:
                for work, size in _batches(rows, IMPORT_BATCH):
                    if pool is None:
                        pending.append((_prepare_rows(work), size))
                    else:
                        pending.append((pool.apply_async(_prepare_rows, (work,)), size))
                    while len(pending) > workers:
                        write_next()
            except FileProblem as problem:
                raise RegisterError(f"{problem} Nothing was imported.") from problem
            while pending:
                write_next()
            if not state.imported:
                raise RegisterError("The file has no rows that can be imported.")
            if not register_size():
                # Every key stored from now on is of this version's key set (ADR 39).
                set_key_set_version(KEY_SET_VERSION)
            add_postings(state.postings, state.imported)
            new_cases = _attach_cases(state.cases, actor)
            opened = now.isoformat()
            webhooks.queue_events(
                org,
                "protection.opened",
                (
                    {
                        "protection_reference": reference,
                        "status": ProtectionStatus.ACTIVE.value,
                        "previous_status": None,
                        "changed_at": opened,
                    }
                    for reference in tables[1].references
                ),
            )
            digest = content_digest() if callable(content_digest) else content_digest
            record = RegisterImport.objects.create(
                organisation=org,
                imported_by=actor.label,
                count=state.imported,
                rejected=len(state.rejected),
                warnings=state.warnings,
                content_digest=digest,
            )
            append_entry(
                EntryKind.PROTECTION_OPENED,
                actor=actor,
                policy_id=policy.id,
                policy_version=policy.version,
                payload={
                    "count": state.imported,
                    "content_digest": digest,
                    "reason_code": IMPORT_TRIGGER,
                    "status": ProtectionStatus.ACTIVE.value,
                    "record": token_for_record("register_import", record.pk),
                },
            )
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    return ImportResult(
        state.imported, state.rejected, record, state.warnings, len(state.cases), new_cases
    )


def _attach_cases(cases: list[tuple[int, str, str]], actor: Actor) -> int:
    """Attach each imported protection that names its case to the force's case (recorded
    first if the force has none with that reference), with the person as its victim: the case
    then holds the protection open as any case does. Returns how many cases were new."""
    if not cases:
        return 0
    new = 0
    known: dict[str, Case] = {
        case.crime_reference: case
        for case in Case.objects.filter(
            force=actor.organisation, crime_reference__in={ref for _, ref, _ in cases}
        )
    }
    people = Person.objects.in_bulk([person_id for person_id, _, _ in cases])
    for person_id, reference, offence in cases:
        case = known.get(reference)
        if case is None:
            case = do_create_case(actor, crime_reference=reference, offence_category=offence)
            known[reference] = case
            new += 1
        do_add_party(case, actor, role=PartyRole.VICTIM, person=people[person_id])
    return new


def _write_batch(
    batch: list[_Prepared],
    writer: BulkWriter,
    state: _ImportState,
    tables: tuple[PeopleBulk, ImportedProtections, BulkTable],
) -> None:
    if not batch:
        return
    people, protections, entries = tables
    n = len(batch)
    person_ids, identity_ids = people.insert(
        [
            ImportedIdentity(
                row.given_names,
                row.family_name,
                row.aliases,
                row.dob,
                row.sex,
                row.nationality,
                row.nationality_text,
                row.passport_no,
                row.ho_ref,
            )
            for row, _, _, _ in batch
        ]
    )
    protection_ids = protections.insert(person_ids, [item[3] for item in batch])
    state.cases.extend(
        (person_id, row.crime_reference, row.offence_category)
        for person_id, (row, _, _, _) in zip(person_ids, batch, strict=True)
        if row.crime_reference
    )
    entry_ids = writer.reserve_ids(RegisterEntry, n)
    writer.insert(
        RegisterEntry,
        entries.columns,
        entries.rows(
            (entry_id, identity_id, protection_id, row.id, row.address, row.postcode, text)
            for entry_id, identity_id, protection_id, (row, text, _, _) in zip(
                entry_ids, identity_ids, protection_ids, batch, strict=True
            )
        ),
    )
    postings = state.postings
    for entry_id, (_, _, keys, _) in zip(entry_ids, batch, strict=True):
        _collect(postings, entry_id, keys)
    state.imported += n


def _tune_for_bulk(writer: BulkWriter) -> None:
    """Settings for this transaction only: sort memory on PostgreSQL, page cache on SQLite."""
    with connection.cursor() as cursor:
        if writer.postgres:
            cursor.execute("SET LOCAL work_mem = '256MB'")
        else:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB for this connection


# --- Rebuild --------------------------------------------------------------------------------


@dataclass
class RebuildResult:
    entries: int
    changed: int
    keys: int


def do_rebuild_register(
    *, progress: Callable[[int], None] | None = None, batch: int = IMPORT_BATCH
) -> RebuildResult:
    """Prepare every register entry again from its identity (and the address and postcode the
    entry keeps), and rebuild every posting list: for when normalisation or the blocking keys
    change. One transaction: clearances read the register as it was until it commits, and
    writers wait. An entry whose prepared identity changes gets a new row version
    (``created_at``), so that every process's cache reads it again (ADR 0005). An entry with
    no identity keeps its prepared identity."""
    from safeshare.register.service import entry_text

    now = timezone.now()
    postings: dict[str, int | array] = {}
    changed: list[tuple[int, str]] = []
    total = 0
    with action_transaction():
        writer = BulkWriter()
        _tune_for_bulk(writer)
        table = connection.ops.quote_name(RegisterKey._meta.db_table)
        bump_version(generation=True)  # the writers' lock; every process reloads the register
        entries = (
            RegisterEntry.objects.select_related("identity")
            .only("id", "prepared", "address", "postcode", "identity")
            .order_by("id")
        )
        done = 0
        for entry in entries.iterator(chunk_size=2000):
            if entry.identity is not None:
                text = entry_text(entry.identity, entry.address, entry.postcode)
                if text != entry.prepared:
                    changed.append((entry.pk, text))
            else:
                text = entry.prepared
            _collect(postings, entry.pk, PreparedIdentity.from_json(text).keys)
            total += 1
            done += 1
            if progress is not None and done >= batch:
                progress(done)
                done = 0
        _update_prepared(writer, changed, now)
        # Every resident register loads again (the generation moved): the log of removals
        # before this point is no longer needed.
        RegisterRemoval.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        add_postings(postings, total)
        set_key_set_version(KEY_SET_VERSION)
        if progress is not None and done:
            progress(done)
    return RebuildResult(total, len(changed), len(postings))


def do_keep_register_keys_current() -> RebuildResult | None:
    """Rebuild the register when its stored keys were made with another key set
    (``blocking.KEY_SET_VERSION``): a register built before a new key kind gains it without an
    operator having to run ``register rebuild``. An empty register only records the version.
    None when the keys were already current."""
    if key_set_version() == KEY_SET_VERSION:
        return None
    if register_size():
        return do_rebuild_register()
    # Nothing stored under the old keys: every entry added from now on gets the current ones.
    with action_transaction():
        set_key_set_version(KEY_SET_VERSION)
    return RebuildResult(0, 0, 0)


def _update_prepared(writer: BulkWriter, changed: list[tuple[int, str]], now) -> None:
    if not changed:
        return
    table = connection.ops.quote_name(RegisterEntry._meta.db_table)
    stamp: Any = storage_adapt(RegisterEntry._meta.get_field("created_at"), now)  # a column value
    with connection.cursor() as cursor:
        if writer.postgres:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS matching_rebuild_in "
                "(id bigint, prepared text) ON COMMIT DROP"
            )
            copy_rows(cursor, "matching_rebuild_in", ("id", "prepared"), changed)
            cursor.execute(
                f"UPDATE {table} AS e SET prepared = r.prepared, created_at = %s "  # noqa: S608
                "FROM matching_rebuild_in AS r WHERE e.id = r.id",
                [stamp],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET prepared = %s, created_at = %s WHERE id = %s",  # noqa: S608
                [(text, stamp, entry_id) for entry_id, text in changed],
            )


# --- Screening -------------------------------------------------------------------------------


@dataclass
class ScreenResult:
    counts: dict[str, int]
    rejected: list[RowProblem]
    warnings: dict[str, int] = field(default_factory=dict)
    """Rows screened with a warning, by kind (``csvfiles.WARNINGS``)."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def do_screen(
    reader: IdentityCsv,
    out: TextIO,
    actor: Actor,
    *,
    skip_invalid: bool = False,
    on_reject: Callable[[RowProblem], None] | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int = 0,
) -> ScreenResult:
    """Screen a caseload (an identity CSV being read) against the register, writing
    ``query_id, register_id, decision, score`` to ``out`` as it goes, then log one ledger entry
    with the counts. A problem with the file (or a bad row, unless ``skip_invalid``) raises
    ``RegisterError`` before the entry: the caller discards what was written."""
    if actor.organisation.kind != OrganisationKind.IE_UNIT:
        raise RegisterError(
            f"Screening is for Immigration Enforcement: {actor.org_code} is "
            f"{actor.organisation.kind_enum.label.lower()}."
        )
    rejected: list[RowProblem] = []
    warnings: dict[str, int] = {}

    def rows() -> Iterator[IdentityRow]:
        seen: dict[str, int] = {}
        try:
            for item in reader:
                if isinstance(item, IdentityRow) and item.id in seen:
                    earlier = seen[item.id]
                    item = RowProblem(
                        item.row, f"id ‘{item.id}’ is already used on row {earlier}", item.raw
                    )
                if isinstance(item, RowProblem):
                    if not skip_invalid:
                        raise RegisterError(f"{item}. Nothing was screened.")
                    rejected.append(item)
                    if on_reject is not None:
                        on_reject(item)
                    continue
                seen[item.id] = item.row
                count_warnings(warnings, item)
                yield item
        except FileProblem as problem:
            raise RegisterError(f"{problem} Nothing was screened.") from problem

    writer = sweeps.ScreenWriter(out)
    if workers > 1 and not connection.in_atomic_block:
        writer.write(_screen_in_workers(rows(), workers, progress))
    else:
        writer.write(sweeps.screen_rows(rows(), progress=progress))
    if not writer.total:
        raise RegisterError("The file has no rows that can be screened.")
    policy = active_policy()
    with action_transaction():
        append_entry(
            EntryKind.CLEARANCE_DECISION,
            actor=actor,
            policy_id=policy.id,
            policy_version=policy.version,
            payload={
                "reason_code": "screen",
                "count": writer.total,
                "blocked_count": writer.counts["blocked"],
                "hold_count": writer.counts["hold"],
                "clear_count": writer.counts["clear"],
                "content_digest": reader.content_digest,
            },
        )
    return ScreenResult(dict(writer.counts), rejected, warnings)


def _screen_chunk(chunk: list[IdentityRow]) -> list[sweeps.Screened]:
    return sweeps.screen_batch(chunk, sweeps.default_matcher())


def _screen_in_workers(
    rows: Iterable[IdentityRow], workers: int, progress: Callable[[int], None] | None
) -> Iterator[sweeps.Screened]:
    """Screen in forked processes, each with its own database connection, keeping the order.
    Rows are read (and checked) here; at most ``2 * workers`` batches are in flight."""
    from django.db import connections

    from safeshare.register import resident, server

    connections.close_all()  # every process opens its own: none may share the parent's
    server.disconnect()  # nor the parent's connection to the matching server
    resident.forget()  # nor a register the parent held (each loads its own if it must)
    iterator = iter(rows)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque = deque()
        while True:
            chunk = list(islice(iterator, sweeps.BATCH))
            if chunk:
                pending.append((len(chunk), pool.apply_async(_screen_chunk, (chunk,))))
            while pending and (len(pending) > 2 * workers or not chunk):
                size, result = pending.popleft()
                yield from result.get()
                if progress is not None:
                    progress(size)
            if not chunk:
                break


# --- Background sweeps -----------------------------------------------------------------------


def do_start_sweep(upload: BinaryIO, upload_name: str, actor: Actor) -> Sweep:
    """Check an uploaded caseload in full, keep it under a generated name and queue it for
    the worker (``jobs.run_queued``). Problems with the file are all raised together (up to
    ten) and nothing is kept."""
    if actor.role not in (Role.IE_CASEWORKER, Role.IE_SENIOR_APPROVER):
        raise RegisterError("Only Immigration Enforcement can screen a caseload.")
    limits = active_policy().clearance
    max_rows = min(MAX_SWEEP_ROWS, limits.sweep_max_rows)
    _check_sweeps_today(actor, limits.sweeps_per_unit_per_day)
    target = sweeps.sweep_dir() / f"{uuid.uuid4().hex}.csv"
    problems: list[str] = []
    seen: dict[str, int] = {}
    warnings: dict[str, int] = {}
    rows = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as kept:
        reader = IdentityCsv(upload, copy_to=kept)
        try:
            for item in reader:
                if isinstance(item, IdentityRow) and item.id in seen:
                    earlier = seen[item.id]
                    item = RowProblem(
                        item.row, f"id ‘{item.id}’ is already used on row {earlier}", item.raw
                    )
                if isinstance(item, RowProblem):
                    problems.append(str(item))
                    if len(problems) >= 10:
                        break
                    continue
                seen[item.id] = item.row
                count_warnings(warnings, item)
                rows += 1
                if rows > max_rows:
                    problems.append(f"The file has more than {max_rows:,} rows: split it.")
                    break
        except FileProblem as problem:
            problems.append(str(problem))
    if not problems and not rows:
        problems.append("The file has a header but no rows to screen.")
    if problems:
        target.unlink(missing_ok=True)
        raise RegisterError(problems)
    try:
        with action_transaction():
            sweep = Sweep.objects.create(
                organisation=actor.organisation,
                requested_by=actor.user,
                requester=actor.label,
                role=actor.role.value,
                upload_name=_display_name(upload_name),
                stored_name=target.name,
                content_digest=reader.content_digest,
                size_bytes=reader.bytes_read,
                total_rows=rows,
                warnings=warnings,
            )
            if rows >= limits.sweep_alert_rows:
                hooks.fire(
                    hooks.ALERT_RAISED,
                    kind="large_sweep",
                    summary=(
                        f"{actor.org_code} asked to screen a caseload of {rows:,} people in "
                        f"one sweep (the policy alerts at {limits.sweep_alert_rows:,})."
                    ),
                    details={"sweep": sweep.pk, "rows": rows},
                    organisation_code=actor.org_code,
                )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return sweep


def _check_sweeps_today(actor: Actor, per_day: int) -> None:
    """The policy's limit on sweeps a unit may start in a day (``sweeps_per_unit_per_day``)."""
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    started = Sweep.objects.filter(
        organisation=actor.organisation, created_at__gte=midnight
    ).count()
    if started >= per_day:
        raise RegisterError(
            f"Your unit has started {started} sweeps today, the most the policy allows in a "
            "day. Start this one tomorrow, or screen fewer people with a clearance each."
        )


def _display_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:100] or "caseload.csv"


def claim_sweep(sweep_id: int) -> Sweep | None:
    """Take a queued sweep (or one whose process stopped) to run; None if another has it."""
    now = timezone.now()
    stale = now - sweeps.STALE_AFTER
    with action_transaction():
        claimed = (
            Sweep.objects.filter(pk=sweep_id, attempts__lt=sweeps.MAX_ATTEMPTS)
            .filter(
                Q(status=Sweep.Status.QUEUED)
                | Q(status=Sweep.Status.RUNNING, heartbeat_at__lt=stale)
            )
            .update(
                status=Sweep.Status.RUNNING,
                attempts=F("attempts") + 1,
                heartbeat_at=now,
                started_at=now,
                processed_rows=0,
                blocked_count=0,
                hold_count=0,
                clear_count=0,
            )
        )
    return Sweep.objects.get(pk=sweep_id) if claimed else None


class SweepTakenOver(RuntimeError):
    """Another process has taken this sweep over (it was thought to have stopped)."""


def record_sweep_progress(sweep: Sweep, processed: int, counts: Mapping[str, int]) -> None:
    """The heartbeat: rows done and decisions so far."""
    with action_transaction():
        updated = Sweep.objects.filter(
            pk=sweep.pk, attempts=sweep.attempts, status=Sweep.Status.RUNNING
        ).update(
            processed_rows=processed,
            blocked_count=counts["blocked"],
            hold_count=counts["hold"],
            clear_count=counts["clear"],
            heartbeat_at=timezone.now(),
        )
    if not updated:
        raise SweepTakenOver(str(sweep.public_id))


def subject_of(row: IdentityRow) -> dict[str, object]:
    """A sweep row as a clearance's subject: the canonical identity fields it gives."""
    fields: dict[str, object] = {
        "given_names": row.given_names,
        "family_name": row.family_name,
        "aliases": list(row.aliases),
        "date_of_birth": row.dob,
        "sex": row.sex,
        "nationality": row.nationality or row.nationality_text,
        "passport_number": row.passport_no,
        "home_office_reference": row.ho_ref,
        "address": row.address,
        "postcode": row.postcode,
    }
    return {name: value for name, value in fields.items() if value}


def do_clear_sweep_findings(
    sweep: Sweep, rows: Sequence[IdentityRow], screened: Sequence[sweeps.Screened]
) -> list[sweeps.Screened]:
    """Every person of a batch the sweep did not clear becomes a clearance of its own
    (``protocol.actions.do_clear_sweep_row``, ADR 0041): a hold is reviewed as a clearance's
    is, and each person gets their own ledger entry. The row's answer is the clearance's, as IE
    is shown it, so that a sweep tells IE exactly what a clearance would."""
    actor = Actor(organisation=sweep.organisation, role=Role(sweep.role), user=sweep.requested_by)
    answered = []
    for row, item in zip(rows, screened, strict=True):
        if item.decision == "clear":
            answered.append(item)
            continue
        clearance = do_clear_sweep_row(
            actor, sweep_row=f"{sweep.public_id}:{row.row}", subject=subject_of(row)
        )
        # IE's own row id, the answer, and the protection reference only where the clearance
        # gave one: no force record id and no score, which a clearance never gives.
        told = clearance.ie_decision or clearance.decision
        answered.append(
            sweeps.Screened(item.query_id, clearance.ie_protection_reference, told, None)
        )
    return answered


def do_finish_sweep(sweep: Sweep, counts: Mapping[str, int], *, results_file: Path) -> Sweep:
    """Publish a sweep's results and log it: one ledger entry with the counts."""
    policy = active_policy()
    actor = Actor(organisation=sweep.organisation, role=Role(sweep.role), user=sweep.requested_by)
    with action_transaction():
        locked = (
            Sweep.objects.select_for_update()
            .filter(pk=sweep.pk, attempts=sweep.attempts, status=Sweep.Status.RUNNING)
            .first()
        )
        if locked is None:
            raise SweepTakenOver("the sweep was taken over by another process")
        sweep = locked
        total = sum(counts.values())
        sweep.status = Sweep.Status.DONE
        sweep.processed_rows = total
        sweep.blocked_count = counts["blocked"]
        sweep.hold_count = counts["hold"]
        sweep.clear_count = counts["clear"]
        sweep.finished_at = timezone.now()
        sweep.heartbeat_at = sweep.finished_at
        sweep.save()
        append_entry(
            EntryKind.CLEARANCE_DECISION,
            actor=actor,
            policy_id=policy.id,
            policy_version=policy.version,
            payload={
                "sweep": token_for_record("sweep", sweep.pk),
                "reason_code": "sweep",
                "count": total,
                "blocked_count": counts["blocked"],
                "hold_count": counts["hold"],
                "clear_count": counts["clear"],
                "content_digest": sweep.content_digest,
            },
        )
        results_file.replace(sweeps.stored_path(sweep, results=True))
    return sweep


def do_fail_sweep(sweep: Sweep, message: str) -> None:
    """Mark a sweep failed with a message for the person who uploaded it."""
    with action_transaction():
        Sweep.objects.filter(pk=sweep.pk, attempts=sweep.attempts).exclude(
            status=Sweep.Status.DONE
        ).update(status=Sweep.Status.FAILED, error=message, finished_at=timezone.now())


def requeue_stale_sweeps(only: Sweep | None = None) -> list[int]:
    """Sweeps whose process stopped: queue them again, or fail them after ``MAX_ATTEMPTS``.
    Returns the ids queued again."""
    candidates = Sweep.objects.filter(status__in=[Sweep.Status.QUEUED, Sweep.Status.RUNNING])
    if only is not None:
        candidates = candidates.filter(pk=only.pk)
    requeued = []
    for sweep in candidates:
        if not sweeps.is_stale(sweep):
            continue
        if sweep.attempts >= sweeps.MAX_ATTEMPTS:
            do_fail_sweep(
                sweep,
                f"The sweep stopped before it finished {sweep.attempts} times, perhaps because "
                "SafeShare restarted. Upload the file again, or tell your protocol officer.",
            )
            continue
        with action_transaction():
            moved = Sweep.objects.filter(
                pk=sweep.pk, status=sweep.status, attempts=sweep.attempts
            ).update(status=Sweep.Status.QUEUED, heartbeat_at=timezone.now())
        if moved:
            requeued.append(sweep.pk)
    return requeued


def do_remove_for_retention(protection_ids: Iterable[int], identity_ids: Iterable[int]) -> int:
    """Take out of the register the entries of ended protections that retention deletes, and of
    the identities it erases (R23), as any removal is: keys first, then a removal record at a
    new register version, so that resident copies drop them too. In the caller's transaction."""
    from safeshare.register.service import remove_entries

    with action_transaction():
        entries = RegisterEntry.objects.select_for_update().filter(
            Q(protection_id__in=list(protection_ids)) | Q(identity_id__in=list(identity_ids))
        )
        return remove_entries(list(entries))
