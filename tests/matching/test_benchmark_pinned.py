"""A pinned small benchmark: fixed seed, a few thousand identities, recall floor.

The seed differs from training's (python -m tools.matching.train) and from
bench/matching.py's evaluation seeds. Floors sit a little under the measured figures so that
a real regression fails while the test stays deterministic. Decision by probability (ADR 8,
hold at P(any protected person) >= 0.2, membership prior 0.8, the shipped setting): recall
0.990, review 0.052 with the model trained on both generators (ADR 18; before it, 0.990 and
0.048; membership prior 0.5: recall 0.968, review 0.022).
Blocking that also finds a common name with a date error (ADR 29): recall 0.9925, review
0.057 (before, 0.990 and 0.052): the candidates blocking used to lose are now scored.
A slip in the year weighed apart from one in the day or month (ADR 39): recall 0.9925,
review 0.0567.
One agreeing token of a name of k weighed with m(one) / k, a level of its own for one token
shared with two on each side that differ, π 0.88 (ADR 40): recall 0.9925, review 0.050.
Left-over tokens that are alike (one_near), sex and nationality weighed among the people who
carry the agreeing name (ADR 49): at π 0.89 recall 0.9925, review 0.0433; at π 0.91, as
shipped (so that development recall is no lower at 10^4 or 10^5), recall 0.9925, review 0.0533.
(The earlier weight threshold, 0.8 in probability, gave 0.988 and 0.008 before the clearance's
safety net, which then held far more at scale.)
"""

from functools import cache

from tools.matching.synth import generate

from safeshare.matching import InMemoryRegister, Matcher, load_model, prepare

RECALL_FLOOR = 0.985
REVIEW_CEILING = 0.055


@cache
def results():
    data = generate(31_337, 3_000, 400, 600)
    register = InMemoryRegister((i, prepare(r)) for i, r in data.register)
    decisions = Matcher(load_model()).match_many([s.record for s in data.subjects], register)
    return data.subjects, decisions


def test_recall_of_members_stays_above_the_floor():
    subjects, decisions = results()
    members = [d for s, d in zip(subjects, decisions, strict=True) if s.member_of is not None]
    recall = sum(d.decision != "none" for d in members) / len(members)
    assert recall >= RECALL_FLOOR, recall


def test_review_load_of_non_members_stays_below_the_ceiling():
    subjects, decisions = results()
    others = [d for s, d in zip(subjects, decisions, strict=True) if s.member_of is None]
    review = sum(d.decision != "none" for d in others) / len(others)
    assert review <= REVIEW_CEILING, review


def test_blocked_decisions_are_precise():
    subjects, decisions = results()
    blocked = [(s, d) for s, d in zip(subjects, decisions, strict=True) if d.decision == "match"]
    right = sum(1 for s, d in blocked if s.member_of == d.best.register_id)
    assert blocked
    assert right / len(blocked) >= 0.98
