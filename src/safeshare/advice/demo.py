"""Demo letter and advice pack, for ``safeshare demo``.

A police officer records safe contact for the walk-through victim (or the first protected person
if that demo data is missing), issues her protection letter and an advice pack, and the
reference and one-time passcode are kept in ``var/demo-victim.json`` (like the demo logins) so
that ``safeshare demo`` can print them. The letter is saved as ``var/demo-protection-letter.pdf``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import User
from safeshare.advice import actions, conf
from safeshare.advice.eligibility import (
    Child,
    Facts,
    Jurisdiction,
    Means,
    NrmStage,
    Relationship,
    VisaCategory,
)
from safeshare.kernel.offences import OffenceCategory
from safeshare.kernel.roles import Role
from safeshare.protocol.models import Protection
from safeshare.protocol.protection import ProtectionStatus

VICTIM_FILE_NAME = "demo-victim.json"
LETTER_FILE_NAME = "demo-protection-letter.pdf"
WALKTHROUGH = ("Fatema", "Begum", "1991-03-14")


@dataclass(frozen=True)
class DemoVictim:
    name: str
    reference: str
    passcode: str
    sign_in_url: str


def victim_file() -> Path:
    return Path(settings.VAR_DIR) / VICTIM_FILE_NAME


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def load_demo_victim() -> DemoVictim | None:
    path = victim_file()
    if not path.exists():
        return None
    return DemoVictim(**json.loads(path.read_text(encoding="utf-8")))


def _officer() -> Actor | None:
    user = (
        User.objects.filter(role=Role.POLICE_OFFICER.value, organisation__code="WMP").first()
        or User.objects.filter(role=Role.POLICE_OFFICER.value).first()
    )
    return Actor.for_user(user) if user else None


def _protection(officer: Actor) -> Protection | None:
    given, family, born = WALKTHROUGH
    found = Protection.objects.filter(
        person__identities__given_names=given,
        person__identities__family_name=family,
        person__identities__date_of_birth=born,
    ).first()
    if found is not None:
        return found
    return (
        Protection.objects.filter(opened_by=officer.organisation, status=ProtectionStatus.ACTIVE)
        .order_by("id")
        .first()
    )


def demo_facts(today: dt.date) -> Facts:
    """What the walk-through victim told the officer: she came as a student's partner, and the
    relationship ended because of abuse; she has a young child and no money."""
    return Facts(
        offence_category=OffenceCategory.DOMESTIC_ABUSE,
        relationship_to_perpetrator=Relationship.FORMER_PARTNER,
        visa_category=VisaCategory.PARTNER_OF_STUDENT,
        relationship_broke_down_due_to_abuse=True,
        abandoned_outside_uk=False,
        trafficking_indicators=False,
        nrm_stage=NrmStage.NONE,
        first_responder_is_public_authority=True,
        jurisdiction=Jurisdiction.ENGLAND,
        eea_or_swiss_national=False,
        uk_arrival_date=dt.date(2023, 9, 10),
        years_residence=round((today - dt.date(2023, 9, 10)).days / 365.25, 1),
        age=today.year - 1991 - ((today.month, today.day) < (3, 14)),
        age_on_arrival=32,
        children=(Child(age=4, years_residence=2, british_or_settled=False),),
        means=Means.DESTITUTE,
        no_recourse_to_public_funds=True,
        fears_return=None,
        cooperating_with_police=True,
        seeking_compensation=None,
        needs_help_to_recover=None,
    )


def seed_advice() -> DemoVictim | None:
    """Issue the walk-through victim's protection letter and advice pack."""
    officer = _officer()
    if officer is None:
        return None
    protection = _protection(officer)
    if protection is None:
        return None
    person = protection.person
    actions.do_record_contact_preference(
        person,
        officer,
        language="en",
        interpreter_needed=True,
        interpreter_language="Bengali (Sylheti)",
        safe_channel="support_organisation",
        address_shared_with_perpetrator="not_known",
    )
    view_url = conf.public_url() + "/my-protection/"
    issued = actions.do_issue_protection_letter(
        protection, officer, language="en", delivery="handed_over", view_url=view_url
    )
    actions.do_issue_advice_pack(
        protection,
        officer,
        facts=demo_facts(timezone.localdate()),
        language="en",
        channel="handed_over",
        view_url=view_url,
    )
    identity = person.primary_identity
    victim = DemoVictim(
        name=identity.full_name if identity else str(person.public_id),
        reference=protection.reference,
        passcode=issued.passcode,
        sign_in_url=view_url,
    )
    _write_private(victim_file(), json.dumps(asdict(victim), ensure_ascii=False).encode())
    _write_private(Path(settings.VAR_DIR) / LETTER_FILE_NAME, issued.pdf)
    return victim
