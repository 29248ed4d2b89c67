"""Job leases, taken through the worker's actions."""

from __future__ import annotations

import factory

from safeshare.worker.actions import do_take_lease
from safeshare.worker.models import JobLease


class JobLeaseFactory(factory.Factory):
    """A job's lease, held by ``holder`` for ``seconds``."""

    class Meta:
        model = JobLease

    name = factory.Sequence(lambda n: f"job-{n}")
    holder = "worker-a"
    seconds = 60.0

    @classmethod
    def _create(cls, model_class, *args, name: str, holder: str, seconds: float) -> JobLease:
        if not do_take_lease(name, holder, seconds):
            raise ValueError(f"Another worker holds the lease of {name}")
        return JobLease.objects.get(name=name)
