"""Building blocks for scenario tests: actors, cases, victims, referrals and clearances."""

from __future__ import annotations

from safeshare.accounts.actors import Actor
from safeshare.cases import actions as case_actions
from safeshare.kernel.roles import Role
from safeshare.people.identity import IdentityIn
from safeshare.protocol import actions as protocol_actions
from safeshare.referrals.actions import LegalBasis, do_make_referral
from tests.accounts.factories import make_user, organisation_for

BASIS = LegalBasis(
    controller="Chief Constable of West Midlands Police",
    regime="uk_gdpr_part_2",
    lawful_basis="Public task",
    gateway="Immigration and Asylum Act 1999 s.20",
    agreement_id="DSA-2026-014",
    dpia_version="3.1",
)


def actor(role: Role, code: str | None = None) -> Actor:
    organisation = organisation_for(role, code) if code else None
    return Actor.for_user(make_user(role, organisation))


def police(code: str = "WMP") -> Actor:
    return actor(Role.POLICE_OFFICER, code)


def ie(code: str = "IE-NCCU") -> Actor:
    return actor(Role.IE_CASEWORKER, code)


def identity(**fields) -> IdentityIn:
    defaults = {
        "given_names": "Fatema",
        "family_name": "Begum",
        "date_of_birth": "1991-03-14",
        "nationality": "BGD",
        "sex": "female",
    }
    return IdentityIn(**{**defaults, **fields})


def new_case(officer: Actor, reference: str = "20/1234/26", offence: str = "domestic_abuse"):
    return case_actions.do_create_case(
        officer, crime_reference=reference, offence_category=offence
    )


def add_victim(case, officer: Actor, role: str = "victim", **fields):
    return case_actions.do_add_party(case, officer, role=role, identity=identity(**fields))


def refer(party, officer: Actor, triggers=("safeguarding",)):
    return do_make_referral(
        party,
        officer,
        triggers=triggers,
        channel="web",
        source_of_information="police",
        basis=BASIS,
    )


def clearance(
    caseworker: Actor,
    action: str = "immigration_arrest_or_detention",
    sources=("police",),
    **fields,
):
    subject = {
        "given_names": "Fatema",
        "family_name": "Begum",
        "date_of_birth": "1991-03-14",
        "nationality": "BGD",
    }
    subject.update(fields)
    subject = {key: value for key, value in subject.items() if value is not None}
    return protocol_actions.do_request_clearance(
        caseworker, action_code=action, subject=subject, information_sources=sources
    )


def event(case, officer: Actor, name: str):
    return case_actions.do_record_case_event(case, officer, event=name)
