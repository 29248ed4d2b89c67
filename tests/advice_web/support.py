"""Builders for the advice and victim-view tests, and a stand-in for the ledger's service.

``FakeLedgerService`` does what ``safeshare.ledger.service`` will do (sequence queued entries,
sign a checkpoint, give inclusion proofs), using the ledger's own pure functions, so that the
victim's page can be tested with real, checkable receipts before that service exists.
"""

from __future__ import annotations

from types import SimpleNamespace

from safeshare.accounts.actors import Actor
from safeshare.advice import actions
from safeshare.advice.eligibility import Facts
from safeshare.kernel.roles import Role
from safeshare.ledger.checkpoint import generate_signing_key, sign_checkpoint, verifier_key
from safeshare.ledger.entries import entry_bytes, entry_from_dict
from safeshare.ledger.merkle import inclusion_proof, leaf_hash, root_from_leaf_hashes
from safeshare.ledger.models import LedgerEntry
from safeshare.ledger.receipts import make_receipt
from tests.support.factories import (
    CaseFactory,
    PartyFactory,
    ReferralFactory,
    make_user,
    organisation_for,
    sample_facts,
)
from tests.support.factories.advice import VIEW_URL

ORIGIN = "test.safeshare.example/ledger"


def officer(code: str = "WMP", role: Role = Role.POLICE_OFFICER) -> Actor:
    return Actor.for_user(make_user(role, organisation_for(role, code)))


def protected_victim(police: Actor, reference: str = "20/1234/26", **identity):
    """A domestic abuse victim in a force's case, referred to IE: returns the protection."""
    organisation_for(Role.IE_CASEWORKER, "IE-NCCU")
    case = CaseFactory.create(
        actor=police, crime_reference=reference, offence_category="domestic_abuse"
    )
    fields = {
        "given_names": "Fatema",
        "family_name": "Begum",
        "date_of_birth": "1991-03-14",
        "nationality": "BGD",
        "sex": "female",
        **identity,
    }
    party = PartyFactory.create(case=case, actor=police, role="victim", **fields)
    return ReferralFactory.create(party=party, actor=police).protection


def facts() -> Facts:
    return sample_facts()


def issue_letter(protection, police: Actor, **kwargs):
    kwargs = {"language": "en", "delivery": "handed_over", "view_url": VIEW_URL, **kwargs}
    return actions.do_issue_protection_letter(protection, police, **kwargs)


def issue_pack(protection, police: Actor, **kwargs):
    kwargs = {
        "facts": facts(),
        "language": "en",
        "channel": "handed_over",
        "view_url": VIEW_URL,
        **kwargs,
    }
    return actions.do_issue_advice_pack(protection, police, **kwargs)


class FakeLedgerService:
    """Sequences queued entries and signs a checkpoint over all of them on demand."""

    def __init__(self) -> None:
        self.private_key = generate_signing_key()
        self.key = verifier_key(ORIGIN, self.private_key.public_key())

    def sequence(self) -> tuple[list[bytes], str]:
        leaves = [
            bytes(h)
            for h in LedgerEntry.objects.filter(index__isnull=False)
            .order_by("index")
            .values_list("leaf_hash", flat=True)
        ]
        for entry in LedgerEntry.objects.filter(index__isnull=True).order_by("id"):
            data = entry_bytes(entry_from_dict({**entry.draft, "index": len(leaves)}))
            entry.index = len(leaves)
            entry.body = data
            entry.leaf_hash = leaf_hash(data)
            entry.save(update_fields=["index", "body", "leaf_hash"])
            leaves.append(leaf_hash(data))
        root = root_from_leaf_hashes(leaves)
        return leaves, sign_checkpoint(ORIGIN, len(leaves), root, self.private_key, ORIGIN)

    def receipts_for_person(self, person):
        from safeshare.advice.ledger_link import entries_about
        from safeshare.ledger.service import person_openings

        leaves, checkpoint = self.sequence()
        openings = person_openings(person)
        pairs = []
        for entry in entries_about(person):
            proof = inclusion_proof(leaves, entry.index, len(leaves))
            receipt = make_receipt(
                entry.index, leaves[entry.index], checkpoint, proof, openings.get(entry.pk, [])
            )
            pairs.append((entry, receipt))
        return pairs

    def verifier_keys(self):
        return [str(self.key)]

    def as_module(self) -> SimpleNamespace:
        return SimpleNamespace(
            receipts_for_person=self.receipts_for_person, verifier_keys=self.verifier_keys
        )
