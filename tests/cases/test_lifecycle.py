"""The case lifecycle: every transition, valid and invalid, and the R10/R14 rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.cases.lifecycle import (
    CaseEvent,
    CaseState,
    InvalidCaseEvent,
    allowed_events,
    apply_event,
    is_ongoing,
    replay,
    support_withdrawn,
)

S, E = CaseState, CaseEvent
ONGOING = [
    S.REPORTED,
    S.UNDER_INVESTIGATION,
    S.CHARGE_DECISION,
    S.CHARGED,
    S.PROSECUTION,
    S.TRIAL,
    S.SENTENCING,
    S.APPEAL_WINDOW,
    S.APPEAL,
]
CLOSED = [S.CLOSED_NFA, S.CONCLUDED]

# The full transition table, written out independently of the implementation.
VALID = {
    (S.REPORTED, E.INVESTIGATION_OPENED): S.UNDER_INVESTIGATION,
    (S.REPORTED, E.NO_FURTHER_ACTION): S.CLOSED_NFA,
    (S.UNDER_INVESTIGATION, E.CHARGE_DECISION_SOUGHT): S.CHARGE_DECISION,
    (S.UNDER_INVESTIGATION, E.NO_FURTHER_ACTION): S.CLOSED_NFA,
    (S.UNDER_INVESTIGATION, E.SUSPECT_CHARGED): S.CHARGED,
    (S.UNDER_INVESTIGATION, E.CASE_CONCLUDED): S.CONCLUDED,
    (S.CHARGE_DECISION, E.NO_FURTHER_ACTION): S.CLOSED_NFA,
    (S.CHARGE_DECISION, E.SUSPECT_CHARGED): S.CHARGED,
    (S.CHARGE_DECISION, E.PROSECUTION_STARTED): S.PROSECUTION,
    (S.CHARGE_DECISION, E.CASE_CONCLUDED): S.CONCLUDED,
    (S.CHARGED, E.PROSECUTION_STARTED): S.PROSECUTION,
    (S.CHARGED, E.NO_FURTHER_ACTION): S.CLOSED_NFA,
    (S.PROSECUTION, E.TRIAL_STARTED): S.TRIAL,
    (S.PROSECUTION, E.GUILTY_PLEA): S.SENTENCING,
    (S.PROSECUTION, E.NO_FURTHER_ACTION): S.CLOSED_NFA,
    (S.TRIAL, E.VERDICT): S.SENTENCING,
    (S.TRIAL, E.GUILTY_PLEA): S.SENTENCING,
    (S.TRIAL, E.RETRIAL_ORDERED): S.PROSECUTION,
    (S.SENTENCING, E.SENTENCED): S.APPEAL_WINDOW,
    (S.SENTENCING, E.APPEAL_LODGED): S.APPEAL,
    (S.SENTENCING, E.CASE_CONCLUDED): S.CONCLUDED,
    (S.APPEAL_WINDOW, E.APPEAL_LODGED): S.APPEAL,
    (S.APPEAL_WINDOW, E.CASE_CONCLUDED): S.CONCLUDED,
    (S.APPEAL, E.APPEAL_CONCLUDED): S.APPEAL_WINDOW,
    (S.APPEAL, E.RETRIAL_ORDERED): S.PROSECUTION,
    (S.CLOSED_NFA, E.CASE_REOPENED): S.UNDER_INVESTIGATION,
    (S.CONCLUDED, E.CASE_REOPENED): S.UNDER_INVESTIGATION,
    (S.CONCLUDED, E.APPEAL_LODGED): S.APPEAL,
    **{(state, E.VICTIM_WITHDREW_SUPPORT): state for state in ONGOING},
    **{(state, E.VICTIM_RESUMED_SUPPORT): state for state in ONGOING},
}
INVALID = sorted((state, event) for state in S for event in E if (state, event) not in VALID)


@pytest.mark.parametrize(
    ("state", "event", "expected"), [(s, e, n) for (s, e), n in VALID.items()]
)
def test_valid_transition(state, event, expected):
    assert apply_event(state, event) == expected


@pytest.mark.parametrize(("state", "event"), INVALID)
def test_invalid_transition_is_refused_with_a_reason(state, event):
    with pytest.raises(InvalidCaseEvent) as refused:
        apply_event(state, event)
    reason = refused.value.reason
    assert reason == str(refused.value)
    assert reason[0].isupper()
    assert reason.endswith(".")
    assert refused.value.state == state
    assert refused.value.event == event


@pytest.mark.parametrize(
    ("state", "event", "reason"),
    [
        (S.PROSECUTION, E.VERDICT, "A verdict cannot be recorded before a trial has started."),
        (S.REPORTED, E.SUSPECT_CHARGED, "A suspect cannot be charged before an investigation"),
        (S.APPEAL_WINDOW, E.APPEAL_CONCLUDED, "An appeal cannot be concluded when none"),
        (S.TRIAL, E.CASE_REOPENED, "Only a closed case can be re-opened"),
        (S.APPEAL, E.CASE_CONCLUDED, "while an appeal is pending"),
        (S.CLOSED_NFA, E.TRIAL_STARTED, "re-open it"),
        (S.CONCLUDED, E.VICTIM_WITHDREW_SUPPORT, "cannot be withdrawn from a closed case"),
    ],
)
def test_refusals_explain_what_to_do(state, event, reason):
    with pytest.raises(InvalidCaseEvent, match=reason):
        apply_event(state, event)


@pytest.mark.parametrize("state", ONGOING)
def test_open_matters_are_ongoing(state):
    """R10: investigation, charge decision, prosecution, trial, sentencing and appeal windows."""
    assert is_ongoing(state)


@pytest.mark.parametrize("state", CLOSED)
def test_closed_matters_are_not_ongoing(state):
    assert not is_ongoing(state)


@pytest.mark.parametrize("state", S)
def test_allowed_events_agree_with_apply_event(state):
    assert allowed_events(state) == {event for (s, event) in VALID if s == state}


@pytest.mark.parametrize("state", ONGOING)
def test_withdrawing_support_does_not_close_the_case(state):
    """R14: the withdrawal is logged; the police may go on without the victim's support."""
    after = apply_event(state, E.VICTIM_WITHDREW_SUPPORT)
    assert after == state
    assert is_ongoing(after)


def test_support_withdrawn_follows_the_latest_word():
    assert not support_withdrawn([])
    assert support_withdrawn([E.INVESTIGATION_OPENED, E.VICTIM_WITHDREW_SUPPORT])
    assert not support_withdrawn([E.VICTIM_WITHDREW_SUPPORT, E.VICTIM_RESUMED_SUPPORT])
    assert support_withdrawn(
        [E.VICTIM_WITHDREW_SUPPORT, E.VICTIM_RESUMED_SUPPORT, E.VICTIM_WITHDREW_SUPPORT]
    )


def test_a_whole_case_from_report_to_appeal_and_retrial():
    journey = [
        E.INVESTIGATION_OPENED,
        E.CHARGE_DECISION_SOUGHT,
        E.SUSPECT_CHARGED,
        E.PROSECUTION_STARTED,
        E.TRIAL_STARTED,
        E.VERDICT,
        E.SENTENCED,
        E.CASE_CONCLUDED,
        E.APPEAL_LODGED,
        E.RETRIAL_ORDERED,
    ]
    assert replay(journey) == S.PROSECUTION
    assert is_ongoing(replay(journey))
    assert replay(journey[:8]) == S.CONCLUDED


def test_replay_stops_at_the_first_invalid_event():
    with pytest.raises(InvalidCaseEvent, match="verdict"):
        replay([E.INVESTIGATION_OPENED, E.VERDICT])


def test_labels_exist_for_every_state_and_event():
    assert all(state.label for state in S)
    assert all(event.label for event in E)


@given(st.lists(st.sampled_from(list(E)), max_size=30))
def test_only_a_recorded_close_makes_a_case_stop_being_ongoing(events):
    """No sequence of events leaves a case closed unless the last effective event closed it."""
    state = S.REPORTED
    for event in events:
        try:
            after = apply_event(state, event)
        except InvalidCaseEvent:
            continue
        if is_ongoing(state) and not is_ongoing(after):
            assert event in {E.NO_FURTHER_ACTION, E.CASE_CONCLUDED}
        if not is_ongoing(state) and is_ongoing(after):
            assert event in {E.CASE_REOPENED, E.APPEAL_LODGED}
        state = after
