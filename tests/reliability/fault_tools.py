"""Helpers the fault tests and bench/load.py run in a separate process, against the database
named by the environment (``DATABASE_URL``, or SQLite in ``SAFESHARE_VAR_DIR``).

    python -m tests.reliability.fault_tools seed         # organisations, a protection; tokens
    python -m tests.reliability.fault_tools clearances   # what was stored, as JSON
    python -m tests.reliability.fault_tools audit [DIR]  # ledger checkpoint + verify (+ export
                                                         # to DIR), then what was stored

``audit`` runs ``safeshare ledger checkpoint``, ``safeshare ledger verify`` (and ``export``) in
one process, to save starting Django three times; a failed verification exits with status 1.
"""

from __future__ import annotations

import json
import os
import sys
import uuid


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeshare.settings")
    import django

    django.setup()


def _person(organisation, role, name: str):
    """Someone in ``organisation`` with ``role``, for a token to act for."""
    from safeshare.accounts.actions import do_create_user

    return do_create_user(
        email=f"{role.value}.{name.replace(' ', '-')}@{organisation.code.lower()}.test",
        password=uuid.uuid4().hex + "Aa1!",
        organisation=organisation,
        role=role,
    )


def seed() -> dict[str, str]:
    """An IE unit and a force with one protected victim; a token for each role that needs one.

    Idempotent: run it again and it reuses what is there (new tokens are made each time)."""
    from safeshare.accounts.actions import do_create_api_token, do_create_organisation
    from safeshare.accounts.actors import Actor
    from safeshare.accounts.models import Organisation
    from safeshare.cases import actions as case_actions
    from safeshare.kernel.roles import OrganisationKind, Role
    from safeshare.people.identity import IdentityIn
    from safeshare.referrals.actions import LegalBasis, do_make_referral

    def organisation(code: str, kind: OrganisationKind, name: str) -> Organisation:
        return Organisation.objects.filter(code=code).first() or do_create_organisation(
            code=code, name=name, kind=kind, contact_point=f"{name} protocol desk"
        )

    unit = organisation("IE-NCCU", OrganisationKind.IE_UNIT, "Immigration Enforcement NCCU")
    force = organisation("WMP", OrganisationKind.POLICE_FORCE, "West Midlands Police")
    name = f"faults {uuid.uuid4().hex[:8]}"  # token names are unique per organisation
    police = do_create_api_token(
        organisation=force,
        role=Role.POLICE_OFFICER,
        name=name,
        person=_person(force, Role.POLICE_OFFICER, name),
    )
    caseworker = do_create_api_token(
        organisation=unit,
        role=Role.IE_CASEWORKER,
        name=name,
        person=_person(unit, Role.IE_CASEWORKER, name),
    )
    from safeshare.protocol.models import Protection

    if not Protection.objects.exists():
        actor = Actor.for_token(police.token)
        case = case_actions.do_create_case(
            actor, crime_reference="20/1/26", offence_category="domestic_abuse"
        )
        victim = case_actions.do_add_party(
            case,
            actor,
            role="victim",
            identity=IdentityIn(
                given_names="Fatema",
                family_name="Begum",
                date_of_birth="1991-03-14",
                nationality="BGD",
                sex="female",
            ),
        )
        do_make_referral(
            victim,
            actor,
            triggers=["safeguarding"],
            channel="api",
            source_of_information="police",
            basis=LegalBasis(
                controller="Chief Constable",
                regime="uk_gdpr_part_2",
                lawful_basis="Public task",
                gateway="Immigration and Asylum Act 1999 s.20",
                agreement_id="DSA-2026-014",
                dpia_version="3.1",
            ),
        )
    return {"police": police.secret, "ie": caseworker.secret}


def clearances() -> dict[str, object]:
    """Every stored clearance's id and subject name, and names stored more than once."""
    from django.db.models import Count

    from safeshare.protocol.models import Clearance

    rows = list(Clearance.objects.values_list("public_id", "subject"))
    names = [subject.get("family_name", "") for _, subject in rows]
    repeated = (
        Clearance.objects.values("subject__family_name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "ids": sorted(str(public_id) for public_id, _ in rows),
        "names": sorted(names),
        "repeated": repeated,
    }


def main(argv: list[str]) -> None:
    _setup()
    command = argv[0] if argv else ""
    if command == "seed":
        result: object = seed()
    elif command == "clearances":
        result = clearances()
    elif command == "audit":
        from django.core.management import call_command

        call_command("ledger", "checkpoint", verbosity=0)
        call_command("ledger", "verify", verbosity=0)
        if len(argv) > 1:
            call_command("ledger", "export", argv[1], verbosity=0)
        result = clearances()
    else:
        raise SystemExit("usage: python -m tests.reliability.fault_tools seed|clearances|audit")
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
