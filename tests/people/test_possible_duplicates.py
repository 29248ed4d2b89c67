"""The duplicate finder: people in the force's cases who may be the same person (R24)."""

from __future__ import annotations

import pytest

from safeshare.accounts.models import ReadAudit
from safeshare.kernel.roles import Role
from tests import api_client as api

pytestmark = pytest.mark.django_db


def person_id(client, case: dict, party: dict) -> str:
    detail = api.ok(client.get(f"/cases/{case['id']}"))
    return next(p["person_id"] for p in detail["parties"] if p["id"] == party["id"])


def test_the_same_victim_in_two_cases_is_found_and_a_stranger_is_not():
    police, other_force = api.police(), api.police("GMP")
    first = api.new_case(police, "20/1/26")
    victim = api.add_party(police, first)
    second = api.new_case(police, "20/2/26")
    again = api.add_party(police, second, given_names="Fatima", sex=None)
    api.add_party(
        police,
        second,
        role="witness",
        given_names="Ali",
        family_name="Khan",
        date_of_birth="1980",
        nationality="PAK",
        sex="male",
    )
    elsewhere_case = api.new_case(other_force, "99/1/26")
    api.add_party(other_force, elsewhere_case)  # the same name in another force: never shown
    found = api.ok(police.get(f"/people/{person_id(police, first, victim)}/possible-duplicates"))
    assert [d["person_id"] for d in found] == [person_id(police, second, again)]
    assert found[0]["decision"] in ("match", "possible")
    assert found[0]["identities"][0]["given_names"] == "Fatima"
    assert "dob: exact" in found[0]["evidence"]


def test_each_search_is_one_audited_read_of_everyone_it_shows():
    police = api.police()
    first = api.new_case(police, "20/1/26")
    victim = api.add_party(police, first)
    second = api.new_case(police, "20/2/26")
    api.add_party(police, second, given_names="Fatima")
    url = f"/people/{person_id(police, first, victim)}/possible-duplicates"
    before = ReadAudit.objects.count()
    api.ok(police.get(url))
    record = ReadAudit.objects.order_by("-id").first()
    assert ReadAudit.objects.count() == before + 1
    assert (record.purpose, record.record_kind, record.person_count) == (
        "api_possible_duplicates",
        "person",
        2,
    )


def test_another_forces_person_is_not_found():
    police, other = api.police(), api.police("GMP")
    case = api.new_case(police, "20/1/26")
    victim = api.add_party(police, case)
    response = other.get(f"/people/{person_id(police, case, victim)}/possible-duplicates")
    assert response.status_code == 404
    assert (
        api.ApiClient(Role.PROTOCOL_OFFICER, "WMP")
        .get(f"/people/{person_id(police, case, victim)}/possible-duplicates")
        .status_code
        == 403
    )


def test_the_index_keeps_up_with_new_people_merges_and_people_leaving_the_force():
    """The force's key index (docs/adr/0038) is kept between calls: a person added after a
    call is found by the next, and a person who is no longer one of the force's is not."""
    from safeshare.cases.duplicates import possible_duplicates
    from safeshare.people.models import Person

    police = api.police()
    first = api.new_case(police, "20/1/26")
    victim = person_id(police, first, api.add_party(police, first))
    url = f"/people/{victim}/possible-duplicates"
    assert api.ok(police.get(url)) == []  # builds the index
    second = api.new_case(police, "20/2/26")
    later = person_id(police, second, api.add_party(police, second, given_names="Fatima"))
    assert [d["person_id"] for d in api.ok(police.get(url))] == [later]

    # Merged into someone else: read again from the database, so no longer shown.
    Person.objects.filter(public_id=later).update(merged_into=Person.objects.get(public_id=victim))
    force = police.organisation
    assert possible_duplicates(Person.objects.get(public_id=victim), force) == []


def test_a_new_process_reads_the_index_the_worker_saved(settings, tmp_path, monkeypatch):
    """The worker saves each force's index; a process without one reads it and catches up,
    rather than building it."""
    from safeshare.cases import duplicates
    from safeshare.people.models import Person

    settings.VAR_DIR = str(tmp_path)
    police = api.police()
    first = api.new_case(police, "20/1/26")
    victim = person_id(police, first, api.add_party(police, first))
    assert duplicates.save_indexes() > 0  # the worker's job
    duplicates._indexes.clear()  # a process that has not built one
    second = api.new_case(police, "20/2/26")
    later = person_id(police, second, api.add_party(police, second, given_names="Fatima"))

    def no_building(*args, **kwargs):
        raise AssertionError("the index was built again instead of read")

    monkeypatch.setattr(duplicates, "_force_identities", no_building)
    found = duplicates.possible_duplicates(
        Person.objects.get(public_id=victim), police.organisation
    )
    assert [str(d.person.public_id) for d in found] == [later]
