"""Protection status: what holds it open, transition, human close and no clock (R8–R15, N2)."""

from __future__ import annotations

import ast
import dataclasses
import datetime
import inspect
import time
import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.cases import lifecycle
from safeshare.cases.lifecycle import (
    CaseEvent,
    CaseState,
    InvalidCaseEvent,
    OffenceCategory,
    PartyRole,
    RegularisationStatus,
    apply_event,
    is_ongoing,
)
from safeshare.protocol import protection
from safeshare.protocol.policy import ConditionsMode, Jurisdiction
from safeshare.protocol.protection import (
    CloseRefused,
    CloseRequest,
    HolderKind,
    ModernSlaveryStep,
    OpeningEvent,
    ProtectionFacts,
    ProtectionStatus,
    check_close,
    close_protection,
    compute_protection,
    modern_slavery_next_step,
    should_open_protection,
)
from tests.protocol.builders import POLICY_IDS, all_policies, derived_policy, linked_case, policy

ACTIVE, TRANSITION, ENDED = ProtectionStatus
R = RegularisationStatus
OR_POLICIES = [p.id for p in all_policies() if p.protection.conditions_mode == ConditionsMode.OR]
PROTECTED = [PartyRole.VICTIM, PartyRole.WITNESS, PartyRole.DEPENDANT]


def status(policy_id, *cases, regularisation=R.NONE, nrm=False, current=None):
    facts = ProtectionFacts(tuple(cases), regularisation, nrm, current)
    return compute_protection(policy(policy_id), facts)


def good_close(**changes):
    request = CloseRequest(
        closed_by="officer-7",
        closer_role="protocol_officer",
        reasons="All proceedings concluded; leave granted; victim and advocate informed.",
        victim_notified=True,
        days_since_notice=120,
    )
    return dataclasses.replace(request, **changes)


# -- what holds a protection open -------------------------------------------------------------


@pytest.mark.parametrize("policy_id", POLICY_IDS)
@pytest.mark.parametrize("state", sorted(lifecycle.ONGOING_STATES))
def test_an_ongoing_case_holds_the_protection_open(policy_id, state):
    assessment = status(policy_id, linked_case(state=state))
    assert assessment.status == ACTIVE
    assert [h.kind for h in assessment.held_open_by] == [HolderKind.CASE]
    assert "Held open by case A" in assessment.reasons[0]
    assert assessment.policy_version == policy(policy_id).version


@pytest.mark.parametrize("policy_id", POLICY_IDS)
@pytest.mark.parametrize("state", sorted(lifecycle.CLOSED_STATES))
@pytest.mark.parametrize("current", [None, ACTIVE, TRANSITION])
def test_when_nothing_holds_it_the_protection_goes_to_transition_not_ended(
    policy_id, state, current
):
    """R12: closing the last case does not make anyone enforceable on the same day."""
    assessment = status(policy_id, linked_case(state=state), current=current)
    assert assessment.status == TRANSITION
    assert "until a person decides to close it" in assessment.reasons[-1]


@pytest.mark.parametrize("policy_id", POLICY_IDS)
@pytest.mark.parametrize("pending", [R.APPLICATION_PENDING, R.APPEAL_PENDING])
@pytest.mark.parametrize("case_state", [CaseState.CONCLUDED, CaseState.TRIAL])
def test_a_pending_application_or_appeal_holds_under_either_mode(policy_id, pending, case_state):
    """R11."""
    assessment = status(policy_id, linked_case(state=case_state), regularisation=pending)
    assert assessment.status == ACTIVE
    assert HolderKind.REGULARISATION in {h.kind for h in assessment.held_open_by}


def test_and_mode_needs_both_conditions():
    closed = linked_case(state=CaseState.CONCLUDED)
    open_case = linked_case(state=CaseState.TRIAL)
    assert status("mvp-2021", closed, regularisation=R.ADVICE_RECEIVED).status == TRANSITION
    assert status("mvp-2021", open_case, regularisation=R.DECIDED_REFUSE).status == TRANSITION
    assert status("mvp-2021", open_case, regularisation=R.ADVICE_RECEIVED).status == ACTIVE


def test_the_default_promise_keeps_an_investigated_victim_protected_after_a_refusal():
    """The 2021 promise: protected while the case is investigated, whatever the status (R11)."""
    investigated = linked_case(state=CaseState.UNDER_INVESTIGATION)
    for refused in (R.DECIDED_REFUSE, R.NONE, R.DECIDED_GRANT):
        assert status("mvp-2021-promise", investigated, regularisation=refused).status == ACTIVE
    assert status("mvp-2021", investigated, regularisation=R.DECIDED_REFUSE).status == TRANSITION
    closed = linked_case(state=CaseState.CONCLUDED)
    assert status("mvp-2021-promise", closed, regularisation=R.APPEAL_PENDING).status == ACTIVE
    assert status("mvp-2021-promise", closed, regularisation=R.DECIDED_REFUSE).status == TRANSITION


def test_and_mode_treats_a_victim_still_waiting_for_the_promised_advice_as_meeting_it(tmp_path):
    open_case = linked_case(state=CaseState.TRIAL)
    assert status("mvp-2021", open_case, regularisation=R.NONE).status == ACTIVE
    strict = derived_policy(
        tmp_path,
        "mvp-2021",
        "strict-and",
        (
            "awaiting_advice_meets_regularisation_condition = true",
            "awaiting_advice_meets_regularisation_condition = false",
        ),
    )
    facts = ProtectionFacts((open_case,), R.NONE)
    assert compute_protection(strict, facts).status == TRANSITION


@pytest.mark.parametrize("policy_id", OR_POLICIES)
@pytest.mark.parametrize("regularisation", list(R))
def test_or_mode_needs_either_condition(policy_id, regularisation):
    closed = linked_case(state=CaseState.CONCLUDED)
    assert status(policy_id, linked_case(), regularisation=regularisation).status == ACTIVE
    expected = (
        ACTIVE
        if regularisation in policy(policy_id).protection.regularisation_statuses_that_hold
        else TRANSITION
    )
    assert status(policy_id, closed, regularisation=regularisation).status == expected


def test_mvp_2023_counts_only_domestic_abuse_cases():
    other = linked_case(offence=OffenceCategory.LABOUR_EXPLOITATION)
    assert status("mvp-2023", other).status == TRANSITION
    assert status("mvp-2021", other).status == ACTIVE
    assert status("mvp-2023", other, linked_case("B")).status == ACTIVE


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_an_nrm_recovery_period_holds_the_protection(policy_id):
    """R27."""
    closed = linked_case(state=CaseState.CLOSED_NFA)
    assessment = status(policy_id, closed, nrm=True, current=ENDED)
    assert assessment.status == ACTIVE
    assert assessment.reactivated
    assert [h.kind for h in assessment.held_open_by] == [HolderKind.NRM_RECOVERY_PERIOD]


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_an_ended_protection_stays_ended_while_nothing_holds_it(policy_id):
    closed = linked_case(state=CaseState.CONCLUDED)
    assessment = status(policy_id, closed, current=ENDED)
    assert assessment.status == ENDED
    assert not assessment.changed


@pytest.mark.parametrize("policy_id", POLICY_IDS)
@pytest.mark.parametrize("current", [TRANSITION, ENDED])
def test_a_re_opened_case_re_activates_the_protection(policy_id, current):
    """R10: re-activate protection automatically, if it had lapsed."""
    reopened = apply_event(CaseState.CLOSED_NFA, CaseEvent.CASE_REOPENED)
    assessment = status(policy_id, linked_case(state=reopened), current=current)
    assert assessment.status == ACTIVE
    assert assessment.reactivated


def test_entering_transition_asks_for_the_notice():
    closed = linked_case(state=CaseState.CONCLUDED)
    assert status("mvp-2021", closed, current=ACTIVE).entered_transition
    assert not status("mvp-2021", closed, current=TRANSITION).entered_transition


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_withdrawing_support_does_not_end_protection_by_default(policy_id):
    """R14 default: disengagement does not end protection; the case still holds it."""
    withdrawn = linked_case(support_withdrawn=True)
    assert status(policy_id, withdrawn).status == ACTIVE


def test_where_a_policy_lets_disengagement_count_it_goes_to_transition(tmp_path):
    """R14: even then it goes through the R12 transition, never straight to ended."""
    counting = derived_policy(
        tmp_path,
        "safe-to-share-r1",
        "disengagement-counts",
        ("disengagement_ends_protection = false", "disengagement_ends_protection = true"),
    )
    facts = ProtectionFacts((linked_case(support_withdrawn=True),), current=ACTIVE)
    assessment = compute_protection(counting, facts)
    assert assessment.status == TRANSITION
    assert any("R14" in reason for reason in assessment.reasons)
    two = ProtectionFacts((linked_case(support_withdrawn=True), linked_case("B")), current=ACTIVE)
    assert compute_protection(counting, two).status == ACTIVE


@pytest.mark.parametrize("policy_id", POLICY_IDS)
@pytest.mark.parametrize("suspect_state", sorted(CaseState))
def test_a_suspect_role_never_holds_or_removes_protection(policy_id, suspect_state):
    """R15."""
    suspect = linked_case(
        "B",
        role=PartyRole.SUSPECT,
        state=suspect_state,
        offence=OffenceCategory.VIOLENCE_AGAINST_THE_PERSON,
    )
    assert status(policy_id, linked_case(), suspect).status == ACTIVE
    closed = linked_case(state=CaseState.CONCLUDED)
    assert status(policy_id, closed, suspect).status == TRANSITION
    assert any("R15" in reason for reason in status(policy_id, suspect).reasons)


# -- opening ----------------------------------------------------------------------------------


@pytest.mark.parametrize("policy_id", POLICY_IDS)
@pytest.mark.parametrize("role", PROTECTED)
def test_victims_witnesses_and_dependants_are_covered_by_default(policy_id, role):
    """R2."""
    loaded = policy(policy_id)
    trigger = (
        OpeningEvent.REGISTRATION
        if loaded.protection.trigger == "registration"
        else OpeningEvent.POLICE_REFERRAL
    )
    assert should_open_protection(loaded, role, OffenceCategory.DOMESTIC_ABUSE, trigger).opens


@pytest.mark.parametrize(
    ("policy_id", "trigger", "opens"),
    [
        ("mvp-2021", OpeningEvent.REGISTRATION, False),
        ("mvp-2021", OpeningEvent.POLICE_REFERRAL, True),
        ("mvp-2021", OpeningEvent.OTHER_AUTHORITY_REFERRAL, True),
        ("firewall", OpeningEvent.REGISTRATION, True),
        ("firewall", OpeningEvent.OTHER_AUTHORITY_REFERRAL, True),
        ("safe-to-share-r1", OpeningEvent.REGISTRATION, False),
    ],
)
def test_what_opens_a_protection(policy_id, trigger, opens):
    decision = should_open_protection(
        policy(policy_id), PartyRole.VICTIM, OffenceCategory.OTHER, trigger
    )
    assert decision.opens is opens
    assert decision.reason


def test_other_authorities_referrals_open_protection_only_when_configured(tmp_path):
    """R5."""
    police_only = derived_policy(
        tmp_path,
        "mvp-2021",
        "police-only",
        (
            "non_police_referrals_open_protection = true",
            "non_police_referrals_open_protection = false",
        ),
    )
    decision = should_open_protection(
        police_only, PartyRole.VICTIM, OffenceCategory.OTHER, OpeningEvent.OTHER_AUTHORITY_REFERRAL
    )
    assert not decision.opens


@pytest.mark.parametrize("policy_id", POLICY_IDS)
@pytest.mark.parametrize("trigger", list(OpeningEvent))
def test_a_suspect_role_never_opens_a_protection(policy_id, trigger):
    assert not should_open_protection(
        policy(policy_id), PartyRole.SUSPECT, OffenceCategory.DOMESTIC_ABUSE, trigger
    ).opens


def test_mvp_2023_does_not_open_for_other_crimes():
    decision = should_open_protection(
        policy("mvp-2023"),
        PartyRole.VICTIM,
        OffenceCategory.SEXUAL_OFFENCES,
        OpeningEvent.POLICE_REFERRAL,
    )
    assert not decision.opens


# -- closing ----------------------------------------------------------------------------------


def transition_facts():
    return ProtectionFacts((linked_case(state=CaseState.CONCLUDED),), current=TRANSITION)


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_a_person_can_close_a_protection_in_transition(policy_id):
    closed = close_protection(policy(policy_id), transition_facts(), good_close())
    assert closed.status == ENDED
    assert closed.previous == TRANSITION
    assert "officer-7" in closed.reasons[0]


@pytest.mark.parametrize(
    ("facts", "request_changes", "problem"),
    [
        (ProtectionFacts((linked_case(),), current=TRANSITION), {}, "holds it open"),
        (ProtectionFacts((linked_case(),), current=ACTIVE), {}, "holds it open"),
        (
            ProtectionFacts((linked_case(state=CaseState.CONCLUDED),), current=ENDED),
            {},
            "this one is ended",
        ),
        (transition_facts(), {"closer_role": "police_officer"}, "Only these roles"),
        (transition_facts(), {"closed_by": " "}, "who is closing"),
        (transition_facts(), {"reasons": ""}, "reasons"),
        (transition_facts(), {"victim_notified": False}, "notice"),
        (transition_facts(), {"days_since_notice": 89}, "at the earliest 90 days"),
    ],
)
def test_a_close_is_refused_unless_every_condition_holds(facts, request_changes, problem):
    request = good_close(**request_changes)
    problems = check_close(policy("mvp-2021"), facts, request)
    assert any(problem in p for p in problems), problems
    with pytest.raises(CloseRefused):
        close_protection(policy("mvp-2021"), facts, request)


# -- R27 / R33 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "child", "consents", "step"),
    [
        (Jurisdiction.ENGLAND_WALES, True, False, ModernSlaveryStep.NRM_REFERRAL),
        (Jurisdiction.ENGLAND_WALES, False, True, ModernSlaveryStep.NRM_REFERRAL),
        (Jurisdiction.ENGLAND_WALES, False, False, ModernSlaveryStep.DUTY_TO_NOTIFY),
        (Jurisdiction.SCOTLAND, False, False, ModernSlaveryStep.SUPPORT_WITHOUT_REFERRAL),
        (Jurisdiction.NORTHERN_IRELAND, False, False, ModernSlaveryStep.SUPPORT_WITHOUT_REFERRAL),
        (Jurisdiction.SCOTLAND, True, False, ModernSlaveryStep.NRM_REFERRAL),
    ],
)
def test_duty_to_notify_applies_only_in_england_and_wales(jurisdiction, child, consents, step):
    got, reason = modern_slavery_next_step(
        policy("mvp-2021"), jurisdiction, child=child, consents=consents
    )
    assert got == step
    if step == ModernSlaveryStep.DUTY_TO_NOTIFY:
        assert "s.52" in reason


# -- no clock (R8, N2) --------------------------------------------------------------------------

CLOCK_NAMES = {
    "now",
    "today",
    "clock",
    "time",
    "date",
    "when",
    "at",
    "as_of",
    "expires",
    "expiry",
    "expires_at",
    "until",
    "deadline",
    "timestamp",
}
CLOCK_TYPES = (datetime.date, datetime.datetime, datetime.time, datetime.timedelta)


def _public_functions(module):
    return [
        value
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and not name.startswith("_")
        and value.__module__ == module.__name__
    ]


def _annotation_mentions_clock(annotation):
    text = str(annotation)
    return any(word in text for word in ("date", "datetime", "time", "Callable", "clock"))


@pytest.mark.parametrize("module", [protection, lifecycle])
def test_no_protection_function_accepts_a_clock(module):
    functions = _public_functions(module)
    assert functions
    for function in functions:
        hints = typing.get_type_hints(function)
        for name in inspect.signature(function).parameters:
            assert name not in CLOCK_NAMES, (function.__name__, name)
            assert not _annotation_mentions_clock(hints.get(name, "")), (function.__name__, name)


@pytest.mark.parametrize(
    "cls",
    [
        protection.ProtectionFacts,
        protection.LinkedCase,
        protection.ProtectionAssessment,
        protection.CloseRequest,
        protection.Holder,
    ],
)
def test_no_protection_record_carries_an_expiry_or_a_time(cls):
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        assert field.name not in CLOCK_NAMES
        assert not any(word in field.name for word in ("expir", "until", "_at", "date"))
        assert not _annotation_mentions_clock(hints[field.name]), field.name
        assert hints[field.name] not in CLOCK_TYPES


@pytest.mark.parametrize("module", [protection, lifecycle])
def test_the_protection_modules_do_not_import_anything_that_tells_the_time(module):
    tree = ast.parse(inspect.getsource(module))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"datetime", "time", "zoneinfo", "calendar", "django"}


def test_status_does_not_depend_on_when_it_is_computed(monkeypatch):
    """Even if someone reached for the clock, moving it on a century changes nothing."""
    facts = ProtectionFacts((linked_case(state=CaseState.CONCLUDED),), current=TRANSITION)
    before = compute_protection(policy("mvp-2021"), facts)
    monkeypatch.setattr(time, "time", lambda: 4_102_444_800.0)
    assert compute_protection(policy("mvp-2021"), facts) == before


# -- properties -----------------------------------------------------------------------------------

roles = st.sampled_from(list(PartyRole))
offences = st.sampled_from(list(OffenceCategory))
steps = st.one_of(
    st.tuples(st.just("event"), st.integers(0, 3), st.sampled_from(list(CaseEvent))),
    st.tuples(st.just("regularisation"), st.sampled_from(list(R))),
    st.tuples(st.just("nrm"), st.booleans()),
    st.tuples(st.just("close"), st.booleans()),
)


@given(
    policy_id=st.sampled_from(POLICY_IDS),
    parties=st.lists(st.tuples(roles, offences), min_size=1, max_size=4),
    script=st.lists(steps, max_size=40),
)
def test_case_events_never_end_a_protection_without_a_human_close(policy_id, parties, script):
    """Random events across several linked cases: ``ended`` comes only from a person's close."""
    loaded = policy(policy_id)
    states = [CaseState.REPORTED] * len(parties)
    withdrawn = [False] * len(parties)
    regularisation, nrm, current = R.NONE, False, None

    def facts():
        cases = tuple(
            linked_case(
                f"C{i}",
                offence=offence,
                role=role,
                state=states[i],
                support_withdrawn=withdrawn[i],
            )
            for i, (role, offence) in enumerate(parties)
        )
        return ProtectionFacts(cases, regularisation, nrm, current)

    current = compute_protection(loaded, facts()).status
    for step in script:
        previous = current
        if step[0] == "close":
            try:
                request = good_close() if step[1] else good_close(victim_notified=False)
                current = close_protection(loaded, facts(), request).status
            except CloseRefused:
                pass
            else:
                assert previous == TRANSITION
                assert step[1]
            continue
        if step[0] == "event":
            index = step[1] % len(parties)
            try:
                states[index] = apply_event(states[index], step[2])
            except InvalidCaseEvent:
                continue
            if step[2] == CaseEvent.VICTIM_WITHDREW_SUPPORT:
                withdrawn[index] = True
            elif step[2] == CaseEvent.VICTIM_RESUMED_SUPPORT:
                withdrawn[index] = False
        elif step[0] == "regularisation":
            regularisation = step[1]
        else:
            nrm = step[1]
        current = compute_protection(loaded, facts()).status
        if current == ENDED:
            assert previous == ENDED, "a protection ended without a person closing it"


@given(
    policy_id=st.sampled_from(POLICY_IDS),
    parties=st.lists(
        st.tuples(roles, offences, st.sampled_from(sorted(CaseState)), st.booleans()),
        min_size=1,
        max_size=5,
    ),
    regularisation=st.sampled_from(list(R)),
    nrm=st.booleans(),
    current=st.sampled_from([None, *ProtectionStatus]),
)
def test_active_whenever_any_covered_linked_case_is_ongoing(
    policy_id, parties, regularisation, nrm, current
):
    loaded = policy(policy_id)
    rules = loaded.protection
    cases = tuple(
        linked_case(f"C{i}", role=role, offence=offence, state=state, support_withdrawn=withdrawn)
        for i, (role, offence, state, withdrawn) in enumerate(parties)
    )
    assessment = compute_protection(loaded, ProtectionFacts(cases, regularisation, nrm, current))
    any_ongoing = any(is_ongoing(c.state) and rules.covers(c.role, c.offence) for c in cases)
    regularisation_met = rules.conditions_mode == ConditionsMode.OR or (
        regularisation in rules.regularisation_statuses_that_hold
        or (regularisation == R.NONE and rules.awaiting_advice_meets_regularisation_condition)
    )
    if any_ongoing and regularisation_met:
        assert assessment.status == ACTIVE
    if nrm or regularisation in (R.APPLICATION_PENDING, R.APPEAL_PENDING):
        assert assessment.status == ACTIVE
    if assessment.status == ENDED:
        assert current == ENDED
    without_suspects = tuple(c for c in cases if c.role != PartyRole.SUSPECT)
    same = compute_protection(
        loaded, ProtectionFacts(without_suspects, regularisation, nrm, current)
    )
    assert same.status == assessment.status, "a suspect role changed the protection (R15)"
