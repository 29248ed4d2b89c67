"""Rule data: a small, safe condition language and the route file format.

This module knows nothing about victims; ``eligibility.py`` supplies the facts. It has two parts:
a three-valued condition evaluator, and the loader that checks route files and their dates.

A condition is a TOML table. It is either a combinator over other conditions::

    { all = [ ... ] }    { any = [ ... ] }    { not = { ... } }    { ref = "named_condition" }

or one comparison on a named fact::

    { fact = "visa_category", in = ["partner_of_student"] }
    { fact = "years_residence", gte = 20 }
    { fact = "age", between = [18, 24] }
    { fact = "uk_arrival_date", lte = 2020-12-31 }
    { fact = "relationship_broke_down_due_to_abuse", is = true }
    { fact = "age", known = false }

Facts may be unknown (``None``). Evaluation uses three-valued (Kleene) logic: a comparison on an
unknown fact is unknown, ``all`` is false if any part is false, ``any`` is true if any part is
true. So a route is never ruled out only because we lack a fact, and a route that already
applies keeps applying when we learn more.

Conditions are parsed and checked once, when the data loads: unknown facts, unknown operators
and values of the wrong type raise :class:`RuleDataError` naming the file and rule. Nothing is
ever passed to ``eval``.
"""

from __future__ import annotations

import hashlib
import itertools
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any


class RuleDataError(ValueError):
    """Rule data is malformed. The message names the file and the rule."""


class FactKind(StrEnum):
    """The type of a fact, which decides the operators it accepts."""

    BOOL = "bool"
    CHOICE = "choice"
    NUMBER = "number"
    DATE = "date"


class Operator(StrEnum):
    """A comparison a condition can make on one fact."""

    IS = "is"
    IN = "in"
    NOT_IN = "not_in"
    GTE = "gte"
    GT = "gt"
    LTE = "lte"
    LT = "lt"
    BETWEEN = "between"
    KNOWN = "known"


OPERATORS_BY_KIND: Mapping[FactKind, frozenset[Operator]] = {
    FactKind.BOOL: frozenset({Operator.IS, Operator.KNOWN}),
    FactKind.CHOICE: frozenset({Operator.IN, Operator.NOT_IN, Operator.KNOWN}),
    FactKind.NUMBER: frozenset(
        {Operator.GTE, Operator.GT, Operator.LTE, Operator.LT, Operator.BETWEEN, Operator.KNOWN}
    ),
    FactKind.DATE: frozenset(
        {Operator.GTE, Operator.GT, Operator.LTE, Operator.LT, Operator.BETWEEN, Operator.KNOWN}
    ),
}

_COMBINATORS = frozenset({"all", "any", "not", "ref"})


@dataclass(frozen=True)
class FactSpec:
    """What the rule data may say about one fact."""

    name: str
    kind: FactKind
    description: str
    choices: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Comparison:
    """One comparison on one fact."""

    fact: str
    operator: Operator
    value: Any


@dataclass(frozen=True)
class AllOf:
    """True when every part is true."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """True when at least one part is true."""

    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """True when the part is false."""

    part: Condition


type Condition = Comparison | AllOf | AnyOf | Not


@dataclass(frozen=True)
class Outcome:
    """The result of evaluating a condition.

    ``value`` is ``None`` when the answer depends on facts we do not know; ``unknown_facts``
    then names them.
    """

    value: bool | None
    unknown_facts: frozenset[str] = frozenset()


type FactLookup = Callable[[str], object]


def parse_condition(
    data: object,
    *,
    facts: Mapping[str, FactSpec],
    where: str,
    named: Mapping[str, Condition] | None = None,
) -> Condition:
    """Check a condition table and turn it into a condition tree.

    ``where`` names the file and rule for error messages. ``named`` holds the conditions a
    ``ref`` may point to.
    """
    named = named or {}
    if not isinstance(data, dict):
        raise RuleDataError(f"{where}: a condition must be a table, not {data!r}")
    keys = set(data)
    combinators = keys & _COMBINATORS
    if combinators and "fact" in keys:
        raise RuleDataError(f"{where}: a condition cannot mix 'fact' with {sorted(combinators)}")
    if len(combinators) > 1:
        raise RuleDataError(f"{where}: use one of {sorted(combinators)} per condition, not all")
    if combinators:
        (key,) = combinators
        if extra := keys - {key}:
            raise RuleDataError(f"{where}: unexpected keys {sorted(extra)} next to '{key}'")
        return _parse_combinator(key, data[key], facts=facts, where=where, named=named)
    if "fact" in keys:
        return _parse_comparison(data, facts=facts, where=where)
    raise RuleDataError(
        f"{where}: a condition needs 'fact' or one of {sorted(_COMBINATORS)}; got {sorted(keys)}"
    )


def _parse_combinator(
    key: str,
    value: object,
    *,
    facts: Mapping[str, FactSpec],
    where: str,
    named: Mapping[str, Condition],
) -> Condition:
    if key == "ref":
        if not isinstance(value, str) or value not in named:
            known = ", ".join(sorted(named)) or "none"
            raise RuleDataError(f"{where}: unknown named condition {value!r} (known: {known})")
        return named[value]
    if key == "not":
        return Not(parse_condition(value, facts=facts, where=where, named=named))
    if not isinstance(value, list) or not value:
        raise RuleDataError(f"{where}: '{key}' needs a non-empty list of conditions")
    parts = tuple(
        parse_condition(item, facts=facts, where=f"{where} > {key}[{index}]", named=named)
        for index, item in enumerate(value)
    )
    return AllOf(parts) if key == "all" else AnyOf(parts)


def _parse_comparison(
    data: dict[str, object], *, facts: Mapping[str, FactSpec], where: str
) -> Comparison:
    name = data["fact"]
    if not isinstance(name, str) or name not in facts:
        raise RuleDataError(
            f"{where}: unknown fact {name!r} (known facts: {', '.join(sorted(facts))})"
        )
    spec = facts[name]
    operator_keys = set(data) - {"fact"}
    if len(operator_keys) != 1:
        raise RuleDataError(
            f"{where}: fact '{name}' needs exactly one operator, got {sorted(operator_keys)}"
        )
    (operator_key,) = operator_keys
    try:
        operator = Operator(operator_key)
    except ValueError:
        known = ", ".join(sorted(Operator))
        raise RuleDataError(
            f"{where}: unknown operator {operator_key!r} on fact '{name}' (known: {known})"
        ) from None
    if operator not in OPERATORS_BY_KIND[spec.kind]:
        allowed = ", ".join(sorted(OPERATORS_BY_KIND[spec.kind]))
        raise RuleDataError(
            f"{where}: operator '{operator}' does not work on {spec.kind} fact '{name}' "
            f"(use one of: {allowed})"
        )
    value = _check_value(spec, operator, data[operator_key], where=where)
    return Comparison(fact=name, operator=operator, value=value)


def _check_value(spec: FactSpec, operator: Operator, value: object, *, where: str) -> object:
    label = f"{where}: '{spec.name} {operator}'"
    if operator in {Operator.IS, Operator.KNOWN}:
        if not isinstance(value, bool):
            raise RuleDataError(f"{label} needs true or false, not {value!r}")
        return value
    if operator in {Operator.IN, Operator.NOT_IN}:
        if not isinstance(value, list) or not value:
            raise RuleDataError(f"{label} needs a non-empty list of choices")
        if unknown := [item for item in value if item not in spec.choices]:
            raise RuleDataError(
                f"{label}: unknown choices {unknown} (known: {', '.join(sorted(spec.choices))})"
            )
        if len(set(value)) != len(value):
            raise RuleDataError(f"{label} lists a choice twice")
        return frozenset(value)
    if operator is Operator.BETWEEN:
        if not isinstance(value, list) or len(value) != 2:
            raise RuleDataError(f"{label} needs a list of two bounds, [low, high]")
        low, high = (_check_scalar(spec, item, label=label) for item in value)
        if low > high:
            raise RuleDataError(f"{label}: low bound {low!r} is above high bound {high!r}")
        return (low, high)
    return _check_scalar(spec, value, label=label)


def _check_scalar(spec: FactSpec, value: object, *, label: str) -> Any:
    if spec.kind is FactKind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RuleDataError(f"{label} needs a number, not {value!r}")
        return value
    if isinstance(value, datetime) or not isinstance(value, date):
        raise RuleDataError(f"{label} needs a date such as 2020-12-31, not {value!r}")
    return value


def evaluate(condition: Condition, lookup: FactLookup) -> Outcome:
    """Evaluate a condition against facts, using three-valued logic."""
    match condition:
        case Comparison():
            return _compare(condition, lookup(condition.fact))
        case Not(part=part):
            inner = evaluate(part, lookup)
            return Outcome(None if inner.value is None else not inner.value, inner.unknown_facts)
        case AllOf(parts=parts):
            return _combine([evaluate(part, lookup) for part in parts], decisive=False)
        case AnyOf(parts=parts):
            return _combine([evaluate(part, lookup) for part in parts], decisive=True)
    raise TypeError(f"not a condition: {condition!r}")


def _combine(outcomes: list[Outcome], *, decisive: bool) -> Outcome:
    """Combine parts: ``decisive`` is the value that settles the whole (True for any)."""
    if any(outcome.value is decisive for outcome in outcomes):
        return Outcome(decisive)
    unknown = [outcome for outcome in outcomes if outcome.value is None]
    if unknown:
        return Outcome(None, frozenset().union(*(o.unknown_facts for o in unknown)))
    return Outcome(not decisive)


def _compare(comparison: Comparison, actual: object) -> Outcome:
    operator, expected = comparison.operator, comparison.value
    if operator is Operator.KNOWN:
        return Outcome((actual is not None) is expected)
    if actual is None:
        return Outcome(None, frozenset({comparison.fact}))
    match operator:
        case Operator.IS:
            result = actual is expected
        case Operator.IN:
            result = actual in expected
        case Operator.NOT_IN:
            result = actual not in expected
        case Operator.GTE:
            result = actual >= expected
        case Operator.GT:
            result = actual > expected
        case Operator.LTE:
            result = actual <= expected
        case Operator.LT:
            result = actual < expected
        case Operator.BETWEEN:
            low, high = expected
            result = low <= actual <= high
        case _:
            raise AssertionError(f"unhandled operator {operator}")
    return Outcome(bool(result))


def facts_used(condition: Condition) -> frozenset[str]:
    """Every fact name a condition reads."""
    match condition:
        case Comparison(fact=fact):
            return frozenset({fact})
        case Not(part=part):
            return facts_used(part)
        case AllOf(parts=parts) | AnyOf(parts=parts):
            return frozenset().union(*(facts_used(part) for part in parts))
    raise TypeError(f"not a condition: {condition!r}")


# --- Route files --------------------------------------------------------------------------


class Fit(StrEnum):
    """How a route fits the facts."""

    MAY_APPLY = "may_apply"
    NEEDS_CHECKING = "needs_checking"
    NOT_THIS_ROUTE = "not_this_route"


class FirstResponderAction(StrEnum):
    """Something the police officer (first responder) should do now."""

    NRM_REFERRAL = "nrm_referral"
    DUTY_TO_NOTIFY = "duty_to_notify"
    ASK_FOR_CONSENT = "ask_for_consent"
    CHECK_AGE = "check_age"


@dataclass(frozen=True)
class Source:
    """A source from domain.md §9 that a route relies on."""

    id: str
    title: str
    urls: tuple[str, ...]


@dataclass(frozen=True)
class FirstResponderPrompt:
    """An action the first responder should take now (R27)."""

    route_id: str
    action: FirstResponderAction
    text: str


@dataclass(frozen=True)
class Rule:
    """One dated way into a route (or, for ``not_this_route``, one reason it does not fit)."""

    id: str
    when: Condition
    reason: str
    outcome: Fit
    valid_from: date | None
    valid_to: date | None
    prompt: FirstResponderPrompt | None
    verified: bool
    note: str

    def in_force(self, on: date) -> bool:
        return _in_range(on, self.valid_from, self.valid_to)


@dataclass(frozen=True)
class RouteVersion:
    """The words of a route as they stood between two dates (both inclusive)."""

    valid_from: date
    valid_to: date | None
    legal_name: str
    summary: str
    evidence: tuple[str, ...]
    how_to_apply: str
    change: str
    sources: tuple[Source, ...]
    verified: bool
    note: str

    @property
    def id(self) -> str:
        return self.valid_from.isoformat()

    def in_force(self, on: date) -> bool:
        return _in_range(on, self.valid_from, self.valid_to)


@dataclass(frozen=True)
class Route:
    """A route to regularise immigration status, with its dated versions and rules."""

    id: str
    order: int
    file: str
    title: str
    legal_advice: str
    unsure_reason: str
    versions: tuple[RouteVersion, ...]
    rules: tuple[Rule, ...]
    not_this_route: tuple[Rule, ...]
    verified: bool
    note: str

    def version_on(self, on: date) -> RouteVersion | None:
        return next((version for version in self.versions if version.in_force(on)), None)


@dataclass(frozen=True)
class Catalogue:
    """All routes, and a digest of the data files so advice can be reproduced (R26)."""

    routes: tuple[Route, ...]
    digest: str

    @property
    def coverage_start(self) -> date:
        """The first date on which every route has a version in force."""
        return max(route.versions[0].valid_from for route in self.routes)

    def route(self, route_id: str) -> Route:
        for route in self.routes:
            if route.id == route_id:
                return route
        raise KeyError(route_id)


def _in_range(on: date, valid_from: date | None, valid_to: date | None) -> bool:
    return (valid_from is None or valid_from <= on) and (valid_to is None or on <= valid_to)


class DataTable:
    """A TOML table read with checks; every error names where it happened."""

    def __init__(self, data: object, where: str, allowed: Iterable[str]) -> None:
        if not isinstance(data, dict):
            raise RuleDataError(f"{where}: expected a table, got {data!r}")
        if unknown := sorted(set(data) - set(allowed)):
            raise RuleDataError(f"{where}: unknown keys {unknown}")
        self.data: dict[str, Any] = data
        self.where = where

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise RuleDataError(f"{self.where}: '{key}' must be non-empty text")
        return " ".join(value.split())

    def texts(self, key: str, default: object = None) -> tuple[str, ...]:
        value = self.data.get(key, default)
        if not isinstance(value, list) or not value:
            raise RuleDataError(f"{self.where}: '{key}' must be a non-empty list of text")
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise RuleDataError(f"{self.where}: every item in '{key}' must be non-empty text")
        return tuple(" ".join(item.split()) for item in value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise RuleDataError(f"{self.where}: '{key}' must be true or false")
        return value

    def day(self, key: str) -> date | None:
        value = self.data.get(key)
        if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
            raise RuleDataError(f"{self.where}: '{key}' must be a date such as 2024-02-16")
        return value

    def integer(self, key: str) -> int:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleDataError(f"{self.where}: '{key}' must be a whole number")
        return value

    def tables(self, key: str) -> list[Any]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise RuleDataError(f"{self.where}: '{key}' must be a list of tables")
        return value

    def verification(self) -> tuple[bool, str]:
        verified = self.flag("verified", True)
        note = " ".join(str(self.data.get("note", "")).split())
        if not verified and not note:
            raise RuleDataError(
                f"{self.where}: 'verified = false' needs a 'note' saying what to check"
            )
        return verified, note


_ROUTE_KEYS = {
    "id",
    "order",
    "title",
    "legal_name",
    "summary",
    "evidence",
    "how_to_apply",
    "legal_advice",
    "unsure_reason",
    "sources",
    "conditions",
    "versions",
    "rules",
    "not_this_route",
    "verified",
    "note",
}
_VERSION_KEYS = {
    "valid_from",
    "valid_to",
    "legal_name",
    "summary",
    "evidence",
    "how_to_apply",
    "change",
    "sources",
    "verified",
    "note",
}
_RULE_KEYS = {
    "id",
    "valid_from",
    "valid_to",
    "when",
    "reason",
    "outcome",
    "prompt",
    "verified",
    "note",
}


def load_catalogue(directory: Path, *, facts: Mapping[str, FactSpec]) -> Catalogue:
    """Load and check every route file in ``directory`` against the known ``facts``."""
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise RuleDataError(f"{directory}: no route files found")
    digest = hashlib.sha256()
    routes = []
    for path in paths:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        file = f"{directory.name}/{path.name}"
        routes.append(parse_route(raw.decode("utf-8"), file=file, facts=facts))
    check_unique([route.id for route in routes], "route id", directory.name)
    check_unique([str(route.order) for route in routes], "route order", directory.name)
    return Catalogue(tuple(sorted(routes, key=lambda r: r.order)), digest.hexdigest())


def parse_route(text: str, *, file: str, facts: Mapping[str, FactSpec]) -> Route:
    """Parse and check one route file. ``file`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RuleDataError(f"{file}: not valid TOML: {error}") from None
    table = DataTable(data, file, _ROUTE_KEYS)
    route_id = table.text("id")
    if Path(file).stem != route_id:
        raise RuleDataError(f"{file}: id {route_id!r} must match the file name")
    named = _parse_named_conditions(table, file, facts)
    versions = _parse_versions(table, file)
    start = versions[0].valid_from
    rules = _parse_rules(table, "rules", file, named, route_id, start, facts)
    not_this = _parse_rules(table, "not_this_route", file, named, route_id, start, facts)
    if not rules:
        raise RuleDataError(f"{file}: a route needs at least one rule")
    verified, note = table.verification()
    return Route(
        id=route_id,
        order=table.integer("order"),
        file=file,
        title=table.text("title"),
        legal_advice=table.text("legal_advice"),
        unsure_reason=table.text("unsure_reason"),
        versions=versions,
        rules=rules,
        not_this_route=not_this,
        verified=verified,
        note=note,
    )


def _parse_named_conditions(
    table: DataTable, file: str, facts: Mapping[str, FactSpec]
) -> dict[str, Condition]:
    raw = table.data.get("conditions", {})
    if not isinstance(raw, dict):
        raise RuleDataError(f"{file}: 'conditions' must be a table of named conditions")
    named: dict[str, Condition] = {}
    for name, condition in raw.items():
        # A named condition may use the ones defined before it, never itself or later ones.
        named[name] = parse_condition(
            condition, facts=facts, where=f"{file}, condition '{name}'", named=dict(named)
        )
    return named


def _parse_sources(raw: object, where: str) -> tuple[Source, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RuleDataError(f"{where}: 'sources' must be a list of tables")
    sources = []
    for index, item in enumerate(raw):
        source = DataTable(item, f"{where}, sources[{index}]", {"id", "title", "urls"})
        source_id = source.text("id")
        if not (source_id.startswith("S") and source_id[1:].isdigit()):
            raise RuleDataError(f"{source.where}: source id {source_id!r} must look like S38")
        urls = source.texts("urls")
        if not all(url.startswith(("https://", "http://")) for url in urls):
            raise RuleDataError(f"{source.where}: every url must start with http(s)://")
        sources.append(Source(source_id, source.text("title"), urls))
    return tuple(sources)


def _parse_versions(table: DataTable, file: str) -> tuple[RouteVersion, ...]:
    route_sources = _parse_sources(table.data.get("sources"), file)
    versions = []
    for index, item in enumerate(table.tables("versions")):
        version = DataTable(item, f"{file}, versions[{index}]", _VERSION_KEYS)
        valid_from = version.day("valid_from")
        if valid_from is None:
            raise RuleDataError(f"{version.where}: 'valid_from' is required")
        version.where = f"{file}, version {valid_from}"
        valid_to = version.day("valid_to")
        if valid_to is not None and valid_to < valid_from:
            raise RuleDataError(f"{version.where}: 'valid_to' is before 'valid_from'")
        verified, note = version.verification()
        versions.append(
            RouteVersion(
                valid_from=valid_from,
                valid_to=valid_to,
                legal_name=version.text("legal_name", table.data.get("legal_name")),
                summary=version.text("summary", table.data.get("summary")),
                evidence=version.texts("evidence", table.data.get("evidence")),
                how_to_apply=version.text("how_to_apply", table.data.get("how_to_apply")),
                change=version.text("change"),
                sources=route_sources + _parse_sources(version.data.get("sources"), version.where),
                verified=verified,
                note=note,
            )
        )
    if not versions:
        raise RuleDataError(f"{file}: a route needs at least one [[versions]] entry")
    versions.sort(key=lambda v: v.valid_from)
    for earlier, later in itertools.pairwise(versions):
        if earlier.valid_to is None or earlier.valid_to + timedelta(days=1) != later.valid_from:
            raise RuleDataError(
                f"{file}: version {later.valid_from} must start the day after version "
                f"{earlier.valid_from} ends (no gaps, no overlaps)"
            )
    if versions[-1].valid_to is not None:
        raise RuleDataError(f"{file}: the latest version must have no 'valid_to'")
    return tuple(versions)


def _parse_rules(
    table: DataTable,
    key: str,
    file: str,
    named: Mapping[str, Condition],
    route_id: str,
    start: date,
    facts: Mapping[str, FactSpec],
) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for index, item in enumerate(table.tables(key)):
        raw = DataTable(item, f"{file}, {key}[{index}]", _RULE_KEYS)
        rule_id = raw.text("id")
        kind = "rule" if key == "rules" else "not_this_route rule"
        raw.where = f"{file}, {kind} '{rule_id}'"
        valid_from, valid_to = raw.day("valid_from"), raw.day("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            raise RuleDataError(f"{raw.where}: 'valid_to' is before 'valid_from'")
        if valid_to is not None and valid_to < start:
            raise RuleDataError(f"{raw.where}: ends before the route's first version starts")
        if "when" not in raw.data:
            raise RuleDataError(f"{raw.where}: 'when' is required")
        when = parse_condition(raw.data["when"], facts=facts, where=raw.where, named=named)
        outcome = _rule_outcome(raw, key)
        prompt = None
        if raw.has("prompt"):
            if key == "not_this_route":
                raise RuleDataError(f"{raw.where}: 'prompt' is not allowed here")
            prompt_table = DataTable(
                raw.data["prompt"], f"{raw.where}, prompt", {"action", "text"}
            )
            try:
                action = FirstResponderAction(prompt_table.text("action"))
            except ValueError:
                known = ", ".join(FirstResponderAction)
                raise RuleDataError(
                    f"{prompt_table.where}: unknown action (known: {known})"
                ) from None
            prompt = FirstResponderPrompt(route_id, action, prompt_table.text("text"))
        verified, note = raw.verification()
        rule = Rule(
            id=rule_id,
            when=when,
            reason=raw.text("reason"),
            outcome=outcome,
            valid_from=valid_from,
            valid_to=valid_to,
            prompt=prompt,
            verified=verified,
            note=note,
        )
        for other in rules:
            if other.id == rule_id and _overlaps(other, rule):
                raise RuleDataError(
                    f"{raw.where}: two versions of this rule are in force on the same day"
                )
        rules.append(rule)
    return tuple(rules)


def _rule_outcome(raw: DataTable, key: str) -> Fit:
    if key == "not_this_route":
        if raw.has("outcome"):
            raise RuleDataError(f"{raw.where}: 'outcome' is not allowed in not_this_route")
        return Fit.NOT_THIS_ROUTE
    value = raw.data.get("outcome", Fit.MAY_APPLY.value)
    if value not in {Fit.MAY_APPLY, Fit.NEEDS_CHECKING}:
        raise RuleDataError(f"{raw.where}: 'outcome' must be 'may_apply' or 'needs_checking'")
    return Fit(value)


def _overlaps(first: Rule, second: Rule) -> bool:
    first_start, second_start = first.valid_from or date.min, second.valid_from or date.min
    first_end, second_end = first.valid_to or date.max, second.valid_to or date.max
    return first_start <= second_end and second_start <= first_end


def check_unique(values: list[str], what: str, where: str) -> None:
    if duplicates := sorted({value for value in values if values.count(value) > 1}):
        raise RuleDataError(f"{where}: duplicate {what} {duplicates}")
