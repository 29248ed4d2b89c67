"""A small recorded history for oversight tests, made through the actions layer.

Eight victims and witnesses in three forces, referrals by two channels, case events that send
one protection into transition, clearances that are blocked, held and cleared, and an approved
override (which raises alerts). Every name, date of birth and document is kept in
``PERSONAL_VALUES`` so tests can check that none of it reaches an oversight page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from safeshare.kernel.roles import Role
from safeshare.protocol import actions as protocol_actions
from safeshare.referrals.actions import do_make_referral
from tests.scenarios import helpers as h

PEOPLE = [
    # (force, crime reference, offence, role, given, family, birth date, passport, channel,
    #  nationality)
    (
        "WMP",
        "20/5501/26",
        "domestic_abuse",
        "victim",
        "Zuleika",
        "Okonkwo-Ferreira",
        "1990-02-11",
        "P77001234",
        "web",
        "NGA",
    ),
    (
        "WMP",
        "20/5502/26",
        "domestic_abuse",
        "victim",
        "Marisol",
        "Quintanilla",
        "1987-07-23",
        "P77005678",
        "phone",
        "MEX",
    ),
    (
        "WMP",
        "20/5503/26",
        "domestic_abuse",
        "victim",
        "Anahit",
        "Vardanyan",
        "1995-12-01",
        "P77009012",
        "web",
        "ARM",
    ),
    (
        "WMP",
        "20/5504/26",
        "domestic_abuse",
        "witness",
        "Thandeka",
        "Mahlangu",
        "1992-05-30",
        "P77003456",
        "email",
        "ZAF",
    ),
    (
        "WMP",
        "20/5505/26",
        "modern_slavery_trafficking",
        "victim",
        "Ionela",
        "Cristescu",
        "1998-08-14",
        "P77007890",
        "web",
        "ROU",
    ),
    (
        "MPS",
        "01/7701/26",
        "domestic_abuse",
        "victim",
        "Ngozi",
        "Adebayo-Lindqvist",
        "1985-03-19",
        "P88001111",
        "web",
        "SWE",
    ),
    (
        "MPS",
        "01/7702/26",
        "sexual_offences",
        "victim",
        "Farida",
        "Haidari",
        "1999-10-04",
        "P88002222",
        "phone",
        "AFG",
    ),
    (
        "GMP",
        "06/3301/26",
        "labour_exploitation",
        "victim",
        "Dilnoza",
        "Karimova",
        "1993-01-27",
        "P99003333",
        "web",
        "UZB",
    ),
]
ACTION = "immigration_arrest_or_detention"


@dataclass
class Scenario:
    parties: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    referrals: list = field(default_factory=list)
    clearances: list = field(default_factory=list)
    override: object = None
    personal_values: set[str] = field(default_factory=set)


def _resolved(clearance):
    """A hold decided by a protocol officer as the same person (so it is blocked)."""
    from safeshare.protocol.models import Review

    officer = h.actor(Role.PROTOCOL_OFFICER, "WMP")
    while (
        review := Review.objects.filter(clearance=clearance, status="open").first()
    ) is not None:
        protocol_actions.do_resolve_review(
            review, officer, verdict="same_person", reasons="Same passport number on record."
        )
    clearance.refresh_from_db()
    return clearance


def build() -> Scenario:
    scenario = Scenario()
    caseworker = h.ie()
    senior = h.actor(Role.IE_SENIOR_APPROVER, "IE-NCCU")
    officers = {}
    for (
        force,
        reference,
        offence,
        role,
        given,
        family,
        dob,
        passport,
        channel,
        nationality,
    ) in PEOPLE:
        officer = officers.setdefault(force, h.police(force))
        case = h.new_case(officer, reference, offence)
        party = h.add_victim(
            case,
            officer,
            role=role,
            given_names=given,
            family_name=family,
            date_of_birth=dob,
            passport_number=passport,
            nationality=nationality,
        )
        h.event(case, officer, "investigation_opened")
        referral = do_make_referral(
            party,
            officer,
            triggers=("safeguarding",),
            channel=channel,
            source_of_information="police",
            basis=h.BASIS,
        )
        scenario.cases.append(case)
        scenario.parties.append(party)
        scenario.referrals.append(referral)
        scenario.personal_values |= {given, family, dob, passport, reference}
    scenario.personal_values |= {"1990-02-11", "11/02/1990", "Okonkwo"}

    # The third WMP victim's case closes: their protection goes into transition.
    closing = scenario.cases[2]
    h.event(closing, officers["WMP"], "no_further_action")

    # Clearances: a probable match (blocked), a stranger (clear), and the blocked one overridden.
    blocked = h.clearance(
        caseworker,
        given_names="Zuleika",
        family_name="Okonkwo-Ferreira",
        date_of_birth="1990-02-11",
        passport_number="P77001234",
        nationality="NGA",
    )
    stranger = h.clearance(
        caseworker,
        given_names="Bartholomew",
        family_name="Smithers",
        date_of_birth="1970-06-06",
        nationality="USA",
    )
    other = h.clearance(
        caseworker,
        action="operational_visit",
        given_names="Ngozi",
        family_name="Adebayo-Lindqvist",
        date_of_birth="1985-03-19",
        passport_number="P88001111",
        nationality="SWE",
    )
    scenario.clearances = [blocked.clearance, stranger.clearance, other.clearance]
    for result in (blocked, other):
        _resolved(result.clearance)
    scenario.personal_values |= {"Bartholomew", "Smithers", "1970-06-06"}
    request = protocol_actions.do_request_override(
        _resolved(blocked.clearance),
        caseworker,
        category="national_security_or_public_protection",
        reasons="Intelligence indicates a serious and immediate public-protection risk.",
    )
    scenario.override = protocol_actions.do_decide_override(
        request,
        senior,
        approve=True,
        reasons="Reviewed the intelligence report and the protection record in full.",
    )
    return scenario
