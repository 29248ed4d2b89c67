"""Score a subject against register candidates and decide: match, possible or none.

Decision by probability (docs/adr/0008-decision-by-probability.md). Each candidate's weight is
the log2 posterior odds that it is the subject: the membership prior π / (1 − π), one in the
register's N identities, the name's Bayes factor against its estimated share of the population,
and ``log2(m / u)`` of the other fields. So each of n namesakes has odds of about
π / (1 − π) · m / n, and P(any protected person) does not grow with the register. The
candidates are exclusive hypotheses: P(candidate) = odds / (1 + total odds) and P(any
protected person) = total / (1 + total).

``match`` (→ blocked) when the best candidate reaches ``Thresholds.block_probability``;
``possible`` (→ hold, blocked until a protocol officer reviews it) when P(any) reaches
``Thresholds.hold_probability``; else ``none`` (→ clear). A subject whose name is too common to
fetch candidates for and who has no date of birth is held and asked for the date. A hold lists
in ``would_resolve`` the evidence the subject lacks and a held candidate has.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Literal

from safeshare.matching.blocking import name_key_sets, near_keys, query_keys
from safeshare.matching.compare import (
    FIELDS,
    LEVELS,
    MISSING,
    NAME_TOKEN_LEVELS,
    NameComparison,
    compare_address,
    compare_dob,
    compare_document,
    compare_names,
    compare_nationality,
    compare_value,
)
from safeshare.matching.model import MatchModel, Thresholds, load_model
from safeshare.matching.names import key_tokens, skeleton
from safeshare.matching.record import IdentityRecord, PreparedIdentity, prepare
from safeshare.matching.register import CandidateSource

__all__ = [
    "CLEARANCE",
    "EVIDENCE_FIELDS",
    "CandidateScore",
    "Decision",
    "FieldComparison",
    "MatchResult",
    "Matcher",
]

Decision = Literal["match", "possible", "none"]
CLEARANCE: dict[str, str] = {"match": "blocked", "possible": "hold", "none": "clear"}


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """One field's contribution: its comparison level and match weight (bits)."""

    field: str
    level: str  # a label from compare.LEVELS, or "missing"
    weight: float
    detail: str = ""  # e.g. the two names compared

    def __str__(self) -> str:
        detail = f" [{self.detail}]" if self.detail else ""
        return f"{self.field}: {self.level}{detail} ({self.weight:+.1f})"


@dataclass(frozen=True, slots=True)
class CandidateScore:
    """A scored candidate with the evidence behind its score.

    ``weight`` is the log2 posterior odds that the candidate is the subject (the field weights,
    the name's population term and the membership prior), comparable across register sizes;
    ``probability`` is the candidate's share among the exclusive hypotheses.
    """

    register_id: Hashable
    weight: float
    probability: float
    decision: Decision
    fields: tuple[FieldComparison, ...]
    rule: str = ""  # a safety rule that raised the decision, if any

    def explain(self) -> str:
        parts = ", ".join(str(f) for f in self.fields if f.level != "missing")
        rule = f"; {self.rule}" if self.rule else ""
        return f"{self.register_id}: {self.decision} at {self.weight:+.1f} bits ({parts}){rule}"


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The decision for one subject, its best candidates (strongest first) and why."""

    decision: Decision
    best_weight: float | None
    candidates: tuple[CandidateScore, ...]
    reasons: tuple[str, ...]
    candidates_considered: int
    model_version: str
    #: P(the subject is any of the register's protected people), from the scored candidates.
    probability: float = 0.0
    #: When held for want of evidence: the subject's missing fields that would settle it
    #: (of ``EVIDENCE_FIELDS``), a field a held candidate has and the subject lacks.
    would_resolve: tuple[str, ...] = ()

    @property
    def clearance(self) -> str:
        return CLEARANCE[self.decision]

    @property
    def best(self) -> CandidateScore | None:
        return self.candidates[0] if self.candidates else None

    def explain(self) -> str:
        lines = [
            f"{self.decision} ({self.clearance}) at P = {self.probability:.3g}; "
            f"model {self.model_version}"
        ]
        if self.would_resolve:
            lines.append(f"  would be settled by: {', '.join(self.would_resolve)}")
        lines += [f"  {reason}" for reason in self.reasons]
        lines += [f"  {c.explain()}" for c in self.candidates]
        return "\n".join(lines)


_Scored = tuple[
    float,
    Hashable,
    tuple[int, ...],
    NameComparison,
    float,
    PreparedIdentity,
    float,
    dict[str, float],
]
#: The fields that go with names (a given name says the sex, a family name the nationality):
#: weighed among the people who carry the agreeing name (ADR 49).
_WITH_NAMES = ("sex", "nationality")
#: Nationality agreement among the candidates that carry a name token: how many pseudo-candidates
#: the register-wide share is worth (ADR 49).
NATIONALITY_PSEUDO_COUNT = 20.0
_NAME_NONE = LEVELS["name"].index("none")
#: Name levels at which one token of the subject's agrees: which one is part of the evidence.
_ONE_TOKEN = frozenset(LEVELS["name"].index(x) for x in ("one_near", "one", "one_two_differ"))


def name_count(name: NameComparison, counts: Mapping[str, int]) -> int | None:
    """How many register identities other than the candidate carry the agreeing name: the
    rarest pair of agreeing tokens, or the single agreeing token; None when nothing agreed
    exactly or phonetically."""
    if not name.strong_tokens or name.level not in NAME_TOKEN_LEVELS:
        return None
    keys = sorted({skeleton(t) for t in name.strong_tokens if len(t) >= 2})
    if len(keys) >= 2:
        count = min(counts.get(f"n:{a}|{b}", 1) for a, b in combinations(keys, 2))
    elif keys:
        count = counts.get(f"t:{keys[0]}", 1)
    else:
        return None
    return max(count - 1, 0)


def name_frequency(
    name: NameComparison,
    counts: Mapping[str, int],
    size: int,
    reference: float = 0.0,
    pseudo_count: float = 0.0,
) -> float | None:
    """Estimated share of the population carrying the agreeing name.

    The register is a sample of the population IE asks about: a name seen ``c`` times among
    ``size`` other identities is estimated at ``(c + pseudo_count * reference) / (size +
    pseudo_count)``, i.e. the register's count smoothed towards the typical frequency at that
    name level (``reference``) as if ``pseudo_count`` more people had been seen. A small
    register therefore says little about how rare a name is, and a large one says more.
    Without a pseudo-count a name nobody else has counts as half a person.
    """
    if not size:
        return None
    count = name_count(name, counts)
    if count is None:
        return None
    if pseudo_count > 0 and reference > 0:
        return (count + pseudo_count * reference) / (size + pseudo_count)
    return max(count, 0.5) / size


def name_crowd(prepared: PreparedIdentity, counts: Mapping[str, int]) -> int:
    """How many register identities share a name token with the subject (with overlaps):
    the prior odds of any one of them being the subject are about one in this."""
    keys = {f"t:{k}" for names in name_key_sets(prepared) for k in names}
    return sum(counts.get(k, 0) for k in keys)


#: Evidence a subject can be asked for, in the order it is asked for.
EVIDENCE_FIELDS = ("date_of_birth", "passport_number", "home_office_reference")


def _which_token(tokens: tuple[str, ...]) -> float:
    """log2 of how many tokens the subject's name has: the share of ``m(one)`` for one of them.

    ``m(one)`` is the chance that a true record agrees on one token, whichever it is; the
    chance that it agrees on this particular token is about ``m(one) / k`` for a name of
    ``k`` tokens (a true record keeps any of them). Weighing each token's namesakes with the
    whole of ``m(one)`` would count it ``k`` times over: a stranger called Mohammed Junaid
    would get the prior mass of one protected person among the Mohammeds and another among
    the Junaids (ADR 40)."""
    return math.log2(max(len(set(tokens)), 1))


@lru_cache(maxsize=1 << 16)
def _carried(names: tuple[tuple[str, ...], ...]) -> frozenset[str]:
    """The phonetic keys of every token of every name (names recur across a register)."""
    return frozenset().union(*(key_tokens(tokens) for tokens in names))


def odds(weight: float) -> float:
    """Posterior odds from a weight in bits."""
    return 2.0**weight if weight < 1000 else math.inf


def probability(weight: float) -> float:
    """The posterior probability that a candidate is the subject, from its total weight (the
    field weights, the name-frequency adjustment and the prior, in bits)."""
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    return 1.0 / (1.0 + 2.0**-weight)


def _wanted(s: PreparedIdentity, held: Iterable[PreparedIdentity]) -> list[str]:
    """The evidence the subject lacks that would tell it apart from the held candidates: a
    field the subject does not have and a held candidate does (any such field when no
    candidate is known)."""
    held = list(held)
    wanted = []
    if not s.has_full_date_of_birth and (not held or any(c.has_full_date_of_birth for c in held)):
        wanted.append("date_of_birth")
    if not s.passport_number and (not held or any(c.passport_number for c in held)):
        wanted.append("passport_number")
    if not s.home_office_reference and (not held or any(c.home_office_reference for c in held)):
        wanted.append("home_office_reference")
    return wanted


class Matcher:
    """Fellegi–Sunter scoring over blocked candidates, with recall-first safety rules."""

    def __init__(
        self,
        model: MatchModel | None = None,
        thresholds: Thresholds | None = None,
        *,
        explain_top: int = 5,
        prune: bool = True,
        nationality_pseudo_count: float = NATIONALITY_PSEUDO_COUNT,
    ) -> None:
        self.model = model or load_model()
        self.thresholds = thresholds or self.model.thresholds
        self.explain_top = explain_top
        self.prune = prune
        self.nationality_pseudo_count = nationality_pseudo_count
        self.version = self.model.version
        weights = self.model.weights
        self._weights = [weights[f] for f in FIELDS]
        tf = self.model.term_frequency
        self._tf_reference = tf.reference
        self._tf = (tf.max_up, tf.max_down, tf.min_frequency, tf.pseudo_count)
        m_name = self.model.m["name"]
        u_name = self.model.u["name"]
        one_token = sum(u_name[i] for i in _ONE_TOKEN)
        #: log2 m of each name level: with a register, a name level whose agreeing name has a
        #: frequency is weighed against that name's share of the population, not against u.
        #: The levels at which one token agrees share that event, whose chance among other
        #: people is the token's frequency f; what tells them apart (the tokens left over) is
        #: weighed by its own share among other people who agree on one token, so that the
        #: level's Bayes factor is m / (f · u(level) / u(one token agrees)) (ADR 49).
        self._log_m_name = tuple(
            math.log2(m) - (math.log2(u_name[i] / one_token) if i in _ONE_TOKEN else 0.0)
            for i, m in enumerate(m_name)
        )
        self._by_frequency = tuple(
            i < len(tf.reference) and tf.reference[i] > 0 for i in range(len(m_name))
        )
        prior = self.thresholds.membership_prior
        #: log2 of the prior odds that the subject is a protected person at all.
        self._prior = math.log2(prior / (1.0 - prior))
        # A candidate that cannot reach a 64th of the hold probability is not worth comparing
        # names for: even hundreds of them change P(any) by little.
        hold = self.thresholds.hold_probability / 64
        self._prune_below = math.log2(hold / (1.0 - hold))

    # -- public -----------------------------------------------------------------------------

    def match(
        self, subject: IdentityRecord | PreparedIdentity, source: CandidateSource
    ) -> MatchResult:
        """Decide about one subject against every identity ``source`` can offer."""
        prepared = subject if isinstance(subject, PreparedIdentity) else prepare(subject)
        counts, capped, fetched, size = self.retrieve(prepared, source)
        candidates = list(fetched)
        crowd = max(name_crowd(prepared, counts), 1)
        prune_below = self._prune_below if self.prune else None
        scored: list[_Scored] = []
        considered = 0
        ceiling = self._name_ceiling(size, crowd)
        by_token = self._by_token(prepared, candidates)
        most = {
            field: (max(0.0, *(p[0] for p in v.values())), max(0.0, *(p[1] for p in v.values())))
            for field, v in by_token.items()
        }
        for register_id, candidate in candidates:
            considered += 1
            item = self._score(
                prepared,
                register_id,
                candidate,
                counts,
                size,
                prune_below,
                crowd,
                ceiling,
                by_token,
                most,
            )
            if item is not None:
                scored.append(item)
        return self._decide(prepared, scored, capped, considered)

    def retrieve(
        self, prepared: PreparedIdentity, source: CandidateSource
    ) -> tuple[Mapping[str, int], list[str], Iterable[tuple[Hashable, PreparedIdentity]], int]:
        """Blocking: (key counts, capped keys, candidates, register size) for a subject.

        A source that can name its tokens one edit from the subject's (``similar_tokens``,
        the register held in memory) is also asked for the pairs they make (``near_keys``)."""
        keys = query_keys(prepared)
        similar_tokens = getattr(source, "similar_tokens", None)
        if similar_tokens is not None:
            tokens = {t for names in name_key_sets(prepared) for t in names}
            keys |= near_keys(prepared, similar_tokens(tokens))
        counts = source.key_counts(keys)
        cap, token_cap = self.thresholds.key_cap, self.thresholds.token_key_cap
        usable: list[str] = []
        capped: list[str] = []
        for key in keys:
            count = counts.get(key, 0)
            if count:
                limit = token_cap if key[0] in "tb" else cap
                (usable if count <= limit else capped).append(key)
        return counts, capped, source.candidates(usable), max(len(source), 1)

    def match_many(
        self, subjects: Iterable[IdentityRecord | PreparedIdentity], source: CandidateSource
    ) -> list[MatchResult]:
        """Decide about many subjects (a sweep); results are in the order given."""
        return [self.match(subject, source) for subject in subjects]

    def score_pair(self, subject: PreparedIdentity, candidate: PreparedIdentity) -> CandidateScore:
        """Score two prepared identities directly (no register, no name-frequency data)."""
        scored = self._score(subject, None, candidate, {}, 0)
        assert scored is not None
        return self._explain(subject, scored)

    # -- scoring ----------------------------------------------------------------------------

    def _score(
        self,
        s: PreparedIdentity,
        register_id: Hashable,
        c: PreparedIdentity,
        counts: Mapping[str, int],
        size: int,
        prune_below: float | None = None,
        crowd: int = 1,
        ceiling: float = math.inf,
        by_token: Mapping[str, Mapping[str, tuple[float, float]]] | None = None,
        most: Mapping[str, tuple[float, float]] | None = None,
    ) -> _Scored | None:
        """Score one pair: the log2 posterior odds that ``c`` is the subject.

        Against a register of ``size`` identities (docs/adr/0008): the prior odds
        ``π / (1 − π) / size`` that the subject is this one identity, times the name's Bayes
        factor against people in general, times ``m / u`` of the other fields (u among people
        who share a name token, as names and nationality go together). The name's Bayes factor
        is ``m / f`` with ``f`` the share of the population carrying the agreeing name
        (estimated from the register, smoothed), or for a level without a name to count
        (a fuzzy or no agreement) ``m / (u · crowd / size)``. When one token of a name of
        ``k`` agrees, ``m`` is shared among the ``k`` tokens it could have been
        (``_which_token``). Without a register
        (``size`` 0, ``score_pair``) the weight is the plain sum of ``log2(m / u)``.

        With ``prune_below``, return None (without comparing names, the costly part) when
        even the best name agreement (``ceiling``) could not reach that weight."""
        weights = self._weights
        dob = compare_dob(s.date_of_birth, c.date_of_birth)
        sex = compare_value(s.sex, c.sex)
        nationality = compare_nationality(s.nationality, c.nationality)
        passport = compare_document(s.passport_number, c.passport_number)
        ho_ref = compare_document(s.home_office_reference, c.home_office_reference)
        address = compare_address(s.address, s.postcode, c.address, c.postcode)
        rest = (dob, sex, nationality, passport, ho_ref, address)
        total = self._prior if size else 0.0
        for field_weights, level in zip(weights[1:], rest, strict=True):
            if level != MISSING:
                total += field_weights[level]
        levels = {"sex": sex, "nationality": nationality}
        if prune_below is not None:
            # The most sex and nationality can weigh more, given any agreeing token.
            bound = 0.0
            if most:
                for field, pair in most.items():
                    if levels[field] != MISSING:
                        bound += pair[levels[field]]
            if total + bound + ceiling < prune_below:
                return None
        shifts = {}
        name = compare_names(s.names, c.names, s.han_readings, c.han_readings)
        if by_token:
            for field, shifts_by_token in by_token.items():
                if levels[field] != MISSING:
                    shifts[field] = self._token_shift(name, levels[field], shifts_by_token)
                    total += shifts[field]
        name_weight = weights[0][name.level]
        population = self._name_population(name, counts, size, crowd) if size else 0.0
        if size and name.level in _ONE_TOKEN:
            population -= _which_token(s.names[name.subject_name])
        return (
            total + name_weight + population,
            register_id,
            (name.level, *rest),
            name,
            population,
            c,
            self._prior if size else 0.0,
            shifts,
        )

    def _by_token(
        self, s: PreparedIdentity, candidates: list[tuple[Hashable, PreparedIdentity]]
    ) -> dict[str, dict[str, tuple[float, float]]]:
        """``_field_by_token`` for sex and nationality: the fields that go with names."""
        found = {}
        for field in _WITH_NAMES:
            shifts = self._field_by_token(s, candidates, field)
            if shifts:
                found[field] = shifts
        return found

    def _field_by_token(
        self, s: PreparedIdentity, candidates: list[tuple[Hashable, PreparedIdentity]], field: str
    ) -> dict[str, tuple[float, float]]:
        """For each of the subject's name tokens (its phonetic key), how the nationality's
        weight moves when that token is the name that agrees: (agree, disagree) in bits.

        The model's ``u`` of a nationality that agrees is its share among all pairs that
        share a name token; among the people who carry one particular token it can be far
        higher (a name found in one country only) or lower. The candidates fetched for the
        subject that carry the token are a sample of those people: the share of them whose
        nationality agrees with the subject's, smoothed towards the model's ``u`` as if
        ``nationality_pseudo_count`` more had been seen, replaces ``u``. An agreement is never
        made evidence against, nor a disagreement evidence for (ADR 49)."""
        nationality = getattr(s, field)
        if not nationality or not candidates:
            return {}
        compare = compare_nationality if field == "nationality" else compare_value
        keys = {k for names in name_key_sets(s) for k in names}
        token_keys = [(k, f"t:{k}") for k in keys]
        tallies = {k: [0, 0] for k in keys}
        for _, c in candidates:
            other = getattr(c, field)
            if not other:
                continue
            if other == nationality:
                agree = 1
            elif compare(nationality, other) == MISSING:
                continue
            else:
                agree = 0
            # A register's own identities carry their blocking keys; others are read again.
            held = c.keys
            if held:
                for k, key in token_keys:
                    if key in held:
                        tally = tallies[k]
                        tally[0] += agree
                        tally[1] += 1
            else:
                for k in keys & _carried(c.names):
                    tally = tallies[k]
                    tally[0] += agree
                    tally[1] += 1
        m_agree, m_disagree = self.model.m[field]
        u_agree = self.model.u[field][0]
        w_agree, w_disagree = self._weights[FIELDS.index(field)]
        shifts = {}
        for k, (agree, seen) in tallies.items():
            if not seen:
                continue
            alpha = self.nationality_pseudo_count
            u = min(max((agree + alpha * u_agree) / (seen + alpha), 0.001), 0.999)
            shifts[k] = (
                max(math.log2(m_agree / u), 0.0) - w_agree,
                min(math.log2(m_disagree / (1.0 - u)), 0.0) - w_disagree,
            )
        return shifts

    @staticmethod
    def _token_shift(
        name: NameComparison, level: int, by_token: Mapping[str, tuple[float, float]]
    ) -> float:
        """The nationality's shift for the tokens that agree: the least informative of them
        (the one whose carriers most often share the subject's nationality)."""
        if name.level not in NAME_TOKEN_LEVELS:
            return 0.0
        shifts = [
            by_token[k][level]
            for k in {skeleton(t) for t in name.strong_tokens if len(t) >= 2}
            if k in by_token
        ]
        return min(shifts) if shifts else 0.0

    def _name_population(
        self, name: NameComparison, counts: Mapping[str, int], size: int, crowd: int
    ) -> float:
        """What turns the name's ``log2(m / u)`` into its Bayes factor against people in
        general, plus the ``−log2(size)`` of the prior (bits)."""
        level = name.level
        if self._by_frequency[level]:
            frequency = self._frequency(name, counts, size)
            if frequency is not None:
                # log2(m / f) − log2(size) − log2(m / u)
                return (
                    self._log_m_name[level]
                    - self._weights[0][level]
                    - math.log2(frequency * self._extent(size))
                )
        if level == _NAME_NONE:
            # Sharing no name token is what almost everyone does: u among people in general ≈ 1.
            return -math.log2(self._extent(size)) + (
                self._log_m_name[level] - self._weights[0][level]
            )
        # u among people who share a name token, times the share of people who do.
        return -math.log2(crowd) - math.log2(self._extent(size) / size)

    def _extent(self, size: int) -> float:
        """The register's size for the prior, with the same pseudo-count as the name frequency:
        each identity's prior is π / (size + pseudo_count), so that a namesake's odds are about
        π / (1 − π) · m / (count + pseudo_count · reference), and a register too small to say
        how common a name is cannot make any one namesake a near-certainty."""
        return size + self._tf[3]

    def _frequency(
        self, name: NameComparison, counts: Mapping[str, int], size: int
    ) -> float | None:
        """Estimated share of the population carrying the agreeing name, the candidate
        included: ``(count + pseudo_count · reference) / (size + pseudo_count)``."""
        count = name_count(name, counts)
        if count is None:
            return None
        count += 1  # the candidate itself carries the name
        _max_up, _max_down, min_frequency, pseudo_count = self._tf
        reference = self._tf_reference[name.level]
        frequency = (count + pseudo_count * reference) / (size + pseudo_count)
        return max(frequency, min_frequency)

    def _name_ceiling(self, size: int, crowd: int) -> float:
        """The largest name weight any candidate could get in this register."""
        if not size:
            return max(self._weights[0])
        best = -math.inf
        _max_up, _max_down, min_frequency, pseudo_count = self._tf
        for level, weight in enumerate(self._weights[0]):
            if self._by_frequency[level]:
                reference = self._tf_reference[level]
                frequency = max(
                    (1 + pseudo_count * reference) / (size + pseudo_count), min_frequency
                )
                best = max(
                    best, self._log_m_name[level] - math.log2(frequency * self._extent(size))
                )
            if level == _NAME_NONE:
                best = max(best, self._log_m_name[level] - math.log2(self._extent(size)))
            else:
                best = max(best, weight - math.log2(crowd * self._extent(size) / size))
        return best

    # -- deciding ---------------------------------------------------------------------------

    @staticmethod
    def _p(weight: float, total_odds: float | None) -> float:
        """A candidate's probability among the others (``total_odds``), or alone."""
        if total_odds is None:
            return probability(weight)
        if total_odds == math.inf:
            return 1.0 if weight > 1000 else 0.0
        return odds(weight) / (1.0 + total_odds)

    def _decision(self, p: float) -> Decision:
        if p >= self.thresholds.block_probability:
            return "match"
        if p >= self.thresholds.hold_probability:
            return "possible"
        return "none"

    def _decide(
        self,
        s: PreparedIdentity,
        scored: list[_Scored],
        capped: list[str],
        considered: int,
    ) -> MatchResult:
        scored.sort(key=lambda item: item[0], reverse=True)
        reasons: list[str] = []
        # The candidates are exclusive hypotheses (the subject is at most one of them) beside
        # "none of them": each weight is the log2 posterior odds of one candidate against
        # "none", so P(candidate i) = o_i / (1 + sum o) and P(any) = sum o / (1 + sum o).
        total_odds = sum(odds(item[0]) for item in scored)
        any_probability = total_odds / (1.0 + total_odds) if total_odds != math.inf else 1.0
        best = self._p(scored[0][0], total_odds) if scored else 0.0
        decision: Decision = "none"
        if best >= self.thresholds.block_probability:
            decision = "match"
        elif any_probability >= self.thresholds.hold_probability:
            decision = "possible"
        held = [
            item for item in scored if probability(item[0]) >= self.thresholds.hold_probability
        ]
        if decision == "possible" and not held and scored:
            held = scored[:1]  # many weak candidates together: the strongest stands for them
        wanted = set(_wanted(s, [item[5] for item in held])) if decision == "possible" else set()
        if not s.has_date_of_birth and any(k.startswith("n:") for k in capped):
            if decision == "none":
                decision = "possible"
            wanted |= set(_wanted(s, ()))
            wanted.add("date_of_birth")
            reasons.append(
                "held: the name is shared by too many protected identities to rank them "
                "without a date of birth"
            )
        if not considered:
            reasons.append("no candidate shares a blocking key")
        explained = [
            self._explain(s, item, total_odds=total_odds)
            for item in scored[: max(self.explain_top, 1)]
        ]
        if decision != "none" and explained and all(c.decision == "none" for c in explained):
            # Held by the candidates together: the strongest is named, so that the review has
            # someone to look at.
            explained[0] = dataclasses.replace(
                explained[0],
                decision="possible",
                rule="held: together with the other candidates it reaches the hold probability",
            )
        return MatchResult(
            decision=decision,
            best_weight=scored[0][0] if scored else None,
            candidates=tuple(explained),
            reasons=tuple(reasons),
            candidates_considered=considered,
            model_version=self.version,
            probability=any_probability,
            would_resolve=tuple(f for f in EVIDENCE_FIELDS if f in wanted),
        )

    def _explain(
        self,
        s: PreparedIdentity,
        item: _Scored,
        decision: Decision | None = None,
        rule: str = "",
        total_odds: float | None = None,
    ) -> CandidateScore:
        weight, register_id, levels, name, population, c, prior, shifts = item
        fields = []
        for field, level, weights in zip(FIELDS, levels, self._weights, strict=True):
            if level == MISSING:
                fields.append(FieldComparison(field, "missing", 0.0))
            else:
                detail = ""
                if field == "name" and s.names and c.names:
                    detail = (
                        f"{' '.join(s.names[name.subject_name])} ~ "
                        f"{' '.join(c.names[name.candidate_name])}"
                    )
                weight_here = weights[level]
                if shifts.get(field):
                    weight_here += shifts[field]
                    detail = "among the people who carry the agreeing name"
                fields.append(FieldComparison(field, LEVELS[field][level], weight_here, detail))
        if population:
            fields.append(
                FieldComparison(
                    "name_frequency",
                    "in the population",
                    population,
                    "the name's share of people in general and the register's size",
                )
            )
        if prior:
            fields.append(FieldComparison("prior", "membership", prior, "π / (1 − π)"))
        p = self._p(weight, total_odds)
        return CandidateScore(
            register_id=register_id,
            weight=weight,
            probability=p,
            decision=decision or self._decision(p),
            fields=tuple(fields),
            rule=rule,
        )
