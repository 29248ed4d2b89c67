"""Replaying recorded clearance decisions under their recorded policy version (invariant 7).

Each clearance keeps, in ``history``, every decision made about it: the facts the pure core was
given, the policy id and version that decided, and the outcome. ``replay_clearances`` loads each
recorded version from the repository's policy files, or else the database's registry
(``registry.load_recorded_policy``), decides
again from the stored facts (``replay.replay``) and reports every difference with its reason.
With another policy it shows what that policy would have decided instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from safeshare.protocol.models import Clearance, Protection
from safeshare.protocol.policy import Policy, PolicyError
from safeshare.protocol.registry import load_recorded_policy
from safeshare.protocol.replay import (
    Difference,
    FactsError,
    differences,
    replay,
    replay_protection,
)

__all__ = ["ReplayResult", "replay_clearances", "replay_protections", "standing_outcomes"]


class Replayed:
    """What every decision decided again says: whether it came out the same, and a line for
    people. Each kind of record gives its own ``heading``."""

    replayed_under: str
    differences: list[Difference]
    problem: str

    def heading(self) -> str:
        raise NotImplementedError

    @property
    def same(self) -> bool:
        return not self.differences and not self.problem

    def describe(self) -> str:
        head = self.heading()
        if self.problem:
            return f"{head}: cannot be replayed: {self.problem}"
        if not self.differences:
            return f"{head}: same decision under {self.replayed_under}."
        listed = "; ".join(str(d) for d in self.differences)
        return f"{head}: differs under {self.replayed_under}: {listed}"


@dataclass
class ReplayResult(Replayed):
    """One recorded decision of one clearance, decided again."""

    clearance_id: str
    step: int
    why: str
    policy: str
    replayed_under: str
    differences: list[Difference] = field(default_factory=list)
    problem: str = ""
    what: str = "Clearance"
    outcome: str = ""
    """What the replaying policy decided (a clearance's outcome, a protection's status)."""

    def heading(self) -> str:
        return f"{self.what} {self.clearance_id}, decision {self.step + 1} ({self.why})"


def policy_label(policy_id: str, version: str) -> str:
    """A policy version as replay reports name it."""
    return f"{policy_id}@{version[:12]}"


def replay_clearances(
    *,
    since: dt.datetime | None = None,
    ids: Iterable[str] = (),
    policy: Policy | None = None,
) -> Iterator[ReplayResult]:
    """Every recorded decision of the chosen clearances, decided again.

    Without ``policy`` each decision is replayed under the version that made it, and any
    difference means the stored facts or the recorded outcome were changed, or the code of the
    core no longer decides as it did. With ``policy``, under that policy instead.
    """
    clearances = Clearance.objects.order_by("created_at", "id")
    if since is not None:
        clearances = clearances.filter(created_at__gte=since)
    wanted = [str(i) for i in ids]
    if wanted:
        clearances = clearances.filter(public_id__in=wanted)
    loaded: dict[tuple[str, str], Policy] = {}
    for clearance in clearances.iterator():
        history = list(clearance.history or [])
        if not history:
            yield ReplayResult(
                str(clearance.public_id),
                0,
                "requested",
                policy_label(clearance.policy_id, clearance.policy_version),
                "-",
                problem="no facts were stored with this decision (decided before replay existed)",
            )
            continue
        for step, record in enumerate(history):
            recorded_id = str(record.get("policy_id", ""))
            recorded_version = str(record.get("policy_version", ""))
            result = ReplayResult(
                str(clearance.public_id),
                step,
                str(record.get("why", "")),
                policy_label(recorded_id, recorded_version),
                "",
            )
            under = policy
            if under is None:
                key = (recorded_id, recorded_version)
                try:
                    under = loaded.get(key) or load_recorded_policy(*key)
                except PolicyError as error:
                    result.problem = error.message
                    yield result
                    continue
                loaded[key] = under
            result.replayed_under = policy_label(under.id, under.version)
            facts = record.get("facts") or {}
            if step == len(history) - 1 and facts != clearance.facts:
                result.differences.append(
                    Difference("facts", "as in the decision history", "changed on the clearance")
                )
            try:
                decision = replay(under, facts)
            except FactsError as error:
                result.problem = str(error)
                yield result
                continue
            result.outcome = decision.outcome.value
            result.differences.extend(differences(record, decision))
            if step == len(history) - 1 and clearance.decision != record.get("decision"):
                result.differences.append(
                    Difference("stored decision", clearance.decision, record.get("decision"))
                )
            yield result


def standing_outcomes(policies: Sequence[Policy]) -> Iterator[tuple[str, ...] | None]:
    """Each clearance's standing decision (its last recorded one) decided again from its stored
    facts under each of ``policies``, reading every clearance once: the outcomes in the order
    of ``policies``, or None when it cannot be replayed (no facts stored, or unreadable ones).
    What ``replay_clearances(policy=…)`` gives for the last decision, for many policies at once
    (the policy comparison)."""
    rows = Clearance.objects.order_by("created_at", "id").values_list("history", flat=True)
    for history in rows.iterator(chunk_size=2000):
        if not history:
            yield None
            continue
        facts = history[-1].get("facts") or {}
        try:
            yield tuple(replay(policy, facts).outcome.value for policy in policies)
        except FactsError:
            yield None


def replay_protections(
    *, since: dt.datetime | None = None, policy: Policy | None = None
) -> Iterator[ReplayResult]:
    """Every recorded change of a protection's status, decided again from its stored facts."""
    protections = Protection.objects.order_by("opened_at", "id")
    if since is not None:
        protections = protections.filter(status_changed_at__gte=since)
    loaded: dict[tuple[str, str], Policy] = {}
    for protection in protections.iterator():
        history = list(protection.decisions or [])
        for step, record in enumerate(history):
            key = (str(record.get("policy_id", "")), str(record.get("policy_version", "")))
            result = ReplayResult(
                protection.reference, step, "status", policy_label(*key), "", what="Protection"
            )
            under = policy
            if under is None:
                try:
                    under = loaded.get(key) or load_recorded_policy(*key)
                except PolicyError as error:
                    result.problem = error.message
                    yield result
                    continue
                loaded[key] = under
            result.replayed_under = policy_label(under.id, under.version)
            try:
                status = replay_protection(under, record.get("facts") or {})
            except FactsError as error:
                result.problem = str(error)
                yield result
                continue
            result.outcome = str(status)
            if status != record.get("status"):
                result.differences.append(Difference("status", record.get("status"), status))
            yield result
