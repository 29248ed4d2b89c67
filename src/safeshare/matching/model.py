"""Fellegi–Sunter parameters and decision thresholds, stored as a versioned JSON file.

Each comparison level has ``m`` = P(level | same person) and ``u`` = P(level | different
people who share a name token), so that agreements which go together (a shared name and a
shared nationality) are not counted as independent evidence. Its match weight is
``log2(m / u)``; a missing field has weight 0. With a register the matcher weighs name
agreement against the agreeing name's estimated share of the population and adds the prior
``log2(π / (1 − π)) − log2(register size)`` (``Thresholds.membership_prior``; ADR 8).
``python -m tools.matching.train`` re-estimates the parameters and chooses the thresholds
on development data.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from safeshare.matching.compare import DOB_PARTIAL_LEVELS, LEVELS

__all__ = ["MODEL_FORMAT", "MatchModel", "Thresholds", "load_model"]

MODEL_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Decision thresholds on the total match weight, and the blocking key cap.

    ``match`` and above: blocked. ``possible`` and above: hold for review. ``key_cap``: a key
    shared by more register identities than this is not used to fetch candidates;
    ``token_key_cap`` the same for single-token keys (``t:``, ``b:``), which only help for
    rarer names.
    """

    match: float
    possible: float
    key_cap: int = 400
    token_key_cap: int = 100
    #: Decision by probability (docs/adr/0008): blocked when P(the subject is this protected
    #: person) reaches ``block_probability``; hold when P(the subject is any protected person)
    #: reaches ``hold_probability``. The protocol's policy file sets the values a clearance
    #: uses; these are the engine's defaults (the same numbers as the shipped policies).
    block_probability: float = 0.99
    hold_probability: float = 0.2
    #: The membership prior π: the share of the subjects IE asks about who are protected
    #: people, before anything about them is compared. Each register identity's prior is
    #: π / (register size); see docs/adr/0008.
    membership_prior: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 < self.membership_prior < 1.0:
            msg = "the membership prior must be strictly between 0 and 1"
            raise ValueError(msg)
        if self.possible > self.match:
            msg = "the 'possible' threshold must not exceed the 'match' threshold"
            raise ValueError(msg)
        if not 0.0 < self.hold_probability <= 0.5 or not (
            self.hold_probability <= self.block_probability < 1.0
        ):
            msg = (
                "probability thresholds need 0 < hold_probability <= 0.5 (a probable protected "
                "person is never cleared) and hold_probability <= block_probability < 1"
            )
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class TermFrequency:
    """How the matcher estimates an agreeing name's share of the population.

    ``(count + pseudo_count · reference[level]) / (size + pseudo_count)``, floored at
    ``min_frequency``: the register's count of the name (the candidate included), smoothed
    towards ``reference[level]``, the mean frequency of the agreeing name over non-matching
    pairs at that level in development data (0: the level has no name to count).
    ``max_up`` / ``max_down`` are kept in the file format but no longer applied: the name's
    Bayes factor is not clamped (ADR 8).
    """

    reference: tuple[float, ...] = ()
    max_up: float = 10.0
    max_down: float = 8.0
    min_frequency: float = 1e-9
    #: Smoothing towards ``reference``: how many people of the population the reference
    #: frequency is worth (see ``matcher.name_frequency``). 0: the register's count alone.
    pseudo_count: float = 0.0


@dataclass(frozen=True)
class MatchModel:
    """m and u per comparison level, with the weights derived from them."""

    m: dict[str, tuple[float, ...]]
    u: dict[str, tuple[float, ...]]
    thresholds: Thresholds
    term_frequency: TermFrequency = field(default_factory=TermFrequency)
    metadata: dict[str, object] = field(default_factory=dict)
    weights: dict[str, tuple[float, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        weights: dict[str, tuple[float, ...]] = {}
        for name, levels in LEVELS.items():
            m, u = self.m[name], self.u[name]
            if len(m) != len(levels) or len(u) != len(levels):
                msg = f"model field {name!r} needs {len(levels)} levels"
                raise ValueError(msg)
            if name == "dob":
                weights[name] = _conditional_weights(m, u, DOB_PARTIAL_LEVELS)
            else:
                weights[name] = tuple(math.log2(mi / ui) for mi, ui in zip(m, u, strict=True))
        object.__setattr__(self, "weights", weights)

    def to_dict(self) -> dict[str, object]:
        return {
            "format": MODEL_FORMAT,
            "comparisons": {
                name: {
                    label: {"m": self.m[name][i], "u": self.u[name][i]}
                    for i, label in enumerate(levels)
                }
                for name, levels in LEVELS.items()
            },
            "term_frequency": {
                "reference": dict(
                    zip(LEVELS["name"], self.term_frequency.reference, strict=False)
                ),
                "max_up": self.term_frequency.max_up,
                "max_down": self.term_frequency.max_down,
                "min_frequency": self.term_frequency.min_frequency,
                "pseudo_count": self.term_frequency.pseudo_count,
            },
            "thresholds": {
                "match": self.thresholds.match,
                "possible": self.thresholds.possible,
                "key_cap": self.thresholds.key_cap,
                "token_key_cap": self.thresholds.token_key_cap,
                "block_probability": self.thresholds.block_probability,
                "hold_probability": self.thresholds.hold_probability,
                "membership_prior": self.thresholds.membership_prior,
            },
            "metadata": self.metadata,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True) + "\n"

    @property
    def version(self) -> str:
        """First 12 hex digits of the SHA-256 of the canonical parameter JSON."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    @classmethod
    def from_dict(cls, doc: dict) -> MatchModel:
        if doc.get("format") != MODEL_FORMAT:
            msg = f"unsupported model format {doc.get('format')!r}"
            raise ValueError(msg)
        comparisons = doc["comparisons"]
        for name, levels in LEVELS.items():
            absent = [lv for lv in levels if lv not in comparisons.get(name, {})]
            if absent:
                msg = (
                    f"model field {name!r} lacks the levels {', '.join(absent)}: "
                    "train the model again (python -m tools.matching.train)"
                )
                raise ValueError(msg)
        m = {n: tuple(float(comparisons[n][lv]["m"]) for lv in lv_) for n, lv_ in LEVELS.items()}
        u = {n: tuple(float(comparisons[n][lv]["u"]) for lv in lv_) for n, lv_ in LEVELS.items()}
        t = doc["thresholds"]
        return cls(
            m=m,
            u=u,
            thresholds=Thresholds(
                float(t["match"]),
                float(t["possible"]),
                int(t["key_cap"]),
                int(t.get("token_key_cap", 100)),
                float(t.get("block_probability", 0.99)),
                float(t.get("hold_probability", 0.2)),
                float(t.get("membership_prior", 0.5)),
            ),
            term_frequency=_term_frequency(doc.get("term_frequency", {})),
            metadata=dict(doc.get("metadata", {})),
        )


def _conditional_weights(
    m: tuple[float, ...], u: tuple[float, ...], group: frozenset[int]
) -> tuple[float, ...]:
    """``log2(m / u)`` given which of two groups of levels the comparison fell in.

    A date of birth recorded as a year only or as 1 January is estimated: that says how the
    record was kept, not whether two records are one person. Development data may estimate
    dates more often for one side of the labels than the other; weighing each level by
    ``P(level | match, group) / P(level | non-match, group)`` keeps that out of the evidence.
    """
    m_in = sum(m[i] for i in group)
    u_in = sum(u[i] for i in group)
    m_out = sum(m) - m_in
    u_out = sum(u) - u_in
    return tuple(
        math.log2((mi / m_in) / (ui / u_in))
        if i in group
        else math.log2((mi / m_out) / (ui / u_out))
        for i, (mi, ui) in enumerate(zip(m, u, strict=True))
    )


def _term_frequency(doc: dict) -> TermFrequency:
    reference = doc.get("reference", {})
    return TermFrequency(
        reference=tuple(float(reference.get(level, 0.0)) for level in LEVELS["name"]),
        max_up=float(doc.get("max_up", 10.0)),
        max_down=float(doc.get("max_down", 8.0)),
        min_frequency=float(doc.get("min_frequency", 1e-6)),
        pseudo_count=float(doc.get("pseudo_count", 0.0)),
    )


def default_model_path() -> Path:
    return Path(str(resources.files("safeshare.matching").joinpath("data/model.json")))


def load_model(path: str | Path | None = None) -> MatchModel:
    """Read the shipped parameter file (or ``path``); ``.version`` identifies it in decisions."""
    return MatchModel.from_dict(json.loads(Path(path or default_model_path()).read_text()))
