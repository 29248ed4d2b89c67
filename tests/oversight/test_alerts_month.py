"""The alerts list is filtered by the month raised, typed in the GOV.UK date input's month and
year boxes, with the pattern's error messages; a GET form that changes nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from safeshare.kernel.roles import Role
from safeshare.oversight.actions import do_raise_alert
from safeshare.oversight.models import Alert
from tests.accounts.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts():
    """One alert raised in February 2026 and one in March 2026."""
    made = {}
    for label, when in (
        ("february", datetime(2026, 2, 27, 23, 30)),
        ("march", datetime(2026, 3, 1, 0, 30)),
    ):
        alert = do_raise_alert(
            kind="override_requested",
            summary=f"Override OV-{label.upper()} requested",
            details={},
            organisation_code="WMP",
        )
        Alert.objects.filter(pk=alert.pk).update(created_at=timezone.make_aware(when))
        made[label] = alert
    return made


@pytest.fixture
def analyst(client):
    client.force_login(make_user(Role.OVERSIGHT_ANALYST))
    return client


def stored() -> list[tuple]:
    return list(Alert.objects.order_by("pk").values_list("pk", "created_at", "acknowledged_at"))


def test_the_page_draws_month_and_year_boxes_not_one_box(analyst, alerts):
    page = analyst.get(reverse("oversight:alerts")).content.decode()
    assert 'name="month-month"' in page
    assert 'name="month-year"' in page
    assert 'name="month-day"' not in page
    assert 'name="month"' not in page
    assert "OV-FEBRUARY" in page
    assert "OV-MARCH" in page


def test_a_good_month_lists_only_that_months_alerts(analyst, alerts):
    response = analyst.get(reverse("oversight:alerts"), {"month-month": "3", "month-year": "2026"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "OV-MARCH" in page
    assert "OV-FEBRUARY" not in page
    assert 'value="3"' in page
    assert 'value="2026"' in page
    assert "month=2026-03" in page  # the download keeps the filter
    csv = analyst.get(reverse("oversight:alerts"), {"month": "2026-03", "format": "csv"})
    assert "OV-MARCH" in csv.content.decode()
    assert "OV-FEBRUARY" not in csv.content.decode()


def test_a_month_with_no_alerts_says_so(analyst, alerts):
    page = analyst.get(
        reverse("oversight:alerts"), {"month-month": "04", "month-year": "2026"}
    ).content.decode()
    assert "There are no alerts to show raised in April 2026." in page


@pytest.mark.parametrize(
    ("month", "year", "message"),
    [
        ("13", "2026", "Month must be a number between 1 and 12"),
        ("0", "2026", "Month must be a number between 1 and 12"),
        ("March", "2026", "Month must be a number between 1 and 12"),
        ("3", "26", "Year must include 4 numbers"),
        ("3", "20266", "Year must include 4 numbers"),
        ("3", "twenty", "Year must include 4 numbers"),
        ("3", "", "Month raised must include a year"),
        ("", "2026", "Month raised must include a month"),
    ],
)
def test_a_bad_month_or_year_gives_the_patterns_error_and_changes_nothing(
    analyst, alerts, month, year, message
):
    before = stored()
    response = analyst.get(reverse("oversight:alerts"), {"month-month": month, "month-year": year})
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert f'<a href="#id_month-month">{message}</a>' in page
    assert "govuk-form-group--error" in page
    assert "<title>Error: Alerts" in page
    assert "OV-MARCH" not in page
    assert "OV-FEBRUARY" not in page
    assert stored() == before


def test_nothing_typed_lists_every_month(analyst, alerts):
    response = analyst.get(reverse("oversight:alerts"), {"month-month": "", "month-year": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "OV-MARCH" in page
    assert "OV-FEBRUARY" in page
    assert "govuk-error-summary" not in page


def test_the_next_page_keeps_the_month_filter(analyst, alerts):
    """Pages of a filtered list stay filtered: the links change only the page number."""
    for n in range(55):
        alert = do_raise_alert(
            kind="override_requested",
            summary=f"Override OV-M{n} requested",
            details={},
            organisation_code="WMP",
        )
        Alert.objects.filter(pk=alert.pk).update(
            created_at=timezone.make_aware(datetime(2026, 3, 2, 9, n))
        )
    filters = {"show": "all", "month-month": "3", "month-year": "2026"}
    first = analyst.get(reverse("oversight:alerts"), filters).content.decode()
    assert 'rel="next"' in first
    assert "?show=all&amp;month-month=3&amp;month-year=2026&amp;page=2" in first
    second = analyst.get(reverse("oversight:alerts"), {**filters, "page": "2"}).content.decode()
    assert "OV-FEBRUARY" not in second
    assert "OV-MARCH" in second or "OV-M" in second
    assert 'rel="prev"' in second
    assert "month-month=3&amp;month-year=2026&amp;page=1" in second


def test_the_list_names_the_organisation_not_its_code(analyst, alerts):
    from safeshare.accounts.models import Organisation, OrganisationKind

    Organisation.objects.update_or_create(
        code="WMP",
        defaults={"name": "West Midlands Police", "kind": OrganisationKind.POLICE_FORCE},
    )
    page = analyst.get(reverse("oversight:alerts")).content.decode()
    assert ">West Midlands Police</td>" in page
    assert ">WMP</td>" not in page
