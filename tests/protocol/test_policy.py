"""Policies: loading, validation, versions (invariant 7) and each shipped policy's readings."""

from __future__ import annotations

import hashlib
import shutil
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeshare.cases.lifecycle import OffenceCategory, PartyRole, RegularisationStatus
from safeshare.kernel.roles import Role
from safeshare.protocol.policy import (
    REQUIRED_REFERRAL_FIELDS,
    ConditionsMode,
    ExceptionCategory,
    Jurisdiction,
    PolicyError,
    ProtectionTriggerMode,
    available_policies,
    load_policy,
    load_policy_file,
)
from tests.protocol.builders import POLICY_DIRECTORY, POLICY_IDS, derived_policy, policy

EVERY_SETTING = {
    "": {
        "id",
        "title",
        "summary",
        "sources",
        "referrals",
        "protection",
        "clearance",
        "overrides",
        "retention",
        "jurisdictions",
        "forces",
    },
    "referrals": {
        "allowed_roles",
        "fields",
        "necessity_fields",
        "status_doubt_only_refused_offences",
        "status_doubt_only_refused_roles",
        "consent_required",
    },
    "protection": {
        "trigger",
        "non_police_referrals_open_protection",
        "covered_roles",
        "covered_offences",
        "conditions_mode",
        "regularisation_statuses_that_hold",
        "awaiting_advice_meets_regularisation_condition",
        "disengagement_ends_protection",
        "minimum_transition_days",
        "close_roles",
    },
    "clearance": {
        "anonymous_corroborates_perpetrator",
        "block_probability",
        "hold_probability",
        "clear_valid_hours",
        "ie_detail",
        "custodian_contact",
        "probing_name_only_per_day",
        "probing_unreported_per_week",
        "sweep_max_rows",
        "sweeps_per_unit_per_day",
        "sweep_alert_rows",
    },
    "overrides": {"exception_categories", "approver_roles", "minimum_reason_length"},
    "retention": {
        "cleared_clearance_subjects",
        "idempotency_records",
        "notifications",
        "sweep_files",
        "webhook_deliveries",
        "ended_protections",
    },
    "jurisdiction": {
        "duty_to_notify",
        "duty_to_notify_law",
        "modern_slavery_defence_law",
        "victims_rights_instrument",
        "safe_reporting_only",
    },
}


def test_the_shipped_policies_are_available():
    assert available_policies() == [
        "consent-2025",
        "firewall",
        "mvp-2021",
        "mvp-2021-promise",
        "mvp-2023",
        "safe-to-share-r1",
    ]


def test_the_default_policy_keeps_the_promise(settings):
    """R11: OR by default; the 2021 promise differs from the 2021 wording in that alone."""
    from safeshare.settings import SAFESHARE_POLICY

    assert SAFESHARE_POLICY == "mvp-2021-promise" or "SAFESHARE_POLICY" in __import__("os").environ
    promise, wording = load_policy("mvp-2021-promise"), load_policy("mvp-2021")
    assert promise.protection.conditions_mode == ConditionsMode.OR
    assert wording.protection.conditions_mode == ConditionsMode.AND
    a, b = promise.as_dict(), wording.as_dict()
    for table in ("referrals", "clearance", "overrides", "jurisdictions", "forces"):
        assert a[table] == b[table], table
    assert a["protection"] | {"conditions_mode": "AND"} == b["protection"]


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_version_is_the_sha256_of_the_file(policy_id):
    raw = (POLICY_DIRECTORY / f"{policy_id}.toml").read_bytes()
    loaded = load_policy(policy_id)
    assert loaded.id == policy_id
    assert loaded.version == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_shipped_policies_state_every_setting(policy_id):
    """So the file hash alone fixes behaviour, even if a code default changes."""
    document = tomllib.loads((POLICY_DIRECTORY / f"{policy_id}.toml").read_text())
    assert set(document) == EVERY_SETTING[""]
    for table in ("referrals", "protection", "clearance", "overrides", "retention"):
        assert set(document[table]) == EVERY_SETTING[table], table
    assert set(document["jurisdictions"]) == {str(j) for j in Jurisdiction}
    for profile in document["jurisdictions"].values():
        assert set(profile) == EVERY_SETTING["jurisdiction"]


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_roles_named_in_policies_are_real_roles(policy_id):
    loaded = policy(policy_id)
    known = {str(role) for role in Role}
    assert loaded.protection.close_roles <= known
    assert loaded.overrides.approver_roles <= known


@given(extra=st.text(alphabet="abcdefghij #\n", min_size=1, max_size=20))
@settings(max_examples=25)
def test_version_changes_when_the_file_changes(tmp_path_factory, extra):
    folder = tmp_path_factory.mktemp("policy")
    path = folder / "mvp-2021.toml"
    shutil.copy(POLICY_DIRECTORY / "mvp-2021.toml", path)
    before = load_policy_file(path)
    with path.open("a") as file:
        file.write("\n# " + extra.replace("\n", " ") + "\n")
    after = load_policy_file(path)
    assert after.version != before.version
    assert after.version == hashlib.sha256(path.read_bytes()).hexdigest()
    assert after.as_dict() | {"version": None} == before.as_dict() | {"version": None}


def test_a_file_that_leaves_settings_out_gets_the_more_protective_defaults(tmp_path):
    path = tmp_path / "bare.toml"
    path.write_text('id = "bare"\ntitle = "Bare"\n')
    bare = load_policy_file(path)
    assert not bare.referrals_possible
    assert bare.referrals.fields == ()
    assert bare.referrals.necessity_fields == ()
    assert bare.referrals.status_doubt_only_refused_offences == frozenset(OffenceCategory)
    assert bare.protection.trigger == ProtectionTriggerMode.REGISTRATION
    assert bare.protection.covered_roles == {
        PartyRole.VICTIM,
        PartyRole.WITNESS,
        PartyRole.DEPENDANT,
    }
    assert bare.protection.covered_offences is None
    assert bare.protection.conditions_mode == ConditionsMode.OR
    assert bare.protection.non_police_referrals_open_protection
    assert not bare.protection.disengagement_ends_protection
    assert not bare.clearance.anonymous_corroborates_perpetrator
    assert bare.overrides.exception_categories == tuple(ExceptionCategory)
    assert bare.jurisdiction(Jurisdiction.ENGLAND_WALES).duty_to_notify
    assert not bare.jurisdiction(Jurisdiction.SCOTLAND).duty_to_notify
    assert bare.retention.days() == {
        "cleared_clearance_subjects": 30,
        "idempotency_records": 7,
        "notifications": 30,
        "sweep_files": 30,
        "webhook_deliveries": 30,
        "ended_protections": 365,
    }


@pytest.mark.parametrize(
    ("replacement", "key", "message"),
    [
        (("[clearance]", "[clearance]\nsurprise = 1"), "clearance.surprise", "not a known"),
        (
            ('conditions_mode = "AND"', 'conditions_mode = "XOR"'),
            "protection.conditions_mode",
            "'XOR' is not one of",
        ),
        (
            ("minimum_transition_days = 90", "minimum_transition_days = -1"),
            "protection.minimum_transition_days",
            "whole number",
        ),
        (
            ("disengagement_ends_protection = false", 'disengagement_ends_protection = "no"'),
            "protection.disengagement_ends_protection",
            "true or false",
        ),
        (
            ('covered_roles = ["victim", "witness", "dependant"]', 'covered_roles = ["suspect"]'),
            "protection.covered_roles",
            "R15",
        ),
        (
            ('covered_offences = "all"', 'covered_offences = "some"'),
            "protection.covered_offences",
            '"all" or a non-empty list',
        ),
        (
            ('covered_offences = "all"', 'covered_offences = ["fraud"]'),
            "protection.covered_offences",
            "'fraud' is not one of",
        ),
        (
            (
                '"advice_received", "application_pending", "appeal_pending"]',
                '"advice_received", "application_pending"]',
            ),
            "protection.regularisation_statuses_that_hold",
            "R11",
        ),
        (('"lawful_basis", ', ""), "referrals.fields", "lawful_basis"),
        (
            ('"channel",', '"channel", "favourite_colour",'),
            "referrals.fields",
            "'favourite_colour' is not a referral field",
        ),
        (('"channel",', '"channel", "current_address",'), "referrals.fields", "necessity_fields"),
        (
            ('necessity_fields = ["crime_narrative"', 'necessity_fields = ["role"'),
            "referrals.necessity_fields",
            "not a necessity-only field",
        ),
        (
            ("exception_categories = [\n", 'exception_categories = [\n    "gut_feeling",\n'),
            "overrides.exception_categories",
            "'gut_feeling'",
        ),
        (
            ("minimum_reason_length = 40", "minimum_reason_length = 0"),
            "overrides.minimum_reason_length",
            "R7",
        ),
        (
            ('approver_roles = ["ie_senior_approver", "protocol_officer"]', "approver_roles = []"),
            "overrides.approver_roles",
            "senior role",
        ),
        (
            ("[jurisdictions.scotland]", "[jurisdictions.scotland]\nduty = true"),
            "jurisdictions.scotland.duty",
            "not a known",
        ),
        (("[forces]", "[forces.wmp]"), "forces.wmp", "force codes"),
        (
            ("idempotency_records = 7", "idempotency_records = 0"),
            "retention.idempotency_records",
            "1 or more",
        ),
        (
            ("cleared_clearance_subjects = 30", 'cleared_clearance_subjects = "a month"'),
            "retention.cleared_clearance_subjects",
            "whole number",
        ),
        (
            ("idempotency_records = 7", "idempotency_records = 7\ncase_files = 30"),
            "retention.case_files",
            "not a known",
        ),
        (
            ("[forces]", "[forces.WMP]\nsafe_reporting_only = 1"),
            "forces.WMP.safe_reporting_only",
            "true or false",
        ),
    ],
)
def test_bad_policies_are_refused_naming_the_file_and_key(tmp_path, replacement, key, message):
    with pytest.raises(PolicyError) as error:
        derived_policy(tmp_path, "mvp-2021", "broken", replacement)
    assert error.value.file == "broken.toml"
    assert error.value.key == key
    assert message in error.value.message
    assert str(error.value).startswith(f"Policy file broken.toml: {key}: ")


def test_policy_id_must_match_the_file_name(tmp_path):
    path = tmp_path / "other.toml"
    shutil.copy(POLICY_DIRECTORY / "mvp-2021.toml", path)
    with pytest.raises(PolicyError, match="does not match the file name"):
        load_policy_file(path)


def test_malformed_toml_is_refused(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('id = "bad\n')
    with pytest.raises(PolicyError, match="not valid UTF-8 TOML"):
        load_policy_file(path)


@pytest.mark.parametrize("policy_id", ["nonexistent", "../etc/passwd", "MVP-2021"])
def test_unknown_policy_ids_are_refused(policy_id):
    with pytest.raises(PolicyError):
        load_policy(policy_id)


def test_mvp_2021_is_the_2021_reading():
    mvp = policy("mvp-2021")
    assert mvp.protection.conditions_mode == ConditionsMode.AND
    assert mvp.protection.covered_offences is None
    assert mvp.protection.covered_roles == {
        PartyRole.VICTIM,
        PartyRole.WITNESS,
        PartyRole.DEPENDANT,
    }
    assert mvp.protection.trigger == ProtectionTriggerMode.REFERRAL
    assert mvp.referrals.allowed_roles == {
        PartyRole.VICTIM,
        PartyRole.WITNESS,
        PartyRole.DEPENDANT,
    }
    assert not mvp.referrals.status_doubt_only_refused_offences


def test_mvp_2023_is_domestic_abuse_only_with_or():
    mvp = policy("mvp-2023")
    assert mvp.protection.conditions_mode == ConditionsMode.OR
    assert mvp.protection.covered_offences == {OffenceCategory.DOMESTIC_ABUSE}


def test_firewall_lets_nothing_travel_and_protects_from_registration():
    firewall = policy("firewall")
    assert not firewall.referrals_possible
    assert firewall.referrals.fields == ()
    assert firewall.referrals.necessity_fields == ()
    assert firewall.protection.trigger == ProtectionTriggerMode.REGISTRATION


def test_safe_to_share_r1_refuses_status_doubt_only_for_domestic_abuse():
    r1 = policy("safe-to-share-r1")
    assert r1.referrals.status_doubt_only_refused_offences == {OffenceCategory.DOMESTIC_ABUSE}
    assert r1.protection.conditions_mode == ConditionsMode.OR
    assert "current_address" not in r1.referrals.necessity_fields


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_every_policy_keeps_the_r11_and_r14_protective_settings(policy_id):
    loaded = policy(policy_id)
    assert {RegularisationStatus.APPLICATION_PENDING, RegularisationStatus.APPEAL_PENDING} <= (
        loaded.protection.regularisation_statuses_that_hold
    )
    assert not loaded.protection.disengagement_ends_protection


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_referral_policies_let_the_r22_metadata_travel(policy_id):
    loaded = policy(policy_id)
    if loaded.referrals_possible:
        assert set(REQUIRED_REFERRAL_FIELDS) <= set(loaded.referrals.fields)
        assert "offence_category" not in loaded.referrals.fields


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_as_dict_records_the_settings_for_audit(policy_id):
    snapshot = policy(policy_id).as_dict()
    assert snapshot["id"] == policy_id
    assert snapshot["version"] == policy(policy_id).version
    assert snapshot["protection"]["disengagement_ends_protection"] is False
    assert set(snapshot["jurisdictions"]) == {str(j) for j in Jurisdiction}


def test_policies_can_be_used_as_cache_keys():
    assert {policy(p) for p in POLICY_IDS} == {load_policy(p) for p in POLICY_IDS}
    assert len({hash(policy(p)) for p in POLICY_IDS}) == len(POLICY_IDS)


def test_force_profiles_are_loaded(tmp_path):
    local = derived_policy(
        tmp_path,
        "mvp-2021",
        "local",
        ("[forces]", '[forces.WARKS]\nstatus_doubt_only_refused_offences = ["domestic_abuse"]'),
    )
    assert local.force("WARKS").status_doubt_only_refused_offences == {
        OffenceCategory.DOMESTIC_ABUSE
    }
    assert not local.force("WMP").safe_reporting_only
