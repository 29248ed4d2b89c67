"""Modern slavery on the case (R27): the trafficking indicators a first responder recorded when
they added the person, the person's answer on a referral to the National Referral Mechanism
(NRM), and the next step that follows. A pure core: no Django.

An adult must consent to an NRM referral; a child need not. In England and Wales a public
authority must notify the Home Office of an adult who does not consent (the duty to notify,
Modern Slavery Act 2015 s.52); the policy file says where the duty applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

__all__ = [
    "NRM_CONSENT_LABELS",
    "NRM_OUTCOME_LABELS",
    "NRM_RECORD_LABELS",
    "NRM_STAGE_LABELS",
    "RECOVERY_PERIOD_MINIMUM",
    "TRAFFICKING_INDICATORS",
    "ModernSlaveryStep",
    "NrmConsent",
    "NrmDecisionOutcome",
    "NrmDecisionStage",
    "NrmRecordKind",
    "TraffickingIndicator",
    "age_on",
    "modern_slavery_next_step_for",
    "modern_slavery_problems",
    "nrm_decision_problems",
    "nrm_record_problems",
    "recovery_period_from",
]

TRAFFICKING_INDICATORS: dict[str, str] = {
    "movement_controlled": "Someone else controls where they go or who they talk to",
    "documents_held_by_others": "Someone else holds their passport or identity documents",
    "debt_bondage": "They owe a debt they cannot pay off to someone who controls them",
    "little_or_no_pay": "They are paid little or nothing, or someone else takes their pay",
    "excessive_hours": "They work very long hours or are not allowed time off",
    "living_where_they_work": "They live where they work, or where their employer puts them",
    "recruited_by_deception": "They were deceived about the work or the journey",
    "threats_or_violence": "They or their family have been threatened or hurt",
    "forced_criminality": "They are made to commit crimes, such as cannabis growing",
    "sexual_exploitation": "They are made to sell sex or are sexually exploited",
}
"""Indicators a first responder may record (after the Home Office's modern slavery statutory
guidance, general indicators). Codes are stored; the labels are what people read."""

TraffickingIndicator = StrEnum(  # type: ignore[misc]
    "TraffickingIndicator", {code.upper(): code for code in TRAFFICKING_INDICATORS}
)
"""The indicator codes, as an enumeration (for the API's schema)."""


class NrmConsent(StrEnum):
    """The person's answer on a referral to the NRM."""

    GIVEN = "given"
    REFUSED = "refused"
    NOT_ASKED = "not_asked"
    CHILD = "child"


NRM_CONSENT_LABELS = {
    NrmConsent.GIVEN: "They agree to be referred to the National Referral Mechanism",
    NrmConsent.REFUSED: "They do not agree to be referred",
    NrmConsent.NOT_ASKED: "Not asked yet",
    NrmConsent.CHILD: "They are a child: no consent is needed",
}


class ModernSlaveryStep(StrEnum):
    """What a first responder should do when trafficking indicators are recorded (R27)."""

    NRM_REFERRAL = "nrm_referral"
    DUTY_TO_NOTIFY = "duty_to_notify"
    SUPPORT_WITHOUT_REFERRAL = "support_without_referral"
    ASK_FOR_CONSENT = "ask_for_consent"


def age_on(date_of_birth: str | None, today: dt.date) -> int | None:
    """Full years on ``today`` from an ISO date of birth; None when it is not a full date."""
    try:
        born = dt.date.fromisoformat(date_of_birth or "")
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def modern_slavery_problems(
    indicators: Iterable[str],
    nrm_consent: str,
    *,
    date_of_birth: str | None,
    today: dt.date,
) -> dict[str, str]:
    """Every field that is wrong, with the reason; empty when the record can stand."""
    problems: dict[str, str] = {}
    indicators = list(indicators)
    unknown = [code for code in indicators if code not in TRAFFICKING_INDICATORS]
    if unknown:
        problems["trafficking_indicators"] = (
            f"'{unknown[0]}' is not a trafficking indicator. Choose from: "
            + ", ".join(TRAFFICKING_INDICATORS)
        )
    elif len(set(indicators)) != len(indicators):
        problems["trafficking_indicators"] = "Record each trafficking indicator once"
    if nrm_consent and nrm_consent not in set(NrmConsent):
        problems["nrm_consent"] = f"'{nrm_consent}' is not an answer. Choose from: " + ", ".join(
            NrmConsent
        )
        return problems
    if indicators and not nrm_consent:
        problems["nrm_consent"] = (
            "Record whether the person agrees to a referral to the National Referral Mechanism, "
            "or that you have not asked yet"
        )
    elif nrm_consent and not indicators:
        problems["nrm_consent"] = (
            "Record the trafficking indicators first: a referral to the National Referral "
            "Mechanism rests on them"
        )
    age = age_on(date_of_birth, today)
    if nrm_consent == NrmConsent.CHILD and age is not None and age >= 18:
        problems["nrm_consent"] = (
            "The date of birth shows the person is an adult: record whether they agree to be "
            "referred"
        )
    return problems


def modern_slavery_next_step_for(
    nrm_consent: str, *, child: bool, duty_to_notify: bool, duty_to_notify_law: str
) -> tuple[ModernSlaveryStep, str]:
    """What to prompt a first responder to do when trafficking indicators are recorded (R27),
    from the person's answer and whether the duty to notify applies where they are."""
    if child or nrm_consent == NrmConsent.CHILD:
        return (
            ModernSlaveryStep.NRM_REFERRAL,
            "Refer the child to the National Referral Mechanism: a child's consent is not needed.",
        )
    if nrm_consent == NrmConsent.GIVEN:
        return (
            ModernSlaveryStep.NRM_REFERRAL,
            "Refer the adult to the National Referral Mechanism with their recorded consent.",
        )
    if nrm_consent == NrmConsent.NOT_ASKED:
        return (
            ModernSlaveryStep.ASK_FOR_CONSENT,
            "Ask the adult whether they agree to be referred to the National Referral Mechanism, "
            "and record their answer.",
        )
    if duty_to_notify:
        return (
            ModernSlaveryStep.DUTY_TO_NOTIFY,
            "The adult does not consent to a referral: notify the Home Office under the duty to "
            f"notify ({duty_to_notify_law}).",
        )
    return (
        ModernSlaveryStep.SUPPORT_WITHOUT_REFERRAL,
        "The adult does not consent to a referral and no duty to notify applies here: record "
        "the indicators and offer support.",
    )


# --- The NRM referral or duty-to-notify report, and the NRM's decisions (R27) ----------------


class NrmRecordKind(StrEnum):
    """What a first responder made for a person with trafficking indicators."""

    NRM_REFERRAL = "nrm_referral"
    DUTY_TO_NOTIFY = "duty_to_notify"


NRM_RECORD_LABELS = {
    NrmRecordKind.NRM_REFERRAL: "Referral to the National Referral Mechanism",
    NrmRecordKind.DUTY_TO_NOTIFY: "Duty to notify report to the Home Office",
}


class NrmDecisionStage(StrEnum):
    """The NRM's two decisions: reasonable grounds, then conclusive grounds."""

    REASONABLE_GROUNDS = "reasonable_grounds"
    CONCLUSIVE_GROUNDS = "conclusive_grounds"


class NrmDecisionOutcome(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"


NRM_STAGE_LABELS = {
    NrmDecisionStage.REASONABLE_GROUNDS: "Reasonable grounds decision",
    NrmDecisionStage.CONCLUSIVE_GROUNDS: "Conclusive grounds decision",
}
NRM_OUTCOME_LABELS = {
    NrmDecisionOutcome.POSITIVE: "Positive",
    NrmDecisionOutcome.NEGATIVE: "Negative",
}

RECOVERY_PERIOD_MINIMUM = dt.timedelta(days=30)
"""The minimum recovery period after a positive reasonable-grounds decision: a later negative
decision keeps the protection from removal until it ends (the advice core's
``advice.eligibility.RECOVERY_PERIOD_MINIMUM``; a test keeps the two equal)."""


def nrm_record_problems(
    kind: str,
    *,
    made_on: dt.date | None,
    first_responder: str,
    reference: str,
    indicators: Iterable[str],
    nrm_consent: str,
    child: bool,
    already: Iterable[str],
    today: dt.date,
) -> dict[str, str]:
    """Every field of an NRM referral or duty-to-notify report that is wrong, with the reason;
    empty when it can be recorded. An adult's referral needs their consent; a child's does not,
    and a child is never the subject of a duty-to-notify report (they are referred)."""
    problems: dict[str, str] = {}
    if kind not in set(NrmRecordKind):
        problems["kind"] = "Choose whether you made a referral or a duty to notify report"
        return problems
    kind = NrmRecordKind(kind)
    if not list(indicators):
        problems["kind"] = (
            "Record the trafficking indicators on the person first: the referral or report "
            "rests on them"
        )
    elif kind in set(already):
        problems["kind"] = f"A {NRM_RECORD_LABELS[kind].lower()} is already recorded for them"
    elif kind == NrmRecordKind.NRM_REFERRAL and not (child or nrm_consent == NrmConsent.CHILD):
        if nrm_consent == NrmConsent.REFUSED:
            problems["kind"] = (
                "The person did not agree to be referred, and an adult is referred to the "
                "National Referral Mechanism only with their consent. Record a duty to notify "
                "report instead, or record their consent on the case first if they now agree"
            )
        elif nrm_consent != NrmConsent.GIVEN:
            problems["kind"] = (
                "Record the person's consent to a referral on the case first: an adult is "
                "referred only with their consent"
            )
    elif kind == NrmRecordKind.DUTY_TO_NOTIFY:
        if child or nrm_consent == NrmConsent.CHILD:
            problems["kind"] = (
                "A child is referred to the National Referral Mechanism without their consent, "
                "not reported under the duty to notify: record a referral instead"
            )
        elif nrm_consent == NrmConsent.GIVEN:
            problems["kind"] = (
                "The person agreed to be referred: record the referral to the National "
                "Referral Mechanism instead"
            )
    if made_on is None:
        problems["made_on"] = "Enter the date it was made"
    elif made_on > today:
        problems["made_on"] = "The date it was made must be today or in the past"
    if kind == NrmRecordKind.NRM_REFERRAL and len(first_responder.strip()) < 2:
        problems["first_responder"] = "Enter the first responder organisation that made it"
    if len(first_responder) > 200:
        problems["first_responder"] = (
            "The first responder organisation must be 200 characters or fewer"
        )
    if kind == NrmRecordKind.DUTY_TO_NOTIFY and not reference.strip():
        problems["reference"] = "Enter the reference the Home Office gave the report"
    if len(reference) > 64:
        problems["reference"] = "The reference must be 64 characters or fewer"
    return problems


def nrm_decision_problems(
    stage: str,
    outcome: str,
    *,
    decided_on: dt.date | None,
    referred_on: dt.date | None,
    earlier: Iterable[tuple[str, str, dt.date]],
    today: dt.date,
) -> dict[str, str]:
    """Every field of an NRM decision that is wrong, with the reason; empty when it can be
    recorded. ``earlier`` is the person's decisions already recorded (stage, outcome, date)."""
    problems: dict[str, str] = {}
    if stage not in set(NrmDecisionStage):
        problems["stage"] = "Choose a reasonable grounds or a conclusive grounds decision"
    if outcome not in set(NrmDecisionOutcome):
        problems["outcome"] = "Choose whether the decision was positive or negative"
    if decided_on is None:
        problems["decided_on"] = "Enter the date of the decision"
    elif decided_on > today:
        problems["decided_on"] = "The date of the decision must be today or in the past"
    if problems:
        return problems
    assert decided_on is not None
    if referred_on is None:
        problems["stage"] = (
            "Record the referral to the National Referral Mechanism first: only a referral "
            "leads to a decision"
        )
        return problems
    if decided_on < referred_on:
        problems["decided_on"] = (
            f"The decision cannot come before the referral, made on {referred_on:%-d %B %Y}"
        )
    earlier = list(earlier)
    if any(s == stage for s, _, _ in earlier):
        problems["stage"] = (
            f"A {NRM_STAGE_LABELS[NrmDecisionStage(stage)].lower()} is already recorded"
        )
    elif stage == NrmDecisionStage.CONCLUSIVE_GROUNDS:
        grounds = [(o, d) for s, o, d in earlier if s == NrmDecisionStage.REASONABLE_GROUNDS]
        if not grounds or grounds[0][0] != NrmDecisionOutcome.POSITIVE:
            problems["stage"] = (
                "A conclusive grounds decision follows a positive reasonable grounds decision: "
                "record that first"
            )
        elif decided_on < grounds[0][1]:
            problems["decided_on"] = (
                "The conclusive grounds decision cannot come before the reasonable grounds "
                f"decision of {grounds[0][1]:%-d %B %Y}"
            )
    return problems


def recovery_period_from(
    decisions: Iterable[tuple[str, str, dt.date]], today: dt.date
) -> tuple[bool, str]:
    """Whether the NRM decisions recorded on the case protect the person from removal today
    (R27), and why. A positive reasonable-grounds decision starts the recovery period; it
    lasts while no conclusive decision is made, through a positive conclusive decision, and
    for at least ``RECOVERY_PERIOD_MINIMUM`` after the reasonable-grounds decision even when
    the conclusive decision is negative (as the advice core applies it)."""
    by_stage = {stage: (outcome, on) for stage, outcome, on in decisions}
    grounds = by_stage.get(NrmDecisionStage.REASONABLE_GROUNDS)
    if grounds is None:
        return False, "No reasonable grounds decision is recorded."
    outcome, decided = grounds
    if outcome != NrmDecisionOutcome.POSITIVE:
        return False, "The reasonable grounds decision was negative."
    conclusive = by_stage.get(NrmDecisionStage.CONCLUSIVE_GROUNDS)
    if conclusive is None:
        return (
            True,
            f"Recovery period since the positive reasonable grounds decision of {decided}.",
        )
    if conclusive[0] == NrmDecisionOutcome.POSITIVE:
        return True, "Positive conclusive grounds decision."
    until = decided + RECOVERY_PERIOD_MINIMUM
    if today <= until:
        return True, (
            f"Negative conclusive grounds decision, but within the minimum recovery period "
            f"that ends on {until}."
        )
    return (
        False,
        f"Negative conclusive grounds decision; the minimum recovery period ended on {until}.",
    )
