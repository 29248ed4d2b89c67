"""Retention of notices, sweep files and webhook deliveries (R23, docs/adr/0038): a dry run
counts them, a real run erases or deletes only what is older than the policy's period, and
records the counts in its one ledger entry."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from safeshare.accounts import actions as account_actions
from safeshare.accounts import administration, webhooks
from safeshare.accounts.actors import Actor
from safeshare.accounts.models import OutboundDelivery
from safeshare.kernel.roles import Role
from safeshare.ledger.models import LedgerEntry
from safeshare.notifications.models import Notification
from safeshare.register import jobs as register_jobs
from safeshare.register import sweeps
from safeshare.register.actions import do_start_sweep
from safeshare.register.models import Sweep
from safeshare.worker import retention
from tests.support.factories.accounts import make_user, organisation_for
from tests.support.factories.referrals import ProtectionFactory

pytestmark = pytest.mark.django_db

OLD = timedelta(days=31)


def counts() -> dict[str, int]:
    return {c.name: c.count for c in retention.plan()}


def notice(person, *, status: str, age: timedelta) -> Notification:
    made = Notification.objects.create(
        person=person,
        event="protection_opened",
        channel="sms",
        language="en",
        recipient="+447700900123",
        body="Your protection is open.",
        status=status,
    )
    Notification.objects.filter(pk=made.pk).update(created_at=timezone.now() - age)
    return made


def test_finished_notices_lose_their_address_and_words_and_nothing_else():
    person = ProtectionFactory.create().person
    old = notice(person, status="delivered", age=OLD)
    recent = notice(person, status="delivered", age=timedelta(days=2))
    waiting = notice(person, status="queued", age=OLD)
    assert counts()["notifications"] == 1
    assert retention.run()["notifications"] == 1
    old.refresh_from_db()
    assert (old.recipient, old.body, old.status) == ("", "", "delivered")
    for kept in (recent, waiting):
        kept.refresh_from_db()
        assert kept.recipient == "+447700900123"
    entry = LedgerEntry.objects.filter(kind="retention_run").get()
    assert "notifications" in entry.draft["payload"]["fields"]
    assert retention.run()["notifications"] == 0


def test_finished_webhook_deliveries_are_deleted():
    force = organisation_for(Role.POLICE_OFFICER, "WMP")
    administration.create_webhook(
        administration.operator_actor(force),
        organisation=force,
        name="RMS",
        url="https://rms.example.org/hook",
        events=["protection.opened"],
    )
    for _ in range(3):
        webhooks.queue_event(force, "protection.opened", {"protection_reference": "P"})
    old, recent, pending = OutboundDelivery.objects.order_by("id")
    now = timezone.now()
    for delivery in (old, recent):
        account_actions.record_webhook_attempt(
            delivery, now, delivered=True, response_status=200, error="", max_attempts=3
        )
    OutboundDelivery.objects.filter(pk__in=[old.pk, pending.pk]).update(created_at=now - OLD)
    assert counts()["webhook_deliveries"] == 1
    assert retention.run()["webhook_deliveries"] == 1
    assert set(OutboundDelivery.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}


def test_finished_sweeps_lose_their_files(tmp_path, django_capture_on_commit_callbacks):
    with override_settings(VAR_DIR=str(tmp_path)):
        caseworker = Actor.for_user(make_user(Role.IE_CASEWORKER))
        caseload = (
            "id,given_names,family_name,aliases,dob,sex,nationality,passport_no,ho_ref\n"
            "Q1,Subject,Person,,1990-01-02,F,POL,,\n"
        )
        made = []
        for _ in range(2):
            sweep = do_start_sweep(io.BytesIO(caseload.encode()), "caseload.csv", caseworker)
            register_jobs.run_sweep(sweep.pk)
            made.append(Sweep.objects.get(pk=sweep.pk))
        old, recent = made
        Sweep.objects.filter(pk=old.pk).update(finished_at=timezone.now() - OLD)
        files = [sweeps.stored_path(old), sweeps.stored_path(old, results=True)]
        assert all(path.is_file() for path in files)
        assert counts()["sweep_files"] == 2
        with django_capture_on_commit_callbacks(execute=True):  # files go once it commits
            assert retention.run()["sweep_files"] == 2
        assert not any(path.is_file() for path in files)
        assert sweeps.stored_path(recent, results=True).is_file()
        assert Sweep.objects.get(pk=old.pk).clear_count == old.clear_count  # the counts stay
