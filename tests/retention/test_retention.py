"""Retention (R23): a dry run lists what would go, a real run erases it and the ledger
still verifies."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.kernel.roles import Role
from safeshare.ledger import service
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Clearance
from tests.accounts.factories import organisation_for

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def clearance(ie: Actor, days_ago: int, scheduled_in: int | None = None) -> Clearance:
    made = protocol_actions.do_request_clearance(
        ie,
        action_code="removal_directions",
        subject={"given_names": "Subject", "family_name": f"Person{days_ago}"},
        information_sources=["immigration_records"],
        scheduled_for=(
            timezone.localdate() + timedelta(days=scheduled_in) if scheduled_in else None
        ),
    ).clearance
    Clearance.objects.filter(pk=made.pk).update(
        decided_at=timezone.now() - timedelta(days=days_ago)
    )
    return Clearance.objects.get(pk=made.pk)


def test_dry_run_lists_then_a_real_run_erases_and_the_ledger_verifies():
    ie = Actor(
        organisation=organisation_for(Role.IE_CASEWORKER, "IE-NCCU"), role=Role.IE_CASEWORKER
    )
    old = clearance(ie, 40)
    recent = clearance(ie, 5)
    scheduled = clearance(ie, 40, scheduled_in=10)
    assert old.decision == "clear"
    entries = LedgerEntry.objects.count()
    plan = json.loads(run("retention", "run", "--dry-run", "--json"))
    assert plan["cleared_clearance_subjects"] == {"days": 30, "would_delete": 1}
    assert Clearance.objects.get(pk=old.pk).subject != {}
    assert LedgerEntry.objects.count() == entries

    out = run("retention", "run")
    assert "cleared_clearance_subjects: 1 deleted" in out
    assert Clearance.objects.get(pk=old.pk).subject == {}
    assert Clearance.objects.get(pk=recent.pk).subject != {}
    assert Clearance.objects.get(pk=scheduled.pk).subject != {}
    entry = LedgerEntry.objects.filter(kind="retention_run").get()
    assert entry.draft["payload"]["count"] == 1
    assert entry.draft["payload"]["fields"] == ["cleared_clearance_subjects"]
    service.sequence_pending()
    service.make_checkpoint()
    run("ledger", "verify")

    again = json.loads(run("retention", "run", "--json"))
    assert again == {
        "cleared_clearance_subjects": 0,
        "idempotency_records": 0,
        "notifications": 0,
        "sweep_files": 0,
        "webhook_deliveries": 0,
        "ended_protections": 0,
    }
    assert LedgerEntry.objects.filter(kind="retention_run").count() == 1


def test_the_worker_runs_retention_daily():
    from safeshare.worker.jobs import jobs

    job = next(j for j in jobs() if j.name == "retention")
    assert job.every == 86_400.0
    assert job.run() == 0


def test_the_periods_are_the_policys(tmp_path, settings):
    """The periods come from the policy's [retention] table, so they are versioned with it."""
    from safeshare.protocol.active import active_policy
    from safeshare.worker import retention
    from tests.protocol.builders import derived_policy

    ie = Actor(
        organisation=organisation_for(Role.IE_CASEWORKER, "IE-NCCU"), role=Role.IE_CASEWORKER
    )
    old = clearance(ie, 40)
    longer = derived_policy(
        tmp_path,
        settings.SAFESHARE_POLICY,
        "longer",
        ("cleared_clearance_subjects = 30", "cleared_clearance_subjects = 60"),
    )
    assert retention.periods(longer)["cleared_clearance_subjects"] == 60
    assert [c.count for c in retention.plan(policy=longer)] == [0, 0, 0, 0, 0, 0]
    assert retention.run(policy=longer) == {
        "cleared_clearance_subjects": 0,
        "idempotency_records": 0,
        "notifications": 0,
        "sweep_files": 0,
        "webhook_deliveries": 0,
        "ended_protections": 0,
    }
    assert Clearance.objects.get(pk=old.pk).subject != {}

    in_force = active_policy()
    out = run("retention", "run", "--dry-run")
    assert f"Periods from the policy {in_force.id} (version {in_force.version[:12]})" in out
    assert "cleared_clearance_subjects: 1 older than 30 days would be deleted" in out
    assert retention.run()["cleared_clearance_subjects"] == 1
    entry = LedgerEntry.objects.filter(kind="retention_run").get()
    assert (entry.draft["policy_id"], entry.draft["policy_version"]) == (
        in_force.id,
        in_force.version,
    )
