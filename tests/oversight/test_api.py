"""The oversight API: the same figures as the pages, for oversight analysts' tokens only."""

from __future__ import annotations

import pytest
from django.utils import timezone

from safeshare.kernel.roles import Role
from tests.accounts.factories import organisation_for
from tests.api_client import ApiClient, ok
from tests.oversight import scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return ApiClient(Role.OVERSIGHT_ANALYST, "DAC")


def test_statistics_index_and_one_statistic(api):
    scenario.build()
    index = ok(api.get("/oversight/statistics"))
    assert timezone.localdate().year in index["years"]
    assert {s["id"] for s in index["statistics"]} >= {
        "referrals",
        "protections",
        "clearances",
        "holds",
        "overrides",
        "ever-protected",
        "advice",
    }
    body = ok(api.get("/oversight/statistics/referrals"))
    by_month = next(t for t in body["tables"] if t["id"] == "referrals-by-month")
    assert by_month["total"]["values"] == [8]
    by_force = next(t for t in body["tables"] if t["id"] == "referrals-by-force")
    assert [r["values"] for r in by_force["rows"]] == [[None], [None], [None]]  # suppressed
    filtered = ok(
        api.get("/oversight/statistics/referrals", force="WMP", offence="domestic_abuse")
    )
    assert filtered["force"] == "WMP"
    assert filtered["offence"] == "domestic_abuse"
    assert not any(t["id"] == "referrals-by-force" for t in filtered["tables"])


def test_ie_statistics_ignore_force_and_offence(api):
    organisation_for(Role.POLICE_OFFICER, "WMP")
    body = ok(api.get("/oversight/statistics/clearances", force="WMP"))
    assert body["force"] is None
    assert body["scope_note"]


def test_bad_filters_are_refused_with_the_standard_error(api):
    response = api.get(
        "/oversight/statistics/referrals", year=1900, force="NOPE", offence="burglary"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"year", "force", "offence"}
    assert api.get("/oversight/statistics/names").status_code == 404


def test_alerts_comparison_and_ledger(api):
    scenario.build()
    alerts = ok(api.get("/oversight/alerts"))
    assert {"override_requested", "override_approved"} <= {a["kind"] for a in alerts}
    missing = api.get("/oversight/comparison", policy_a="mvp-2021", policy_b="firewall")
    assert missing.status_code == 404
    assert "safeshare oversight compare" in missing.json()["error"]["message"]
    from django.core.management import call_command

    call_command("oversight", "compare", "mvp-2021", "firewall")
    body = ok(api.get("/oversight/comparison", policy_a="mvp-2021", policy_b="firewall"))
    assert body["current"] is True
    assert body["tables"][0]["id"] == "comparison-referrals"
    assert api.get("/oversight/comparison", policy_a="x", policy_b="firewall").status_code == 422
    ledger = ok(api.get("/oversight/ledger"))
    assert set(ledger) == {"available", "checkpoint", "checked_at", "ok", "size", "first_problem"}


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.OVERSIGHT_ANALYST])
def test_other_roles_cannot_read_oversight_figures(role):
    code = {
        Role.POLICE_OFFICER: "WMP",
        Role.PROTOCOL_OFFICER: "WMP",
        Role.ADMINISTRATOR: "WMP",
        Role.IE_CASEWORKER: "IE-NCCU",
        Role.IE_SENIOR_APPROVER: "IE-NCCU",
        Role.ADVOCATE: "LAWRS",
        Role.REFERRER: "NHS-RXK",
    }[role]
    client = ApiClient(role, code)
    for path in (
        "/oversight/statistics",
        "/oversight/statistics/referrals",
        "/oversight/alerts",
        "/oversight/ledger",
    ):
        response = client.get(path)
        assert response.status_code == 403, (role, path)
        assert response.json()["error"]["code"] == "forbidden"
