"""Replaying recorded referral decisions under their recorded policy version.

Each referral sent, and each one the policy refused, keeps the facts ``decide_referral`` was
given and what it decided (whether it could be sent, the rules that refused it, whether it
opened or extended a protection). ``replay_referrals`` loads the recorded policy version, decides
again from the stored facts and reports every difference; with another policy it shows what
that policy would have decided instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from safeshare.protocol.policy import Policy, PolicyError
from safeshare.protocol.registry import load_recorded_policy
from safeshare.protocol.replay import Difference, FactsError, record_differences, replay_referral
from safeshare.protocol.replaying import Replayed, policy_label
from safeshare.referrals.models import Referral, RefusedReferral

__all__ = ["ReferralReplay", "referral_outcomes", "replay_referrals"]


@dataclass
class ReferralReplay(Replayed):
    """One recorded referral decision, decided again."""

    kind: str  # "sent" or "refused"
    record_id: str
    policy: str
    replayed_under: str
    differences: list[Difference] = field(default_factory=list)
    problem: str = ""
    outcome: str = ""
    """What the replaying policy decided: ``sent`` or ``refused``."""
    force_code: str = ""

    def heading(self) -> str:
        return f"Referral {self.record_id} ({self.kind})"


def _recorded(referral: Referral | RefusedReferral) -> dict:
    """What was done, from the record itself (not only from ``decided``), so that an altered
    outcome is found even when the stored decision was altered to match."""
    if isinstance(referral, Referral):
        return {
            "allowed": True,
            "rule_codes": [],
            "opens_protection": referral.protection_id is not None,
        }
    return {"allowed": False, "rule_codes": list(referral.rule_codes)}


def replay_referrals(
    *, since: dt.datetime | None = None, policy: Policy | None = None
) -> Iterator[ReferralReplay]:
    """Every referral sent or refused (oldest first), decided again."""
    loaded: dict[tuple[str, str], Policy] = {}
    for model, kind in ((Referral, "sent"), (RefusedReferral, "refused")):
        rows = model.objects.order_by("created_at", "id")
        if since is not None:
            rows = rows.filter(created_at__gte=since)
        for row in rows.iterator():
            record_id = str(getattr(row, "public_id", row.pk))
            result = ReferralReplay(
                kind, record_id, policy_label(row.policy_id, row.policy_version), ""
            )
            under = policy
            if under is None:
                key = (row.policy_id, row.policy_version)
                try:
                    under = loaded.get(key) or load_recorded_policy(*key)
                except PolicyError as error:
                    result.problem = error.message
                    yield result
                    continue
                loaded[key] = under
            result.replayed_under = policy_label(under.id, under.version)
            try:
                replayed = replay_referral(under, row.facts)
            except FactsError as error:
                result.problem = str(error)
                yield result
                continue
            result.outcome = "sent" if replayed.get("allowed") else "refused"
            result.force_code = str((row.facts or {}).get("force_code", ""))
            result.differences = record_differences(row.decided, replayed)
            if policy is None:
                for key, value in _recorded(row).items():
                    if row.decided.get(key) != value:
                        result.differences.append(
                            Difference(f"stored {key}", value, row.decided.get(key))
                        )
            yield result


def referral_outcomes(
    policies: Sequence[Policy],
) -> Iterator[tuple[str, tuple[str, ...] | None]]:
    """Every referral sent or refused (oldest first, sent before refused) decided again from its
    stored facts under each of ``policies``, reading each record once: the force's code and
    ``sent`` or ``refused`` under each policy in order, or None when it cannot be replayed.
    What ``replay_referrals(policy=…)`` gives, for many policies at once (the comparison)."""
    for model in (Referral, RefusedReferral):
        rows = model.objects.order_by("created_at", "id").values_list("facts", flat=True)
        for facts in rows.iterator(chunk_size=2000):
            force_code = str((facts or {}).get("force_code", ""))
            try:
                decided = [replay_referral(policy, facts).get("allowed") for policy in policies]
            except FactsError:
                yield force_code, None
                continue
            yield force_code, tuple("sent" if allowed else "refused" for allowed in decided)
