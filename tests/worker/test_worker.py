"""``safeshare worker``: every background job runs under a lease, failures are retried later,
and a lease whose worker died is taken over."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from safeshare.worker import actions
from safeshare.worker.jobs import Job, jobs
from safeshare.worker.models import JobLease
from safeshare.worker.runner import Runner

pytestmark = pytest.mark.django_db


def test_every_background_job_is_declared():
    assert {job.name for job in jobs()} == {
        "ledger-sequence",
        "ledger-checkpoint",
        "register-keys",
        "sweeps",
        "webhooks",
        "statistics",
        "notices",
        "ie-webhooks",
        "outbound-webhooks",
        "holds",
        "retention",
        "duplicates-index",
    }


def test_a_live_lease_keeps_other_workers_off_and_a_dead_one_is_taken_over():
    assert actions.do_take_lease("job", "worker-a", 60)
    assert not actions.do_take_lease("job", "worker-b", 60)
    JobLease.objects.filter(name="job").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert actions.do_take_lease("job", "worker-b", 60)
    assert JobLease.objects.get(name="job").holder == "worker-b"


def test_a_failing_job_is_recorded_and_tried_again_later():
    calls = []

    def flaky() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database away")
        return 3

    runner = Runner([Job("flaky", flaky, every=0.0, lease=60)], holder="w")
    assert runner.run_due()["flaky"] == "RuntimeError: database away"
    lease = JobLease.objects.get(name="flaky")
    assert lease.failures == 1
    assert "database away" in lease.last_error
    assert lease.holder == ""
    assert runner.run_due(force=True)["flaky"] == 3
    assert JobLease.objects.get(name="flaky").failures == 0


def test_a_failure_delays_the_next_try_more_each_time():
    def broken() -> int:
        raise ValueError("no")

    runner = Runner([Job("broken", broken, every=1.0, lease=60)], holder="w")
    runner.run_due()
    first = runner.due["broken"]
    runner.run_due(force=True)
    assert runner.due["broken"] - first > 1.0


def test_once_sequences_the_ledger_and_keeps_the_statistics(data_for_worker):
    from safeshare.ledger.models import LedgerEntry
    from safeshare.oversight.models import StatisticsSnapshot

    assert LedgerEntry.objects.filter(index__isnull=True).exists()
    call_command("worker", "--once", "--only", "ledger-sequence", "statistics", verbosity=0)
    assert not LedgerEntry.objects.filter(index__isnull=True).exists()
    assert StatisticsSnapshot.objects.exists()


def test_an_unknown_job_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No job nope"):
        call_command("worker", "--once", "--only", "nope")


@pytest.fixture
def data_for_worker(db):
    from safeshare.accounts.actors import Actor
    from safeshare.kernel.roles import Role
    from safeshare.ledger.audit import do_record_personal_data_read
    from safeshare.people.actions import create_person
    from safeshare.people.identity import IdentityIn
    from tests.accounts.factories import make_user

    actor = Actor.for_user(make_user(Role.POLICE_OFFICER))
    person = create_person(IdentityIn(given_names="Ana", family_name="Lima"), actor)
    do_record_personal_data_read(actor, [person], "test")
