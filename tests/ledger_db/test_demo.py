"""``safeshare demo`` under every shipped policy. Seeding is the costly part, so each policy is
seeded once and everything that needs the demo data is checked on it: it seeds; it leaves a
sequenced, signed ledger that verifies; IE, reading the whole log through the API, links
nothing to the people it asked about (the attacker's test, docs/adr/0007-unlinkable-entries.md);
``safeshare replay`` reproduces every recorded decision and names an altered one; and a
tampered entry is named by ``safeshare ledger verify``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safeshare import demo
from safeshare.cases.models import Case
from safeshare.ledger import service
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol.active import policy_by_id
from safeshare.protocol.models import Clearance, Protection
from safeshare.protocol.policy import available_policies
from tests.ledger_db.support import body_of, set_body
from tests.ledger_db.test_unlinkability import (
    assert_nothing_links,
    attack_as_ie,
    operator_links_ie_clearances_to_other_orgs,
    two_forces_one_person,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

POLICIES = available_policies()


def test_every_shipped_policy_is_tried():
    assert {"firewall", "mvp-2021"} <= set(POLICIES)


# Every policy on SQLite; on PostgreSQL the default and the firewall, which differ most. The
# demo's pages and decisions do not depend on the engine, and seeding it is slow.
ON_BOTH_ENGINES = {"mvp-2021-promise", "firewall"}


@pytest.mark.parametrize(
    "policy_id",
    [
        pytest.param(policy, marks=() if policy in ON_BOTH_ENGINES else pytest.mark.sqlite_only)
        for policy in POLICIES
    ],
)
def test_the_demo_under_every_policy(policy_id, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the demo writes its logins and letters there
    settings.SAFESHARE_POLICY = policy_id
    out = io.StringIO()
    call_command("demo", stdout=out)

    # It seeds.
    assert "Demo data created." in out.getvalue()
    assert Case.objects.count() >= 100
    assert Protection.objects.exists()  # every policy protects someone in the demo
    assert Clearance.objects.filter(decision="blocked").exists()
    assert (tmp_path / demo.LOGINS_FILE_NAME).exists()

    # ``safeshare replay`` reproduces every recorded decision of the demo, and names one whose
    # stored facts were altered (the acceptance; docs/adr/0041).
    out = io.StringIO()
    call_command("replay", stdout=out)
    assert " 0 different, 0 could not be replayed." in out.getvalue(), out.getvalue()
    print(f"\n{policy_id}: " + out.getvalue().strip())  # noqa: T201 (with -s)
    altered = Clearance.objects.filter(decision="blocked", protections__isnull=False).first()
    assert altered is not None
    kept = (altered.history, altered.facts)
    history = [dict(step) for step in altered.history]
    facts = dict(history[-1]["facts"])
    facts["match"] = {**facts["match"], "decision": "none", "candidates": []}
    facts["protections"] = {}
    history[-1]["facts"] = facts
    Clearance.objects.filter(pk=altered.pk).update(history=history, facts=facts)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("replay", stdout=out)
    assert str(altered.public_id) in out.getvalue()
    Clearance.objects.filter(pk=altered.pk).update(history=kept[0], facts=kept[1])

    # Its ledger is sequenced, signed and verifies.
    assert LedgerEntry.objects.exists()
    assert not LedgerEntry.objects.filter(index__isnull=True).exists()
    report = service.verify_database()
    assert report.ok, report.summary()
    assert report.verified_size == report.entries == LedgerEntry.objects.count()

    # IE links nothing. Where the policy refers no one to IE (``firewall``), two forces'
    # referral attempts and IE's clearances about their victim are added to the demo.
    if not policy_by_id(policy_id).referrals_possible:
        two_forces_one_person()
    assert operator_links_ie_clearances_to_other_orgs() > 0
    entries, withheld, linkage = attack_as_ie()
    assert withheld == 0
    assert_nothing_links(entries, linkage)

    # A tampered entry is found and named.
    call_command("ledger", "verify", stdout=io.StringIO())
    set_body(5, body_of(5).replace(b'"v":2', b'"v":1'))
    out = io.StringIO()
    with pytest.raises(CommandError, match="entry 5"):
        call_command("ledger", "verify", stdout=out)
    assert "First problem: entry 5:" in out.getvalue()
