"""Demo cases, victims, referrals, clearances, holds and an override, for ``safeshare demo``.

Deterministic (a fixed seed), realistic names from the communities most affected, several forces,
and cases in every lifecycle state, so that every page has something real to show.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import User
from safeshare.cases import actions as case_actions
from safeshare.cases.lifecycle import CaseEvent, OffenceCategory, PartyRole
from safeshare.kernel.roles import Role
from safeshare.people.identity import IdentityIn, Sex
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.active import active_policy
from safeshare.protocol.models import Protection
from safeshare.referrals.actions import (
    IDENTITY_FIELDS,
    LegalBasis,
    do_make_referral,
    do_record_consent,
)

SEED = 20261124
CASES = 200

# (given names, family names, nationality, sex)
COMMUNITIES: dict[str, tuple[list[str], list[str], str]] = {
    "bengali": (
        ["Fatema", "Nasrin", "Rupa", "Shirin", "Taslima", "Ayesha", "Rahima"],
        ["Begum", "Khatun", "Akter", "Islam", "Rahman", "Chowdhury"],
        "BGD",
    ),
    "urdu": (
        ["Saima", "Noreen", "Rubina", "Amna", "Farzana", "Hina"],
        ["Bibi", "Akhtar", "Kausar", "Hussain", "Parveen", "Iqbal"],
        "PAK",
    ),
    "arabic": (
        ["Amal", "Huda", "Mariam", "Rania", "Samira", "Layla"],
        ["Al-Hassan", "Haddad", "Mansour", "Abdullah", "Khalil", "Saleh"],
        "SYR",
    ),
    "vietnamese": (
        ["Thi Lan", "Thi Hoa", "Van An", "Thi Mai", "Van Minh"],
        ["Nguyen", "Tran", "Le", "Pham", "Hoang"],
        "VNM",
    ),
    "albanian": (
        ["Arta", "Blerina", "Dorina", "Elira", "Mirela", "Besnik"],
        ["Hoxha", "Krasniqi", "Berisha", "Shehu", "Gashi"],
        "ALB",
    ),
    "tigrinya": (
        ["Helen", "Selam", "Meron", "Senait", "Yonas"],
        ["Tesfay", "Gebremedhin", "Haile", "Kidane", "Berhane"],
        "ERI",
    ),
    "nigerian": (
        ["Chioma", "Ngozi", "Funmilayo", "Blessing", "Adaeze"],
        ["Okafor", "Adeyemi", "Eze", "Okonkwo", "Balogun"],
        "NGA",
    ),
    "polish": (
        ["Ewa", "Katarzyna", "Agnieszka", "Magdalena", "Anna"],
        ["Kowalska", "Nowak", "Wiśniewska", "Wójcik", "Kamińska"],
        "POL",
    ),
    "romanian": (
        ["Elena", "Ioana", "Andreea", "Mihaela", "Cristina"],
        ["Popescu", "Ionescu", "Dumitru", "Stan", "Gheorghe"],
        "ROU",
    ),
    "chinese": (
        ["Li Na", "Wang Fang", "Zhang Wei", "Liu Yang", "Chen Jing"],
        ["Li", "Wang", "Zhang", "Liu", "Chen"],
        "CHN",
    ),
    "spanish_portuguese": (
        ["María José", "Ana Paula", "Luz Marina", "Daniela", "Camila"],
        ["García López", "da Silva", "Rodríguez", "Pereira", "Martínez"],
        "COL",
    ),
}

OFFENCE_WEIGHTS = [
    (OffenceCategory.DOMESTIC_ABUSE, 45),
    (OffenceCategory.MODERN_SLAVERY_TRAFFICKING, 15),
    (OffenceCategory.SEXUAL_OFFENCES, 12),
    (OffenceCategory.VIOLENCE_AGAINST_THE_PERSON, 10),
    (OffenceCategory.LABOUR_EXPLOITATION, 10),
    (OffenceCategory.HATE_CRIME, 5),
    (OffenceCategory.OTHER, 3),
]

# Paths through the lifecycle; a case stops at a random point along one of them.
PATHS = [
    [
        "investigation_opened",
        "charge_decision_sought",
        "suspect_charged",
        "prosecution_started",
        "trial_started",
        "verdict",
        "sentenced",
        "case_concluded",
    ],
    ["investigation_opened", "no_further_action"],
    ["investigation_opened", "no_further_action", "case_reopened", "suspect_charged"],
    [
        "investigation_opened",
        "suspect_charged",
        "prosecution_started",
        "guilty_plea",
        "sentenced",
        "appeal_lodged",
    ],
    ["investigation_opened", "victim_withdrew_support"],
]

BASIS = LegalBasis(
    controller="Chief Constable",
    regime="uk_gdpr_part_2",
    lawful_basis="Public task (UK GDPR Article 6(1)(e))",
    gateway="Immigration and Asylum Act 1999 s.20",
    agreement_id="NCCU-DSA-2024-03",
    dpia_version="2.4",
)


@dataclass(frozen=True)
class DemoPerson:
    given_names: str
    family_name: str
    date_of_birth: str
    nationality: str
    aliases: tuple[str, ...] = ()

    def identity(self) -> IdentityIn:
        return IdentityIn(
            given_names=self.given_names,
            family_name=self.family_name,
            date_of_birth=self.date_of_birth,
            nationality=self.nationality,
            aliases=list(self.aliases),
            sex=Sex.FEMALE,
        )


# The woman in the walk-through: a domestic abuse victim, referred, then held under another
# spelling of her name ("Mst Fatimma Begom", born "1 January 1991") when IE asks to detain her.
WALKTHROUGH = DemoPerson("Fatema", "Begum", "1991-03-14", "BGD")


def _actor(role: Role, org_code: str) -> Actor:
    user = User.objects.filter(role=role.value, organisation__code=org_code).first()
    if user is None:
        user = User.objects.filter(role=role.value).select_related("organisation").first()
    assert user is not None  # the demo's users are made before its cases
    return Actor.for_user(user)


def _person(rng: random.Random, used: set[tuple[str, str, str]]) -> DemoPerson:
    while True:
        community = rng.choice(list(COMMUNITIES))
        givens, families, nationality = COMMUNITIES[community]
        year = rng.randint(1962, 2004)
        born = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        person = DemoPerson(
            rng.choice(givens), rng.choice(families), born.isoformat(), nationality
        )
        key = (person.given_names, person.family_name, person.date_of_birth)
        if key not in used:
            used.add(key)
            return person


def seed_protocol() -> None:
    """About 200 cases across several forces, with referrals, clearances, holds and an override."""
    rng = random.Random(SEED)
    forces = ["WMP", "MPS", "GMP", "WYP"]
    officers = {code: _actor(Role.POLICE_OFFICER, code) for code in forces}
    caseworker = _actor(Role.IE_CASEWORKER, "IE-NCCU")
    senior = _actor(Role.IE_SENIOR_APPROVER, "IE-NCCU")
    used: set[tuple[str, str, str]] = {("Fatema", "Begum", WALKTHROUGH.date_of_birth)}
    offences = [o for o, _ in OFFENCE_WEIGHTS]
    weights = [w for _, w in OFFENCE_WEIGHTS]
    protected: list[DemoPerson] = []

    # The walk-through victim, in West Midlands Police, with an ongoing investigation.
    officer = officers["WMP"]
    case = case_actions.do_create_case(
        officer, crime_reference="20/14233/26", offence_category=OffenceCategory.DOMESTIC_ABUSE
    )
    party = case_actions.do_add_party(
        case, officer, role=PartyRole.VICTIM, identity=WALKTHROUGH.identity()
    )
    case_actions.do_record_case_event(case, officer, event=CaseEvent.INVESTIGATION_OPENED)
    _refer_if_the_policy_allows(party, officer, trigger="safeguarding", channel="web")
    if _is_protected(party):
        protected.append(WALKTHROUGH)

    for number in range(1, CASES):
        code = forces[number % len(forces)]
        officer = officers[code]
        offence = rng.choices(offences, weights)[0]
        reference = f"{rng.randint(10, 99)}/{10000 + number}/{rng.choice([24, 25, 26])}"
        case = case_actions.do_create_case(
            officer, crime_reference=reference, offence_category=offence
        )
        victim = _person(rng, used)
        party = case_actions.do_add_party(
            case, officer, role=PartyRole.VICTIM, identity=victim.identity()
        )
        extra_role = rng.random()
        if extra_role < 0.15:
            born = f"{rng.randint(2012, 2022)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
            child = DemoPerson(
                rng.choice(COMMUNITIES["bengali"][0]), victim.family_name, born, victim.nationality
            )
            case_actions.do_add_party(
                case, officer, role=PartyRole.DEPENDANT, identity=child.identity()
            )
        elif extra_role < 0.30:
            case_actions.do_add_party(
                case, officer, role=PartyRole.WITNESS, identity=_person(rng, used).identity()
            )
        # Opened before any later event of the case (those fall in the last 500 days).
        opened = timezone.localdate() - dt.timedelta(days=OPENED_DAYS_AGO + number % 40)
        case_actions.do_record_case_event(
            case, officer, event=CaseEvent.INVESTIGATION_OPENED, occurred_on=opened
        )
        if rng.random() < 0.7:
            trigger = rng.choice(["safeguarding", "victim_request", "investigative_necessity"])
            channel = rng.choice(["phone", "email", "web", "api"])
            _refer_if_the_policy_allows(party, officer, trigger=trigger, channel=channel)
        if _is_protected(party):
            protected.append(victim)
        _advance_from_investigation(case, officer, rng)

    _seed_clearances(rng, caseworker, senior, protected)


def _refer_if_the_policy_allows(party, officer: Actor, *, trigger: str, channel: str) -> None:
    """Refer the victim to Immigration Enforcement, unless the active policy forbids it (the
    firewall sends nothing to IE: its victims are protected from registration instead). Under a
    policy that needs consent (consent-2025) the victim is first asked, in English, alone."""

    if active_policy().referrals.consent_required:
        do_record_consent(
            party,
            officer,
            answer="given",
            fields=IDENTITY_FIELDS,
            asked_at=timezone.now(),
            language="English",
            interpreter_used=False,
            suspect_present=False,
            own_words="Yes, they can have my details so that I am protected.",
        )
    with contextlib.suppress(ValidationError):
        do_make_referral(
            party,
            officer,
            triggers=[trigger],
            channel=channel,
            source_of_information="police",
            basis=BASIS,
        )


def _is_protected(party) -> bool:

    return Protection.objects.filter(person=party.person).exists()


OPENED_DAYS_AGO = 520


def _advance_from_investigation(case, officer: Actor, rng: random.Random) -> None:
    path = rng.choice(PATHS)[1:]
    steps = rng.randint(0, len(path))
    day = timezone.localdate() - dt.timedelta(days=rng.randint(60, 500))
    for event in path[:steps]:
        # Each event some weeks after the one before, and none after today.
        day = min(day + dt.timedelta(days=rng.randint(7, 40)), timezone.localdate())
        try:
            case_actions.do_record_case_event(
                case, officer, event=CaseEvent(event), occurred_on=day
            )
        except ValidationError:
            return


def _seed_clearances(
    rng: random.Random, caseworker: Actor, senior: Actor, protected: list[DemoPerson]
) -> None:
    actions = [
        "immigration_arrest_or_detention",
        "removal_directions",
        "service_of_enforcement_papers",
        "reporting_or_residence_restrictions",
        "operational_visit",
    ]
    # The walk-through: IE asks to detain Fatema under another spelling, with her age-disputed
    # date of birth recorded as 1 January; the possible match is held for review.
    protocol_actions.do_request_clearance(
        caseworker,
        action_code="immigration_arrest_or_detention",
        subject={
            "given_names": "Mst Fatimma",
            "family_name": "Begom",
            "date_of_birth": "1991-01-01",
            "nationality": "Bangladeshi",
        },
        information_sources=["immigration_records"],
    )
    for person in rng.sample(protected, min(12, len(protected))):
        subject = {
            "given_names": person.given_names,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth,
            "nationality": person.nationality,
        }
        if rng.random() < 0.5:  # IE records the names the other way round, without a date
            subject = {
                "given_names": person.family_name,
                "family_name": person.given_names,
                "nationality": person.nationality,
            }
        protocol_actions.do_request_clearance(
            caseworker,
            action_code=rng.choice(actions),
            subject=subject,
            information_sources=["immigration_records"],
        )
    used: set[tuple[str, str, str]] = set()
    for _ in range(15):  # people who are not protected
        person = _person(rng, used)
        protocol_actions.do_request_clearance(
            caseworker,
            action_code=rng.choice(actions),
            subject={
                "given_names": person.given_names,
                "family_name": person.family_name + "a",
                "date_of_birth": person.date_of_birth,
            },
            information_sources=["immigration_records"],
            scheduled_for=timezone.localdate() + dt.timedelta(days=rng.randint(5, 60)),
        )
    # A tip-off from an ex-partner alone: blocked whatever the match (R19).
    protocol_actions.do_request_clearance(
        caseworker,
        action_code="operational_visit",
        subject={"given_names": "Ioana", "family_name": "Marin", "date_of_birth": "1994-08-02"},
        information_sources=["alleged_perpetrator"],
    )
    # An override awaiting approval, on a blocked clearance.
    if not protected:
        return
    target = protected[1] if len(protected) > 1 else protected[0]
    blocked = protocol_actions.do_request_clearance(
        caseworker,
        action_code="deportation_steps",
        subject={
            "given_names": target.given_names,
            "family_name": target.family_name,
            "date_of_birth": target.date_of_birth,
            "nationality": target.nationality,
        },
        information_sources=["immigration_records", "other_agency"],
    ).clearance
    if blocked.decision == "blocked":
        protocol_actions.do_request_override(
            blocked,
            caseworker,
            category="national_security_or_public_protection",
            reasons=(
                "Security Service assessment received on 3 November indicates a serious "
                "and immediate risk to the public; see restricted file reference."
            ),
        )
    del senior  # the senior approver decides the override in the demo, by hand
