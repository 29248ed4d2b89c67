"""Regularisation and NRM status changes are kept as history, and a negative NRM decision keeps
the recovery-period block for the minimum period (R27), as the advice core applies it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from safeshare.cases.lifecycle import RegularisationStatus
from safeshare.kernel.errors import RuleRefusal
from safeshare.kernel.roles import Role
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


@pytest.mark.parametrize("how", ["modern_slavery_case", "nrm_decision"])
def test_the_reviewers_modern_slavery_flag_comes_from_the_records(settings, how):
    """IE cannot see the case (R18), so the flag that reminds the approver of the statutory
    defence is set from the police and NRM records, whatever the requester ticked (R27)."""
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    caseworker, officer = h.ie(), h.police("WMP")
    offence = "modern_slavery_trafficking" if how == "modern_slavery_case" else "domestic_abuse"
    party = h.add_victim(h.new_case(officer, offence=offence), officer)
    h.refer(party, officer)
    protection = Protection.objects.get(person=party.person)
    if how == "nrm_decision":
        protocol_actions.do_record_nrm_decision(protection, officer, stage="referred")
    clearance = h.clearance(caseworker).clearance
    assert clearance.decision == "blocked"
    override = protocol_actions.do_request_override(
        clearance,
        caseworker,
        category="national_security_or_public_protection",
        reasons="A serious public-protection risk, set out in an intelligence report of today.",
    )
    assert override.statutory_defence_flag
    with pytest.raises(RuleRefusal, match="statutory"):
        protocol_actions.do_decide_override(
            override,
            h.actor(Role.IE_SENIOR_APPROVER, "IE-NCCU"),
            approve=True,
            reasons="The intelligence report shows a serious and current risk to the public.",
        )


def test_without_modern_slavery_on_record_the_flag_is_the_requesters(settings):
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    caseworker, officer = h.ie(), h.police("WMP")
    party = h.add_victim(h.new_case(officer), officer)
    h.refer(party, officer)
    clearance = h.clearance(caseworker).clearance
    override = protocol_actions.do_request_override(
        clearance,
        caseworker,
        category="national_security_or_public_protection",
        reasons="A serious public-protection risk, set out in an intelligence report of today.",
    )
    assert not override.statutory_defence_flag


def test_a_public_order_disqualification_is_its_own_reasoned_decision():
    from tests.api_client import ApiClient

    police = officer()
    protection = protected_victim(police)
    protocol_actions.do_record_nrm_decision(
        protection, police, stage="positive_reasonable_grounds"
    )
    client = ApiClient(Role.POLICE_OFFICER, police.org_code)
    path = f"/protections/{protection.reference}/public-order-disqualification"
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    bad = client.post(
        path, {"decided_by": "   ", "reasons": "x" * 40 + " " * 5, "decided_on": future}
    )
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"decided_by", "decided_on"}
    protection.refresh_from_db()
    assert protection.in_recovery_period  # nothing changed
    decided = client.post(
        path,
        {
            "decided_by": "A. Singh, Single Competent Authority",
            "reasons": "A conviction for a serious offence, set out in the decision letter.",
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    assert decided.status_code == 200, decided.content
    protection.refresh_from_db()
    assert not protection.in_recovery_period
    entry = protection.nrm_history[-1]
    assert entry["stage"] == "public_order_disqualification"
    assert entry["decided_by"] == "A. Singh, Single Competent Authority"
    assert "serious offence" in entry["reasons"]
    # The protocol's protection rests on the case, and still blocks.
    assert decided.json()["protected"] is True
    assert h.clearance(h.ie()).clearance.decision == "blocked"
