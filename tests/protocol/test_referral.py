"""Referral rules (N1, R16) and the outbound payload schema (R17, R22)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.cases.lifecycle import OffenceCategory, PartyRole
from safeshare.protocol.policy import (
    IDENTITY_FIELDS,
    NECESSITY_ONLY_FIELDS,
    REFERRAL_DETAIL_FIELDS,
    REQUIRED_REFERRAL_FIELDS,
    Jurisdiction,
)
from safeshare.protocol.referral import (
    ConsentState,
    FieldErrorCode,
    ReferralFacts,
    ReferralTrigger,
    decide_referral,
    validate_referral_payload,
)
from tests.protocol.builders import POLICY_IDS, all_policies, derived_policy, full_payload, policy

REFERRAL_POLICIES = [p.id for p in all_policies() if p.referrals_possible]
EVERY_FIELD = (*IDENTITY_FIELDS, *REFERRAL_DETAIL_FIELDS, *NECESSITY_ONLY_FIELDS)
T = ReferralTrigger


def facts(
    role=PartyRole.VICTIM,
    offence=OffenceCategory.DOMESTIC_ABUSE,
    triggers=(T.SAFEGUARDING,),
    jurisdiction=Jurisdiction.ENGLAND_WALES,
    force_code="WMP",
    other_roles=(),
    consent=ConsentState.GIVEN,
):
    return ReferralFacts(
        role,
        offence,
        frozenset(triggers),
        jurisdiction,
        force_code,
        frozenset(other_roles),
        consent,
    )


@pytest.mark.parametrize("state", [s for s in ConsentState if s != ConsentState.GIVEN])
@pytest.mark.parametrize("role", [PartyRole.VICTIM, PartyRole.WITNESS, PartyRole.DEPENDANT])
def test_consent_2025_shares_nothing_without_a_freely_given_consent(state, role):
    decision = decide_referral(policy("consent-2025"), facts(role=role, consent=state))
    assert not decision.allowed
    assert decision.rule_codes[0].startswith(("no_consent", "consent_"))
    # The protocol policies do not ask for it.
    assert decide_referral(policy("mvp-2021-promise"), facts(role=role, consent=state)).allowed


# -- payload schema ---------------------------------------------------------------------------


@pytest.mark.parametrize("policy_id", REFERRAL_POLICIES)
def test_a_payload_with_exactly_the_listed_fields_passes(policy_id):
    loaded = policy(policy_id)
    assert validate_referral_payload(loaded, full_payload(loaded)) == []


@pytest.mark.parametrize(
    ("policy_id", "extra"),
    [
        (p.id, name)
        for p in all_policies()
        for name in (*EVERY_FIELD, "notes", "immigration_status", "victim_phone")
        if name not in p.referrals.fields and name not in p.referrals.necessity_fields
    ],
)
def test_any_field_the_policy_does_not_list_is_rejected(policy_id, extra):
    """R17: a schema validator rejects any extra field."""
    loaded = policy(policy_id)
    payload = full_payload(loaded) | {extra: "something"}
    errors = validate_referral_payload(loaded, payload, {extra: "we really need it"})
    assert any(e.field == extra and e.code == FieldErrorCode.NOT_ALLOWED for e in errors)


@pytest.mark.parametrize(
    ("policy_id", "missing"),
    [(p, name) for p in REFERRAL_POLICIES for name in REQUIRED_REFERRAL_FIELDS],
)
def test_a_payload_missing_its_lawful_basis_or_other_metadata_is_rejected(policy_id, missing):
    """R22: no flow without its lawful basis, gateway, agreement and DPIA version."""
    loaded = policy(policy_id)
    payload = full_payload(loaded)
    del payload[missing]
    errors = validate_referral_payload(loaded, payload)
    assert [(e.field, e.code) for e in errors] == [(missing, FieldErrorCode.REQUIRED)]


@pytest.mark.parametrize("policy_id", REFERRAL_POLICIES)
@pytest.mark.parametrize("blank", ["", "   ", None])
def test_a_blank_lawful_basis_is_rejected(policy_id, blank):
    loaded = policy(policy_id)
    payload = full_payload(loaded) | {"lawful_basis": blank}
    errors = validate_referral_payload(loaded, payload)
    assert any(e.field == "lawful_basis" and e.code == FieldErrorCode.REQUIRED for e in errors)


@pytest.mark.parametrize(
    ("policy_id", "field"),
    [(p.id, f) for p in all_policies() for f in p.referrals.necessity_fields],
)
def test_necessity_fields_need_a_documented_necessity(policy_id, field):
    loaded = policy(policy_id)
    payload = full_payload(loaded) | {field: "details"}
    for flags in (None, {}, {field: "  "}, {"other": "reason"}):
        errors = validate_referral_payload(loaded, payload, flags)
        assert [(e.field, e.code) for e in errors] == [
            (field, FieldErrorCode.NECESSITY_NOT_DOCUMENTED)
        ]
    assert validate_referral_payload(loaded, payload, {field: "Needed to locate a witness."}) == []


@pytest.mark.parametrize("policy_id", REFERRAL_POLICIES)
def test_crime_narrative_address_and_third_parties_are_never_in_the_plain_list(policy_id):
    assert not set(NECESSITY_ONLY_FIELDS) & set(policy(policy_id).referrals.fields)


@given(
    st.dictionaries(
        st.sampled_from((*EVERY_FIELD, "notes", "status")), st.text(max_size=5), min_size=1
    )
)
def test_under_the_firewall_no_field_can_be_sent(payload):
    """Invariant 4 / R16: whatever the payload, every field is refused."""
    firewall = policy("firewall")
    flags = dict.fromkeys(payload, "documented necessity")
    errors = validate_referral_payload(firewall, payload, flags)
    refused = {e.field for e in errors if e.code == FieldErrorCode.NOT_ALLOWED}
    assert refused == set(payload)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("role", "suspect"),
        ("role", "bystander"),
        ("protection_flag", "yes"),
        ("source_of_information", "gossip"),
    ],
)
def test_bad_values_are_rejected(field, value):
    loaded = policy("mvp-2021")
    payload = full_payload(loaded) | {field: value}
    errors = validate_referral_payload(loaded, payload)
    assert [(e.field, e.code) for e in errors] == [(field, FieldErrorCode.INVALID_VALUE)]


def test_offence_category_value_is_checked_where_a_policy_lets_it_travel(tmp_path):
    loaded = derived_policy(
        tmp_path, "mvp-2023", "with-offence", ('"channel",', '"channel", "offence_category",')
    )
    good = full_payload(loaded)
    assert validate_referral_payload(loaded, good) == []
    errors = validate_referral_payload(loaded, good | {"offence_category": "fraudulent"})
    assert [(e.field, e.code) for e in errors] == [
        ("offence_category", FieldErrorCode.INVALID_VALUE)
    ]


# -- referral decisions -----------------------------------------------------------------------


@pytest.mark.parametrize("policy_id", POLICY_IDS)
@pytest.mark.parametrize("role", [PartyRole.VICTIM, PartyRole.WITNESS, PartyRole.DEPENDANT])
@pytest.mark.parametrize("offence", list(OffenceCategory))
def test_never_refer_only_to_learn_someone_s_status(policy_id, role, offence):
    """N1, under every policy, role and crime."""
    decision = decide_referral(policy(policy_id), facts(role, offence, [T.STATUS_ENQUIRY]))
    assert not decision.allowed
    assert any("N1" in reason for reason in decision.reasons)


@pytest.mark.parametrize(
    ("role", "offence", "triggers"),
    list(
        itertools.product(
            list(PartyRole),
            list(OffenceCategory),
            [(t,) for t in ReferralTrigger] + [tuple(ReferralTrigger)],
        )
    ),
)
def test_the_firewall_refuses_every_referral(role, offence, triggers):
    decision = decide_referral(policy("firewall"), facts(role, offence, triggers))
    assert not decision.allowed
    assert not decision.opens_protection
    assert "support organisation" in decision.reasons[-1]


def test_safe_to_share_r1_refuses_a_da_victim_on_status_doubts_alone():
    r1 = policy("safe-to-share-r1")
    for triggers in ([T.STATUS_DOUBT], [T.STATUS_DOUBT, T.STATUS_ENQUIRY]):
        decision = decide_referral(r1, facts(triggers=triggers))
        assert not decision.allowed
        assert any("R16" in reason for reason in decision.reasons)
    assert decide_referral(r1, facts(triggers=[T.STATUS_DOUBT, T.SAFEGUARDING])).allowed
    other = facts(offence=OffenceCategory.HATE_CRIME, triggers=[T.STATUS_DOUBT])
    assert decide_referral(r1, other).allowed


def test_mvp_2021_lets_police_raise_status_doubts_as_the_protocol_expects():
    decision = decide_referral(policy("mvp-2021"), facts(triggers=[T.STATUS_DOUBT]))
    assert decision.allowed
    assert decision.opens_protection


@pytest.mark.parametrize("policy_id", REFERRAL_POLICIES)
def test_suspects_are_not_referred_through_this_service(policy_id):
    assert not decide_referral(policy(policy_id), facts(role=PartyRole.SUSPECT)).allowed


@pytest.mark.parametrize("policy_id", REFERRAL_POLICIES)
@pytest.mark.parametrize("role", [PartyRole.VICTIM, PartyRole.WITNESS, PartyRole.DEPENDANT])
def test_an_allowed_covered_referral_opens_a_protection(policy_id, role):
    """R1: a referral with a victim role gives a protection."""
    decision = decide_referral(policy(policy_id), facts(role=role))
    assert decision.allowed
    assert decision.opens_protection
    assert decision.policy_id == policy_id
    assert decision.policy_version == policy(policy_id).version


def test_mvp_2023_refers_a_trafficking_victim_without_protecting_them():
    """The 2023 wording is domestic abuse only: the gap the sector criticised (G4)."""
    decision = decide_referral(
        policy("mvp-2023"), facts(offence=OffenceCategory.MODERN_SLAVERY_TRAFFICKING)
    )
    assert decision.allowed
    assert not decision.opens_protection


def test_a_referral_needs_a_recorded_reason():
    assert not decide_referral(policy("mvp-2021"), facts(triggers=[])).allowed


def test_a_person_who_is_a_victim_elsewhere_cannot_be_referred_where_victims_are_barred(tmp_path):
    witnesses_only = derived_policy(
        tmp_path,
        "mvp-2021",
        "witnesses-only",
        ('allowed_roles = ["victim", "witness", "dependant"]', 'allowed_roles = ["witness"]'),
    )
    alone = facts(role=PartyRole.WITNESS)
    assert decide_referral(witnesses_only, alone).allowed
    also_victim = facts(role=PartyRole.WITNESS, other_roles=[PartyRole.VICTIM])
    assert not decide_referral(witnesses_only, also_victim).allowed


def test_jurisdiction_and_force_profiles_can_only_tighten(tmp_path):
    local = derived_policy(
        tmp_path,
        "mvp-2021",
        "local",
        (
            "[forces]",
            '[forces.WARKS]\nstatus_doubt_only_refused_offences = ["domestic_abuse"]'
            "\n[forces.NOREF]\nsafe_reporting_only = true",
        ),
        (
            'Code for Scotland"\nsafe_reporting_only = false',
            'Code for Scotland"\nsafe_reporting_only = true',
        ),
    )
    doubt = [T.STATUS_DOUBT]
    assert decide_referral(local, facts(triggers=doubt)).allowed
    assert not decide_referral(local, facts(triggers=doubt, force_code="WARKS")).allowed
    assert not decide_referral(local, facts(force_code="NOREF")).allowed
    assert not decide_referral(local, facts(jurisdiction=Jurisdiction.SCOTLAND)).allowed
    assert decide_referral(local, facts(jurisdiction=Jurisdiction.NORTHERN_IRELAND)).allowed
