"""The merge page: possible duplicates of a person, asking for a merge, a second approval."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import ReadAudit
from safeshare.cases.actions import do_add_party, do_create_case
from safeshare.cases.models import PersonMerge
from safeshare.kernel.roles import Role
from safeshare.people.identity import IdentityIn
from tests.pages.helpers import error_summary, signed_in, text
from tests.support.factories.accounts import make_user, organisation_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    force = organisation_for(Role.POLICE_OFFICER, "WMP")
    first, second = make_user(Role.POLICE_OFFICER, force), make_user(Role.POLICE_OFFICER, force)
    actor = Actor.for_user(first)
    one = do_create_case(actor, crime_reference="20/1/26", offence_category="domestic_abuse")
    two = do_create_case(actor, crime_reference="20/2/26", offence_category="domestic_abuse")
    fatema = IdentityIn(
        given_names="Fatema", family_name="Begum", date_of_birth="1991-03-14", nationality="BGD"
    )
    victim = do_add_party(one, actor, role="victim", identity=fatema).person
    again = do_add_party(
        two, actor, role="victim", identity=fatema.model_copy(update={"given_names": "Fatima"})
    ).person
    return first, second, victim, again


def test_an_officer_asks_and_another_approves(world):
    first, second, victim, again = world
    url = reverse("cases:person-duplicates", kwargs={"person_id": victim.public_id})
    asker = signed_in(Client(), first)
    before = ReadAudit.objects.count()
    page = text(asker.get(url))
    assert "Fatima Begum, born 1991-03-14" in page
    assert ReadAudit.objects.count() == before + 1

    missing = asker.post(url, {"action": "request", "merge_with": str(again.public_id)})
    assert missing.status_code == 400  # a form with errors answers 400, as every page does
    assert "Say why they are the same person" in error_summary(missing)
    assert not PersonMerge.objects.exists()

    done = asker.post(
        url,
        {"action": "request", "merge_with": str(again.public_id), "reason": "Same passport"},
    )
    assert done.status_code == 302
    merge = PersonMerge.objects.get()
    page = text(asker.get(url))
    assert "another officer must approve it" in page
    assert "Approve the merge" not in page

    approver = signed_in(Client(), second)
    assert "Approve the merge" in text(approver.get(url))
    approved = approver.post(url, {"action": "approve", "merge": str(merge.public_id)})
    assert approved.status_code == 302
    merge.refresh_from_db()
    assert merge.status == PersonMerge.Status.MERGED
    again.refresh_from_db()
    assert again.merged_into_id == victim.pk
    assert "No one else in your force" in text(approver.get(url))


def test_a_person_asking_cannot_approve_their_own_merge(world):
    first, _second, victim, again = world
    url = reverse("cases:person-duplicates", kwargs={"person_id": victim.public_id})
    asker = signed_in(Client(), first)
    asker.post(
        url, {"action": "request", "merge_with": str(again.public_id), "reason": "Same passport"}
    )
    merge = PersonMerge.objects.get()
    response = asker.post(url, {"action": "approve", "merge": str(merge.public_id)})
    assert response.status_code == 400
    assert "second person must approve" in text(response).lower()
    merge.refresh_from_db()
    assert merge.status == PersonMerge.Status.PENDING


def test_another_forces_person_is_not_found(world):
    _first, _second, victim, _again = world
    other = make_user(Role.POLICE_OFFICER, organisation_for(Role.POLICE_OFFICER, "GMP"))
    url = reverse("cases:person-duplicates", kwargs={"person_id": victim.public_id})
    assert signed_in(Client(), other).get(url).status_code == 404
