"""Retention of ended protections (R23, docs/adr/0042): a dry run lists what would go; a real run
deletes it, the ledger still verifies, and the victim's receipts still verify. Whatever a live
record still needs stays: another protection, a role in an ongoing case, a clearance that still
holds IE's subject."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from safeshare.advice import disclosures
from safeshare.cases import actions as case_actions
from safeshare.cases.models import Party
from safeshare.kernel.roles import Role
from safeshare.ledger import service
from safeshare.ledger.models import LedgerEntry, LedgerSubject
from safeshare.ledger.receipts import verify_receipt
from safeshare.notifications.models import Notification
from safeshare.people.models import Identity
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Protection
from safeshare.referrals.models import Referral
from safeshare.register.models import RegisterEntry, RegisterRemoval
from safeshare.worker import retention
from tests.accounts.factories import make_user
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(days=400)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def protected(police, reference: str, **fields) -> Protection:
    case = h.new_case(police, reference=reference)
    party = h.add_victim(case, police, **fields)
    h.event(case, police, "investigation_opened")
    h.refer(party, police)
    return Protection.objects.get(person=party.person)


def close(protection: Protection, police, officer, *, ago: timedelta = LONG_AGO) -> Protection:
    """End the protection as a person does (case concluded, notice delivered, closed), then
    date the closing ``ago``."""
    case = protection.cases.get()
    h.event(case, police, "case_concluded")
    Protection.objects.filter(pk=protection.pk).update(
        transition_notice_at=timezone.now() - timedelta(days=120)
    )
    protocol_actions.do_close_protection(
        Protection.objects.get(pk=protection.pk),
        officer,
        reasons="The case concluded and the victim was told.",
        victim_notified=True,
    )
    Protection.objects.filter(pk=protection.pk).update(closed_at=timezone.now() - ago)
    return Protection.objects.get(pk=protection.pk)


def finish_notices() -> None:
    """The notices went long ago (a notice still to be sent holds a protection)."""
    Notification.objects.update(status="delivered")


def receipts_of(person) -> list[dict]:
    service.sequence_pending()
    service.make_checkpoint()
    keys = [str(key) for key in service.verifier_keys()]
    bundles = []
    for entry, receipt in service.receipts_for_person(person):
        assert receipt is not None
        bundles.append(json.loads(disclosures.receipt_bundle(entry, receipt, keys)))
    assert bundles
    return bundles


def still_verifies(bundles: list[dict]) -> None:
    keys = [str(key) for key in service.verifier_keys()]
    for bundle in bundles:
        assert verify_receipt(json.dumps(bundle["receipt"]), bundle["entry"].encode(), keys)


def test_a_dry_run_lists_then_a_real_run_deletes_and_the_ledger_and_receipts_verify(client):
    police = h.police()
    h.ie()
    officer = h.actor(Role.PROTOCOL_OFFICER, "WMP")
    ended = close(protected(police, "20/1/26"), police, officer)
    recent = close(
        protected(police, "20/2/26", given_names="Amina", family_name="Yusuf"),
        police,
        officer,
        ago=timedelta(days=10),
    )
    live = protected(police, "20/3/26", given_names="Nadia", family_name="Rahman")
    finish_notices()
    person = ended.person
    assert Identity.objects.filter(person=person).exists()
    assert RegisterEntry.objects.filter(protection=ended).exists()
    bundles = receipts_of(person)
    still_verifies(bundles)
    entries = LedgerEntry.objects.count()
    subjects = LedgerSubject.objects.count()

    plan = json.loads(run("retention", "run", "--dry-run", "--json"))
    assert plan["ended_protections"]["days"] == 365
    assert plan["ended_protections"]["would_delete"] == 1
    with_them = plan["ended_protections"]["with_them"]
    assert with_them["people_erased"] == 1
    assert with_them["identities"] == 1
    assert with_them["register_entries"] == 1
    assert with_them["referrals_released"] == 1
    text = run("retention", "run", "--dry-run")
    assert "ended_protections: 1 older than 365 days would be deleted" in text
    assert "people erased 1" in text
    assert Protection.objects.filter(pk=ended.pk).exists()  # a dry run changes nothing
    assert LedgerEntry.objects.count() == entries

    out = run("retention", "run")
    assert "ended_protections: 1 deleted" in out
    assert not Protection.objects.filter(pk=ended.pk).exists()
    assert not Identity.objects.filter(person=person).exists()
    assert not RegisterEntry.objects.filter(identity__person=person).exists()
    assert RegisterRemoval.objects.exists()  # the register's resident copies drop it too
    referral = Referral.objects.get(party__person=person)
    assert (referral.protection_id, referral.payload) == (None, {})
    assert Party.objects.filter(person=person).exists()  # the case keeps its bare role
    # What is still needed stays.
    assert Protection.objects.filter(pk__in=[recent.pk, live.pk]).count() == 2
    assert RegisterEntry.objects.filter(protection=live).exists()
    assert Identity.objects.filter(person=recent.person).exists()

    entry = LedgerEntry.objects.filter(kind="retention_run").get()
    assert entry.draft["payload"]["count"] == 1
    assert entry.draft["payload"]["fields"] == ["ended_protections"]
    assert LedgerEntry.objects.count() == entries + 1
    assert LedgerSubject.objects.count() >= subjects  # the keyed references stay
    service.sequence_pending()
    service.make_checkpoint()
    run("ledger", "verify")
    still_verifies(bundles)
    for bundle in bundles:  # and on the public page anyone checks a receipt with
        page = client.post(reverse("advice:check-receipt"), {"receipt": json.dumps(bundle)})
        assert "Yes, this receipt is genuine" in page.content.decode()
        assert "The record is about the person this receipt was given to" in page.content.decode()
    assert json.loads(run("retention", "run", "--json"))["ended_protections"] == 0

    # Oversight sees the schedule and the run.
    client.force_login(make_user(Role.OVERSIGHT_ANALYST))
    page = client.get(reverse("oversight:retention")).content.decode()
    assert "Protections a person closed" in page
    assert "365 days" in page
    runs = page[page.index('data-testid="retention-runs"') :]
    assert ">1</td>" in runs
    assert "Protections a person closed" in runs


def test_a_clearance_that_still_holds_ies_subject_keeps_the_protection():
    """R23: protection evidence is never deleted before the enforcement data it protects
    against."""
    police, ie = h.police(), h.ie()
    officer = h.actor(Role.PROTOCOL_OFFICER, "WMP")
    protection = protected(police, "20/4/26")
    held = h.clearance(ie).clearance
    assert held.protections.filter(pk=protection.pk).exists()
    close(protection, police, officer)
    finish_notices()
    assert retention.run()["ended_protections"] == 0
    assert Protection.objects.filter(pk=protection.pk).exists()


def test_a_role_in_an_ongoing_case_keeps_the_persons_identity():
    police = h.police()
    h.ie()
    officer = h.actor(Role.PROTOCOL_OFFICER, "WMP")
    protection = close(protected(police, "20/5/26"), police, officer)
    ongoing = h.new_case(police, reference="20/6/26")
    case_actions.do_add_party(
        ongoing, police, role="suspect", person=protection.person, migrant=False
    )
    h.event(ongoing, police, "investigation_opened")
    finish_notices()
    assert Protection.objects.filter(person=protection.person).count() == 1
    assert retention.run()["ended_protections"] == 1
    assert not Protection.objects.filter(pk=protection.pk).exists()
    assert Identity.objects.filter(person=protection.person).exists()
    assert RegisterEntry.objects.filter(identity__person=protection.person).count() == 0


def test_a_notice_still_to_be_sent_keeps_the_protection():
    police = h.police()
    h.ie()
    officer = h.actor(Role.PROTOCOL_OFFICER, "WMP")
    protection = close(protected(police, "20/7/26"), police, officer)
    finish_notices()
    Notification.objects.filter(person=protection.person).update(status="queued")
    assert retention.plan()[-1].count == 0
    Notification.objects.filter(person=protection.person).update(status="delivered")
    assert retention.plan()[-1].count == 1


def test_a_merge_waiting_for_approval_keeps_the_protection_and_after_it_both_go():
    """A merge asked for and not yet approved keeps the protection (the second person may still
    need to see whom it protects); once merged, the person kept and the person merged into
    them are erased together."""
    police = h.police()
    h.ie()
    officer = h.actor(Role.PROTOCOL_OFFICER, "WMP")
    protection = close(protected(police, "20/8/26"), police, officer)
    other_case = h.new_case(police, reference="20/9/26")
    duplicate = case_actions.do_add_party(
        other_case, police, role="witness", identity=h.identity(), migrant=False
    ).person
    h.event(other_case, police, "investigation_opened")
    h.event(other_case, police, "case_concluded")
    finish_notices()
    request = case_actions.do_request_merge(
        police, keep=protection.person, merge=duplicate, reason="The same woman, same birth date."
    )
    assert retention.run()["ended_protections"] == 0
    case_actions.do_approve_merge(h.police(), request)
    finish_notices()
    assert Protection.objects.get(pk=protection.pk).person == protection.person
    assert retention.run()["ended_protections"] == 1
    assert not Identity.objects.filter(person__in=[protection.person, duplicate]).exists()
    assert Party.objects.filter(person=protection.person).count() == 2  # bare case roles stay
