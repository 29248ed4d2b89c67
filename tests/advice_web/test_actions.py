"""Issuing letters and packs, safe contact (R28, R29), each with its ledger entry."""

from __future__ import annotations

import hashlib
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safeshare.advice import actions
from safeshare.advice.eligibility import candidate_routes, default_catalogue
from safeshare.advice.factsio import facts_from_json, facts_to_json
from safeshare.advice.models import AdvicePack, ProtectionLetter
from safeshare.advice.passcodes import normalise_passcode, passcode_matches
from safeshare.kernel.roles import Role
from safeshare.ledger.entries import EntryKind, commit_reference
from safeshare.ledger.keys import token_for_person
from safeshare.ledger.models import LedgerSubject
from tests.advice_web.support import facts, issue_letter, issue_pack, officer, protected_victim

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def record_contact(protection, police, **changes):
    values = {
        "language": "en",
        "interpreter_needed": False,
        "safe_channel": "in_person",
        "address_shared_with_perpetrator": "no",
        **changes,
    }
    return actions.do_record_contact_preference(protection.person, police, **values)


def test_a_letter_has_a_one_time_passcode_stored_only_as_a_hash(tmp_path):
    police = officer()
    protection = protected_victim(police)
    issued = issue_letter(protection, police)
    letter = ProtectionLetter.objects.get()
    digits = normalise_passcode(issued.passcode)
    assert len(digits) == 12
    assert digits not in letter.passcode_hash
    assert issued.passcode not in str(ProtectionLetter.objects.values().get())
    assert passcode_matches(issued.passcode, letter.passcode_hash)
    text = pdf_text(issued.pdf, tmp_path)
    assert protection.reference in text
    assert issued.passcode in text
    assert "Your protection from immigration" in text


def test_the_passcode_is_on_a_slip_of_its_own_not_in_the_letter(tmp_path):
    police = officer()
    protection = protected_victim(police)
    issued = issue_letter(protection, police)
    *letter_pages, slip = pdf_text(issued.pdf, tmp_path).split("\f")[:-1] or [""]
    letter = "\f".join(letter_pages)
    assert protection.reference in letter
    assert issued.passcode not in letter
    assert issued.passcode in slip
    for telltale in (protection.reference, "immigration", "Immigration", "protection"):
        assert telltale not in slip  # the slip alone says nothing of what it opens


def test_a_letter_is_logged_on_the_ledger_in_the_same_action():
    police = officer()
    protection = protected_victim(police)
    letter = issue_letter(protection, police).letter
    entry = letter.ledger_entry
    assert entry.kind == EntryKind.LETTER_ISSUED
    assert entry.draft["payload"]["channel"] == "handed_over"
    [reference] = LedgerSubject.objects.filter(entry_id=entry.pk, field="subjects")
    assert reference.token == token_for_person(protection.person.public_id)
    assert entry.draft["subjects"] == [
        commit_reference(bytes(reference.opening), "person", str(protection.person.public_id))
    ]


def test_a_new_letter_replaces_the_old_passcode():
    police = officer()
    protection = protected_victim(police)
    first = issue_letter(protection, police)
    second = issue_letter(protection, police)
    first.letter.refresh_from_db()
    assert first.letter.replaced_at is not None
    assert actions.current_letter(protection) == second.letter
    assert not passcode_matches(first.passcode, second.letter.passcode_hash)


@pytest.mark.parametrize(
    ("shared", "message"),
    [
        (None, "There are no safe contact details"),
        ("yes", "shares that address with the alleged perpetrator"),
        ("not_known", "Nobody has recorded whether the alleged perpetrator shares the address"),
    ],
)
def test_a_letter_is_never_posted_unless_the_address_is_safe(shared, message):
    police = officer()
    protection = protected_victim(police)
    if shared:
        record_contact(protection, police, address_shared_with_perpetrator=shared)
    with pytest.raises(ValidationError, match=message) as raised:
        issue_letter(protection, police, delivery="posted")
    assert "delivery" in raised.value.message_dict
    assert not ProtectionLetter.objects.exists()


def test_a_letter_posted_to_a_safe_address_is_addressed_there(tmp_path):
    police = officer()
    protection = protected_victim(police)
    record_contact(
        protection,
        police,
        safe_channel="post",
        safe_postal_address="c/o Safe Haven Refuge\nPO Box 12\nBirmingham B1 1AA",
    )
    issued = issue_letter(protection, police, delivery="posted")
    assert issued.letter.addressed_to.startswith("c/o Safe Haven Refuge")
    assert "PO Box 12" in pdf_text(issued.pdf, tmp_path)


def test_a_handed_over_letter_carries_no_address(tmp_path):
    police = officer()
    protection = protected_victim(police)
    record_contact(protection, police, safe_channel="post", safe_postal_address="1 Safe Street")
    issued = issue_letter(protection, police)
    assert issued.letter.addressed_to == ""
    assert "1 Safe Street" not in pdf_text(issued.pdf, tmp_path)


def test_post_cannot_be_the_safe_channel_to_a_shared_address():
    police = officer()
    protection = protected_victim(police)
    with pytest.raises(ValidationError) as raised:
        record_contact(
            protection,
            police,
            safe_channel="post",
            address_shared_with_perpetrator="yes",
            safe_postal_address="1 Home St",
        )
    errors = raised.value.message_dict
    assert "Post is only safe" in errors["safe_channel"][0]
    assert "Do not record an address" in errors["safe_postal_address"][0]


def test_contact_preferences_keep_their_history():
    police = officer()
    protection = protected_victim(police)
    record_contact(protection, police, address_shared_with_perpetrator="yes")
    latest = record_contact(
        protection,
        police,
        language="ar",
        interpreter_needed=True,
        interpreter_language="Arabic (Levantine)",
    )
    assert actions.latest_contact_preference(protection.person) == latest
    assert actions.language_for_person(protection.person) == "ar"


def test_a_pack_stores_what_reproduces_it_and_is_logged():
    police = officer()
    protection = protected_victim(police)
    pack = issue_pack(protection, police, language="cy")
    stored = AdvicePack.objects.get()
    assert stored.language == "cy"
    assert stored.catalogue_digest == default_catalogue().digest
    assert stored.content_digest == hashlib.sha256(bytes(stored.pdf)).hexdigest()
    assert stored.facts == facts_to_json(facts())
    again = candidate_routes(facts_from_json(stored.facts), on=stored.advice_date)
    assert [(c.route_id, c.version_id, list(c.rule_ids)) for c in again] == [
        (r["route_id"], r["version_id"], r["rule_ids"]) for r in stored.routes
    ]
    assert "mvdac" in [r["route_id"] for r in stored.routes]
    payload = pack.ledger_entry.draft["payload"]
    assert pack.ledger_entry.kind == EntryKind.ADVICE_ISSUED
    [reference] = LedgerSubject.objects.filter(
        entry_id=pack.ledger_entry.pk, field="content_digest"
    )
    assert reference.token == stored.content_digest
    assert payload["content_digest"] == commit_reference(
        bytes(reference.opening), "content_digest", stored.content_digest
    )
    assert payload["channel"] == "handed_over"
    assert "routes" not in payload  # advice routes profile a person: kept off the log


def test_a_pack_is_not_posted_to_an_unsafe_address():
    police = officer()
    protection = protected_victim(police)
    record_contact(protection, police, address_shared_with_perpetrator="yes")
    with pytest.raises(ValidationError, match="alleged perpetrator") as raised:
        issue_pack(protection, police, channel="posted")
    assert "channel" in raised.value.message_dict
    assert not AdvicePack.objects.exists()


def test_immigration_enforcement_cannot_issue_letters_or_packs():
    police = officer()
    protection = protected_victim(police)
    caseworker = officer("IE-NCCU", Role.IE_CASEWORKER)
    with pytest.raises(PermissionDenied):
        issue_letter(protection, caseworker)
    with pytest.raises(PermissionDenied):
        issue_pack(protection, caseworker)


def test_an_unknown_language_is_refused():
    police = officer()
    protection = protected_victim(police)
    with pytest.raises(ValidationError, match="language"):
        issue_letter(protection, police, language="xx")
