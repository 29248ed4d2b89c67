"""Subject access: exemptions recorded, reviewed and withdrawn item by item on a page, each change
a ledger entry; the export never includes another person's data, nor the risk assessment."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from safeshare.advice import actions
from safeshare.advice.models import SubjectAccessExemption
from safeshare.kernel.roles import Role
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Review
from safeshare.referrals.models import Referral
from tests.advice_web.support import officer, protected_victim
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db

# IE asks about someone with the same names and another date of birth: a possible match.
OTHER_PERSON_DOB = "1991-07-02"


def exemption_entries() -> list[str]:
    return [
        e.draft["payload"]["status"]
        for e in LedgerEntry.objects.filter(kind=EntryKind.SAR_EXEMPTION.value).order_by("id")
    ]


def test_a_hold_ruled_not_the_same_person_is_not_in_the_export():
    police = officer()
    protection = protected_victim(police)
    held = h.clearance(h.ie(), date_of_birth=OTHER_PERSON_DOB, passport_number="X1234567")
    assert held.clearance.decision == "hold"
    data = actions.do_export_subject_access(protection.person, police).data
    # Until a protocol officer decides, IE's details of the subject are not given.
    (listed,) = data["clearances"]
    assert "Not included" in listed["subject_as_given_by_immigration_enforcement"]
    assert OTHER_PERSON_DOB not in json.dumps(data)
    assert "X1234567" not in json.dumps(data)
    review = Review.objects.get(clearance=held.clearance)
    protocol_actions.do_resolve_review(
        review,
        h.actor(Role.PROTOCOL_OFFICER, "WMP"),
        verdict="not_same_person",
        reasons="Different date of birth and passport.",
    )
    data = actions.do_export_subject_access(protection.person, police).data
    assert data["clearances"] == []
    assert "X1234567" not in json.dumps(data)


def test_a_confirmed_match_shows_what_ie_asked():
    police = officer()
    protection = protected_victim(police)
    held = h.clearance(h.ie(), date_of_birth=OTHER_PERSON_DOB)
    protocol_actions.do_resolve_review(
        Review.objects.get(clearance=held.clearance),
        h.actor(Role.PROTOCOL_OFFICER, "WMP"),
        verdict="same_person",
        reasons="The same person: a recording error in the year.",
    )
    data = actions.do_export_subject_access(protection.person, police).data
    (listed,) = data["clearances"]
    subject = listed["subject_as_given_by_immigration_enforcement"]
    assert subject["date_of_birth"] == OTHER_PERSON_DOB


def test_exemptions_are_recorded_reviewed_and_withdrawn_on_the_page(client):
    police = officer()
    protection = protected_victim(police)
    person = protection.person
    referral = Referral.objects.get()
    client.force_login(police.user)
    url = f"/people/{person.public_id}/subject-access/exemptions/"
    assert client.get(url).status_code == 200

    bad = client.post(url, {"item_kind": "referral", "basis": "dpa2018_sch2_para4"})
    assert bad.status_code == 400
    assert "Enter the identifier of the one item to withhold" in bad.content.decode()
    assert not SubjectAccessExemption.objects.exists()

    review_by = timezone.localdate() + timedelta(days=90)
    made = client.post(
        url,
        {
            "item_kind": "referral",
            "item_id": str(referral.public_id),
            "basis": "dpa2018_sch2_para4",
            "risk_assessment": "Giving this referral now would prejudice an ongoing immigration "
            "control investigation into the sponsor.",
            "review_on": review_by.strftime("%d/%m/%Y"),
        },
    )
    assert made.status_code == 302, made.content.decode()
    exemption = SubjectAccessExemption.objects.get()
    data = actions.do_export_subject_access(person, police).data
    assert data["referrals"][0]["withheld"] is True
    assert data["exemptions"][0]["basis"].startswith("Data Protection Act 2018")
    assert "sponsor" not in json.dumps(data)

    later = review_by + timedelta(days=90)
    reviewed = client.post(
        url,
        {
            "action": "review",
            "exemption": exemption.pk,
            "review_on": later.strftime("%d/%m/%Y"),
            "reasons": "The investigation is still open.",
        },
    )
    assert reviewed.status_code == 302
    exemption.refresh_from_db()
    assert exemption.review_on == later
    assert exemption.history[0]["previous_review_on"] == review_by.isoformat()

    withdrawn = client.post(
        url, {"action": "withdraw", "exemption": exemption.pk, "reasons": "It has now closed."}
    )
    assert withdrawn.status_code == 302
    data = actions.do_export_subject_access(person, police).data
    assert data["referrals"][0]["id"] == str(referral.public_id)
    assert "withheld" not in data["referrals"][0]
    assert exemption_entries() == ["recorded", "reviewed", "withdrawn"]
    assert data["exemptions"] == []  # a withdrawn exemption no longer withholds anything
