"""Holds' time to a decision against the target, in the oversight statistics (page, chart and
data table, and the API), with the same disclosure control as every statistic."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.kernel.roles import Role
from safeshare.oversight.statistics import STATISTICS, Context, Filters
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Clearance, Review
from tests.accounts.factories import make_user
from tests.api_client import ApiClient, ie
from tests.pages.helpers import fake_matcher

pytestmark = pytest.mark.django_db

SUBJECT = {
    "given_names": "Fatema",
    "family_name": "Begum",
    "date_of_birth": "1991-03-14",
    "nationality": "BGD",
    "action": "immigration_arrest_or_detention",
    "information_sources": ["immigration_records"],
}


@pytest.fixture
def holds(monkeypatch, protection, protocol_officer, settings):
    """Ten holds that began ten hours ago: four decided in an hour, one in nine hours, five
    still waiting (past the eight-hour target)."""
    settings.SAFESHARE_HOLD_TARGET_HOURS = 8
    fake_matcher(monkeypatch, "possible", [protection])
    api = ie()
    began = timezone.now() - dt.timedelta(hours=10)
    reviews = []
    for n in range(10):
        response = api.post("/clearances", {**SUBJECT, "given_names": f"Fatema{n}"})
        assert response.json()["decision"] == "hold"
        reviews.append(Clearance.objects.get(public_id=response.json()["id"]).reviews.get())
    for n, review in enumerate(reviews[:5]):
        protocol_actions.do_resolve_review(
            review,
            Actor.for_user(protocol_officer),
            verdict="not_same_person",
            reasons="A different date of birth and country.",
        )
        took = dt.timedelta(hours=9 if n == 4 else 1)
        Review.objects.filter(pk=review.pk).update(created_at=began, resolved_at=began + took)
    Review.objects.filter(pk__in=[r.pk for r in reviews[5:]]).update(created_at=began)
    return began


def test_holds_are_counted_against_the_target(holds):
    year = timezone.localtime(holds).year
    result = STATISTICS["hold-times"].build(Filters(year=year), Context())
    table = result.tables[0]
    month = next(r for r in table.rows if r.code == f"{timezone.localtime(holds).month:02d}")
    # Within the target, after it (1: suppressed, with a partner), waiting, past it; total.
    values = [c.value for c in month.cells]
    assert values[3] == 5
    assert values[-1] == 10
    assert values[1] is None, "a count of 1 is never published"
    assert values[0] is None, "and is not recoverable from the row total"
    assert result.headline == 10
    facts = dict(result.facts)
    assert facts["Target"] == "8 hours"
    assert facts["Median time to a decision"] == "1.0 hours"
    assert facts["90% decided within"] == "9.0 hours"


def test_fewer_than_five_decided_shows_no_median(monkeypatch, protection, protocol_officer):
    fake_matcher(monkeypatch, "possible", [protection])
    response = ie().post("/clearances", SUBJECT)
    review = Clearance.objects.get(public_id=response.json()["id"]).reviews.get()
    protocol_actions.do_resolve_review(
        review,
        Actor.for_user(protocol_officer),
        verdict="same_person",
        reasons="The same date of birth and passport.",
    )
    result = STATISTICS["hold-times"].build(Filters(timezone.localdate().year), Context())
    facts = dict(result.facts)
    assert facts["Median time to a decision"] == "Not shown: fewer than 5 holds were decided"
    assert result.headline is None, "one hold in all is suppressed"


def test_the_page_shows_a_chart_and_its_table_and_the_api_the_same_figures(client, holds):
    client.force_login(make_user(Role.OVERSIGHT_ANALYST))
    html = client.get("/oversight/statistics/", {"name": "hold-times"}).content.decode()
    assert "Holds by month and time to a decision against the target" in html
    assert "<svg" in html
    assert "Waiting past the target" in html
    api = ApiClient(Role.OVERSIGHT_ANALYST, "OVERSIGHT")
    body = api.get("/oversight/statistics/hold-times").json()
    assert body["facts"]["Target"] == "8 hours"
    (table,) = body["tables"]
    assert "Waiting past the target" in str(table)
    index = api.get("/oversight/statistics").json()
    assert "hold-times" in [s["id"] for s in index["statistics"]]
