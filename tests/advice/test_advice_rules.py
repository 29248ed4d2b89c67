"""Tests for the condition language: parsing, checking and three-valued evaluation."""

from datetime import date

import pytest

from safeshare.advice.rules import (
    AllOf,
    Comparison,
    FactKind,
    FactSpec,
    Not,
    Operator,
    RuleDataError,
    evaluate,
    facts_used,
    parse_condition,
)

FACTS = {
    "flag": FactSpec("flag", FactKind.BOOL, "A yes/no fact."),
    "colour": FactSpec("colour", FactKind.CHOICE, "A choice.", frozenset({"red", "green"})),
    "count": FactSpec("count", FactKind.NUMBER, "A number."),
    "day": FactSpec("day", FactKind.DATE, "A date."),
}


def parse(data, named=None):
    return parse_condition(data, facts=FACTS, where="test.toml, rule 'r'", named=named)


def value_of(data, **facts):
    return evaluate(parse(data), lambda name: facts.get(name)).value


@pytest.mark.parametrize(
    ("condition", "facts", "expected"),
    [
        ({"fact": "flag", "is": True}, {"flag": True}, True),
        ({"fact": "flag", "is": True}, {"flag": False}, False),
        ({"fact": "colour", "in": ["red"]}, {"colour": "red"}, True),
        ({"fact": "colour", "in": ["red"]}, {"colour": "green"}, False),
        ({"fact": "colour", "not_in": ["red"]}, {"colour": "green"}, True),
        ({"fact": "count", "gte": 20}, {"count": 20}, True),
        ({"fact": "count", "gte": 20}, {"count": 19.9}, False),
        ({"fact": "count", "gt": 20}, {"count": 20}, False),
        ({"fact": "count", "lte": 20}, {"count": 20}, True),
        ({"fact": "count", "lt": 20}, {"count": 20}, False),
        ({"fact": "count", "between": [18, 24]}, {"count": 18}, True),
        ({"fact": "count", "between": [18, 24]}, {"count": 24}, True),
        ({"fact": "count", "between": [18, 24]}, {"count": 25}, False),
        ({"fact": "day", "lte": date(2020, 12, 31)}, {"day": date(2020, 12, 31)}, True),
        ({"fact": "day", "lte": date(2020, 12, 31)}, {"day": date(2021, 1, 1)}, False),
        ({"fact": "count", "known": False}, {}, True),
        ({"fact": "count", "known": True}, {}, False),
        ({"fact": "count", "known": True}, {"count": 0}, True),
    ],
)
def test_each_operator_compares_known_facts(condition, facts, expected):
    """Test that each operator gives the right answer on known facts."""
    assert value_of(condition, **facts) is expected


def test_comparison_on_an_unknown_fact_is_unknown_and_names_the_fact():
    """Test that comparing an unknown fact gives unknown, not false."""
    outcome = evaluate(parse({"fact": "count", "gte": 20}), lambda name: None)
    assert outcome.value is None
    assert outcome.unknown_facts == {"count"}


@pytest.mark.parametrize(
    ("combinator", "parts", "expected"),
    [
        ("all", [True, None], None),
        ("all", [False, None], False),
        ("all", [True, True], True),
        ("any", [False, None], None),
        ("any", [True, None], True),
        ("any", [False, False], False),
    ],
)
def test_all_and_any_follow_three_valued_logic(combinator, parts, expected):
    """Test that false settles 'all' and true settles 'any', even beside unknowns."""
    names = [f"f{index}" for index in range(len(parts))]
    facts = {name: FactSpec(name, FactKind.BOOL, "") for name in names}
    condition = parse_condition(
        {combinator: [{"fact": name, "is": True} for name in names]},
        facts=facts,
        where="test",
    )
    values = dict(zip(names, parts, strict=True))
    assert evaluate(condition, values.get).value is expected


def test_not_keeps_unknown_unknown():
    """Test that negating an unknown stays unknown."""
    assert value_of({"not": {"fact": "flag", "is": True}}) is None
    assert value_of({"not": {"fact": "flag", "is": True}}, flag=False) is True


def test_ref_uses_a_named_condition():
    """Test that a ref is replaced by the named condition it points to."""
    named = {"adult": parse({"fact": "count", "gte": 18})}
    condition = parse({"all": [{"ref": "adult"}, {"fact": "flag", "is": True}]}, named=named)
    assert isinstance(condition, AllOf)
    assert condition.parts[0] == Comparison("count", Operator.GTE, 18)
    assert evaluate(condition, {"count": 30, "flag": True}.get).value is True


def test_facts_used_lists_every_fact_read():
    """Test that facts_used finds facts inside nested combinators."""
    condition = parse(
        {"all": [{"not": {"fact": "flag", "is": True}}, {"any": [{"fact": "count", "gt": 1}]}]}
    )
    assert facts_used(condition) == {"flag", "count"}
    assert isinstance(condition.parts[0], Not)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fact": "colur", "in": ["red"]}, "unknown fact 'colur'"),
        ({"fact": "count", "atleast": 3}, "unknown operator 'atleast'"),
        ({"fact": "count", "in": ["red"]}, "operator 'in' does not work on number fact 'count'"),
        ({"fact": "colour", "in": ["blue"]}, "unknown choices ['blue']"),
        ({"fact": "colour", "in": []}, "non-empty list"),
        ({"fact": "colour", "in": ["red", "red"]}, "twice"),
        ({"fact": "flag", "is": "yes"}, "needs true or false"),
        ({"fact": "count", "gte": "20"}, "needs a number"),
        ({"fact": "count", "gte": True}, "needs a number"),
        ({"fact": "day", "lte": "2020-12-31"}, "needs a date"),
        ({"fact": "count", "between": [24, 18]}, "low bound 24 is above high bound 18"),
        ({"fact": "count", "between": [18]}, "two bounds"),
        ({"fact": "count"}, "exactly one operator"),
        ({"fact": "count", "gte": 1, "lte": 2}, "exactly one operator"),
        ({"all": []}, "non-empty list"),
        ({"all": [{"fact": "flag", "is": True}], "any": []}, "use one of"),
        ({"fact": "flag", "is": True, "all": []}, "cannot mix 'fact'"),
        ({"ref": "nowhere"}, "unknown named condition 'nowhere'"),
        ({"when": 1}, "needs 'fact' or one of"),
        (["fact", "flag"], "must be a table"),
    ],
)
def test_malformed_conditions_fail_with_a_clear_message(data, message):
    """Test that bad condition data is refused with a message naming the file and rule."""
    with pytest.raises(RuleDataError) as error:
        parse(data)
    assert "test.toml, rule 'r'" in str(error.value)
    assert message in str(error.value)
