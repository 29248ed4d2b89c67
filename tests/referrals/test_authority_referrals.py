"""Referrals by NHS bodies, local authorities and NRM first responders (R5)."""

from __future__ import annotations

import pytest

from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.ledger.models import LedgerEntry
from safeshare.people.models import Person
from safeshare.protocol.models import Protection
from safeshare.referrals.models import AuthorityReferral, RefusedAuthorityReferral
from tests import api_client as api
from tests.support.factories.accounts import organisation
from tests.support.factories.referrals import ie_unit

pytestmark = pytest.mark.django_db

BODY = {
    **api.FATEMA,
    "role": "victim",
    "offence_category": "modern_slavery_trafficking",
    "triggers": ["safeguarding"],
    "source_of_information": "victim",
    "controller": "Sandwell and West Birmingham NHS Trust",
    "regime": "uk_gdpr_part_2",
    "lawful_basis": "Public task",
    "gateway": "Immigration and Asylum Act 1999 s.20",
    "agreement_id": "DSA-2026-031",
    "dpia_version": "1.2",
    "consent_given": True,
    "consented_fields": ["given_names", "family_name", "date_of_birth", "nationality"],
}


def referrer(code: str = "NHS-RXK", kind: OrganisationKind = OrganisationKind.NHS_BODY):
    organisation(code, kind, f"{code} body", "Safeguarding lead, 0121 000 0000")
    return api.ApiClient(Role.REFERRER, code)


@pytest.fixture(autouse=True)
def _ie():
    ie_unit()


@pytest.mark.parametrize(
    "kind",
    [
        OrganisationKind.NHS_BODY,
        OrganisationKind.LOCAL_AUTHORITY,
        OrganisationKind.NRM_FIRST_RESPONDER,
    ],
)
def test_each_referring_kind_registers_and_protects(settings, kind):
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    client = referrer(f"R-{kind.value[:5].upper()}", kind)
    entries = LedgerEntry.objects.count()
    made = api.ok(client.post("/authority-referrals", BODY), 201)
    protection = Protection.objects.get(reference=made["protection_reference"])
    assert protection.status == "active"
    assert protection.trigger == "other_authority_referral"
    assert protection.opened_by.code == client.organisation.code
    assert protection.contact_point == "Safeguarding lead, 0121 000 0000"
    assert protection.status_reasons[0].startswith("Held open by the referral from")
    referral = AuthorityReferral.objects.get(public_id=made["id"])
    assert referral.person == protection.person
    assert made["recipient_code"] == "IE-NCCU"
    kinds = list(LedgerEntry.objects.order_by("id")[entries:].values_list("kind", flat=True))
    assert kinds.count("referral") == 1
    assert kinds.count("disclosure") == 1
    assert kinds.count("protection_opened") == 1


def test_the_payload_is_the_policys_minimum(settings):
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    made = api.ok(
        referrer().post(
            "/authority-referrals",
            {**BODY, "passport_number": "X1234567", "current_address": "1 High St"},
        ),
        422,
    )
    assert "current_address" in str(made)
    made = api.ok(referrer().post("/authority-referrals", BODY), 201)
    assert "crime_reference" not in made["payload"]
    assert made["payload"]["force_code"] == "NHS-RXK"
    assert made["payload"]["protection_flag"] is True
    assert made["payload"]["given_names"] == "Fatema"


def test_a_recompute_keeps_it_active_and_it_blocks_a_clearance(settings):
    from safeshare.accounts.actors import Actor
    from safeshare.protocol.actions import refresh_protection
    from safeshare.protocol.active import active_policy

    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    made = api.ok(referrer().post("/authority-referrals", BODY), 201)
    protection = Protection.objects.get(reference=made["protection_reference"])
    actor = Actor(organisation=protection.opened_by, role=Role.REFERRER)
    assert not refresh_protection(protection, actor, active_policy())
    assert protection.status == "active"
    decision = api.ok(api.clearance(api.ie()), 201)
    assert decision["decision"] == "blocked"
    assert decision["protection_reference"] == protection.reference


def test_a_policy_that_refuses_keeps_only_the_attempt(settings):
    settings.SAFESHARE_POLICY = "firewall"
    people = Person.objects.count()
    entries = LedgerEntry.objects.count()
    client = referrer()
    response = client.post("/authority-referrals", BODY)
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "referral_refused"
    assert Person.objects.count() == people
    assert not AuthorityReferral.objects.exists()
    # Who tried, when and why is kept (docs/adr/0038), with nothing about the person.
    refused = RefusedAuthorityReferral.objects.get()
    assert refused.referrer == client.organisation
    assert refused.rule_codes
    assert refused.policy_id == "firewall"
    assert "Fatema" not in str(refused.__dict__)
    new = LedgerEntry.objects.order_by("id")[entries:]
    assert [e.kind for e in new] == ["referral_refused"]
    assert new[0].draft["payload"]["referring_org"] == client.organisation.code
    [listed] = api.ok(client.get("/authority-referrals/refused"))
    assert listed["rules"] == refused.rule_codes
    assert listed["reasons"] == refused.reasons
    assert listed["role"] == "victim"
    assert api.ok(referrer("LA-OTHER").get("/authority-referrals/refused")) == []


def test_consent_is_needed_where_the_policy_asks_for_it(settings):
    settings.SAFESHARE_POLICY = "consent-2025"
    refused = referrer().post("/authority-referrals", {**BODY, "consent_given": False})
    assert refused.status_code == 403
    made = api.ok(referrer().post("/authority-referrals", BODY), 201)
    assert "passport_number" not in made["payload"]
    assert set(made["payload"]) >= {"given_names", "family_name"}


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.REFERRER])
def test_no_other_role_makes_one(role):
    code = {"ie_caseworker": "IE-X", "ie_senior_approver": "IE-X"}.get(
        role.value, f"O-{role.value[:5].upper()}"
    )
    response = api.ApiClient(role, code).post("/authority-referrals", BODY)
    assert response.status_code == 403


def test_a_referrer_reads_nothing_back(settings):
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    client = referrer()
    made = api.ok(client.post("/authority-referrals", BODY), 201)
    for path in ("/protections", f"/protections/{made['protection_reference']}", "/cases"):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize("opens", [True, False])
def test_the_core_holds_it_open_only_where_the_policy_protects_on_such_referrals(tmp_path, opens):
    from safeshare.protocol.protection import ProtectionFacts, ProtectionStatus, compute_protection
    from tests.protocol.builders import derived_policy

    policy = derived_policy(
        tmp_path,
        "mvp-2021-promise",
        "r5",
        (
            "non_police_referrals_open_protection = true",
            f"non_police_referrals_open_protection = {str(opens).lower()}",
        ),
    )
    facts = ProtectionFacts(referred_by=("Sandwell NHS",), current=ProtectionStatus.ACTIVE)
    assessment = compute_protection(policy, facts)
    if opens:
        assert assessment.status == ProtectionStatus.ACTIVE
        assert assessment.reasons[0] == "Held open by the referral from Sandwell NHS (R5)."
    else:
        assert assessment.status == ProtectionStatus.TRANSITION
        assert "does not protect on referrals by other authorities" in " ".join(assessment.reasons)
