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
    "TRAFFICKING_INDICATORS",
    "ModernSlaveryStep",
    "NrmConsent",
    "TraffickingIndicator",
    "age_on",
    "modern_slavery_next_step_for",
    "modern_slavery_problems",
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
