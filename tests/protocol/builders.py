"""Small builders shared by the protocol tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from safeshare.cases.lifecycle import CaseState, OffenceCategory, PartyRole
from safeshare.protocol.clearance import (
    EvidenceField,
    FieldAgreement,
    MatchCandidate,
    MatchDecision,
    MatchOutcome,
    ProtectionSnapshot,
    ReviewVerdict,
)
from safeshare.protocol.policy import (
    IDENTITY_FIELDS,
    Policy,
    available_policies,
    load_policy,
    load_policy_file,
)
from safeshare.protocol.protection import LinkedCase, ProtectionStatus

POLICY_IDS = tuple(available_policies())
POLICY_DIRECTORY = Path(__file__).resolve().parents[2] / "src/safeshare/protocol/policies"


@cache
def policy(policy_id: str) -> Policy:
    return load_policy(policy_id)


def all_policies() -> list[Policy]:
    return [policy(policy_id) for policy_id in POLICY_IDS]


def derived_policy(
    tmp_path: Path, base: str, new_id: str, *replacements: tuple[str, str]
) -> Policy:
    """A copy of a shipped policy under a new id, with exact text replacements applied."""
    text = (POLICY_DIRECTORY / f"{base}.toml").read_text()
    text = text.replace(f'id = "{base}"', f'id = "{new_id}"')
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{new_id}.toml"
    path.write_text(text)
    return load_policy_file(path)


def linked_case(
    case_id: str = "A",
    *,
    offence: OffenceCategory = OffenceCategory.DOMESTIC_ABUSE,
    role: PartyRole = PartyRole.VICTIM,
    state: CaseState = CaseState.UNDER_INVESTIGATION,
    support_withdrawn: bool = False,
) -> LinkedCase:
    return LinkedCase(case_id, offence, role, state, support_withdrawn)


def snapshot(
    protection_id: str = "P1",
    status: ProtectionStatus = ProtectionStatus.ACTIVE,
    *,
    nrm: bool = False,
    contact: str = "West Midlands Police protocol desk",
    reference: str = "PR-7K3D-QX9M-2VHT-0",
) -> ProtectionSnapshot:
    return ProtectionSnapshot(protection_id, reference, status, contact, nrm)


def candidate(
    identity_id: str = "I1",
    protection_ids: tuple[str, ...] = ("P1",),
    decision: MatchDecision = MatchDecision.MATCH,
    *,
    score: float = 0.95,
    evidence: dict[EvidenceField, FieldAgreement] | None = None,
    review: ReviewVerdict | None = None,
) -> MatchCandidate:
    return MatchCandidate(
        identity_id=identity_id,
        protection_ids=protection_ids,
        score=score,
        decision=decision,
        explanation=("test candidate",),
        evidence=evidence or {},
        review_verdict=review,
    )


def outcome(
    decision: MatchDecision, *candidates: MatchCandidate, name_only: bool = False
) -> MatchOutcome:
    return MatchOutcome(
        subject_ref="S1",
        decision=decision,
        candidates=candidates,
        subject_name_only=name_only,
        matcher_version="test",
    )


def full_payload(policy: Policy) -> dict[str, object]:
    """A referral carrying every field the policy lists, with plausible values."""
    values: dict[str, object] = {
        "role": "victim",
        "protection_flag": True,
        "force_code": "WMP",
        "crime_reference": "20/12345/24",
        "offence_category": "domestic_abuse",
        "channel": "api",
        "source_of_information": "police",
        "lawful_basis": "DPA 2018 Part 3",
        "gateway": "Immigration and Asylum Act 1999 s.20",
        "agreement_id": "DSA-2024-07",
        "dpia_version": "DPIA-3.1",
    }
    values.update(dict.fromkeys(IDENTITY_FIELDS, "x"))
    return {name: values[name] for name in policy.referrals.fields}
