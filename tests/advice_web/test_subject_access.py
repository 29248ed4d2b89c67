"""Subject access (R21): everything held about a person, the protection always included,
every referral with its exact payload, exemptions itemised with reasons (N7)."""

from __future__ import annotations

import json
import subprocess
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from safeshare.advice import actions
from safeshare.advice.models import SubjectAccessExemption, SubjectAccessExport
from safeshare.kernel.roles import Role
from safeshare.ledger.entries import EntryKind, commit_reference
from safeshare.ledger.models import LedgerEntry, LedgerSubject
from safeshare.referrals.models import Referral
from tests.accounts.factories import DEFAULT_PASSWORD, make_user
from tests.advice_web.support import issue_letter, issue_pack, officer, protected_victim

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    police = officer()
    protection = protected_victim(police)
    issue_letter(protection, police)
    issue_pack(protection, police)
    return protection, police


def test_the_export_holds_everything_and_the_protection(case):
    protection, police = case
    result = actions.do_export_subject_access(protection.person, police)
    data = result.data
    assert data["format"] == "safeshare-subject-access/1"
    assert data["person"]["id"] == str(protection.person.public_id)
    assert data["identities"][0]["family_name"] == "Begum"
    assert data["cases"][0]["case"]["crime_reference"] == "20/1234/26"
    assert data["protections"][0]["reference"] == protection.reference
    assert data["protections"][0]["history"][0]["kind"] == "protection_opened"
    referral = Referral.objects.get()
    assert data["referrals"][0]["fields_sent"] == referral.payload
    assert data["advice_packs"][0]["facts"]["visa_category"] == "partner_of_student"
    assert data["protection_letters"][0]["delivery"] == "handed_over"
    assert "passcode_hash" not in json.dumps(data)
    kinds = {entry["kind"] for entry in data["ledger_entries"]}
    assert {"referral", "disclosure", "advice_issued", "letter_issued"} <= kinds
    assert data["exemptions"] == []
    assert data["not_included"]
    assert json.loads(result.json_bytes) == json.loads(json.dumps(data, default=str))


def test_the_export_is_recorded_and_logged(case):
    protection, police = case
    result = actions.do_export_subject_access(protection.person, police)
    export = SubjectAccessExport.objects.get()
    assert export.ledger_entry.kind == EntryKind.SAR_EXPORT
    [reference] = LedgerSubject.objects.filter(
        entry_id=export.ledger_entry.pk, field="content_digest"
    )
    assert reference.token == export.content_digest
    assert export.ledger_entry.draft["payload"]["content_digest"] == commit_reference(
        bytes(reference.opening), "content_digest", export.content_digest
    )
    assert export.item_count == result.export.item_count > 5


def test_an_exemption_withholds_one_item_and_is_itemised(case):
    protection, police = case
    referral = Referral.objects.get()
    actions.do_record_exemption(
        protection.person,
        police,
        item_kind="referral",
        item_id=str(referral.public_id),
        basis="dpa2018_sch2_para4",
        risk_assessment="Disclosing this referral now would prejudice an ongoing immigration "
        "control investigation into the sponsor, assessed under para 4(1)(b).",
        review_on=date(2027, 1, 1),
    )
    data = actions.do_export_subject_access(protection.person, police).data
    assert data["referrals"] == [
        {"kind": "referral", "id": str(referral.public_id), "withheld": True, "exemption": 1}
    ]
    assert data["exemptions"][0]["item_id"] == str(referral.public_id)
    # The subject sees the basis, never the risk assessment itself.
    assert "para 4(1)(b)" not in json.dumps(data)
    assert "risk_assessment" not in data["exemptions"][0]
    assert data["exemptions"][0]["basis"].startswith("Data Protection Act 2018, Schedule 2")
    assert data["protections"][0]["reference"] == protection.reference


def test_the_protection_can_never_be_withheld(case):
    protection, police = case
    with pytest.raises(ValidationError, match="never be withheld"):
        actions.do_record_exemption(
            protection.person,
            police,
            item_kind="protection",
            item_id=protection.reference,
            basis="dpa2018_sch2_para4",
            risk_assessment="x" * 60,
            review_on=date(2027, 1, 1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SubjectAccessExemption.objects.create(
            person=protection.person,
            item_kind="protection",
            item_id="1",
            basis="dpa2018_sch2_para4",
            risk_assessment="x" * 60,
            decided_by="someone",
            decided_by_org=police.organisation,
            review_on=date(2027, 1, 1),
        )


def test_an_exemption_needs_a_risk_assessment(case):
    protection, police = case
    with pytest.raises(ValidationError, match="risk assessment"):
        actions.do_record_exemption(
            protection.person,
            police,
            item_kind="referral",
            item_id="x",
            basis="dpa2018_sch2_para4",
            risk_assessment="because",
            review_on=date(2027, 1, 1),
        )


def test_the_command_writes_json_and_pdf(case, tmp_path):
    protection, police = case
    json_path, pdf_path = tmp_path / "sar.json", tmp_path / "sar.pdf"
    call_command(
        "sar",
        str(protection.person.public_id),
        "--as",
        police.user.email,
        "--json",
        str(json_path),
        "--pdf",
        str(pdf_path),
    )
    data = json.loads(json_path.read_text())
    assert data["protections"][0]["reference"] == protection.reference
    assert oct(json_path.stat().st_mode & 0o777) == "0o600"
    text = subprocess.run(
        ["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Everything SafeShare holds about you" in text
    assert protection.reference in text
    assert LedgerEntry.objects.filter(kind=EntryKind.SAR_EXPORT).count() == 1


def test_the_command_refuses_unknown_people_and_roles(case):
    from django.core.management.base import CommandError

    protection, _ = case
    with pytest.raises(CommandError, match="No person"):
        call_command("sar", "00000000-0000-4000-8000-000000000000", "--as", "x@y.test")
    caseworker = make_user(Role.IE_CASEWORKER)
    with pytest.raises(CommandError, match="cannot make subject access exports"):
        call_command("sar", str(protection.person.public_id), "--as", caseworker.email)


def test_the_page_downloads_the_export_for_the_force_only(client, case):
    protection, police = case
    client.force_login(police.user)
    url = reverse("advice:subject-access", kwargs={"person_id": protection.person.public_id})
    assert client.get(url).status_code == 200
    response = client.post(url, {"format": "json"})
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["protections"][0]["reference"] == protection.reference
    response = client.post(url, {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    other_force = make_user(Role.POLICE_OFFICER)
    client.force_login(other_force)
    assert client.get(url).status_code == 404
    assert DEFAULT_PASSWORD
