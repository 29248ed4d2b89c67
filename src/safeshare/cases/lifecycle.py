"""The criminal case lifecycle as a pure state machine, and the case vocabularies.

A case moves between states only through recorded events. ``apply_event`` refuses an event that
makes no sense in the current state with a reason a police officer can act on. Nothing here
knows about dates: a case is never closed because time passed, only because someone recorded
that it closed (R8, R10).

``victim_withdrew_support`` (and its counterpart ``victim_resumed_support``) is recorded against
the person, not the case: the police may carry on without the victim's support, so the event
leaves the case state unchanged (R14). Whether a withdrawal stops that case holding the person's
protection open is a policy setting; ``support_withdrawn`` folds the events for the protection
computation.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from safeshare.kernel.offences import OffenceCategory

__all__ = [
    "CLOSED_STATES",
    "ONGOING_STATES",
    "CaseEvent",
    "CaseState",
    "InformationSource",
    "InvalidCaseEvent",
    "OffenceCategory",
    "PartyRole",
    "RegularisationStatus",
    "allowed_events",
    "apply_event",
    "is_ongoing",
    "replay",
    "support_withdrawn",
]


class CaseState(StrEnum):
    """Where a criminal case stands."""

    REPORTED = "reported"
    UNDER_INVESTIGATION = "under_investigation"
    CHARGE_DECISION = "charge_decision"
    CHARGED = "charged"
    PROSECUTION = "prosecution"
    TRIAL = "trial"
    SENTENCING = "sentencing"
    APPEAL_WINDOW = "appeal_window"
    APPEAL = "appeal"
    CLOSED_NFA = "closed_nfa"
    CONCLUDED = "concluded"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    CaseState.REPORTED: "Reported",
    CaseState.UNDER_INVESTIGATION: "Under investigation",
    CaseState.CHARGE_DECISION: "Awaiting a charge decision",
    CaseState.CHARGED: "Suspect charged",
    CaseState.PROSECUTION: "Prosecution under way",
    CaseState.TRIAL: "Trial under way",
    CaseState.SENTENCING: "Verdict or plea recorded: sentence or appeal to follow",
    CaseState.APPEAL_WINDOW: "Sentenced or appeal decided: a further appeal is still possible",
    CaseState.APPEAL: "Appeal pending",
    CaseState.CLOSED_NFA: "Closed: no further action",
    CaseState.CONCLUDED: "Concluded",
}

ONGOING_STATES: frozenset[CaseState] = frozenset(
    {
        CaseState.REPORTED,
        CaseState.UNDER_INVESTIGATION,
        CaseState.CHARGE_DECISION,
        CaseState.CHARGED,
        CaseState.PROSECUTION,
        CaseState.TRIAL,
        CaseState.SENTENCING,
        CaseState.APPEAL_WINDOW,
        CaseState.APPEAL,
    }
)
CLOSED_STATES: frozenset[CaseState] = frozenset(CaseState) - ONGOING_STATES


class CaseEvent(StrEnum):
    """Something that happened in a case, recorded by a person."""

    INVESTIGATION_OPENED = "investigation_opened"
    CHARGE_DECISION_SOUGHT = "charge_decision_sought"
    NO_FURTHER_ACTION = "no_further_action"
    SUSPECT_CHARGED = "suspect_charged"
    PROSECUTION_STARTED = "prosecution_started"
    GUILTY_PLEA = "guilty_plea"
    TRIAL_STARTED = "trial_started"
    VERDICT = "verdict"
    RETRIAL_ORDERED = "retrial_ordered"
    SENTENCED = "sentenced"
    APPEAL_LODGED = "appeal_lodged"
    APPEAL_CONCLUDED = "appeal_concluded"
    CASE_REOPENED = "case_reopened"
    CASE_CONCLUDED = "case_concluded"
    VICTIM_WITHDREW_SUPPORT = "victim_withdrew_support"
    VICTIM_RESUMED_SUPPORT = "victim_resumed_support"

    @property
    def label(self) -> str:
        return _EVENT_LABELS[self]


_EVENT_LABELS = {
    CaseEvent.INVESTIGATION_OPENED: "Investigation opened",
    CaseEvent.CHARGE_DECISION_SOUGHT: "Charge decision sought",
    CaseEvent.NO_FURTHER_ACTION: "No further action (including a discontinued prosecution)",
    CaseEvent.SUSPECT_CHARGED: "Suspect charged",
    CaseEvent.PROSECUTION_STARTED: "Prosecution started",
    CaseEvent.GUILTY_PLEA: "Guilty plea entered",
    CaseEvent.TRIAL_STARTED: "Trial started",
    CaseEvent.VERDICT: "Verdict returned",
    CaseEvent.RETRIAL_ORDERED: "Retrial ordered",
    CaseEvent.SENTENCED: "Sentenced",
    CaseEvent.APPEAL_LODGED: "Appeal lodged",
    CaseEvent.APPEAL_CONCLUDED: "Appeal concluded",
    CaseEvent.CASE_REOPENED: "Case re-opened (new evidence, review or retrial)",
    CaseEvent.CASE_CONCLUDED: "Case concluded",
    CaseEvent.VICTIM_WITHDREW_SUPPORT: "Victim withdrew support for a prosecution",
    CaseEvent.VICTIM_RESUMED_SUPPORT: "Victim resumed support for a prosecution",
}


class PartyRole(StrEnum):
    """A person's role in one case. A person can hold different roles in different cases."""

    VICTIM = "victim"
    WITNESS = "witness"
    DEPENDANT = "dependant"
    SUSPECT = "suspect"


class RegularisationStatus(StrEnum):
    """Where a person stands in regularising their immigration status (R11)."""

    NONE = "none"
    ADVICE_RECEIVED = "advice_received"
    APPLICATION_PENDING = "application_pending"
    DECIDED_GRANT = "decided_grant"
    DECIDED_REFUSE = "decided_refuse"
    APPEAL_PENDING = "appeal_pending"


class InformationSource(StrEnum):
    """Where an allegation or tip about a person's immigration status came from (R19)."""

    POLICE = "police"
    VICTIM = "victim"
    ALLEGED_PERPETRATOR = "alleged_perpetrator"
    ANONYMOUS = "anonymous"
    OTHER_AGENCY = "other_agency"
    IMMIGRATION_RECORDS = "immigration_records"


class InvalidCaseEvent(ValueError):
    """An event that makes no sense in the case's current state."""

    def __init__(self, state: CaseState, event: CaseEvent, reason: str) -> None:
        super().__init__(reason)
        self.state = state
        self.event = event
        self.reason = reason


_S = CaseState
_E = CaseEvent

_TRANSITIONS: dict[CaseEvent, dict[CaseState, CaseState]] = {
    _E.INVESTIGATION_OPENED: {_S.REPORTED: _S.UNDER_INVESTIGATION},
    _E.CHARGE_DECISION_SOUGHT: {_S.UNDER_INVESTIGATION: _S.CHARGE_DECISION},
    _E.NO_FURTHER_ACTION: {
        _S.REPORTED: _S.CLOSED_NFA,
        _S.UNDER_INVESTIGATION: _S.CLOSED_NFA,
        _S.CHARGE_DECISION: _S.CLOSED_NFA,
        _S.CHARGED: _S.CLOSED_NFA,
        _S.PROSECUTION: _S.CLOSED_NFA,
    },
    _E.SUSPECT_CHARGED: {
        _S.UNDER_INVESTIGATION: _S.CHARGED,
        _S.CHARGE_DECISION: _S.CHARGED,
    },
    _E.PROSECUTION_STARTED: {
        _S.CHARGED: _S.PROSECUTION,
        _S.CHARGE_DECISION: _S.PROSECUTION,
    },
    _E.GUILTY_PLEA: {_S.PROSECUTION: _S.SENTENCING, _S.TRIAL: _S.SENTENCING},
    _E.TRIAL_STARTED: {_S.PROSECUTION: _S.TRIAL},
    _E.VERDICT: {_S.TRIAL: _S.SENTENCING},
    _E.RETRIAL_ORDERED: {_S.TRIAL: _S.PROSECUTION, _S.APPEAL: _S.PROSECUTION},
    _E.SENTENCED: {_S.SENTENCING: _S.APPEAL_WINDOW},
    _E.APPEAL_LODGED: {
        _S.SENTENCING: _S.APPEAL,
        _S.APPEAL_WINDOW: _S.APPEAL,
        _S.CONCLUDED: _S.APPEAL,
    },
    _E.APPEAL_CONCLUDED: {_S.APPEAL: _S.APPEAL_WINDOW},
    _E.CASE_REOPENED: {
        _S.CLOSED_NFA: _S.UNDER_INVESTIGATION,
        _S.CONCLUDED: _S.UNDER_INVESTIGATION,
    },
    _E.CASE_CONCLUDED: {
        _S.UNDER_INVESTIGATION: _S.CONCLUDED,
        _S.CHARGE_DECISION: _S.CONCLUDED,
        _S.SENTENCING: _S.CONCLUDED,
        _S.APPEAL_WINDOW: _S.CONCLUDED,
    },
    _E.VICTIM_WITHDREW_SUPPORT: {state: state for state in ONGOING_STATES},
    _E.VICTIM_RESUMED_SUPPORT: {state: state for state in ONGOING_STATES},
}

# Order of the ongoing states, used to say whether an event came too early or too late.
_STAGE = {
    _S.REPORTED: 0,
    _S.UNDER_INVESTIGATION: 1,
    _S.CHARGE_DECISION: 2,
    _S.CHARGED: 3,
    _S.PROSECUTION: 4,
    _S.TRIAL: 5,
    _S.SENTENCING: 6,
    _S.APPEAL_WINDOW: 7,
    _S.APPEAL: 8,
}

# (too early, too late) for events whose valid states form one run of stages.
_EARLY_LATE: dict[CaseEvent, tuple[str, str]] = {
    _E.INVESTIGATION_OPENED: ("", "An investigation has already been opened in this case."),
    _E.CHARGE_DECISION_SOUGHT: (
        "A charge decision cannot be sought before an investigation has been opened.",
        "A charge decision can only be sought while the crime is under investigation.",
    ),
    _E.NO_FURTHER_ACTION: (
        "",
        "No further action cannot be recorded once a trial has started; record the verdict, "
        "sentence or appeal instead.",
    ),
    _E.SUSPECT_CHARGED: (
        "A suspect cannot be charged before an investigation has been opened.",
        "A suspect has already been charged in this case.",
    ),
    _E.PROSECUTION_STARTED: (
        "A prosecution cannot start before a suspect has been charged or a charge decision "
        "has been made.",
        "The prosecution has already started.",
    ),
    _E.GUILTY_PLEA: (
        "A guilty plea can only be entered once the prosecution has started.",
        "A guilty plea cannot be entered after a verdict.",
    ),
    _E.TRIAL_STARTED: (
        "A trial cannot start before the prosecution has started.",
        "A trial cannot start after a verdict or guilty plea unless a retrial is ordered first.",
    ),
    _E.VERDICT: (
        "A verdict cannot be recorded before a trial has started.",
        "A verdict or guilty plea has already been recorded; record the sentence or an appeal "
        "instead.",
    ),
    _E.SENTENCED: (
        "A sentence cannot be recorded before a verdict or a guilty plea.",
        "A sentence has already been recorded.",
    ),
    _E.APPEAL_LODGED: (
        "An appeal cannot be lodged before a verdict or a guilty plea.",
        "An appeal is already pending; record its conclusion first.",
    ),
    _E.APPEAL_CONCLUDED: ("An appeal cannot be concluded when none has been lodged.", ""),
}

_SPECIFIC: dict[tuple[CaseEvent, CaseState], str] = {
    **{
        (_E.RETRIAL_ORDERED, state): "A retrial can only be ordered during a trial or on appeal."
        for state in ONGOING_STATES
    },
    **{
        (_E.CASE_REOPENED, state): "Only a closed case can be re-opened; this case is still open."
        for state in ONGOING_STATES
    },
    (_E.TRIAL_STARTED, _S.TRIAL): "A trial is already under way.",
    (_E.CASE_CONCLUDED, _S.REPORTED): (
        "A case cannot be concluded before an investigation has been opened; record no further "
        "action instead."
    ),
    **{
        (_E.CASE_CONCLUDED, state): (
            "A case cannot be concluded while a prosecution is under way; record the verdict, "
            "a guilty plea or no further action first."
        )
        for state in (_S.CHARGED, _S.PROSECUTION, _S.TRIAL)
    },
    (_E.CASE_CONCLUDED, _S.APPEAL): (
        "A case cannot be concluded while an appeal is pending; record the appeal's conclusion "
        "first."
    ),
    **{
        (_E.VICTIM_WITHDREW_SUPPORT, state): (
            "Support for a prosecution cannot be withdrawn from a closed case."
        )
        for state in CLOSED_STATES
    },
    **{
        (_E.VICTIM_RESUMED_SUPPORT, state): (
            "Support for a prosecution cannot be resumed on a closed case."
        )
        for state in CLOSED_STATES
    },
}


def is_ongoing(state: CaseState) -> bool:
    """Whether the criminal matter is still open (R10).

    Investigation, charge decision, prosecution, trial, sentencing and the appeal or retrial
    windows are all ongoing; only a recorded close (no further action, or concluded) ends it.
    """
    return CaseState(state) in ONGOING_STATES


def allowed_events(state: CaseState) -> frozenset[CaseEvent]:
    """The events that may be recorded in this state."""
    state = CaseState(state)
    return frozenset(event for event, moves in _TRANSITIONS.items() if state in moves)


def apply_event(state: CaseState, event: CaseEvent) -> CaseState:
    """The state after ``event``, or ``InvalidCaseEvent`` with the reason it is refused."""
    state, event = CaseState(state), CaseEvent(event)
    moves = _TRANSITIONS[event]
    if state in moves:
        return moves[state]
    raise InvalidCaseEvent(state, event, _refusal(state, event, moves))


def replay(events: Iterable[CaseEvent], start: CaseState = CaseState.REPORTED) -> CaseState:
    """The state reached by recording ``events`` in order from ``start``."""
    state = CaseState(start)
    for event in events:
        state = apply_event(state, event)
    return state


def support_withdrawn(events: Iterable[CaseEvent]) -> bool:
    """Whether the person's latest word on supporting the prosecution was to withdraw it."""
    withdrawn = False
    for event in events:
        if event == CaseEvent.VICTIM_WITHDREW_SUPPORT:
            withdrawn = True
        elif event == CaseEvent.VICTIM_RESUMED_SUPPORT:
            withdrawn = False
    return withdrawn


def _refusal(state: CaseState, event: CaseEvent, moves: dict[CaseState, CaseState]) -> str:
    if (event, state) in _SPECIFIC:
        return _SPECIFIC[(event, state)]
    if state == CaseState.CLOSED_NFA:
        return (
            "This case was closed with no further action; re-open it before recording "
            f"'{event.label.lower()}'."
        )
    if state == CaseState.CONCLUDED:
        return (
            "This case has concluded; re-open it or lodge an appeal before recording "
            f"'{event.label.lower()}'."
        )
    early, late = _EARLY_LATE[event]
    first_valid = min(_STAGE[valid] for valid in moves if valid in _STAGE)
    return early if _STAGE[state] < first_valid else late
