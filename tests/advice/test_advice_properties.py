"""Property tests for candidate routes, prompts and the recovery-period flag."""

from dataclasses import fields, replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from safeshare.advice.eligibility import (
    FACT_SPECS,
    ROUTES_DIRECTORY,
    Child,
    Facts,
    FirstResponderAction,
    Fit,
    Jurisdiction,
    Means,
    NrmStage,
    OffenceCategory,
    Relationship,
    VisaCategory,
    candidate_routes,
    default_catalogue,
    fact_fields,
    first_responder_prompts,
    load_catalogue,
    recovery_period_protection,
    support_organisations_for,
)
from safeshare.advice.rules import AllOf, AnyOf, Comparison, Not, Operator

CATALOGUE = default_catalogue()
CHANGE_DAYS = sorted(
    {
        day
        for route in CATALOGUE.routes
        for version in route.versions
        for day in (version.valid_from, version.valid_from - timedelta(days=1))
        if day >= CATALOGUE.coverage_start
    }
)
RESIDENCE_RULES = {"twenty_years", "child_seven_years", "young_adult_half_life"}
PERMANENT_STATUS = {
    VisaCategory.BRITISH_OR_SETTLED,
    VisaCategory.REFUGEE_OR_PROTECTION,
    VisaCategory.EUSS_PRE_SETTLED,
}

advice_dates = st.sampled_from(CHANGE_DAYS) | st.dates(
    CATALOGUE.coverage_start, date(2028, 12, 31)
)


def maybe(strategy, known):
    return strategy if known else st.none() | strategy


@st.composite
def a_child(draw, known=False):
    age = draw(maybe(st.integers(0, 25), known))
    years = draw(maybe(st.integers(0, 25 if age is None else age), known))
    return Child(
        age=age, years_residence=years, british_or_settled=draw(maybe(st.booleans(), known))
    )


@st.composite
def children(draw, known=False):
    return draw(maybe(st.lists(a_child(known), max_size=3).map(tuple), known))


@st.composite
def victim_facts(draw, known=False):
    """Facts for any victim. With ``known=True`` every fact is filled in."""
    age = draw(maybe(st.integers(0, 90), known))
    top = 90 if age is None else age
    return Facts(
        offence_category=draw(maybe(st.sampled_from(OffenceCategory), known)),
        relationship_to_perpetrator=draw(maybe(st.sampled_from(Relationship), known)),
        visa_category=draw(maybe(st.sampled_from(VisaCategory), known)),
        relationship_broke_down_due_to_abuse=draw(maybe(st.booleans(), known)),
        abandoned_outside_uk=draw(maybe(st.booleans(), known)),
        trafficking_indicators=draw(maybe(st.booleans(), known)),
        nrm_stage=draw(maybe(st.sampled_from(NrmStage), known)),
        consents_to_nrm_referral=draw(maybe(st.booleans(), known)),
        first_responder_is_public_authority=draw(maybe(st.booleans(), known)),
        jurisdiction=draw(maybe(st.sampled_from(Jurisdiction), known)),
        eea_or_swiss_national=draw(maybe(st.booleans(), known)),
        uk_arrival_date=draw(maybe(st.dates(date(1950, 1, 1), date(2028, 1, 1)), known)),
        years_residence=draw(
            maybe(st.integers(0, top) | st.floats(0, top, allow_nan=False), known)
        ),
        age=age,
        age_on_arrival=draw(maybe(st.integers(0, top), known)),
        children=draw(children(known)),
        means=draw(maybe(st.sampled_from(Means), known)),
        no_recourse_to_public_funds=draw(maybe(st.booleans(), known)),
        fears_return=draw(maybe(st.booleans(), known)),
        cooperating_with_police=draw(maybe(st.booleans(), known)),
        seeking_compensation=draw(maybe(st.booleans(), known)),
        needs_help_to_recover=draw(maybe(st.booleans(), known)),
    )


@given(victim_facts(), advice_dates)
def test_every_candidate_carries_a_reason_and_a_legal_advice_prompt(facts, on):
    """Every candidate route explains itself and prompts for legal advice."""
    for candidate in candidate_routes(facts, on):
        assert candidate.reasons
        assert all(reason.strip() for reason in candidate.reasons)
        assert "free, independent legal advice" in candidate.legal_advice.lower()
        assert candidate.rule_ids
        assert candidate.sources


@given(victim_facts(), advice_dates)
def test_candidates_use_only_the_version_in_force_on_the_date(facts, on):
    """Each candidate names the route version in force on the advice date, once per route."""
    result = candidate_routes(facts, on)
    assert len({candidate.route_id for candidate in result}) == len(result)
    for candidate in result:
        version = CATALOGUE.route(candidate.route_id).version_on(on)
        assert candidate.version_id == f"{candidate.route_id}@{version.id}"
        assert candidate.legal_name == version.legal_name


@given(victim_facts(), advice_dates)
def test_missing_facts_are_real_facts_and_only_when_checking(facts, on):
    """Only routes that need checking name missing facts, and those are fields someone can fill."""
    for candidate in candidate_routes(facts, on):
        assert set(candidate.missing_facts) <= set(fact_fields())
        if candidate.fit is not Fit.NEEDS_CHECKING:
            assert candidate.missing_facts == ()
        for name in candidate.missing_facts:
            assert getattr(facts, name) is None or name == "children"


@given(victim_facts(), advice_dates)
def test_result_depends_only_on_facts_and_date(facts, on):
    """The same facts on the same date give the same advice, from a fresh load too."""
    first = candidate_routes(facts, on)
    candidate_routes(Facts(), on)
    again = candidate_routes(replace(facts), on)
    fresh = candidate_routes(
        replace(facts), on, catalogue=load_catalogue(ROUTES_DIRECTORY, facts=FACT_SPECS)
    )
    assert first == again == fresh


@st.composite
def eligible_by_residence(draw):
    """Known facts that meet one of the residence tests of Appendix Private Life."""
    facts = draw(victim_facts(known=True))
    test = draw(st.sampled_from(["twenty_years", "child_seven_years", "young_adult_half_life"]))
    if test == "twenty_years":
        age = draw(st.integers(20, 90))
        years = draw(st.integers(20, age))
    elif test == "child_seven_years":
        age = draw(st.integers(7, 17))
        years = draw(st.integers(7, age))
    else:
        age = draw(st.integers(18, 24))
        years = draw(st.integers((age + 1) // 2, age))
    visa = draw(st.sampled_from(sorted(set(VisaCategory) - PERMANENT_STATUS)))
    return replace(
        facts, age=age, age_on_arrival=age - years, years_residence=years, visa_category=visa
    )


@given(eligible_by_residence(), advice_dates, st.integers(0, 90))
def test_more_years_of_residence_never_remove_private_life(facts, on, extra):
    """Once private life may apply because of residence, more years keep it."""
    before = {c.route_id: c for c in candidate_routes(facts, on)}["private_life"]
    assert before.fit is Fit.MAY_APPLY
    assert RESIDENCE_RULES & set(before.rule_ids)
    years = min(facts.age, facts.years_residence + extra)
    longer = replace(facts, years_residence=years, age_on_arrival=facts.age - years)
    after = {c.route_id: c for c in candidate_routes(longer, on)}["private_life"]
    assert after.fit is Fit.MAY_APPLY


@given(victim_facts(known=True), advice_dates, st.sets(st.sampled_from(fact_fields())))
def test_learning_more_never_removes_a_route_that_may_apply(facts, on, hidden):
    """A route that may apply with some facts unknown still may apply once they are known."""
    partial = replace(facts, **dict.fromkeys(hidden))
    full_result = {c.route_id: c.fit for c in candidate_routes(facts, on)}
    for candidate in candidate_routes(partial, on):
        if candidate.fit is Fit.MAY_APPLY:
            assert full_result.get(candidate.route_id) is Fit.MAY_APPLY, candidate.route_id


@given(victim_facts(), advice_dates)
def test_no_adult_is_referred_without_consent(facts, on):
    """An NRM referral prompt is only for a child or a consenting adult (R27)."""
    for prompt in first_responder_prompts(facts, on):
        if prompt.action is FirstResponderAction.NRM_REFERRAL:
            assert facts.age is not None
            assert facts.age < 18 or facts.consents_to_nrm_referral is True
        if prompt.action is FirstResponderAction.DUTY_TO_NOTIFY:
            assert facts.age is not None
            assert facts.age >= 18
            assert facts.consents_to_nrm_referral is False
            assert facts.first_responder_is_public_authority is True
            assert facts.jurisdiction in {Jurisdiction.ENGLAND, Jurisdiction.WALES}


@given(victim_facts(known=True), advice_dates)
def test_every_known_trafficking_case_gets_a_decision_or_an_explanation(facts, on):
    """With indicators and nothing unknown, the NRM route is never silently left out."""
    facts = replace(facts, trafficking_indicators=True, nrm_stage=NrmStage.NONE)
    nrm = {c.route_id: c for c in candidate_routes(facts, on)}.get("nrm")
    assert nrm is not None
    if nrm.fit is Fit.MAY_APPLY:
        assert nrm.prompts


@given(
    st.dates(date(2022, 1, 1), date(2030, 1, 1)),
    st.integers(0, 3000),
)
def test_recovery_period_never_ends_because_time_passed(decided_on, days_later):
    """While the stage is a positive reasonable-grounds decision, the flag stays set."""
    flag = recovery_period_protection(
        NrmStage.POSITIVE_REASONABLE_GROUNDS,
        on=decided_on + timedelta(days=days_later),
        reasonable_grounds_decided_on=decided_on,
    )
    assert flag.protected_from_removal


@given(victim_facts())
def test_support_organisations_all_help_individuals_where_the_victim_lives(facts):
    """Listed organisations give individual help and work where the victim lives."""
    for organisation in support_organisations_for(facts):
        assert organisation.gives_individual_help
        if facts.jurisdiction is not None:
            assert facts.jurisdiction in organisation.jurisdictions


def _uses_known(condition):
    match condition:
        case Comparison(operator=operator):
            return operator is Operator.KNOWN
        case Not(part=part):
            return _uses_known(part)
        case AllOf(parts=parts) | AnyOf(parts=parts):
            return any(_uses_known(part) for part in parts)
    raise TypeError(condition)


def test_only_checking_rules_test_whether_a_fact_is_known():
    """Rules that make a route 'may apply' never depend on a fact being unknown.

    This keeps advice monotone: learning a fact can only confirm a route that may apply.
    """
    for route in CATALOGUE.routes:
        for rule in route.rules:
            if rule.outcome is Fit.MAY_APPLY:
                assert not _uses_known(rule.when), (route.id, rule.id)


def test_facts_strategy_covers_every_field():
    """The strategy fills every Facts field, so properties see every fact."""
    assert {field.name for field in fields(Facts)} == set(fact_fields())
