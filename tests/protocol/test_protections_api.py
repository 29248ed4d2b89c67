"""``GET /protections``: a force's protections, a page at a time, scoped and audited."""

from __future__ import annotations

import pytest

from safeshare.accounts.models import ReadAudit
from safeshare.kernel.roles import Role
from tests import api_client as api

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _ie_unit():
    """Referrals go to an Immigration Enforcement unit; there must be one."""
    from tests.support.factories.referrals import ie_unit

    ie_unit()


def _protect(police: api.ApiClient, n: int, family_name: str) -> str:
    case = api.new_case(police, reference=f"20/{n}/26")
    party = api.add_party(police, case, family_name=family_name, date_of_birth=f"19{70 + n}-01-02")
    return api.ok(api.refer(police, case, party), 201)["protection_reference"]


def test_a_force_lists_its_own_protections_with_a_cursor():
    police, other = api.police(), api.police("GMP")
    ours = [_protect(police, n, name) for n, name in enumerate(("Ali", "Bibi", "Chowdhury"))]
    theirs = _protect(other, 9, "Dey")
    seen, cursor = [], None
    while True:
        page = api.ok(
            police.get("/protections", limit=2, **({"cursor": cursor} if cursor else {}))
        )
        assert len(page["items"]) <= 2
        seen += [item["reference"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ours
    assert theirs not in seen
    item = api.ok(police.get("/protections"))["items"][0]
    assert item["status"] == "active"
    assert item["protected"] is True
    assert set(item) == {
        "reference",
        "status",
        "protected",
        "contact_point",
        "opened_at",
        "status_changed_at",
        "status_reasons",
    }
    officer = api.protocol_officer()
    assert [i["reference"] for i in api.ok(officer.get("/protections"))["items"]] == ours
    assert [i["reference"] for i in api.ok(other.get("/protections"))["items"]] == [theirs]


def test_filters_and_bad_parameters():
    police = api.police()
    _protect(police, 1, "Ali")
    assert api.ok(police.get("/protections", status="ended"))["items"] == []
    assert len(api.ok(police.get("/protections", status="active"))["items"]) == 1
    assert api.ok(police.get("/protections", changed_since="2999-01-01T00:00:00Z"))["items"] == []
    # Any offset RFC 3339 allows, on both databases (PostgreSQL itself takes only ±15:59).
    far = api.ok(police.get("/protections", changed_since="3252-08-21T15:37:10+22:03"))
    assert far["items"] == []
    near = api.ok(police.get("/protections", changed_since="2000-01-01T00:00:00-23:59"))
    assert len(near["items"]) == 1
    late = police.get("/protections", changed_since="9999-12-31T23:00:00-05:00")
    assert late.status_code == 422
    assert late.json()["error"]["fields"] == {
        "changed_since": "A date and time before the year 10000"
    }
    for params in ({"status": "gone"}, {"limit": 0}, {"limit": 201}, {"cursor": "x"}):
        response = police.get("/protections", **params)
        assert response.status_code == 422, params


def test_each_page_is_one_audited_read_and_an_empty_page_none():
    police = api.police()
    _protect(police, 1, "Ali")
    _protect(police, 2, "Bibi")
    before = ReadAudit.objects.count()
    api.ok(police.get("/protections"))
    record = ReadAudit.objects.order_by("-id").first()
    assert ReadAudit.objects.count() == before + 1
    assert (record.purpose, record.record_kind, record.person_count) == (
        "api_protection_list",
        "protection",
        2,
    )
    api.ok(police.get("/protections", status="ended"))
    assert ReadAudit.objects.count() == before + 1


@pytest.mark.parametrize(
    "role", [r for r in Role if r not in (Role.POLICE_OFFICER, Role.PROTOCOL_OFFICER)]
)
def test_no_other_role_lists_protections(role):
    """Immigration Enforcement checks a reference at a time; it never lists the register."""
    code = {"ie_caseworker": "IE-X", "ie_senior_approver": "IE-X"}.get(
        role.value, f"O-{role.value[:5].upper()}"
    )
    response = api.ApiClient(role, code).get("/protections")
    assert response.status_code == 403
