"""Ending a protection another authority's referral opened (R5, R12; docs/adr/0038): the
referrer withdraws its referral, the protection moves to transition and still blocks, and the
referrer closes it once the person has had notice and the minimum period has passed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safeshare.ledger.models import LedgerEntry
from safeshare.protocol.models import Protection
from safeshare.referrals.models import AuthorityReferral
from tests import api_client as api
from tests.referrals.test_authority_referrals import BODY, referrer
from tests.support.factories.referrals import ie_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _policy(settings):
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    ie_unit()


def refer(client):
    made = api.ok(client.post("/authority-referrals", BODY), 201)
    return made, Protection.objects.get(reference=made["protection_reference"])


def kinds_since(count: int) -> list[str]:
    return list(LedgerEntry.objects.order_by("id")[count:].values_list("kind", flat=True))


def test_withdrawal_ends_the_hold_then_the_referrer_closes_after_notice():
    client = referrer()
    made, protection = refer(client)
    entries = LedgerEntry.objects.count()

    state = api.ok(
        client.post(
            f"/authority-referrals/{made['id']}/withdrawal",
            {"reason": "no_longer_at_risk", "details": "Moved to a refuge in Wales."},
        )
    )
    assert state["protection_status"] == "transition"  # still blocks enforcement
    assert state["withdrawal_reason"] == "no_longer_at_risk"
    referral = AuthorityReferral.objects.get(public_id=made["id"])
    assert referral.withdrawn_at is not None
    assert referral.withdrawal_details == "Moved to a refuge in Wales."
    protection.refresh_from_db()
    assert protection.referral_hold_ended_at is not None
    assert "Held open by the referral" not in " ".join(protection.status_reasons)
    assert kinds_since(entries).count("protection_status_changed") == 2

    # The person has not had the notice: closing is refused, nothing changes.
    closure = {"reasons": "No longer at risk.", "victim_notified": True}
    path = f"/authority-referrals/{made['id']}/protection-closure"
    assert client.post(path, closure).status_code in (400, 409, 422)
    protection.refresh_from_db()
    assert protection.status == "transition"

    Protection.objects.filter(pk=protection.pk).update(
        transition_notice_at=timezone.now() - dt.timedelta(days=91)
    )
    entries = LedgerEntry.objects.count()
    state = api.ok(client.post(path, closure))
    assert state["protection_status"] == "ended"
    protection.refresh_from_db()
    assert protection.closed_at is not None
    assert protection.close_reasons == "No longer at risk."
    assert kinds_since(entries).count("protection_closed") == 1


def test_a_referral_is_withdrawn_once_and_only_by_its_referrer():
    client = referrer()
    made, _ = refer(client)
    other = referrer("LA-OTHER")
    path = f"/authority-referrals/{made['id']}/withdrawal"
    assert other.post(path, {"reason": "person_asked"}).status_code == 404
    bad = client.post(path, {"reason": "bored"})
    assert bad.status_code == 422
    assert "reason" in bad.content.decode()
    assert AuthorityReferral.objects.get(public_id=made["id"]).withdrawn_at is None
    api.ok(client.post(path, {"reason": "person_asked"}))
    again = client.post(path, {"reason": "person_asked"})
    assert again.status_code == 422
    assert "already been withdrawn" in again.content.decode()


def test_closing_before_withdrawal_is_refused():
    client = referrer()
    made, protection = refer(client)
    Protection.objects.filter(pk=protection.pk).update(
        transition_notice_at=timezone.now() - dt.timedelta(days=91)
    )
    response = client.post(
        f"/authority-referrals/{made['id']}/protection-closure",
        {"reasons": "Done.", "victim_notified": True},
    )
    assert response.status_code == 422
    assert "Withdraw the referral first" in response.content.decode()
    protection.refresh_from_db()
    assert protection.status == "active"
