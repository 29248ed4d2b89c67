"""The feed API: upsert and look up a case by crime reference, and list cases with a cursor."""

from __future__ import annotations

import json

import pytest

from safeshare.cases.models import Case
from safeshare.kernel.roles import Role
from tests.api_client import ApiClient as BaseClient


class ApiClient(BaseClient):
    def put(self, path: str, body: object):
        return self.client.put(
            f"/api/v1{path}",
            json.dumps(body),
            content_type="application/json",
            headers=self._headers(),
        )


pytestmark = pytest.mark.django_db


def test_upsert_by_crime_reference_creates_then_updates():
    police = ApiClient(Role.POLICE_OFFICER, "WMP")
    url = "/cases/by-reference/WMP/20/123/26"
    created = police.put(url, {"offence_category": "domestic_abuse"})
    assert created.status_code == 201, created.content
    assert created.json()["crime_reference"] == "20/123/26"
    updated = police.put(url, {"offence_category": "hate_crime"})
    assert updated.status_code == 200
    assert Case.objects.get().offence_category == "hate_crime"
    found = police.get(url)
    assert found.status_code == 200
    assert found.json()["id"] == created.json()["id"]
    bad = police.put(url, {"offence_category": "parking"})
    assert bad.status_code == 422


def test_another_forces_reference_is_not_found():
    police = ApiClient(Role.POLICE_OFFICER, "WMP")
    other = ApiClient(Role.POLICE_OFFICER, "GMP")
    police.put("/cases/by-reference/WMP/1/26", {"offence_category": "other"})
    assert other.get("/cases/by-reference/WMP/1/26").status_code == 404
    assert other.get("/cases/by-reference/GMP/1/26").status_code == 404
    assert (
        other.put("/cases/by-reference/WMP/1/26", {"offence_category": "other"}).status_code == 404
    )
    assert Case.objects.count() == 1


def test_cases_are_listed_with_a_cursor_and_filters():
    police = ApiClient(Role.POLICE_OFFICER, "WMP")
    other = ApiClient(Role.POLICE_OFFICER, "GMP")
    for n in range(5):
        police.put(f"/cases/by-reference/WMP/{n}/26", {"offence_category": "other"})
    other.put("/cases/by-reference/GMP/9/26", {"offence_category": "other"})
    seen, cursor = [], None
    while True:
        page = police.get("/cases", limit=2, **({"cursor": cursor} if cursor else {})).json()
        seen += [item["crime_reference"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"{n}/26" for n in range(5)]
    assert police.get("/cases", limit=0).status_code == 422
    assert police.get("/cases", cursor="abc").status_code == 422
    assert police.get("/cases", offence_category="hate_crime").json()["items"] == []


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.POLICE_OFFICER])
def test_other_roles_are_refused(role):
    client = ApiClient(
        role,
        {"ie_caseworker": "IE-X", "ie_senior_approver": "IE-X"}.get(
            role.value, f"O-{role.value[:5].upper()}"
        ),
    )
    assert client.get("/cases").status_code == 403
    assert client.put("/cases/by-reference/X/1", {"offence_category": "other"}).status_code == 403
    assert client.get("/cases/by-reference/X/1").status_code == 403


def test_clearances_are_listed_with_a_cursor_for_the_unit_only():
    from tests import api_client as api

    ie, other = api.ie(), api.ie("IE-OTHER")
    for family in ("Ali", "Bibi", "Chowdhury"):
        assert api.clearance(ie, family_name=family).status_code == 201
    api.clearance(other, family_name="Dey")
    first = ie.get("/clearances", limit=2).json()
    assert len(first["items"]) == 2
    rest = ie.get("/clearances", limit=2, cursor=first["next_cursor"]).json()
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    assert len(other.get("/clearances").json()["items"]) == 1
    assert ie.get("/clearances", cursor="x").status_code == 422
    assert api.police().get("/clearances").status_code == 403
