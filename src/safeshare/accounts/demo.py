"""Demo organisations and one user per role, for ``safeshare demo``."""

from __future__ import annotations

import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from safeshare.accounts import actions
from safeshare.accounts.models import Organisation, User
from safeshare.kernel.contact import ContactPoint
from safeshare.kernel.roles import OrganisationKind, Role

FORCES_FILE = Path(__file__).parent / "data" / "police_forces.toml"
DEMO_EMAIL_DOMAIN = "example"


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    email: str
    password: str
    organisation: str


OTHER_ORGANISATIONS = [
    (
        "IE-NCCU",
        "Immigration Enforcement National Command and Control Unit",
        OrganisationKind.IE_UNIT,
        "united_kingdom",
    ),
    (
        "IE-ICE-LON",
        "Immigration Compliance and Enforcement, London",
        OrganisationKind.IE_UNIT,
        "england_wales",
    ),
    (
        "DAC",
        "Domestic Abuse Commissioner's Office",
        OrganisationKind.OVERSIGHT_BODY,
        "england_wales",
    ),
    (
        "IASC",
        "Independent Anti-Slavery Commissioner's Office",
        OrganisationKind.OVERSIGHT_BODY,
        "united_kingdom",
    ),
    (
        "LAWRS",
        "Latin American Women's Rights Service",
        OrganisationKind.SUPPORT_ORGANISATION,
        "england_wales",
    ),
    ("SBS", "Southall Black Sisters", OrganisationKind.SUPPORT_ORGANISATION, "england_wales"),
    (
        "NHS-RXK",
        "Sandwell and West Birmingham NHS Trust",
        OrganisationKind.NHS_BODY,
        "england_wales",
    ),
]

DEMO_USERS = [
    (Role.POLICE_OFFICER, "WMP", "Priya", "Sandhu"),
    (Role.PROTOCOL_OFFICER, "WMP", "Daniel", "Okafor"),
    (Role.IE_CASEWORKER, "IE-NCCU", "Sam", "Hughes"),
    (Role.IE_SENIOR_APPROVER, "IE-NCCU", "Morag", "Campbell"),
    (Role.OVERSIGHT_ANALYST, "DAC", "Aisha", "Rahman"),
    (Role.ADVOCATE, "LAWRS", "Lucía", "Fernández"),
    (Role.ADMINISTRATOR, "WMP", "Chris", "Evans"),
    (Role.REFERRER, "NHS-RXK", "Grace", "Mensah"),
]

EXTRA_POLICE_USERS = [("MPS", "Tom", "Baker"), ("GMP", "Ewa", "Nowak"), ("WYP", "Imran", "Ali")]


def demo_email(role: Role, org_code: str) -> str:
    return f"{role.value.replace('_', '.')}@{org_code.lower()}.{DEMO_EMAIL_DOMAIN}"


def seed_organisations() -> None:
    """Create the police forces and the other demo organisations."""
    forces = tomllib.loads(FORCES_FILE.read_text(encoding="utf-8"))["force"]
    for number, force in enumerate(forces):
        actions.do_create_organisation(
            code=force["code"],
            name=force["name"],
            kind=OrganisationKind.POLICE_FORCE,
            official_code=force["official_code"],
            jurisdiction=force["jurisdiction"],
            # Telephone numbers from Ofcom's range for drama (01632 960 000 to 999): never a
            # real line.
            contact=ContactPoint(
                team=f"{force['name']} protocol desk",
                telephone=f"01632 960 {number:03d}",
                email=f"protocol.desk@{force['code'].lower()}.{DEMO_EMAIL_DOMAIN}",
                hours="Monday to Friday, 8am to 6pm",
                out_of_hours="Call 101 and ask the force control room for the on-call "
                "protocol officer",
            ),
        )
    for code, name, kind, jurisdiction in OTHER_ORGANISATIONS:
        actions.do_create_organisation(code=code, name=name, kind=kind, jurisdiction=jurisdiction)


def seed_users() -> list[DemoLogin]:
    """One user per role (and a police officer in a few more forces), with random passwords."""
    logins = []
    people = [(role, org, first, last) for role, org, first, last in DEMO_USERS]
    people += [(Role.POLICE_OFFICER, org, first, last) for org, first, last in EXTRA_POLICE_USERS]
    for role, org_code, first, last in people:
        organisation = Organisation.objects.get(code=org_code)
        password = secrets.token_urlsafe(12)
        email = demo_email(role, org_code)
        actions.do_create_user(
            email=email,
            password=password,
            organisation=organisation,
            role=role,
            first_name=first,
            last_name=last,
        )
        logins.append(DemoLogin(role, email, password, organisation.name))
    return logins


def reset_demo_passwords() -> list[DemoLogin]:
    """Give every demo user a new random password (when the saved logins were lost)."""
    logins = []
    for user in User.objects.filter(email__endswith=DEMO_EMAIL_DOMAIN).select_related(
        "organisation"
    ):
        password = secrets.token_urlsafe(12)
        actions.do_set_password(user, password)
        organisation = user.organisation.name if user.organisation else ""
        logins.append(DemoLogin(Role(user.role), user.email, password, organisation))
    return logins
