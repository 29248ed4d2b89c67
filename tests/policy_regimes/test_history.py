"""Regularisation and NRM status changes are kept as history, and a negative NRM decision keeps
the recovery-period block for the minimum period (R27), as the advice core applies it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from safeshare.cases.lifecycle import RegularisationStatus
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Protection
from tests.advice_web.support import officer, protected_victim
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db


def test_regularisation_changes_are_kept_in_order():
    police = officer()
    protection = protected_victim(police)
    for status in (
        RegularisationStatus.APPLICATION_PENDING,
        RegularisationStatus.DECIDED_REFUSE,
        RegularisationStatus.APPEAL_PENDING,
    ):
        protocol_actions.do_update_regularisation(protection, status, police)
    protection.refresh_from_db()
    assert [step["status"] for step in protection.regularisation_history] == [
        "application_pending",
        "decided_refuse",
        "appeal_pending",
    ]


def test_a_negative_nrm_decision_keeps_the_block_for_the_minimum_period():
    police = officer()
    protection = protected_victim(police)
    decide = protocol_actions.do_record_nrm_decision
    decide(protection, police, stage="positive_reasonable_grounds")
    decide(protection, police, stage="negative")
    protection.refresh_from_db()
    assert not protection.nrm_recovery_period
    assert protection.nrm_recovery_until == timezone.localdate() + timedelta(days=30)
    assert protection.in_recovery_period
    assert [s["stage"] for s in protection.nrm_history] == [
        "positive_reasonable_grounds",
        "negative",
    ]
    # IE is still blocked, and no override can lift it.
    blocked = h.clearance(h.ie()).clearance
    assert blocked.decision == "blocked"
    assert any("recovery period" in reason for reason in blocked.reasons)
    # After the minimum period the negative decision takes effect.
    Protection.objects.filter(pk=protection.pk).update(
        nrm_recovery_until=timezone.localdate() - timedelta(days=1)
    )
    protection.refresh_from_db()
    assert not protection.in_recovery_period
