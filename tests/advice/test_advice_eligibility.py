"""Tests for candidate routes, R27 prompts, the recovery-period flag and support organisations."""

from datetime import date

import pytest

from safeshare.advice.eligibility import (
    Child,
    Facts,
    FirstResponderAction,
    Fit,
    NrmStage,
    PublicOrderDisqualification,
    VisaCategory,
    candidate_routes,
    first_responder_prompts,
    recovery_period_protection,
    support_organisations_for,
)

TODAY = date(2025, 6, 1)

# Every fact known, and none pointing at any route except legal aid (ECF): a visitor in England
# who is the victim of an unrelated crime. Tests change only what they are about.
BASELINE = {
    "offence_category": "other",
    "relationship_to_perpetrator": "stranger",
    "visa_category": "visitor",
    "relationship_broke_down_due_to_abuse": False,
    "abandoned_outside_uk": False,
    "trafficking_indicators": False,
    "nrm_stage": "none",
    "consents_to_nrm_referral": False,
    "first_responder_is_public_authority": True,
    "jurisdiction": "england",
    "eea_or_swiss_national": False,
    "uk_arrival_date": date(2022, 5, 1),
    "years_residence": 3,
    "age": 30,
    "age_on_arrival": 27,
    "children": (),
    "means": "low_income",
    "no_recourse_to_public_funds": True,
    "fears_return": False,
    "cooperating_with_police": False,
    "seeking_compensation": False,
    "needs_help_to_recover": False,
}

DOMESTIC_ABUSE = {
    "offence_category": "domestic_abuse",
    "relationship_to_perpetrator": "former_partner",
    "relationship_broke_down_due_to_abuse": True,
}


def facts(**changes):
    return Facts(**{**BASELINE, **changes})


def routes(facts, on=TODAY):
    return {candidate.route_id: candidate for candidate in candidate_routes(facts, on)}


def fit(facts, route_id, on=TODAY):
    candidate = routes(facts, on).get(route_id)
    return None if candidate is None else candidate.fit


def test_baseline_points_only_to_legal_aid():
    """Test that facts pointing at no route give only the legal aid catch-all."""
    result = candidate_routes(facts(), TODAY)
    assert [(c.route_id, c.fit, c.rule_ids) for c in result] == [
        ("legal_aid", Fit.MAY_APPLY, ("exceptional_case_funding",))
    ]


# --- R25 and §8.H ------------------------------------------------------------------------


def test_r25_partner_of_skilled_worker_gets_mvdac_but_not_vda():
    """Test R25: a Skilled Worker's partner abused into leaving gets MVDAC, explicitly not VDA."""
    result = routes(facts(visa_category="partner_of_skilled_worker", **DOMESTIC_ABUSE))
    assert result["mvdac"].fit is Fit.MAY_APPLY
    settlement = result["settlement_domestic_abuse"]
    assert settlement.fit is Fit.NOT_THIS_ROUTE
    assert "only for people whose partner is British or settled" in settlement.reason
    assert "free, independent legal advice" in settlement.legal_advice.lower()


def test_r25_21_year_old_resident_since_9_gets_private_life_by_half_life():
    """Test R25: someone aged 21 who has lived here since age 9 gets Private Life."""
    young_adult = facts(visa_category="no_leave", age=21, age_on_arrival=9, years_residence=12)
    private_life = routes(young_adult)["private_life"]
    assert private_life.fit is Fit.MAY_APPLY
    assert private_life.rule_ids == ("young_adult_half_life",)
    assert private_life.legal_name == "Appendix Private Life"


def test_half_life_needs_half_not_just_arrival_as_a_child():
    """Test that a 24-year-old who came aged 13 (11 years) does not pass the half-life test."""
    young_adult = facts(visa_category="no_leave", age=24, age_on_arrival=13, years_residence=11)
    assert fit(young_adult, "private_life") is None


def test_half_life_with_unknown_continuity_needs_checking():
    """Test that a young adult who came as a child, residence unknown, is told to check."""
    young_adult = facts(visa_category="no_leave", age=21, age_on_arrival=9, years_residence=None)
    private_life = routes(young_adult)["private_life"]
    assert private_life.fit is Fit.NEEDS_CHECKING
    assert "young_adult_arrived_as_child" in private_life.rule_ids
    assert "years_residence" in private_life.missing_facts


def test_8h_partner_of_student_gets_mvdac_no_vda_and_a_legal_advice_prompt():
    """Test §8.H: partner of a Student, relationship ended by DA: MVDAC, no VDA, legal advice."""
    result = routes(facts(visa_category="partner_of_student", **DOMESTIC_ABUSE))
    assert result["mvdac"].fit is Fit.MAY_APPLY
    assert "does not lead to settling" in result["mvdac"].reason
    assert result["settlement_domestic_abuse"].fit is Fit.NOT_THIS_ROUTE
    for candidate in result.values():
        assert "free, independent legal advice" in candidate.legal_advice.lower()


# --- One positive and one negative per route ----------------------------------------------


@pytest.mark.parametrize(
    ("route_id", "changes", "rule_id"),
    [
        ("mvdac", {"visa_category": "partner_of_british_or_settled", **DOMESTIC_ABUSE}, None),
        (
            "settlement_domestic_abuse",
            {"visa_category": "partner_of_british_or_settled", **DOMESTIC_ABUSE},
            "partner_of_british_or_settled",
        ),
        (
            "nrm",
            {"trafficking_indicators": True, "consents_to_nrm_referral": True},
            "adult_consents",
        ),
        (
            "trafficking_permission_to_stay",
            {"nrm_stage": "positive_conclusive_grounds", "cooperating_with_police": True},
            "cooperation",
        ),
        ("asylum", {"fears_return": True}, "fears_return"),
        ("private_life", {"years_residence": 20, "age": 40, "age_on_arrival": 20}, "twenty_years"),
        (
            "euss_late_application",
            {"eea_or_swiss_national": True, "uk_arrival_date": date(2019, 3, 1)},
            "eea_national_here_by_2020",
        ),
        ("legal_aid", {}, "exceptional_case_funding"),
    ],
)
def test_each_route_applies_when_its_facts_hold(route_id, changes, rule_id):
    """Test that each route may apply for facts that meet it, with a reason."""
    candidate = routes(facts(**changes))[route_id]
    assert candidate.fit is Fit.MAY_APPLY
    assert candidate.reasons
    if rule_id:
        assert rule_id in candidate.rule_ids


@pytest.mark.parametrize(
    ("route_id", "changes"),
    [
        ("mvdac", {"visa_category": "visitor", **DOMESTIC_ABUSE}),
        ("settlement_domestic_abuse", {"visa_category": "partner_of_british_or_settled"}),
        ("nrm", {"offence_category": "labour_exploitation"}),
        ("trafficking_permission_to_stay", {"cooperating_with_police": True}),
        ("asylum", {"visa_category": "refugee_or_protection", "fears_return": True}),
        ("private_life", {"years_residence": 19, "age": 40, "age_on_arrival": 21}),
        (
            "euss_late_application",
            {"eea_or_swiss_national": True, "uk_arrival_date": date(2021, 1, 1)},
        ),
        ("legal_aid", {"visa_category": "british_or_settled"}),
    ],
)
def test_each_route_is_left_out_when_its_facts_do_not_hold(route_id, changes):
    """Test that each route is left out for facts that plainly do not meet it."""
    assert fit(facts(**changes), route_id) is None


def test_unknown_facts_make_a_route_need_checking_and_say_what_is_missing():
    """Test that a domestic abuse victim with an unknown visa is told what to find out."""
    mvdac = routes(facts(visa_category=None, **DOMESTIC_ABUSE))["mvdac"]
    assert mvdac.fit is Fit.NEEDS_CHECKING
    assert mvdac.missing_facts == ("visa_category",)
    assert "need to know a bit more" in mvdac.reason


def test_partner_visa_with_unrecorded_sponsor_needs_checking_for_settlement():
    """Test that a partner visa whose sponsor is not recorded is sent to an adviser to check."""
    result = routes(facts(visa_category="partner_under_appendix_fm", **DOMESTIC_ABUSE))
    assert result["mvdac"].fit is Fit.MAY_APPLY
    assert result["settlement_domestic_abuse"].fit is Fit.NEEDS_CHECKING
    assert "partner's status" in result["settlement_domestic_abuse"].reason


def test_fiance_is_told_neither_domestic_abuse_route_fits():
    """Test that a fiancé(e) whose relationship ended through abuse gets explicit 'not this'."""
    result = routes(facts(visa_category="fiance", **DOMESTIC_ABUSE))
    assert result["mvdac"].fit is Fit.NOT_THIS_ROUTE
    assert result["settlement_domestic_abuse"].fit is Fit.NOT_THIS_ROUTE
    assert result["mvdac"].unverified_notes


def test_parent_of_british_child_is_signposted_to_family_life():
    """Test that a parent of a British child is pointed to Appendix FM."""
    parent = facts(children=(Child(age=6, years_residence=6, british_or_settled=True),))
    private_life = routes(parent)["private_life"]
    assert private_life.fit is Fit.NEEDS_CHECKING
    assert private_life.rule_ids == ("family_life_parent",)
    assert "Appendix FM" in private_life.reason


def test_results_are_ordered_may_apply_then_checking_then_not_this():
    """Test that routes that may apply come first, and 'not this route' last."""
    result = candidate_routes(
        facts(visa_category="partner_of_student", children=None, **DOMESTIC_ABUSE), TODAY
    )
    fits = [candidate.fit for candidate in result]
    order = [Fit.MAY_APPLY, Fit.NEEDS_CHECKING, Fit.NOT_THIS_ROUTE]
    assert fits == sorted(fits, key=order.index)
    assert {Fit.MAY_APPLY, Fit.NEEDS_CHECKING, Fit.NOT_THIS_ROUTE} == set(fits)


# --- Dates (R26) -------------------------------------------------------------------------


def test_partner_of_student_before_and_after_the_february_2024_extension():
    """Test that MVDAC is 'not this route' on 15 Jan 2024 and may apply on 1 Mar 2024."""
    student_partner = facts(visa_category="partner_of_student", **DOMESTIC_ABUSE)
    before = routes(student_partner, date(2024, 1, 15))["mvdac"]
    after = routes(student_partner, date(2024, 3, 1))["mvdac"]
    assert before.fit is Fit.NOT_THIS_ROUTE
    assert before.legal_name == "Destitute Domestic Violence Concession (DDVC)"
    assert after.fit is Fit.MAY_APPLY
    assert after.legal_name == "Migrant Victims of Domestic Abuse Concession (MVDAC)"
    assert (before.version_id, after.version_id) == ("mvdac@2021-12-15", "mvdac@2024-02-16")


def test_extension_starts_exactly_on_16_february_2024():
    """Test the day before and the day of the MVDAC extension."""
    student_partner = facts(visa_category="partner_of_student", **DOMESTIC_ABUSE)
    assert fit(student_partner, "mvdac", date(2024, 2, 15)) is Fit.NOT_THIS_ROUTE
    assert fit(student_partner, "mvdac", date(2024, 2, 16)) is Fit.MAY_APPLY


def test_ddvc_needed_destitution_and_mvdac_does_not():
    """Test that a partner with some income needed to be destitute before 16 Feb 2024."""
    partner = facts(visa_category="partner_of_british_or_settled", **DOMESTIC_ABUSE)
    assert fit(partner, "mvdac", date(2024, 2, 15)) is None
    assert fit(partner, "mvdac", date(2024, 2, 16)) is Fit.MAY_APPLY
    destitute = facts(
        visa_category="partner_of_british_or_settled", means="destitute", **DOMESTIC_ABUSE
    )
    assert fit(destitute, "mvdac", date(2024, 2, 15)) is Fit.MAY_APPLY


def test_abandoned_overseas_counts_only_from_31_january_2024():
    """Test that abandonment outside the UK is considered from 31 Jan 2024."""
    abandoned = facts(visa_category="partner_of_british_or_settled", abandoned_outside_uk=True)
    assert fit(abandoned, "settlement_domestic_abuse", date(2024, 1, 30)) is None
    after = routes(abandoned, date(2024, 1, 31))["settlement_domestic_abuse"]
    assert after.fit is Fit.NEEDS_CHECKING
    assert after.rule_ids == ("abandoned_outside_uk",)
    assert after.legal_name == "Appendix Victim of Domestic Abuse (Appendix VDA)"


@pytest.mark.parametrize(
    ("on", "recovery_fit", "cooperation_fit"),
    [
        (date(2023, 1, 29), Fit.MAY_APPLY, Fit.MAY_APPLY),  # discretionary leave policy
        (date(2024, 7, 10), Fit.MAY_APPLY, Fit.MAY_APPLY),  # Appendix VTS
        (date(2024, 7, 11), Fit.NEEDS_CHECKING, Fit.NEEDS_CHECKING),  # all decisions paused
        (date(2024, 8, 26), Fit.NEEDS_CHECKING, Fit.NEEDS_CHECKING),
        (date(2024, 8, 27), Fit.NEEDS_CHECKING, Fit.MAY_APPLY),  # recovery-based grants paused
        (date(2025, 6, 1), Fit.NEEDS_CHECKING, Fit.MAY_APPLY),  # after guidance v4: check
    ],
)
def test_trafficking_permission_follows_the_2024_pauses(on, recovery_fit, cooperation_fit):
    """Test that the VTS recovery and cooperation grounds follow each dated change."""
    confirmed = {"nrm_stage": "positive_conclusive_grounds"}
    recovery = facts(needs_help_to_recover=True, **confirmed)
    cooperation = facts(cooperating_with_police=True, **confirmed)
    assert fit(recovery, "trafficking_permission_to_stay", on) is recovery_fit
    assert fit(cooperation, "trafficking_permission_to_stay", on) is cooperation_fit


def test_recovery_pause_is_explained_to_the_victim():
    """Test that after 27 Aug 2024 a recovery-only case is told decisions are paused."""
    recovery = facts(nrm_stage="positive_conclusive_grounds", needs_help_to_recover=True)
    candidate = routes(recovery, date(2024, 9, 1))["trafficking_permission_to_stay"]
    assert "paused" in candidate.reason
    assert "paused" in candidate.summary


def test_euss_asks_for_proof_from_9_august_2023():
    """Test that the stricter EUSS approach from 9 Aug 2023 changes the reason and evidence."""
    eu_victim = facts(visa_category="eu_euss_eligible", **DOMESTIC_ABUSE)
    before = routes(eu_victim, date(2023, 8, 8))["euss_late_application"]
    after = routes(eu_victim, date(2023, 8, 9))["euss_late_application"]
    assert before.fit is after.fit is Fit.MAY_APPLY
    assert "abuse_or_slavery_is_a_good_reason" in after.rule_ids
    assert not any("proof" in reason.lower() for reason in before.reasons)
    assert any("proof" in reason.lower() for reason in after.reasons)
    assert any("Proof of why you did not apply in time" in item for item in after.evidence)


def test_private_life_rule_name_changes_on_20_june_2022():
    """Test that the same long resident is advised under 276ADE, then Appendix Private Life."""
    resident = facts(years_residence=20, age=40, age_on_arrival=20)
    before = routes(resident, date(2022, 6, 19))["private_life"]
    after = routes(resident, date(2022, 6, 20))["private_life"]
    assert "276ADE" in before.legal_name
    assert after.legal_name == "Appendix Private Life"


def test_nrm_evidence_changes_with_the_2023_threshold():
    """Test that from 30 Jan 2023 NRM advice mentions the higher proof needed."""
    consenting = facts(trafficking_indicators=True, consents_to_nrm_referral=True)
    before = routes(consenting, date(2023, 1, 29))["nrm"]
    after = routes(consenting, date(2023, 1, 30))["nrm"]
    assert not any("more proof" in item for item in before.evidence)
    assert any("more proof" in item for item in after.evidence)


def test_no_advice_before_the_data_starts():
    """Test that asking about a date before the modelled rules is refused, not guessed."""
    with pytest.raises(ValueError, match="advice data starts on 2021-12-15"):
        candidate_routes(facts(), date(2021, 12, 14))


# --- R27 prompts -------------------------------------------------------------------------


def prompts(**changes):
    return [(p.route_id, p.action) for p in first_responder_prompts(facts(**changes), TODAY)]


def test_adult_who_consents_prompts_an_nrm_referral():
    """Test that an adult with trafficking indicators who consents prompts an NRM referral."""
    assert prompts(trafficking_indicators=True, consents_to_nrm_referral=True) == [
        ("nrm", FirstResponderAction.NRM_REFERRAL)
    ]


def test_adult_who_declines_in_england_and_wales_prompts_duty_to_notify():
    """Test that a public authority in England and Wales must notify for a non-consenting adult."""
    for jurisdiction in ("england", "wales"):
        assert prompts(
            trafficking_indicators=True, consents_to_nrm_referral=False, jurisdiction=jurisdiction
        ) == [("nrm", FirstResponderAction.DUTY_TO_NOTIFY)]


def test_adult_who_declines_in_scotland_gets_no_prompt_and_is_told_it_is_their_choice():
    """Test that outside England and Wales there is no Duty to Notify prompt."""
    declining = facts(
        trafficking_indicators=True, consents_to_nrm_referral=False, jurisdiction="scotland"
    )
    assert first_responder_prompts(declining, TODAY) == []
    nrm = routes(declining)["nrm"]
    assert nrm.fit is Fit.NOT_THIS_ROUTE
    assert "your choice" in nrm.reason


def test_non_public_authority_gets_no_duty_to_notify_prompt():
    """Test that the Duty to Notify is only for public authorities."""
    assert (
        prompts(
            trafficking_indicators=True,
            consents_to_nrm_referral=False,
            first_responder_is_public_authority=False,
        )
        == []
    )


def test_child_is_referred_without_consent():
    """Test that a child with trafficking indicators is referred whether or not they consent."""
    child = {"age": 15, "age_on_arrival": 14, "years_residence": 1, "trafficking_indicators": True}
    for consents in (True, False, None):
        assert prompts(consents_to_nrm_referral=consents, **child) == [
            ("nrm", FirstResponderAction.NRM_REFERRAL)
        ]


def test_unknown_age_or_consent_prompts_the_officer_to_find_out():
    """Test that missing age or consent prompts the officer to ask, not to refer."""
    assert prompts(trafficking_indicators=True, age=None, age_on_arrival=None) == [
        ("nrm", FirstResponderAction.CHECK_AGE)
    ]
    assert prompts(trafficking_indicators=True, consents_to_nrm_referral=None) == [
        ("nrm", FirstResponderAction.ASK_FOR_CONSENT)
    ]


def test_modern_slavery_offence_alone_counts_as_an_indicator():
    """Test that recording the crime as modern slavery prompts a referral decision."""
    assert prompts(
        offence_category="modern_slavery_trafficking", consents_to_nrm_referral=True
    ) == [("nrm", FirstResponderAction.NRM_REFERRAL)]


def test_no_prompt_once_referred():
    """Test that nobody is prompted to refer someone already in the NRM."""
    assert prompts(trafficking_indicators=True, nrm_stage="referred") == []


# --- Recovery period and public order disqualification ----------------------------------


def test_positive_reasonable_grounds_protects_from_removal_without_time_limit():
    """Test that a positive reasonable-grounds decision sets the flag, however long ago."""
    for on in (date(2024, 1, 1), date(2035, 1, 1)):
        flag = recovery_period_protection(
            NrmStage.POSITIVE_REASONABLE_GROUNDS,
            on=on,
            reasonable_grounds_decided_on=date(2023, 12, 1),
        )
        assert flag.protected_from_removal


@pytest.mark.parametrize("stage", ["none", "referred", "negative", None])
def test_no_recovery_period_without_a_positive_decision(stage):
    """Test that there is no flag before or without a positive reasonable-grounds decision."""
    assert not recovery_period_protection(stage, on=TODAY).protected_from_removal


def test_minimum_30_days_survive_an_early_conclusive_decision():
    """Test that recovery lasts at least 30 days from the reasonable-grounds decision."""
    decided = date(2025, 1, 1)
    for stage in (NrmStage.POSITIVE_CONCLUSIVE_GROUNDS, NrmStage.NEGATIVE):
        inside = recovery_period_protection(
            stage, on=date(2025, 1, 31), reasonable_grounds_decided_on=decided
        )
        outside = recovery_period_protection(
            stage, on=date(2025, 2, 1), reasonable_grounds_decided_on=decided
        )
        assert inside.protected_from_removal
        assert not outside.protected_from_removal


def test_public_order_disqualification_withholds_the_flag_with_its_reasons():
    """Test that a recorded, reasoned disqualification withholds the flag and says why."""
    disqualification = PublicOrderDisqualification(
        decided_on=date(2025, 3, 1), decided_by="Competent authority", reasons="Stated reasons."
    )
    stage = NrmStage.POSITIVE_REASONABLE_GROUNDS
    before = recovery_period_protection(
        stage, on=date(2025, 2, 28), disqualification=disqualification
    )
    after = recovery_period_protection(
        stage, on=date(2025, 3, 1), disqualification=disqualification
    )
    assert before.protected_from_removal
    assert before.withheld_by is None
    assert not after.protected_from_removal
    assert after.withheld_by == disqualification
    assert "Stated reasons." in after.reason


@pytest.mark.parametrize(("decided_by", "reasons"), [("", "Reasons."), ("Someone", "  ")])
def test_disqualification_must_be_a_reasoned_decision(decided_by, reasons):
    """Test that a disqualification without a decision maker or reasons is refused."""
    with pytest.raises(ValueError, match="must"):
        PublicOrderDisqualification(date(2025, 1, 1), decided_by, reasons)


# --- Facts -------------------------------------------------------------------------------


def test_facts_accept_plain_strings_for_closed_vocabularies():
    """Test that forms can pass strings, which become the enum values."""
    student_partner = facts(visa_category="partner_of_student")
    assert student_partner.visa_category is VisaCategory.PARTNER_OF_STUDENT


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"visa_category": "partner_of_a_student"}, "is not one of"),
        (
            {"age": 20, "age_on_arrival": 0, "years_residence": 21},
            "years_residence cannot be more than age",
        ),
        ({"age": 20, "age_on_arrival": 21}, "age_on_arrival cannot be more than age"),
        ({"age": -1}, "age must be a whole number"),
        ({"fears_return": 1}, "fears_return must be true, false or None"),
        ({"uk_arrival_date": "2020-01-01"}, "uk_arrival_date must be a date"),
        ({"children": ("a child",)}, "children must be Child values"),
    ],
)
def test_impossible_facts_are_refused(changes, message):
    """Test that facts that cannot be true are refused early, saying why."""
    with pytest.raises(ValueError, match=message):
        facts(**changes)


def test_impossible_child_is_refused():
    """Test that a child cannot have lived in the UK longer than they have been alive."""
    with pytest.raises(ValueError, match="cannot be more than their age"):
        Child(age=5, years_residence=6)


# --- Support organisations ---------------------------------------------------------------


def support(**changes):
    return [organisation.id for organisation in support_organisations_for(facts(**changes))]


def test_domestic_abuse_victim_in_england_gets_the_national_helpline_first():
    """Test that a domestic abuse victim in England is shown the national helpline first."""
    result = support(**DOMESTIC_ABUSE)
    assert result[0] == "national_domestic_abuse_helpline"
    assert "live_fear_free" not in result
    assert "modern_slavery_helpline" not in result


def test_victim_in_wales_gets_welsh_services_not_english_only_ones():
    """Test that jurisdiction filters organisations."""
    result = support(jurisdiction="wales", **DOMESTIC_ABUSE)
    assert "live_fear_free" in result
    assert "welsh_womens_aid" in result
    assert "national_domestic_abuse_helpline" not in result


def test_support_for_migrant_victims_needs_both_abuse_and_no_public_funds():
    """Test that the SMV scheme appears only for abuse victims with no recourse to public funds."""
    assert "support_for_migrant_victims_scheme" in support(**DOMESTIC_ABUSE)
    assert "support_for_migrant_victims_scheme" not in support(
        no_recourse_to_public_funds=False, **DOMESTIC_ABUSE
    )
    assert "support_for_migrant_victims_scheme" not in support()


def test_trafficking_victim_gets_modern_slavery_help_first():
    """Test that trafficking indicators bring modern slavery services to the top."""
    result = support(trafficking_indicators=True)
    assert result[0] == "modern_slavery_helpline"
    assert "salvation_army" in result


def test_organisations_that_do_not_help_individuals_are_never_listed():
    """Test that campaigns and commissioners are not offered as help."""
    everything = support(
        trafficking_indicators=True,
        offence_category="sexual_offences",
        relationship_broke_down_due_to_abuse=True,
        fears_return=True,
        jurisdiction=None,
    )
    assert "domestic_abuse_commissioner" not in everything
    assert "flex" not in everything
    assert "nrpf_network" not in everything


def test_every_victim_is_told_about_general_help_and_data_rights():
    """Test that even the baseline gets immigration advice, victim support and the ICO, last."""
    result = support()
    assert {"victim_support", "citizens_advice", "ico"} <= set(result)
    assert result[-1] == "ico"
