"""Overrides of a blocked action: a named exception, reasons and a second, senior person.

An override needs all of (R7): an exception category the policy permits (R13); free-text reasons;
approval by a different person holding a senior role; and an immutable audit entry, which the
actions layer writes. Immigration-status offences never qualify as the "suspect" exception (N5),
and modern slavery indicators are put in front of the reviewers with the statutory defence (R13).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from safeshare.protocol.enforcement import UnknownEnforcementAction, enforcement_actions
from safeshare.protocol.policy import ExceptionCategory, Jurisdiction, Policy

__all__ = [
    "Approval",
    "ApprovedOverride",
    "ExceptionCategory",
    "ImmigrationStatusOffence",
    "OverrideAssessment",
    "OverrideRefused",
    "OverrideRequest",
    "SuspectedOffence",
    "approve_override",
    "check_approval",
    "is_immigration_status_offence",
    "validate_override_request",
]


class ImmigrationStatusOffence(StrEnum):
    """Offences about a person's own immigration status. None of them can ground an override."""

    ILLEGAL_ENTRY = "illegal_entry"
    ILLEGAL_ARRIVAL = "illegal_arrival"
    OVERSTAYING = "overstaying"
    BREACH_OF_CONDITIONS = "breach_of_conditions"
    ILLEGAL_WORKING = "illegal_working"
    DECEPTION_TO_OBTAIN_LEAVE = "deception_to_obtain_leave"
    FAILURE_TO_COMPLY_WITH_REPORTING = "failure_to_comply_with_reporting"
    FALSE_IMMIGRATION_DOCUMENTS = "false_immigration_documents"


# A backstop for offences recorded with a free-text code or description.
_IMMIGRATION_PHRASES = re.compile(
    r"illegal(ly)?[\s_-]*(entry|entrant|arrival|arrived|entered|working|work|worker)"
    r"|(entry|entered|arrival|arrived|working|worked|work|remain(ed|ing)?|stay(ed|ing)?)"
    r"([\s_-]+\w+){0,3}?[\s_-]*(illegally|unlawfully|without[\s_-]*leave)"
    r"|over[\s_-]*stay"
    r"|breach[\s_-]*of[\s_-]*(conditions?[\s_-]*of[\s_-]*leave|leave|immigration)"
    r"|deception[\s_-]*to[\s_-]*obtain[\s_-]*leave"
    r"|false[\s_-]*immigration"
    r"|immigration[\s_-]*offen[cs]e",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SuspectedOffence:
    """An offence the protected person is suspected of, charged with or convicted of."""

    code: str
    description: str
    linked_to_public_protection: bool = False
    convicted: bool = False


@dataclass(frozen=True)
class OverrideRequest:
    """A request to override a block for one action against one subject."""

    action_code: str
    subject_ref: str
    protection_ids: tuple[str, ...]
    category: str
    reasons: str
    requested_by: str
    offences: tuple[SuspectedOffence, ...] = ()
    modern_slavery_indicators: bool = False
    jurisdiction: Jurisdiction = Jurisdiction.ENGLAND_WALES


@dataclass(frozen=True)
class OverrideAssessment:
    """Whether a request may go to an approver, and what the approver must be shown."""

    valid: bool
    problems: tuple[str, ...]
    reviewer_flags: tuple[str, ...]
    policy_id: str
    policy_version: str


@dataclass(frozen=True)
class Approval:
    """The second person's decision."""

    approved_by: str
    approver_role: str
    reasons: str
    statutory_defence_considered: bool = False


@dataclass(frozen=True)
class ApprovedOverride:
    """An approved override. It lifts a block for exactly this action, subject and protections."""

    override_id: str
    action_code: str
    subject_ref: str
    protection_ids: frozenset[str]
    category: ExceptionCategory
    requested_by: str
    approved_by: str
    policy_id: str
    policy_version: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "category", ExceptionCategory(self.category))
        object.__setattr__(self, "protection_ids", frozenset(self.protection_ids))


class OverrideRefused(ValueError):
    """An override that may not be approved, with every reason."""

    def __init__(self, problems: tuple[str, ...]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def is_immigration_status_offence(offence: SuspectedOffence) -> bool:
    """Whether an offence is about the person's own immigration status (N5)."""
    if offence.code in set(ImmigrationStatusOffence):
        return True
    return bool(_IMMIGRATION_PHRASES.search(f"{offence.code} {offence.description}"))


def validate_override_request(policy: Policy, request: OverrideRequest) -> OverrideAssessment:
    """Check a request before it goes to an approver; every problem and reviewer flag."""
    rules = policy.overrides
    problems: list[str] = []
    flags: list[str] = []

    try:
        enforcement_actions().get(request.action_code)
    except UnknownEnforcementAction as error:
        problems.append(str(error))
    if not request.subject_ref.strip():
        problems.append("Name the subject the override is for.")
    if not request.protection_ids:
        problems.append("Name the protection or protections the override would set aside.")
    if not request.requested_by.strip():
        problems.append("Record who is asking for the override.")
    if len(request.reasons.strip()) < rules.minimum_reason_length:
        problems.append(
            f"Explain the reasons in at least {rules.minimum_reason_length} characters (R7)."
        )

    category: ExceptionCategory | None = None
    try:
        category = ExceptionCategory(request.category)
    except ValueError:
        problems.append(f"'{request.category}' is not an exception category.")
    if category is not None and category not in rules.exception_categories:
        allowed = "; ".join(c.label for c in rules.exception_categories) or "none"
        problems.append(
            f"This policy does not permit the exception '{category.label}'. Permitted: {allowed}."
        )

    immigration = [o for o in request.offences if is_immigration_status_offence(o)]
    others = [o for o in request.offences if not is_immigration_status_offence(o)]
    for offence in immigration:
        flags.append(
            f"'{offence.description or offence.code}' is an immigration-status offence and has "
            "been disregarded: such offences never ground an override (N5)."
        )
    if category == ExceptionCategory.SUSPECT_IN_PUBLIC_PROTECTION_OFFENCE:
        if not any(o.linked_to_public_protection for o in others):
            problems.append(
                "This exception needs a non-immigration offence linked to public protection; "
                "immigration-status offences such as illegal entry, overstaying or working "
                "illegally never qualify (R13, N5)."
            )
    elif category == ExceptionCategory.FOREIGN_NATIONAL_OFFENDER and not any(
        o.convicted for o in others
    ):
        problems.append(
            "This exception needs a conviction for a non-immigration offence; "
            "immigration-status offences never qualify (R13, N5)."
        )

    if request.modern_slavery_indicators:
        law = policy.jurisdiction(request.jurisdiction).modern_slavery_defence_law
        flags.append(
            "The person has modern slavery indicators. Before relying on any offence, consider "
            f"whether the statutory defence ({law}) applies (R13)."
        )

    return OverrideAssessment(
        valid=not problems,
        problems=tuple(problems),
        reviewer_flags=tuple(flags),
        policy_id=policy.id,
        policy_version=policy.version,
    )


def check_approval(
    policy: Policy, request: OverrideRequest, approval: Approval
) -> tuple[str, ...]:
    """Every reason this approval cannot stand; empty when it can (R7c: four eyes, senior role)."""
    rules = policy.overrides
    problems: list[str] = []
    if not approval.approved_by.strip():
        problems.append("Record who is approving the override.")
    elif approval.approved_by.strip() == request.requested_by.strip():
        problems.append("The approver must be a different person from the requester.")
    if approval.approver_role not in rules.approver_roles:
        allowed = ", ".join(sorted(rules.approver_roles))
        problems.append(f"The approver must hold a senior role ({allowed}).")
    if len(approval.reasons.strip()) < rules.minimum_reason_length:
        problems.append(
            "The approver must explain the decision in at least "
            f"{rules.minimum_reason_length} characters (R7)."
        )
    if request.modern_slavery_indicators and not approval.statutory_defence_considered:
        problems.append(
            "The approver must confirm they have considered the modern slavery statutory "
            "defence (R13)."
        )
    return tuple(problems)


def approve_override(
    policy: Policy, request: OverrideRequest, approval: Approval, override_id: str
) -> ApprovedOverride:
    """The approved override, or ``OverrideRefused`` with every reason it cannot be approved."""
    problems = validate_override_request(policy, request).problems + check_approval(
        policy, request, approval
    )
    if not override_id.strip():
        problems += ("The override needs an id.",)
    if problems:
        raise OverrideRefused(problems)
    return ApprovedOverride(
        override_id=override_id,
        action_code=request.action_code,
        subject_ref=request.subject_ref,
        protection_ids=frozenset(request.protection_ids),
        category=ExceptionCategory(request.category),
        requested_by=request.requested_by,
        approved_by=approval.approved_by,
        policy_id=policy.id,
        policy_version=policy.version,
    )
