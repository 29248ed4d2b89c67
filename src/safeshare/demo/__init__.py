"""Demo data for ``safeshare demo`` (an edge: it may use every app)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from django.conf import settings

from safeshare.accounts import demo as accounts_demo
from safeshare.accounts.demo import DemoLogin
from safeshare.advice.demo import seed_advice
from safeshare.demo.cases import seed_protocol
from safeshare.demo.notifications import seed_notifications
from safeshare.kernel.roles import Role
from safeshare.kernel.transactions import request_transaction
from safeshare.ledger.service import make_checkpoint, sequence_pending

LOGINS_FILE_NAME = "demo-logins.json"


def seed_agreements() -> None:
    """One data-sharing agreement for each police force, so that its officers can refer."""
    from safeshare.accounts.administration import operator_actor
    from safeshare.accounts.models import Organisation
    from safeshare.kernel.roles import OrganisationKind
    from safeshare.referrals.agreements import do_create_agreement

    for force in Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE.value):
        do_create_agreement(
            operator_actor(force),
            force,
            name="Home Office data-sharing agreement",
            controller=f"Chief Constable of {force.name}",
            regime="uk_gdpr_part_2",
            lawful_basis="Public task (UK GDPR Article 6(1)(e))",
            gateway="Immigration and Asylum Act 1999 s.20",
            reference="NCCU-DSA-2024-03",
            dpia_version="2.4",
        )


SEEDERS: list[Callable[[], object]] = [
    seed_agreements,
    seed_protocol,
    seed_advice,
    seed_notifications,
]
"""Functions run in order after organisations and users exist (cases, protections, …)."""


def logins_file() -> Path:
    return Path(settings.VAR_DIR) / LOGINS_FILE_NAME


def save_logins(logins: list[DemoLogin]) -> None:
    path = logins_file()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump([asdict(login) for login in logins], handle, ensure_ascii=False, indent=2)


def load_logins() -> list[DemoLogin]:
    path = logins_file()
    if not path.exists():
        return []
    return [
        DemoLogin(Role(item["role"]), item["email"], item["password"], item["organisation"])
        for item in json.loads(path.read_text(encoding="utf-8"))
    ]


def seed() -> list[DemoLogin]:
    """Create every app's demo data in an empty database and return the logins.

    All or nothing: every seeder runs in one transaction (the actions join it), so a failure
    leaves the database empty, ready to try again, never half-seeded."""
    with request_transaction():
        accounts_demo.seed_organisations()
        logins = accounts_demo.seed_users()
        for seeder in SEEDERS:
            seeder()
    save_logins(logins)
    sequence_pending()
    make_checkpoint()  # so the demo starts with a signed, verifiable ledger
    return logins
