"""Learning m and u without labels (``tools.matching.em``, ADR 39): u from the register's own
pairs of namesakes, m and the share of members by EM over the candidates blocking offers."""

from __future__ import annotations

import math
import random
from functools import cache

from tools.matching.em import _candidate_pairs, _log_m, em_m, register_u
from tools.matching.synth import generate

from safeshare.matching import InMemoryRegister, Matcher, load_model, prepare
from safeshare.matching.compare import FIELDS, LEVELS


@cache
def development():
    data = generate(4_242, 400, 100, 100)  # half the subjects are on the register
    register = InMemoryRegister((i, prepare(r)) for i, r in data.register)
    return register, [prepare(s.record) for s in data.subjects]


def test_u_from_the_register_is_a_distribution_where_chance_agreement_is_rare():
    register, _ = development()
    u = register_u([register], Matcher(prune=False), random.Random(1), 5)
    for name in FIELDS:
        assert len(u[name]) == len(LEVELS[name])
        assert math.isclose(sum(u[name]), 1.0, abs_tol=1e-6)
    dob = dict(zip(LEVELS["dob"], u["dob"], strict=True))
    assert dob["exact"] < 0.01 < dob["diff"]  # namesakes rarely share a date of birth


def test_a_candidates_weight_is_rebuilt_exactly_from_its_levels_and_m():
    register, subjects = development()
    matcher = Matcher(explain_top=100_000, prune=False)
    pairs = _candidate_pairs(matcher, subjects[:30], register)
    for subject, subject_pairs in zip(subjects[:30], pairs, strict=True):
        weights = sorted(c.weight for c in matcher.match(subject, register).candidates)
        rebuilt = sorted(
            offset + _log_m(matcher.model, levels) for levels, offset in subject_pairs
        )
        assert len(rebuilt) == len(weights)
        assert all(math.isclose(a, b, abs_tol=1e-9) for a, b in zip(rebuilt, weights, strict=True))


def test_em_finds_the_share_of_members_and_agreement_that_marks_a_match():
    register, subjects = development()
    base = load_model()
    pairs = _candidate_pairs(Matcher(base, prune=False), subjects, register)
    model, expected, share = em_m(base, pairs, 3)
    assert 0.3 < share < 0.7, share  # half the subjects are members
    assert len(expected) == 3
    dob_m = dict(zip(LEVELS["dob"], model.m["dob"], strict=True))
    dob_u = dict(zip(LEVELS["dob"], model.u["dob"], strict=True))
    assert dob_m["exact"] > 0.3 > 100 * dob_u["exact"]
    assert model.version != base.version
