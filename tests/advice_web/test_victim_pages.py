"""What the signed-in victim sees: status, every ledger entry about them with a receipt that
verifies, the advice pack; and nothing about anyone else."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from safeshare.advice import ledger_link
from safeshare.advice.disclosures import RECEIPT_BUNDLE_FORMAT, disclosures_for
from safeshare.ledger.keys import token_for_person
from safeshare.ledger.receipts import verify_receipt
from tests.advice_web.support import issue_letter, issue_pack, officer, protected_victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    police = officer()
    protection = protected_victim(police)
    issued = issue_letter(protection, police)
    response = client.post(
        "/my-protection/", {"reference": protection.reference, "passcode": issued.passcode}
    )
    assert response.status_code == 302
    return protection, police


def test_the_disclosure_list_shows_the_referral_with_what_was_shared(
    client, signed_in, no_ledger_service
):
    page = client.get(reverse("advice:victim-shared")).text
    assert "Information about you was shared" in page
    assert "The police told Immigration Enforcement that you are protected" in page
    assert "your date of birth" in page
    assert "IE-NCCU organisation" in page
    assert "The receipt is not ready yet" in page


def test_every_entry_about_the_person_is_listed(signed_in, no_ledger_service):
    protection, _ = signed_in
    rows, keys = disclosures_for(protection.person)
    kinds = {row.kind for row in rows}
    assert {"referral", "disclosure", "protection_opened", "letter_issued"} <= kinds
    assert keys == []
    token = token_for_person(protection.person.public_id)
    entries = ledger_link.entries_about(protection.person)
    assert {row.entry_id for row in rows} == {entry.pk for entry in entries}
    assert not any(token in json.dumps(entry.draft) for entry in entries)


def test_receipts_verify_in_the_page_and_when_downloaded(client, signed_in, ledger_service):
    page = client.get(reverse("advice:victim-shared")).text
    assert "Receipt checked" in page
    assert "Receipt did not check out" not in page
    assert "The receipt is not ready yet" not in page
    rows, keys = disclosures_for(signed_in[0].person)
    assert rows
    assert all(row.receipt_holds for row in rows)
    response = client.get(reverse("advice:victim-receipt", kwargs={"entry_id": rows[0].entry_id}))
    assert response["Content-Disposition"].startswith("attachment")
    bundle = json.loads(response.content)
    assert bundle["format"] == RECEIPT_BUNDLE_FORMAT
    assert verify_receipt(
        json.dumps(bundle["receipt"]), bundle["entry"].encode(), bundle["verifier_keys"]
    )
    [opening] = bundle["receipt"]["openings"]
    assert opening["identifier"] == str(signed_in[0].person.public_id)
    wrong = {**bundle["receipt"], "openings": [{**opening, "identifier": "someone-else"}]}
    assert not verify_receipt(json.dumps(wrong), bundle["entry"].encode(), keys)
    tampered = bundle["entry"].replace('"channel":"web"', '"channel":"phone"')
    if tampered != bundle["entry"]:
        assert not verify_receipt(json.dumps(bundle["receipt"]), tampered.encode(), keys)


def test_a_victim_cannot_open_another_persons_receipt_or_pack(client, signed_in, ledger_service):
    police = officer("WMP")
    other = protected_victim(
        police,
        reference="20/9999/26",
        given_names="Amal",
        family_name="Haddad",
        date_of_birth="1988-01-01",
    )
    pack = issue_pack(other, police)
    other_entry = ledger_link.entries_about(other.person)[0]
    assert (
        client.get(
            reverse("advice:victim-receipt", kwargs={"entry_id": other_entry.pk})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("advice:victim-advice-pdf", kwargs={"pack_id": pack.public_id})
        ).status_code
        == 404
    )
    assert "Amal" not in client.get(reverse("advice:victim-shared")).text


def test_the_advice_pack_is_shown_and_downloadable(client, signed_in):
    protection, police = signed_in
    assert "not given you an advice pack yet" in client.get(reverse("advice:victim-advice")).text
    pack = issue_pack(protection, police)
    page = client.get(reverse("advice:victim-advice")).text
    assert "Time to stay, and money to live on, after an abusive relationship" in page
    assert 'data-testid="route-mvdac"' in page
    download = client.get(reverse("advice:victim-advice-pdf", kwargs={"pack_id": pack.public_id}))
    assert download["Content-Type"] == "application/pdf"
    assert download.content == bytes(pack.pdf)
    assert "no-store" in download["Cache-Control"]


def test_the_status_follows_the_protection(client, signed_in):
    protection, _ = signed_in
    protection.status = "transition"
    protection.save(update_fields=["status"])
    page = client.get(reverse("advice:victim-protection")).text
    assert 'data-status="transition"' in page
    assert "you are still protected" in page


def test_not_this_route_shows_only_title_legal_name_reasons_and_advice(client, signed_in):
    from safeshare.advice.eligibility import Facts

    protection, police = signed_in
    issue_pack(
        protection,
        police,
        facts=Facts(
            visa_category="partner_of_skilled_worker",
            relationship_broke_down_due_to_abuse=True,
            offence_category="domestic_abuse",
            jurisdiction="england",
        ),
    )
    page = client.get(reverse("advice:victim-advice")).text
    start = page.index('data-testid="route-settlement_domestic_abuse"')
    assert 'data-fit="not_this_route"' in page[start : start + 120]
    block = (
        page[start : page.index('class="app-route', start + 10)]
        if page.count('class="app-route', start + 10)
        else page[start : page.index("<h2", start)]
    )
    assert "Legal name:" in block
    assert "Why" in block
    assert "free, independent legal advice" in block
    assert "How to apply" not in block
    assert "What can help" not in block


def test_ended_protection_is_shown_as_ended(client, signed_in):
    protection, _ = signed_in
    protection.status = "ended"
    protection.save(update_fields=["status"])
    page = client.get(reverse("advice:victim-protection")).text
    assert 'data-status="ended"' in page
    assert "Your protection has ended" in page


def test_receipts_from_the_ledgers_own_service_verify(client, signed_in):
    from safeshare.ledger import service

    page = client.get(reverse("advice:victim-shared")).text
    assert "The receipt is not ready yet" in page
    service.sequence_pending()
    service.make_checkpoint()
    rows, keys = disclosures_for(signed_in[0].person)
    assert keys == service.verifier_keys()
    assert rows
    assert all(row.has_receipt and row.receipt_holds for row in rows)
    assert [row.index for row in rows] == sorted((row.index for row in rows), reverse=True)
    page = client.get(reverse("advice:victim-shared")).text
    assert "Receipt checked" in page
    assert "The receipt is not ready yet" not in page
