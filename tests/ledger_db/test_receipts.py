"""Receipts for a person: every entry about them, newest first, each provably in the signed log."""

from __future__ import annotations

import pytest

from safeshare.advice import ledger_link
from safeshare.ledger import service
from safeshare.ledger.receipts import (
    check_receipt,
    receipt_from_json,
    receipt_to_json,
    verify_receipt,
)
from tests.ledger_db.support import append, officer, someone
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db


def test_receipts_cover_the_persons_entries_newest_first_once_signed():
    actor = officer()
    person, other = someone(), someone()
    append(actor, 3, [person])
    append(actor, 2, [other])
    append(actor, 2, [person])
    assert all(entry.index is None for entry, _ in service.receipts_for_person(person))
    service.sequence_pending()  # the worker's job: reading receipts writes nothing
    pairs = service.receipts_for_person(person)  # nothing signed yet
    assert [entry.index for entry, _ in pairs] == [6, 5, 2, 1, 0]
    assert all(receipt is None for _, receipt in pairs)

    service.make_checkpoint()
    append(actor, 1, [person])  # after the checkpoint: queued, no receipt yet
    pairs = service.receipts_for_person(person)
    assert [entry.index for entry, _ in pairs] == [None, 6, 5, 2, 1, 0]
    assert pairs[0][1] is None
    keys = service.verifier_keys()
    for entry, receipt in pairs[1:]:
        assert receipt is not None
        checkpoint = check_receipt(receipt, bytes(entry.body), keys)
        assert checkpoint.size == 7
        assert check_receipt(receipt_from_json(receipt_to_json(receipt)), bytes(entry.body), keys)


def test_a_receipt_does_not_hold_for_another_entry():
    actor = officer()
    person = someone()
    append(actor, 4, [person])
    service.sequence_pending()
    service.make_checkpoint()
    pairs = service.receipts_for_person(person)
    (first, receipt), (second, _) = pairs[0], pairs[1]

    assert verify_receipt(receipt, bytes(first.body), service.verifier_keys())
    assert not verify_receipt(receipt, bytes(second.body), service.verifier_keys())


def test_the_victims_page_gets_real_receipts_through_the_advice_link():
    police = h.police()
    h.ie()  # the unit a referral goes to
    case = h.new_case(police)
    party = h.add_victim(case, police)
    h.event(case, police, "investigation_opened")
    h.refer(party, police)
    service.sequence_pending()
    service.make_checkpoint()
    pairs = ledger_link.receipts_for_person(party.person)
    assert pairs
    assert all(receipt is not None for _, receipt in pairs)
    keys = ledger_link.verifier_keys()
    assert all(ledger_link.receipt_holds(entry, receipt, keys) for entry, receipt in pairs)
    kinds = {entry.kind for entry, _ in pairs}
    assert {"referral", "disclosure"} <= kinds
