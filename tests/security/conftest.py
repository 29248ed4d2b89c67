"""One of everything on two sides: our force and IE unit, and another force and IE unit.

Objects are made through the actions layer, as the service makes them. The matcher is replaced
by one that finds exactly the protection a clearance is meant to find, so that blocks, holds and
overrides exist whatever the trained model would say about the test names.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest

from safeshare.accounts.actions import do_create_organisation
from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation, User
from safeshare.cases import actions as case_actions
from safeshare.cases.models import Case, Party
from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.people.identity import IdentityIn
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Clearance, Override, Protection, Review
from safeshare.referrals.actions import LegalBasis, do_make_referral
from safeshare.referrals.models import Referral
from tests.accounts.factories import make_user

BASIS = LegalBasis(
    controller="Chief Constable",
    regime="uk_gdpr_part_2",
    lawful_basis="Public task",
    gateway="Immigration and Asylum Act 1999 s.20",
    agreement_id="DSA-2026-014",
    dpia_version="3.1",
)
PEOPLE = {
    "own": {
        "given_names": "Fatema",
        "family_name": "Begum",
        "date_of_birth": "1991-03-14",
        "nationality": "BGD",
        "sex": "female",
    },
    "other": {
        "given_names": "Ana",
        "family_name": "Popescu",
        "date_of_birth": "1988-07-02",
        "nationality": "ROU",
        "sex": "female",
    },
}
ORGANISATIONS = {
    ("own", "police"): ("WMP", OrganisationKind.POLICE_FORCE, "West Midlands Police"),
    ("other", "police"): ("GMP", OrganisationKind.POLICE_FORCE, "Greater Manchester Police"),
    ("own", "ie"): ("IE-NCCU", OrganisationKind.IE_UNIT, "Immigration Enforcement NCCU"),
    ("other", "ie"): ("IE-SOUTH", OrganisationKind.IE_UNIT, "Immigration Enforcement South"),
    ("own", "oversight"): ("ASC", OrganisationKind.OVERSIGHT_BODY, "Anti-Slavery Commissioner"),
    ("own", "support"): ("SUPPORT", OrganisationKind.SUPPORT_ORGANISATION, "Support Org"),
    ("own", "referrer"): ("NHS-RXK", OrganisationKind.NHS_BODY, "Sandwell NHS Trust"),
    ("other", "referrer"): ("LA-BHAM", OrganisationKind.LOCAL_AUTHORITY, "Birmingham Council"),
}
ORG_FOR_ROLE = {
    Role.POLICE_OFFICER: "police",
    Role.PROTOCOL_OFFICER: "police",
    Role.ADMINISTRATOR: "police",
    Role.IE_CASEWORKER: "ie",
    Role.IE_SENIOR_APPROVER: "ie",
    Role.OVERSIGHT_ANALYST: "oversight",
    Role.ADVOCATE: "support",
    Role.REFERRER: "referrer",
}
_references = itertools.count(100)


def organisation(side: str, kind: str) -> Organisation:
    code, org_kind, name = ORGANISATIONS[(side, kind)]
    existing = Organisation.objects.filter(code=code).first()
    return existing or do_create_organisation(
        code=code, name=name, kind=org_kind, contact_point=f"{name} protocol desk, 0100 000 000"
    )


class ChosenMatcher:
    """Stands in for ``match_subject``: finds ``protection`` at ``decision`` (or nothing)."""

    def __init__(self) -> None:
        self.decision = "none"
        self.protection: Protection | None = None

    def __call__(self, subject_ref: str, fields):
        from safeshare.protocol.clearance import MatchCandidate, MatchDecision, MatchOutcome

        candidates = ()
        if self.protection is not None and self.decision != "none":
            candidates = (
                MatchCandidate(
                    identity_id=str(self.protection.person.identities.first().pk),
                    protection_ids=(str(self.protection.pk),),
                    score=9.5,
                    decision=MatchDecision(self.decision),
                ),
            )
        outcome = MatchOutcome(
            subject_ref=subject_ref,
            decision=MatchDecision(self.decision if candidates else "none"),
            candidates=candidates,
            matcher_version="test",
        )
        return outcome, _Explained()


class _Explained:
    def explain(self) -> str:
        return "test matcher"


@dataclass
class Side:
    """Everything one side (a force and an IE unit) owns."""

    name: str
    police: Actor
    caseworker: Actor
    case: Case
    victim: Party
    referral: Referral
    protection: Protection
    blocked: Clearance
    review: Review
    override: Override
    users: dict[Role, User] = field(default_factory=dict)


@dataclass
class World:
    """Our side, the other side, and a way to make fresh objects for write operations."""

    own: Side
    other: Side
    matcher: ChosenMatcher

    def side(self, name: str) -> Side:
        return self.own if name == "own" else self.other

    def blocked_clearance(self, side: str) -> Clearance:
        """A new clearance, blocked by the side's protection, asked for by the side's IE unit."""
        owner = self.side(side)
        self.matcher.decision, self.matcher.protection = "match", owner.protection
        return protocol_actions.do_request_clearance(
            owner.caseworker,
            action_code="removal_directions",
            subject={"given_names": "Subject", "family_name": "Person"},
            information_sources=["immigration_records"],
        ).clearance

    def sweep(self, side: str, *, finished: bool = False):
        """A caseload sweep uploaded by the side's IE unit (run to the end if ``finished``).
        Made once per side and state: the policy limits how many sweeps a unit starts a day."""
        import io

        made = self.__dict__.setdefault("_sweeps", {})
        if (side, finished) in made:
            return made[side, finished]

        from safeshare.register.actions import do_start_sweep

        caseload = (
            "id,given_names,family_name,aliases,dob,sex,nationality,passport_no,ho_ref\n"
            "Q1,Subject,Person,,1990-01-02,F,POL,,\n"
        )
        sweep = do_start_sweep(
            io.BytesIO(caseload.encode()), "caseload.csv", self.side(side).caseworker
        )
        if finished:
            from safeshare.register import jobs

            jobs.run_sweep(sweep.pk)
            sweep.refresh_from_db()
        made[side, finished] = sweep
        return sweep

    def held_review(self, side: str) -> Review:
        """A new possible-match review on the side's protection."""
        owner = self.side(side)
        self.matcher.decision, self.matcher.protection = "possible", owner.protection
        return protocol_actions.do_request_clearance(
            owner.caseworker,
            action_code="removal_directions",
            subject={"given_names": "Subject", "family_name": "Person"},
            information_sources=["immigration_records"],
        ).clearance.reviews.get()

    def pending_override(self, side: str) -> Override:
        """A new override, asked for by the side's caseworker, of a block on its protection."""
        return protocol_actions.do_request_override(
            self.blocked_clearance(side),
            self.side(side).caseworker,
            category="national_security_or_public_protection",
            reasons="A serious public-protection risk, set out in an intelligence report.",
        )


def _side(name: str, matcher: ChosenMatcher) -> Side:
    force, unit = organisation(name, "police"), organisation(name, "ie")
    police = Actor.for_user(make_user(Role.POLICE_OFFICER, force))
    caseworker = Actor.for_user(make_user(Role.IE_CASEWORKER, unit))
    case = case_actions.do_create_case(
        police, crime_reference=f"20/{next(_references)}/26", offence_category="domestic_abuse"
    )
    victim = case_actions.do_add_party(
        case, police, role="victim", identity=IdentityIn(**PEOPLE[name])
    )
    referral = do_make_referral(
        victim,
        police,
        triggers=["safeguarding"],
        channel="web",
        source_of_information="police",
        basis=BASIS,
    )
    protection = Protection.objects.get(person=victim.person)
    side = Side(
        name=name,
        police=police,
        caseworker=caseworker,
        case=case,
        victim=victim,
        referral=referral,
        protection=protection,
        blocked=None,  # type: ignore[arg-type]
        review=None,  # type: ignore[arg-type]
        override=None,  # type: ignore[arg-type]
    )
    return side


@pytest.fixture
def world(db, monkeypatch) -> World:
    """Both sides, each with a case, a protected victim, a blocked clearance, an open review
    and a pending override."""
    matcher = ChosenMatcher()
    monkeypatch.setattr("safeshare.protocol.actions.match_subject", matcher)
    organisation("own", "oversight")
    organisation("own", "support")
    own, other = _side("own", matcher), _side("other", matcher)
    built = World(own=own, other=other, matcher=matcher)
    for side in (own, other):
        side.blocked = built.blocked_clearance(side.name)
        side.review = built.held_review(side.name)
        side.override = built.pending_override(side.name)
    return built


def user_for(role: Role, side: str = "own") -> User:
    """A signed-in person with ``role`` in the side's organisation of the right kind."""
    return make_user(role, organisation(side, ORG_FOR_ROLE[role]))
