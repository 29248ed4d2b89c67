"""Appends are queued in the action's transaction; the sequencer numbers them without gaps."""

from __future__ import annotations

import pytest
from django.db import transaction

from safeshare.kernel.transactions import action_transaction, request_transaction
from safeshare.ledger import service, storage
from safeshare.ledger.actions import LedgerOutsideTransactionError, append_entry
from safeshare.ledger.entries import EntryKind, commit_reference, entry_bytes, entry_from_dict
from safeshare.ledger.keys import token_for_person
from safeshare.ledger.merkle import (
    CompactRange,
    MemorySubtreeCache,
    NodeId,
    TreeStore,
    leaf_hash,
    root_from_leaf_hashes,
)
from safeshare.ledger.models import LedgerEntry, LedgerSubject, LedgerSubtree
from safeshare.protocol.active import active_policy
from tests.ledger_db.support import append, execute, indices, officer, someone

pytestmark = pytest.mark.django_db


def test_an_append_is_queued_until_sequenced():
    person = someone()
    [entry] = append(officer(), 1, [person])
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored.index, stored.body, stored.leaf_hash) == (None, None, None)
    [reference] = LedgerSubject.objects.filter(entry=stored)
    assert reference.token == token_for_person(person.public_id)
    assert stored.draft["subjects"] == [
        commit_reference(bytes(reference.opening), "person", str(person.public_id))
    ]
    assert token_for_person(person.public_id) not in str(stored.draft)
    assert "index" not in stored.draft
    assert entry.kind == stored.kind == "personal_data_read"


def test_sequencing_gives_indices_in_commit_order_without_gaps():
    entries = append(officer(), 40)
    assert service.sequence_pending() == 40
    assert indices() == list(range(40))
    by_id = [e.index for e in LedgerEntry.objects.order_by("id")]
    assert by_id == list(range(40))
    assert [e.pk for e in LedgerEntry.objects.order_by("index")] == [e.pk for e in entries]
    assert service.sequence_pending() == 0


def test_sequenced_rows_hold_the_canonical_bytes_and_their_leaf_hash():
    append(officer(), 5, [someone(), someone()])
    service.sequence_pending()
    for row in LedgerEntry.objects.order_by("index"):
        expected = entry_bytes(entry_from_dict({**row.draft, "index": row.index}))
        assert bytes(row.body) == expected
        assert bytes(row.leaf_hash) == leaf_hash(expected)


def test_a_limit_sequences_part_of_the_queue_and_the_rest_later(monkeypatch):
    monkeypatch.setattr(service, "SEQUENCE_BATCH", 7)
    append(officer(), 30)
    assert service.sequence_pending(limit=10) == 10
    assert indices() == list(range(10))
    assert service.sequence_pending() == 20
    assert indices() == list(range(30))


def test_the_subtree_cache_holds_exactly_the_complete_subtrees_of_16_and_more(monkeypatch):
    monkeypatch.setattr(service, "SEQUENCE_BATCH", 13)  # batches that cut across subtrees
    append(officer(), 70)
    service.sequence_pending()
    leaves = [
        bytes(h) for h in LedgerEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    ]
    expected: dict[NodeId, bytes] = {}
    compact = CompactRange()
    for digest in leaves:
        compact.append(digest, on_node=lambda node, h: expected.__setitem__(node, h))
    cached = {NodeId(row.level, row.index): bytes(row.hash) for row in LedgerSubtree.objects.all()}
    assert cached == {node: h for node, h in expected.items() if node.level >= 4}
    assert set(cached) == {
        NodeId(4, 0),
        NodeId(4, 1),
        NodeId(4, 2),
        NodeId(4, 3),
        NodeId(5, 0),
        NodeId(5, 1),
        NodeId(6, 0),
    }
    tree = storage.tree()
    for size in (1, 16, 17, 64, 70):
        assert tree.root(size) == root_from_leaf_hashes(leaves[:size])
    in_memory = TreeStore(leaves, MemorySubtreeCache())
    assert tree.inclusion_proof(33, 70) == in_memory.inclusion_proof(33, 70)


def test_a_missing_cache_is_rebuilt_from_the_entries():
    append(officer(), 40)
    service.sequence_pending()
    expected = storage.tree().root(40)
    LedgerSubtree.objects.all().delete()
    append(officer(), 3)
    service.sequence_pending()
    assert storage.tree().root(40) == expected
    assert LedgerSubtree.objects.filter(level=4).count() == 2


def test_an_action_that_rolls_back_leaves_no_entry():
    actor = officer()
    policy = active_policy()

    class Refused(Exception):
        pass

    def failing_action() -> None:
        with action_transaction():
            append_entry(
                EntryKind.CASE_EVENT,
                actor=actor,
                policy_id=policy.id,
                policy_version=policy.version,
                subjects=[someone().public_id],
                payload={"event_type": "investigation_opened"},
            )
            raise Refused

    with pytest.raises(Refused):
        failing_action()
    assert not LedgerEntry.objects.exists()
    assert not LedgerSubject.objects.exists()
    assert service.sequence_pending() == 0


def test_a_rolled_back_savepoint_takes_its_entry_with_it():
    actor = officer()
    append(actor, 2)
    with request_transaction():  # an idempotent API request: actions join it as savepoints
        append(actor, 1)
        try:
            with transaction.atomic():
                append(actor, 1)
                raise RuntimeError("the inner action fails")
        except RuntimeError:
            pass
    service.sequence_pending()
    assert indices() == [0, 1, 2]


@pytest.mark.django_db(transaction=True)
def test_an_append_outside_a_transaction_is_refused():
    policy = active_policy()
    with pytest.raises(LedgerOutsideTransactionError):
        append_entry(
            EntryKind.CASE_EVENT,
            actor=officer(),
            policy_id=policy.id,
            policy_version=policy.version,
        )


def test_a_queued_row_that_is_not_a_valid_entry_stops_sequencing_with_its_id():
    [entry] = append(officer(), 1)
    execute(
        'UPDATE "ledger_ledgerentry" SET draft = %s WHERE id = %s',
        ['{"kind": "no_such_kind"}', entry.pk],
    )
    with pytest.raises(service.SequencingError, match=f"row {entry.pk}"):
        service.sequence_pending()
    assert not LedgerEntry.objects.filter(index__isnull=False).exists()


def test_sequencing_stops_when_entries_a_checkpoint_covers_are_missing():
    append(officer(), 10)
    service.sequence_pending()
    service.make_checkpoint()
    # Entry 9 is put back in the queue, as if its index had been wiped.
    LedgerEntry.objects.filter(index=9).update(index=None, body=None, leaf_hash=None)
    with pytest.raises(service.LedgerIntegrityError, match="checkpoint 10"):
        service.sequence_pending()
    assert indices() == list(range(9))
