"""Policy comparison on a hand-made history: the expected differences, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from safeshare.cases.lifecycle import CaseState, OffenceCategory, PartyRole, RegularisationStatus
from safeshare.oversight.comparison import (
    CandidateRecord,
    CaseRecord,
    ClearanceRecord,
    History,
    OverrideRecord,
    PartyRecord,
    PersonRecord,
    ProtectionChangeKind,
    ReferralRecord,
    compare,
    replay,
    summarise,
)
from safeshare.oversight.comparison_tables import comparison_tables
from safeshare.protocol.clearance import ClearanceOutcome, MatchDecision
from safeshare.protocol.policy import Jurisdiction, available_policies, load_policy
from safeshare.protocol.protection import ProtectionStatus
from safeshare.protocol.referral import ReferralTrigger

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def case(key, offence, *states, force="WMP"):
    return CaseRecord(
        key=key,
        force_code=force,
        jurisdiction=Jurisdiction.ENGLAND_WALES,
        offence=OffenceCategory(offence),
        states=((day(0), CaseState.REPORTED), *((day(d), CaseState(s)) for d, s in states)),
    )


SAFEGUARDING = frozenset({ReferralTrigger.SAFEGUARDING})

# - Victim V1 (domestic abuse, WMP): referred on day 1; case closed (NFA) on day 10; has had
#   advice. A protocol officer closed the protection on day 120.
# - Victim V2 (violence against the person, MPS): referred on day 1; case still under
#   investigation.
# - Witness W3 (domestic abuse, WMP): registered, never referred.
# - Clearances: K1 (day 3) against V1 and K2 (day 3) against W3, both probable matches;
#   K3 (day 130) against V1 again; K4 (day 5) against V2 under an approved override.
HISTORY = History(
    as_at=day(200),
    cases=(
        case("C1", "domestic_abuse", (1, "under_investigation"), (10, "closed_nfa")),
        case("C2", "violence_against_the_person", (1, "under_investigation"), force="MPS"),
        case("C3", "domestic_abuse", (1, "under_investigation")),
    ),
    parties=(
        PartyRecord("V1", "C1", PartyRole.VICTIM, day(0)),
        PartyRecord("V2", "C2", PartyRole.VICTIM, day(0)),
        PartyRecord("W3", "C3", PartyRole.WITNESS, day(0)),
    ),
    referrals=(
        ReferralRecord("R1", "V1", "C1", PartyRole.VICTIM, SAFEGUARDING, day(1)),
        ReferralRecord("R2", "V2", "C2", PartyRole.VICTIM, SAFEGUARDING, day(1), "phone"),
    ),
    people=(
        PersonRecord("V1", RegularisationStatus.ADVICE_RECEIVED, closed_at=day(120)),
        PersonRecord("V2"),
        PersonRecord("W3"),
    ),
    clearances=(
        ClearanceRecord(
            "K1",
            "immigration_arrest_or_detention",
            day(3),
            ("police",),
            (CandidateRecord("V1", MatchDecision.MATCH),),
        ),
        ClearanceRecord(
            "K2",
            "immigration_arrest_or_detention",
            day(3),
            ("police",),
            (CandidateRecord("W3", MatchDecision.MATCH),),
        ),
        ClearanceRecord(
            "K3",
            "removal_directions",
            day(130),
            ("police",),
            (CandidateRecord("V1", MatchDecision.MATCH),),
        ),
        ClearanceRecord(
            "K4",
            "deportation_steps",
            day(5),
            ("police",),
            (CandidateRecord("V2", MatchDecision.MATCH),),
            override=OverrideRecord("O1", "foreign_national_offender", "user:1", "user:2"),
        ),
    ),
)

MVP_2021, MVP_2023 = load_policy("mvp-2021"), load_policy("mvp-2023")
FIREWALL, R1 = load_policy("firewall"), load_policy("safe-to-share-r1")


def test_replay_under_the_recorded_policy_reproduces_the_record():
    result = replay(MVP_2021, HISTORY)
    assert all(r.sent for r in result.referrals.values())
    v1 = result.protections["V1"]
    assert v1.opened_at == day(1)
    # AND mode: with the case closed, advice alone does not hold it; closed on day 120.
    assert [s for _, s in v1.timeline] == [
        ProtectionStatus.ACTIVE,
        ProtectionStatus.TRANSITION,
        ProtectionStatus.ENDED,
    ]
    assert v1.active_until == day(10)
    assert not result.protections["W3"].opened  # never referred: no protection under the MVP
    assert result.clearances == {
        "K1": ClearanceOutcome.BLOCKED,
        "K2": ClearanceOutcome.CLEAR,  # W3 was not protected
        "K3": ClearanceOutcome.CLEAR,  # V1's protection had ended
        "K4": ClearanceOutcome.CLEAR,  # the override lifts the block
    }


def test_firewall_against_mvp_2021():
    result = compare(MVP_2021, FIREWALL, HISTORY)
    # Referrals not sent: both.
    assert {c.referral for c in result.referrals_not_sent_under_b} == {"R1", "R2"}
    # Protections: W3 protected only under the firewall (from registration); V1 held open
    # longer (OR: the advice keeps it active, so the day-120 close could not have happened).
    kinds = {c.person: c.kind for c in result.protection_changes}
    assert kinds == {
        "W3": ProtectionChangeKind.OPENED_ONLY_UNDER_B,
        "V1": ProtectionChangeKind.HELD_LONGER_UNDER_B,
    }
    v1 = next(c for c in result.protection_changes if c.person == "V1")
    assert (v1.status_a, v1.status_b) == (ProtectionStatus.ENDED, ProtectionStatus.ACTIVE)
    assert v1.opened_b == day(0)
    assert v1.opened_a == day(1)
    # Clearances decided otherwise: K2 (W3 now protected) and K3 (V1 still protected).
    changed = {c.clearance: (c.outcome_a, c.outcome_b) for c in result.clearance_changes}
    assert changed == {
        "K2": (ClearanceOutcome.CLEAR, ClearanceOutcome.BLOCKED),
        "K3": (ClearanceOutcome.CLEAR, ClearanceOutcome.BLOCKED),
    }
    assert result.totals_a.referrals_sent == 2
    assert result.totals_b.referrals_sent == 0
    assert result.totals_a.protections_opened == 2
    assert result.totals_b.protections_opened == 3


def test_mvp_2023_only_protects_domestic_abuse():
    result = compare(MVP_2021, MVP_2023, HISTORY)
    # The violence referral is still sent but opens no protection under the 2023 restatement.
    (change,) = result.referral_changes
    assert (change.referral, change.sent_b, change.opens_a, change.opens_b) == (
        "R2",
        True,
        True,
        False,
    )
    kinds = {c.person: c.kind for c in result.protection_changes}
    assert kinds == {
        "V2": ProtectionChangeKind.OPENED_ONLY_UNDER_A,
        # OR mode: V1's advice holds the protection open after the case closed.
        "V1": ProtectionChangeKind.HELD_LONGER_UNDER_B,
    }
    changed = {c.clearance: (c.outcome_a, c.outcome_b) for c in result.clearance_changes}
    # K3: V1 still protected under 2023. K4 stays clear: without a protection there is nothing
    # to override, and the subject is not on the register.
    assert changed == {"K3": (ClearanceOutcome.CLEAR, ClearanceOutcome.BLOCKED)}


def test_comparing_a_policy_with_itself_finds_nothing():
    for policy_id in available_policies():
        policy = load_policy(policy_id)
        result = compare(policy, policy, HISTORY)
        assert result.referral_changes == ()
        assert result.protection_changes == ()
        assert result.clearance_changes == ()


def test_summary_counts_match_the_differences():
    result = compare(MVP_2021, FIREWALL, HISTORY)
    summary = summarise(result, HISTORY)
    assert summary["forces"] == ["MPS", "WMP"]
    # [sent under A?, force, sent under B?, count]: 0 = sent, 1 = refused.
    assert summary["referrals"] == [[0, 0, 1, 1], [0, 1, 1, 1]]
    # Clearances A × B: blocked→blocked (K1), clear→blocked (K2, K3), clear→clear (K4).
    assert sorted(summary["clearances"]) == [[0, 0, 1], [2, 0, 2], [2, 2, 1]]
    assert "V1" not in str(summary)
    assert "K1" not in str(summary)
    tables = comparison_tables(summary, "mvp-2021", "firewall")
    assert [t.slug for t in tables] == [
        "comparison-referrals",
        "comparison-referrals-not-sent",
        "comparison-protections",
        "comparison-protection-changes",
        "comparison-clearances",
    ]
    # Every count here is 1 to 4 except zeros: nothing but zeros may be published.
    for table in tables:
        for row in (*table.rows, table.total):
            assert all(c.value in (None, 0) for c in row.cells)


@given(
    st.lists(st.sampled_from(["under_investigation", "closed_nfa", "concluded"]), max_size=3),
    st.sampled_from(list(RegularisationStatus)),
    st.sampled_from(available_policies()),
)
def test_no_protection_ends_without_a_person_closing_it(states, regularisation, policy_id):
    """Replayed under any policy, time alone never ends a protection (N2)."""
    moves = tuple((i + 1, s) for i, s in enumerate(states) if s != "concluded" or i > 0)
    history = History(
        as_at=day(400),
        cases=(case("C", "domestic_abuse", *moves),),
        parties=(PartyRecord("P", "C", PartyRole.VICTIM, day(0)),),
        referrals=(ReferralRecord("R", "P", "C", PartyRole.VICTIM, SAFEGUARDING, day(0)),),
        people=(PersonRecord("P", regularisation),),
    )
    protection = replay(load_policy(policy_id), history).protections["P"]
    assert ProtectionStatus.ENDED not in [s for _, s in protection.timeline]
