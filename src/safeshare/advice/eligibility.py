"""Facts about a victim, and a date, to candidate immigration routes and support.

Pure: no Django. Routes are dated TOML data in ``routes/`` and support organisations are data in
``organisations.toml`` (see ``docs/advice.md``). The Django side and the advice-pack renderer
call :func:`candidate_routes`, :func:`first_responder_prompts`,
:func:`recovery_period_protection` and :func:`support_organisations_for`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from safeshare.advice.rules import (
    Catalogue,
    DataTable,
    FactKind,
    FactSpec,
    FirstResponderAction,
    FirstResponderPrompt,
    Fit,
    Route,
    RouteVersion,
    Rule,
    RuleDataError,
    Source,
    check_unique,
    evaluate,
    facts_used,
    load_catalogue,
)
from safeshare.kernel.offences import OffenceCategory

__all__ = [
    "FACT_SPECS",
    "ORGANISATIONS_FILE",
    "RECOVERY_PERIOD_MINIMUM",
    "ROUTES_DIRECTORY",
    "CandidateRoute",
    "Catalogue",
    "Child",
    "Facts",
    "FirstResponderAction",
    "FirstResponderPrompt",
    "Fit",
    "Jurisdiction",
    "Means",
    "NrmStage",
    "OffenceCategory",
    "OrganisationKind",
    "PublicOrderDisqualification",
    "RecoveryPeriodProtection",
    "Relationship",
    "Route",
    "RouteVersion",
    "Rule",
    "RuleDataError",
    "Source",
    "SupportOrganisation",
    "SupportTopic",
    "VisaCategory",
    "candidate_routes",
    "default_catalogue",
    "default_organisations",
    "fact_fields",
    "first_responder_prompts",
    "load_catalogue",
    "load_organisations",
    "recovery_period_protection",
    "support_organisations_for",
    "support_topics_for",
]

ROUTES_DIRECTORY = Path(__file__).parent / "routes"
ORGANISATIONS_FILE = Path(__file__).parent / "organisations.toml"

RECOVERY_PERIOD_MINIMUM = timedelta(days=30)
"""Least time protected from removal after a positive reasonable-grounds decision [S43]."""


# --- Closed vocabularies -------------------------------------------------------------------


class Relationship(StrEnum):
    """How the victim knows the alleged perpetrator."""

    PARTNER = "partner"
    FORMER_PARTNER = "former_partner"
    PARTNERS_FAMILY = "partners_family"
    OWN_FAMILY = "own_family"
    EMPLOYER = "employer"
    OTHER_KNOWN_PERSON = "other_known_person"
    STRANGER = "stranger"


class VisaCategory(StrEnum):
    """The immigration permission the person has now, or last had.

    For partners the value also says who the sponsoring partner is, because the routes turn on
    it. ``no_leave`` means the person came without permission; an unknown category is ``None``.
    """

    BRITISH_OR_SETTLED = "british_or_settled"
    REFUGEE_OR_PROTECTION = "refugee_or_protection"
    EUSS_PRE_SETTLED = "euss_pre_settled"
    PARTNER_OF_BRITISH_OR_SETTLED = "partner_of_british_or_settled"
    PARTNER_OF_REFUGEE = "partner_of_refugee"
    PARTNER_OF_EUSS_PRE_SETTLED = "partner_of_euss_pre_settled"
    PARTNER_OF_ARMED_FORCES = "partner_of_armed_forces"
    PARTNER_UNDER_APPENDIX_FM = "partner_under_appendix_fm"
    PARTNER_OF_SKILLED_WORKER = "partner_of_skilled_worker"
    PARTNER_OF_OTHER_WORKER = "partner_of_other_worker"
    PARTNER_OF_STUDENT = "partner_of_student"
    PARTNER_OF_GRADUATE = "partner_of_graduate"
    FIANCE = "fiance"
    EU_EUSS_ELIGIBLE = "eu_euss_eligible"
    WORKER = "worker"
    STUDENT = "student"
    VISITOR = "visitor"
    ASYLUM_CLAIM_PENDING = "asylum_claim_pending"
    OTHER_LEAVE = "other_leave"
    NO_LEAVE = "no_leave"


class NrmStage(StrEnum):
    """Where the person is in the National Referral Mechanism."""

    NONE = "none"
    REFERRED = "referred"
    POSITIVE_REASONABLE_GROUNDS = "positive_reasonable_grounds"
    POSITIVE_CONCLUSIVE_GROUNDS = "positive_conclusive_grounds"
    NEGATIVE = "negative"


class Means(StrEnum):
    """Whether the person has money and a home."""

    ENOUGH_TO_LIVE_ON = "enough_to_live_on"
    LOW_INCOME = "low_income"
    DESTITUTE = "destitute"


class Jurisdiction(StrEnum):
    """The UK nation where the person lives; law and services differ between them."""

    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"


class SupportTopic(StrEnum):
    """What a support organisation helps with."""

    DOMESTIC_ABUSE = "domestic_abuse"
    MODERN_SLAVERY = "modern_slavery"
    LABOUR_EXPLOITATION = "labour_exploitation"
    SEXUAL_VIOLENCE = "sexual_violence"
    FORCED_MARRIAGE_AND_HONOUR_ABUSE = "forced_marriage_and_honour_abuse"
    HATE_CRIME = "hate_crime"
    NO_RECOURSE_TO_PUBLIC_FUNDS = "no_recourse_to_public_funds"
    ASYLUM = "asylum"
    IMMIGRATION_ADVICE = "immigration_advice"
    ANY_CRIME = "any_crime"
    DATA_RIGHTS = "data_rights"


class OrganisationKind(StrEnum):
    """What sort of body a support organisation is."""

    HELPLINE = "helpline"
    SUPPORT_SERVICE = "support_service"
    LEGAL_ADVICE = "legal_advice"
    SCHEME = "scheme"
    STATUTORY_BODY = "statutory_body"
    CAMPAIGN_OR_NETWORK = "campaign_or_network"


# --- Facts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    """A child of the victim. ``None`` means not known."""

    age: int | None = None
    years_residence: float | None = None
    british_or_settled: bool | None = None

    def __post_init__(self) -> None:
        _check_int("child age", self.age, high=130)
        _check_number("child years_residence", self.years_residence)
        if (
            self.age is not None
            and self.years_residence is not None
            and self.years_residence > self.age
        ):
            raise ValueError("a child's years_residence cannot be more than their age")
        _check_bool("child british_or_settled", self.british_or_settled)


@dataclass(frozen=True)
class Facts:
    """What we know about the victim. Every field may be ``None``, meaning not known.

    Unknown facts never rule a route out: routes that might apply come back as
    :attr:`Fit.NEEDS_CHECKING`, naming what is missing.
    """

    offence_category: OffenceCategory | None = None
    relationship_to_perpetrator: Relationship | None = None
    visa_category: VisaCategory | None = None
    relationship_broke_down_due_to_abuse: bool | None = None
    abandoned_outside_uk: bool | None = None
    trafficking_indicators: bool | None = None
    nrm_stage: NrmStage | None = None
    consents_to_nrm_referral: bool | None = None
    first_responder_is_public_authority: bool | None = None
    jurisdiction: Jurisdiction | None = None
    eea_or_swiss_national: bool | None = None
    uk_arrival_date: date | None = None
    years_residence: float | None = None
    age: int | None = None
    age_on_arrival: int | None = None
    children: tuple[Child, ...] | None = None
    means: Means | None = None
    no_recourse_to_public_funds: bool | None = None
    fears_return: bool | None = None
    cooperating_with_police: bool | None = None
    seeking_compensation: bool | None = None
    needs_help_to_recover: bool | None = None

    def __post_init__(self) -> None:
        for name, (kind, choices, _) in _BASE_FACTS.items():
            value = getattr(self, name)
            if kind is FactKind.CHOICE and value is not None:
                assert choices is not None  # every choice fact names its choices
                try:
                    object.__setattr__(self, name, choices(value))
                except ValueError:
                    raise ValueError(f"{name}: {value!r} is not one of {list(choices)}") from None
            elif kind is FactKind.BOOL:
                _check_bool(name, value)
        _check_int("age", self.age, high=130)
        _check_int("age_on_arrival", self.age_on_arrival, high=130)
        _check_number("years_residence", self.years_residence)
        if self.uk_arrival_date is not None and (
            isinstance(self.uk_arrival_date, datetime)
            or not isinstance(self.uk_arrival_date, date)
        ):
            raise ValueError("uk_arrival_date must be a date")
        if self.age is not None:
            if self.age_on_arrival is not None and self.age_on_arrival > self.age:
                raise ValueError("age_on_arrival cannot be more than age")
            if self.years_residence is not None and self.years_residence > self.age:
                raise ValueError("years_residence cannot be more than age")
        if self.children is not None:
            children = tuple(self.children)
            if not all(isinstance(child, Child) for child in children):
                raise ValueError("children must be Child values")
            object.__setattr__(self, "children", children)


def _check_bool(name: str, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise ValueError(f"{name} must be true, false or None, not {value!r}")


def _check_int(name: str, value: object, *, high: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise ValueError(f"{name} must be a whole number from 0 to {high}, not {value!r}")


def _check_number(name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 130:
        raise ValueError(f"{name} must be a number of years from 0 to 130, not {value!r}")


_BASE_FACTS: dict[str, tuple[FactKind, type[StrEnum] | None, str]] = {
    "offence_category": (FactKind.CHOICE, OffenceCategory, "The kind of crime."),
    "relationship_to_perpetrator": (
        FactKind.CHOICE,
        Relationship,
        "How the victim knows the alleged perpetrator.",
    ),
    "visa_category": (
        FactKind.CHOICE,
        VisaCategory,
        "Permission held now or last held; for partners, also the sponsor's status.",
    ),
    "relationship_broke_down_due_to_abuse": (
        FactKind.BOOL,
        None,
        "The relationship with the partner ended because of domestic abuse.",
    ),
    "abandoned_outside_uk": (
        FactKind.BOOL,
        None,
        "The partner left the victim outside the UK (transnational marriage abandonment).",
    ),
    "trafficking_indicators": (
        FactKind.BOOL,
        None,
        "The first responder recorded signs of trafficking or modern slavery.",
    ),
    "nrm_stage": (FactKind.CHOICE, NrmStage, "Stage in the National Referral Mechanism."),
    "consents_to_nrm_referral": (
        FactKind.BOOL,
        None,
        "An adult agreed to be referred to the National Referral Mechanism.",
    ),
    "first_responder_is_public_authority": (
        FactKind.BOOL,
        None,
        "The person recording the facts works for a public authority (police do).",
    ),
    "jurisdiction": (FactKind.CHOICE, Jurisdiction, "The UK nation where the victim lives."),
    "eea_or_swiss_national": (
        FactKind.BOOL,
        None,
        "Citizen of an EU or EEA country or Switzerland.",
    ),
    "uk_arrival_date": (FactKind.DATE, None, "Date the victim started living in the UK."),
    "years_residence": (FactKind.NUMBER, None, "Years of continuous residence in the UK."),
    "age": (FactKind.NUMBER, None, "Age now, in whole years."),
    "age_on_arrival": (FactKind.NUMBER, None, "Age when the victim came to the UK."),
    "means": (FactKind.CHOICE, Means, "Whether the victim has money and a home."),
    "no_recourse_to_public_funds": (
        FactKind.BOOL,
        None,
        "The victim's permission says 'no recourse to public funds'.",
    ),
    "fears_return": (
        FactKind.BOOL,
        None,
        "The victim fears persecution or serious harm if sent back.",
    ),
    "cooperating_with_police": (
        FactKind.BOOL,
        None,
        "The victim is helping a police investigation or criminal case.",
    ),
    "seeking_compensation": (
        FactKind.BOOL,
        None,
        "The victim is claiming compensation for the exploitation.",
    ),
    "needs_help_to_recover": (
        FactKind.BOOL,
        None,
        "The victim needs help in the UK to recover from harm caused by the exploitation.",
    ),
}


def _k_and(*values: bool | None) -> bool | None:
    if any(value is False for value in values):
        return False
    return None if any(value is None for value in values) else True


def _k_or(*values: bool | None) -> bool | None:
    if any(value is True for value in values):
        return True
    return None if any(value is None for value in values) else False


def _is(value: object, *choices: object) -> bool | None:
    return None if value is None else value in choices


def _half(years: float | None, age: int | None) -> bool | None:
    if years is None or age is None:
        return None
    return age > 0 and years * 2 >= age


def _years_since_arrival(facts: Facts) -> int | None:
    if facts.age is None or facts.age_on_arrival is None:
        return None
    return facts.age - facts.age_on_arrival


def _over_children(facts: Facts, test: Callable[[Child], bool | None]) -> bool | None:
    if facts.children is None:
        return None
    return _k_or(*(test(child) for child in facts.children))


def _child_with_seven_years(child: Child) -> bool | None:
    under_18 = None if child.age is None else child.age < 18
    seven_years = None if child.years_residence is None else child.years_residence >= 7
    return _k_and(under_18, seven_years)


def _british_or_settled_child(child: Child) -> bool | None:
    return _k_and(None if child.age is None else child.age < 18, child.british_or_settled)


@dataclass(frozen=True)
class _Derived:
    compute: Callable[[Facts], bool | None]
    depends_on: tuple[str, ...]
    description: str


_DERIVED_FACTS: dict[str, _Derived] = {
    "half_life_in_uk": _Derived(
        lambda f: _half(f.years_residence, f.age),
        ("years_residence", "age"),
        "Continuous UK residence is at least half the person's life.",
    ),
    "half_life_since_arrival": _Derived(
        lambda f: _half(_years_since_arrival(f), f.age),
        ("age", "age_on_arrival"),
        "Time since arrival is at least half the person's life (continuity not checked).",
    ),
    "in_england_and_wales": _Derived(
        lambda f: _is(f.jurisdiction, Jurisdiction.ENGLAND, Jurisdiction.WALES),
        ("jurisdiction",),
        "The victim lives in England or Wales.",
    ),
    "public_authority_in_england_and_wales": _Derived(
        lambda f: _k_and(
            f.first_responder_is_public_authority,
            _is(f.jurisdiction, Jurisdiction.ENGLAND, Jurisdiction.WALES),
        ),
        ("first_responder_is_public_authority", "jurisdiction"),
        "A public authority in England and Wales, so the Duty to Notify applies.",
    ),
    "signs_of_trafficking": _Derived(
        lambda f: _k_or(
            f.trafficking_indicators,
            _is(f.offence_category, OffenceCategory.MODERN_SLAVERY_TRAFFICKING),
        ),
        ("trafficking_indicators", "offence_category"),
        "Trafficking indicators were recorded, or the crime is modern slavery.",
    ),
    "domestic_abuse_victim": _Derived(
        lambda f: _k_or(
            _is(
                f.offence_category,
                OffenceCategory.DOMESTIC_ABUSE,
                OffenceCategory.FORCED_MARRIAGE_OR_HONOUR_ABUSE,
            ),
            f.relationship_broke_down_due_to_abuse,
        ),
        ("offence_category", "relationship_broke_down_due_to_abuse"),
        "The crime is domestic abuse, or a relationship ended because of it.",
    ),
    "has_child_with_seven_years_residence": _Derived(
        lambda f: _over_children(f, _child_with_seven_years),
        ("children",),
        "A child under 18 has lived in the UK for at least 7 years.",
    ),
    "has_british_or_settled_child": _Derived(
        lambda f: _over_children(f, _british_or_settled_child),
        ("children",),
        "A child under 18 is British or settled.",
    ),
}


def _fact_specs() -> dict[str, FactSpec]:
    specs = {
        name: FactSpec(
            name=name,
            kind=kind,
            description=description,
            choices=frozenset(choices) if choices else frozenset(),
        )
        for name, (kind, choices, description) in _BASE_FACTS.items()
    }
    for name, derived in _DERIVED_FACTS.items():
        specs[name] = FactSpec(name=name, kind=FactKind.BOOL, description=derived.description)
    return specs


FACT_SPECS: Mapping[str, FactSpec] = _fact_specs()
"""Every fact the rule data may use: the Facts fields and the derived facts."""


class _FactReader:
    """Reads base and derived facts, and says which base facts made a value unknown."""

    def __init__(self, facts: Facts) -> None:
        self._facts = facts

    def __call__(self, name: str) -> object:
        if name in _DERIVED_FACTS:
            return _DERIVED_FACTS[name].compute(self._facts)
        return getattr(self._facts, name)

    def missing(self, names: Iterable[str]) -> frozenset[str]:
        missing: set[str] = set()
        for name in names:
            if name in _DERIVED_FACTS:
                derived = _DERIVED_FACTS[name]
                if derived.compute(self._facts) is None:
                    missing.update(self.missing(derived.depends_on) or derived.depends_on)
            elif name == "children" or getattr(self._facts, name) is None:
                # Children are only asked about when a child's details are not known.
                missing.add(name)
        return frozenset(missing)


@cache
def default_catalogue() -> Catalogue:
    """The routes shipped with SafeShare, loaded once."""
    return load_catalogue(ROUTES_DIRECTORY, facts=FACT_SPECS)


# --- Candidate routes --------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateRoute:
    """A route that may fit the victim, with everything needed to explain it.

    ``version_id``, ``rule_ids`` and the catalogue digest reproduce the advice later (R26).
    ``unverified_notes`` are for staff reviewing the data, never for the victim.
    """

    route_id: str
    fit: Fit
    title: str
    legal_name: str
    summary: str
    reasons: tuple[str, ...]
    evidence: tuple[str, ...]
    how_to_apply: str
    legal_advice: str
    sources: tuple[Source, ...]
    version_id: str
    rule_ids: tuple[str, ...]
    missing_facts: tuple[str, ...]
    prompts: tuple[FirstResponderPrompt, ...]
    unverified_notes: tuple[str, ...]

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)


_FIT_ORDER = {Fit.MAY_APPLY: 0, Fit.NEEDS_CHECKING: 1, Fit.NOT_THIS_ROUTE: 2}


def candidate_routes(
    facts: Facts, on: date, *, catalogue: Catalogue | None = None
) -> list[CandidateRoute]:
    """Routes that may fit, need checking, or are explicitly not for this person, on ``on``.

    Only rule versions in force on ``on`` are used (R26). Routes that plainly do not apply,
    and are not commonly confused with one that does, are left out.
    """
    catalogue = catalogue or default_catalogue()
    if on < catalogue.coverage_start:
        raise ValueError(
            f"advice data starts on {catalogue.coverage_start}; cannot advise for {on}"
        )
    reader = _FactReader(facts)
    candidates = [
        candidate
        for route in catalogue.routes
        if (candidate := _assess(route, on, reader)) is not None
    ]
    order = {route.id: route.order for route in catalogue.routes}
    return sorted(candidates, key=lambda c: (_FIT_ORDER[c.fit], order[c.route_id]))


def _assess(route: Route, on: date, reader: _FactReader) -> CandidateRoute | None:
    version = route.version_on(on)
    if version is None:
        return None
    results = [(rule, evaluate(rule.when, reader)) for rule in route.rules if rule.in_force(on)]
    may_apply = [r for r, o in results if o.value is True and r.outcome is Fit.MAY_APPLY]
    if may_apply:
        return _candidate(route, version, Fit.MAY_APPLY, may_apply, [], frozenset())
    to_check = [r for r, o in results if o.value is True and r.outcome is Fit.NEEDS_CHECKING]
    unsure = [(r, o) for r, o in results if o.value is None]
    if to_check or unsure:
        asked_for = frozenset().union(
            *(facts_used(rule.when) for rule in to_check),
            *(outcome.unknown_facts for _, outcome in unsure),
        )
        missing = reader.missing(asked_for)
        unsure_rules = [rule for rule, _ in unsure]
        return _candidate(route, version, Fit.NEEDS_CHECKING, to_check, unsure_rules, missing)
    not_this = [
        rule
        for rule in route.not_this_route
        if rule.in_force(on) and evaluate(rule.when, reader).value is True
    ]
    if not_this:
        return _candidate(route, version, Fit.NOT_THIS_ROUTE, not_this, [], frozenset())
    return None


def _candidate(
    route: Route,
    version: RouteVersion,
    fit: Fit,
    fired: list[Rule],
    unsure: list[Rule],
    missing: frozenset[str],
) -> CandidateRoute:
    reasons = [rule.reason for rule in fired]
    if unsure:
        reasons.append(route.unsure_reason)
    notes = [
        f"{label}: {note}"
        for label, verified, note in [
            (route.file, route.verified, route.note),
            (f"{route.file} version {version.id}", version.verified, version.note),
            *((f"{route.file} rule {r.id}", r.verified, r.note) for r in fired),
        ]
        if not verified
    ]
    return CandidateRoute(
        route_id=route.id,
        fit=fit,
        title=route.title,
        legal_name=version.legal_name,
        summary=version.summary,
        reasons=tuple(dict.fromkeys(reasons)),
        evidence=version.evidence,
        how_to_apply=version.how_to_apply,
        legal_advice=route.legal_advice,
        sources=version.sources,
        version_id=f"{route.id}@{version.id}",
        rule_ids=tuple(dict.fromkeys(rule.id for rule in [*fired, *unsure])),
        missing_facts=tuple(sorted(missing)),
        prompts=tuple(rule.prompt for rule in fired if rule.prompt is not None),
        unverified_notes=tuple(notes),
    )


def first_responder_prompts(
    facts: Facts, on: date, *, catalogue: Catalogue | None = None
) -> list[FirstResponderPrompt]:
    """What the officer should do now, such as an NRM referral or a Duty to Notify (R27)."""
    return [
        prompt
        for candidate in candidate_routes(facts, on, catalogue=catalogue)
        for prompt in candidate.prompts
    ]


# --- Recovery period and public order disqualification (R27) -----------------------------


@dataclass(frozen=True)
class PublicOrderDisqualification:
    """A separate, reasoned decision to withhold NRM protection on public order grounds.

    Nationality and Borders Act 2022 s.63 [S43][S68]. Recorded by the protocol side; this only
    checks that the decision carries its reasons and who made it.
    """

    decided_on: date
    decided_by: str
    reasons: str

    def __post_init__(self) -> None:
        if not self.decided_by.strip():
            raise ValueError("a public order disqualification must name who decided it")
        if not self.reasons.strip():
            raise ValueError("a public order disqualification must give its reasons")


@dataclass(frozen=True)
class RecoveryPeriodProtection:
    """Whether the NRM recovery period protects the person from removal on a date.

    This flag only ever adds protection. ``False`` never means enforcement may go ahead: the
    protocol's own protection is decided separately.
    """

    protected_from_removal: bool
    reason: str
    withheld_by: PublicOrderDisqualification | None = None


def recovery_period_protection(
    nrm_stage: NrmStage | None,
    *,
    on: date,
    reasonable_grounds_decided_on: date | None = None,
    disqualification: PublicOrderDisqualification | None = None,
) -> RecoveryPeriodProtection:
    """The recovery-period protection-from-removal flag (R27).

    A positive reasonable-grounds decision starts a recovery period that protects the person
    from removal; it lasts at least 30 days from that decision and, while the stage is still
    ``positive_reasonable_grounds``, it never ends because time passed. A public order
    disqualification decided on or before ``on`` withholds it, and the result says so.
    """
    stage = None if nrm_stage is None else NrmStage(nrm_stage)
    decided = reasonable_grounds_decided_on
    within_minimum = decided is not None and decided <= on <= decided + RECOVERY_PERIOD_MINIMUM
    if stage is NrmStage.POSITIVE_REASONABLE_GROUNDS:
        reason = "Positive reasonable-grounds decision: recovery period, protected from removal."
    elif stage in {NrmStage.POSITIVE_CONCLUSIVE_GROUNDS, NrmStage.NEGATIVE} and within_minimum:
        reason = (
            "Within the minimum 30-day recovery period after the positive reasonable-grounds "
            f"decision of {decided}: protected from removal."
        )
    elif stage is None:
        return RecoveryPeriodProtection(False, "NRM stage not recorded.")
    else:
        return RecoveryPeriodProtection(False, f"No recovery period at NRM stage '{stage}'.")
    if disqualification is not None and disqualification.decided_on <= on:
        return RecoveryPeriodProtection(
            False,
            f"Recovery-period protection withheld by a public order disqualification decided "
            f"on {disqualification.decided_on} by {disqualification.decided_by}: "
            f"{disqualification.reasons}",
            withheld_by=disqualification,
        )
    return RecoveryPeriodProtection(True, reason)


# --- Support organisations ---------------------------------------------------------------


@dataclass(frozen=True)
class SupportOrganisation:
    """A support organisation or helpline.

    Only show ``phone_to_show`` and ``url_to_show`` to victims: they hide contact details that
    nobody has checked yet.
    """

    id: str
    name: str
    kind: OrganisationKind
    run_by: str | None
    helps_with: str
    who_for: str
    topics: tuple[SupportTopic, ...]
    needs_every_topic: bool
    jurisdictions: tuple[Jurisdiction, ...]
    gives_individual_help: bool
    phone: str | None
    phone_verified: bool
    url: str | None
    url_verified: bool
    verified: bool
    note: str

    @property
    def phone_to_show(self) -> str | None:
        return self.phone if self.phone_verified else None

    @property
    def url_to_show(self) -> str | None:
        return self.url if self.url_verified else None


_ORGANISATION_KEYS = {
    "id",
    "name",
    "kind",
    "run_by",
    "helps_with",
    "who_for",
    "topics",
    "match",
    "jurisdictions",
    "gives_individual_help",
    "phone",
    "phone_verified",
    "url",
    "url_verified",
    "verified",
    "note",
}

_TOPIC_RANK = {
    SupportTopic.NO_RECOURSE_TO_PUBLIC_FUNDS: 1,
    SupportTopic.ASYLUM: 1,
    SupportTopic.IMMIGRATION_ADVICE: 2,
    SupportTopic.ANY_CRIME: 3,
    SupportTopic.DATA_RIGHTS: 4,
}
"""Lower ranks come first; topics not listed (the crimes themselves) rank 0."""


def load_organisations(path: Path = ORGANISATIONS_FILE) -> tuple[SupportOrganisation, ...]:
    """Load and check the support organisations file."""
    file = f"{path.parent.name}/{path.name}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise RuleDataError(f"{file}: not valid TOML: {error}") from None
    top = DataTable(data, file, {"organisations"})
    organisations = [_parse_organisation(item, file) for item in top.tables("organisations")]
    check_unique([o.id for o in organisations], "organisation id", file)
    return tuple(organisations)


def _parse_organisation(item: object, file: str) -> SupportOrganisation:
    raw = DataTable(item, f"{file}, organisation", _ORGANISATION_KEYS)
    organisation_id = raw.text("id")
    raw.where = f"{file}, organisation '{organisation_id}'"

    def closed(key: str, vocabulary: type[StrEnum]) -> tuple[Any, ...]:
        try:
            return tuple(vocabulary(value) for value in raw.texts(key))
        except ValueError:
            known = ", ".join(vocabulary)
            raise RuleDataError(
                f"{raw.where}: unknown value in '{key}' (known: {known})"
            ) from None

    try:
        kind = OrganisationKind(raw.text("kind"))
    except ValueError:
        raise RuleDataError(f"{raw.where}: unknown 'kind'") from None
    match = raw.text("match", "any")
    if match not in {"any", "all"}:
        raise RuleDataError(f"{raw.where}: 'match' must be 'any' or 'all'")
    phone = raw.text("phone") if raw.has("phone") else None
    url = raw.text("url") if raw.has("url") else None
    if url is not None and not url.startswith("https://"):
        raise RuleDataError(f"{raw.where}: 'url' must start with https://")
    for value, key in ((phone, "phone_verified"), (url, "url_verified")):
        if value is not None and not raw.has(key):
            raise RuleDataError(f"{raw.where}: give '{key}' whenever you give a contact detail")
    verified, note = raw.verification()
    return SupportOrganisation(
        id=organisation_id,
        name=raw.text("name"),
        kind=kind,
        run_by=raw.text("run_by") if raw.has("run_by") else None,
        helps_with=raw.text("helps_with"),
        who_for=raw.text("who_for"),
        topics=closed("topics", SupportTopic),
        needs_every_topic=match == "all",
        jurisdictions=closed("jurisdictions", Jurisdiction),
        gives_individual_help=raw.flag("gives_individual_help", True),
        phone=phone,
        phone_verified=raw.flag("phone_verified", False),
        url=url,
        url_verified=raw.flag("url_verified", False),
        verified=verified,
        note=note,
    )


@cache
def default_organisations() -> tuple[SupportOrganisation, ...]:
    """The support organisations shipped with SafeShare, loaded once."""
    return load_organisations()


def support_topics_for(facts: Facts) -> frozenset[SupportTopic]:
    """The support topics relevant to these facts. Every victim gets the general ones."""
    topics = {SupportTopic.IMMIGRATION_ADVICE, SupportTopic.ANY_CRIME, SupportTopic.DATA_RIGHTS}
    offence = facts.offence_category
    partner_or_family = {
        Relationship.PARTNER,
        Relationship.FORMER_PARTNER,
        Relationship.PARTNERS_FAMILY,
        Relationship.OWN_FAMILY,
    }
    if (
        offence
        in {OffenceCategory.DOMESTIC_ABUSE, OffenceCategory.FORCED_MARRIAGE_OR_HONOUR_ABUSE}
        or facts.relationship_broke_down_due_to_abuse
        or (offence is not None and facts.relationship_to_perpetrator in partner_or_family)
    ):
        topics.add(SupportTopic.DOMESTIC_ABUSE)
    if (
        offence is OffenceCategory.MODERN_SLAVERY_TRAFFICKING
        or facts.trafficking_indicators
        or facts.nrm_stage not in {None, NrmStage.NONE}
    ):
        topics.add(SupportTopic.MODERN_SLAVERY)
    if offence is OffenceCategory.LABOUR_EXPLOITATION or (
        facts.relationship_to_perpetrator is Relationship.EMPLOYER
    ):
        topics.add(SupportTopic.LABOUR_EXPLOITATION)
    if offence is OffenceCategory.SEXUAL_OFFENCES:
        topics.add(SupportTopic.SEXUAL_VIOLENCE)
    if offence is OffenceCategory.FORCED_MARRIAGE_OR_HONOUR_ABUSE:
        topics.add(SupportTopic.FORCED_MARRIAGE_AND_HONOUR_ABUSE)
    if offence is OffenceCategory.HATE_CRIME:
        topics.add(SupportTopic.HATE_CRIME)
    if facts.no_recourse_to_public_funds or facts.means is Means.DESTITUTE:
        topics.add(SupportTopic.NO_RECOURSE_TO_PUBLIC_FUNDS)
    if facts.fears_return or facts.visa_category is VisaCategory.ASYLUM_CLAIM_PENDING:
        topics.add(SupportTopic.ASYLUM)
    return frozenset(topics)


def support_organisations_for(
    facts: Facts, *, organisations: Iterable[SupportOrganisation] | None = None
) -> list[SupportOrganisation]:
    """Organisations that help individual victims with what these facts involve.

    An organisation matches on any of its topics, or on all of them when its data says
    ``match = "all"``. Filters by jurisdiction when it is known. Organisations for the victim's
    own crime come first, then immigration and money help, then general victim support, then
    data rights.
    """
    organisations = default_organisations() if organisations is None else tuple(organisations)
    topics = support_topics_for(facts)
    ranked = []
    for position, organisation in enumerate(organisations):
        matched = topics.intersection(organisation.topics)
        if not organisation.gives_individual_help or not matched:
            continue
        if organisation.needs_every_topic and len(matched) < len(set(organisation.topics)):
            continue
        if facts.jurisdiction is not None and facts.jurisdiction not in organisation.jurisdictions:
            continue
        rank = min(_TOPIC_RANK.get(topic, 0) for topic in matched)
        ranked.append((rank, position, organisation))
    return [organisation for _, _, organisation in sorted(ranked, key=lambda r: r[:2])]


def fact_fields() -> tuple[str, ...]:
    """The names of the Facts fields, for forms and tests."""
    return tuple(field.name for field in fields(Facts))
