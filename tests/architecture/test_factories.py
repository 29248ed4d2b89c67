"""Each app's factory makes a stored record through that app's actions, as the service does;
and advice migration 0002 moves stored facts onto the one offence vocabulary."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from safeshare.advice.models import AdvicePack
from safeshare.kernel.offences import OffenceCategory
from safeshare.ledger.models import LedgerEntry
from safeshare.oversight.models import Alert
from safeshare.people.models import Person
from safeshare.protocol.models import Protection
from safeshare.worker.models import JobLease
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_a_person_is_a_party_to_a_case():
    person = factories.PersonFactory.create(given_names="Amina", family_name="Okafor")
    assert Person.objects.filter(pk=person.pk).exists()
    assert person.parties.get().case.offence_category == OffenceCategory.DOMESTIC_ABUSE


def test_a_referral_opens_a_protection_and_is_logged():
    referral = factories.ReferralFactory.create()
    assert referral.protection.protects
    assert referral.recipient.code == "IE-NCCU"
    assert LedgerEntry.objects.exists()
    protection = factories.ProtectionFactory.create()
    assert Protection.objects.filter(pk=protection.pk).exists()


def test_an_advice_pack_and_a_letter_are_issued():
    pack = factories.AdvicePackFactory.create()
    assert AdvicePack.objects.filter(pk=pack.pk).exists()
    assert pack.facts["offence_category"] == "domestic_abuse"
    letter = factories.ProtectionLetterFactory.create(protection=pack.protection)
    assert letter.passcode
    assert letter.pdf.startswith(b"%PDF")


def test_an_alert_and_a_lease():
    alert = factories.AlertFactory.create(summary="Override requested for a protected person")
    assert Alert.objects.get(pk=alert.pk).summary.startswith("Override requested")
    lease = factories.JobLeaseFactory.create(name="sweeps", holder="worker-a")
    assert JobLease.objects.get(name="sweeps").holder == lease.holder == "worker-a"
    with pytest.raises(ValueError, match="Another worker holds"):
        factories.JobLeaseFactory.create(name="sweeps", holder="worker-b")


def test_advice_migration_0002_renames_the_two_former_spellings_and_back():
    migration = importlib.import_module("safeshare.advice.migrations.0002_one_offence_vocabulary")
    pack = factories.AdvicePackFactory.create()
    other = factories.AdvicePackFactory.create()
    AdvicePack.objects.filter(pk=pack.pk).update(
        facts={**pack.facts, "offence_category": "modern_slavery_or_trafficking"}
    )
    AdvicePack.objects.filter(pk=other.pk).update(
        facts={**other.facts, "offence_category": "sexual_violence"}
    )
    migration.forwards(apps, None)
    stored = dict(AdvicePack.objects.values_list("pk", "facts__offence_category"))
    assert stored == {pack.pk: "modern_slavery_trafficking", other.pk: "sexual_offences"}
    migration.backwards(apps, None)
    stored = dict(AdvicePack.objects.values_list("pk", "facts__offence_category"))
    assert stored == {pack.pk: "modern_slavery_or_trafficking", other.pk: "sexual_violence"}
