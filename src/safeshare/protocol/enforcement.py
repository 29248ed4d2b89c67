"""The versioned list of enforcement actions blocked during protection (R6), and R9 suspension.

The list is data (``enforcement_actions.toml``). Every clearance records its version and digest.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from safeshare.protocol.protection import ProtectionStatus

__all__ = [
    "EnforcementAction",
    "EnforcementList",
    "ScheduledAction",
    "SuspensionPlan",
    "UnknownEnforcementAction",
    "actions_to_suspend",
    "enforcement_actions",
    "parse_enforcement_actions",
]


class UnknownEnforcementAction(ValueError):
    """An action code that is not on the enforcement list."""

    def __init__(self, code: str, known: Iterable[str]) -> None:
        super().__init__(
            f"'{code}' is not on the enforcement action list. Known actions: "
            + ", ".join(sorted(known))
            + "."
        )
        self.code = code


@dataclass(frozen=True)
class EnforcementAction:
    """One kind of enforcement action."""

    code: str
    name: str
    description: str


@dataclass(frozen=True)
class EnforcementList:
    """The list in force: a declared version plus the SHA-256 of the data file."""

    version: str
    digest: str
    actions: tuple[EnforcementAction, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(action.code for action in self.actions)

    def get(self, code: str) -> EnforcementAction:
        """The action with this code, or ``UnknownEnforcementAction``."""
        for action in self.actions:
            if action.code == code:
                return action
        raise UnknownEnforcementAction(code, self.codes)


@dataclass(frozen=True)
class ScheduledAction:
    """An enforcement action already planned against the person when protection opens."""

    action_id: str
    action_code: str


@dataclass(frozen=True)
class SuspensionPlan:
    """Which scheduled actions must be suspended, and whether to alert the case owner (R9)."""

    suspend: tuple[ScheduledAction, ...]
    reasons: tuple[str, ...]
    alert_case_owner: bool
    enforcement_list_version: str


@cache
def enforcement_actions() -> EnforcementList:
    """The enforcement action list shipped with SafeShare."""
    raw = resources.files("safeshare.protocol").joinpath("enforcement_actions.toml").read_bytes()
    return parse_enforcement_actions(raw)


def parse_enforcement_actions(raw: bytes) -> EnforcementList:
    """Parse and check an enforcement action list."""
    document = tomllib.loads(raw.decode("utf-8"))
    version = document.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ValueError("The enforcement action list needs a version.")
    actions = []
    for entry in document.get("actions", []):
        if set(entry) != {"code", "name", "description"}:
            raise ValueError(f"Each action needs exactly a code, name and description: {entry}.")
        actions.append(EnforcementAction(entry["code"], entry["name"], entry["description"]))
    codes = [action.code for action in actions]
    if not actions or len(set(codes)) != len(codes):
        raise ValueError("The enforcement action list must have actions with unique codes.")
    return EnforcementList(version, hashlib.sha256(raw).hexdigest(), tuple(actions))


def actions_to_suspend(
    status: ProtectionStatus, scheduled: Iterable[ScheduledAction]
) -> SuspensionPlan:
    """Which already-scheduled actions a newly opened protection suspends (R9).

    Every listed action is suspended while the protection blocks enforcement. An action whose code
    is not on the list is suspended too, pending review: nobody has shown it is not enforcement.
    """
    listing = enforcement_actions()
    scheduled = tuple(scheduled)
    if not ProtectionStatus(status).blocks_enforcement:
        return SuspensionPlan((), ("The protection has ended.",), False, listing.version)
    suspend: list[ScheduledAction] = []
    reasons: list[str] = []
    for action in scheduled:
        suspend.append(action)
        if action.action_code in listing.codes:
            name = listing.get(action.action_code).name
            reasons.append(f"Suspend {action.action_id} ({name}): the person is now protected.")
        else:
            reasons.append(
                f"Suspend {action.action_id} ('{action.action_code}' is not on the enforcement "
                "list): suspended until someone confirms it is not enforcement action."
            )
    return SuspensionPlan(tuple(suspend), tuple(reasons), bool(suspend), listing.version)
