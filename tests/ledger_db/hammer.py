"""Many writers appending through a real action at once, with a sequencer and signer running.

Used by the concurrency tests, in the test process (PostgreSQL) or in a process of its own
against a SQLite file (``SCRIPT`` below, with ``SAFESHARE_VAR_DIR`` pointing at a migrated
database), which prints a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from dataclasses import asdict, dataclass, field

from django.db import connections

from safeshare.kernel.transactions import action_transaction
from safeshare.ledger import service
from safeshare.ledger.actions import append_entry
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol.active import active_policy
from tests.ledger_db.support import officer, someone

SCRIPT = "import django; django.setup(); from tests.ledger_db.hammer import main; main()"
"""``python -c SCRIPT --writers N --appends M``: Django is set up before the models load."""


class Refused(Exception):
    """The failing action's error, raised after it appended its entry."""


@dataclass
class Outcome:
    committed: list[int] = field(default_factory=list)
    rolled_back: int = 0
    errors: list[str] = field(default_factory=list)
    checkpoints: int = 0
    seconds: float = 0.0


def hammer(writers: int, appends: int, *, fail_every: int = 5, sequencer: bool = True) -> Outcome:
    """Run ``writers`` threads of ``appends`` actions each; every ``fail_every``-th action
    appends and then fails, so its transaction rolls back. A sequencer thread sequences and
    signs throughout. Each thread uses its own database connection."""
    actor = officer()
    policy = active_policy()
    people = [someone() for _ in range(10)]
    outcome = Outcome()
    lock = threading.Lock()
    start = threading.Barrier(writers + (1 if sequencer else 0))
    finished = threading.Event()

    def write(number: int) -> None:
        try:
            start.wait()
            for step in range(appends):
                person = people[(number + step) % len(people)]
                if fail_every and step % fail_every == fail_every - 1:
                    try:
                        with action_transaction():
                            append_entry(
                                EntryKind.CASE_EVENT,
                                actor=actor,
                                policy_id=policy.id,
                                policy_version=policy.version,
                                subjects=[person.public_id],
                                payload={"event_type": "investigation_opened"},
                            )
                            raise Refused
                    except Refused:
                        with lock:
                            outcome.rolled_back += 1
                    continue
                entry = do_record_personal_data_read(actor, [person], "case_page")
                assert entry is not None
                with lock:
                    outcome.committed.append(entry.pk)
        except Exception as error:
            outcome.errors.append(f"writer {number}: {error!r}")
        finally:
            connections.close_all()

    def sequence() -> None:
        try:
            start.wait()
            while not finished.is_set():
                service.sequence_pending()
                if service.make_checkpoint() is not None:
                    outcome.checkpoints += 1
                time.sleep(0.005)
        except Exception as error:
            outcome.errors.append(f"sequencer: {error!r}")
        finally:
            connections.close_all()

    began = time.perf_counter()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    helper = threading.Thread(target=sequence) if sequencer else None
    for thread in [*threads, *([helper] if helper else [])]:
        thread.start()
    for thread in threads:
        thread.join()
    finished.set()
    if helper is not None:
        helper.join()
        service.sequence_pending()
        if service.make_checkpoint() is not None:
            outcome.checkpoints += 1
    outcome.seconds = time.perf_counter() - began
    return outcome


def summary(outcome: Outcome) -> dict[str, object]:
    """What the tests check, from the database as it is now."""
    report = service.verify_database()
    rows = list(LedgerEntry.objects.order_by("index").values_list("index", "id"))
    return {
        **asdict(outcome),
        "indices": [index for index, _ in rows],
        "entry_ids": [row_id for _, row_id in rows],
        "verified": report.ok,
        "verified_size": report.verified_size,
        "report": report.summary(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--appends", type=int, default=25)
    parser.add_argument("--no-sequencer", action="store_true")
    args = parser.parse_args()
    outcome = hammer(args.writers, args.appends, sequencer=not args.no_sequencer)
    # Without the sequencer the entries stay queued (verifying would sequence them).
    result = asdict(outcome) if args.no_sequencer else summary(outcome)
    print(json.dumps(result))  # noqa: T201
