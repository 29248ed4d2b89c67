"""An API token's expiry date is typed in the GOV.UK date input (day, month and year boxes),
with the pattern's error messages, like every other date."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts.models import ApiToken
from safeshare.kernel.roles import Role
from tests.accounts.factories import make_user

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate().year + 1


@pytest.fixture
def admin(client):
    client.force_login(make_user(Role.ADMINISTRATOR))
    return client


def create(client, **typed: str):
    fields = {"action": "create", "name": "RMS", "role": "police_officer", "system_name": "Niche"}
    return client.post(reverse("administration:tokens"), {**fields, **typed})


def test_the_expiry_date_is_three_boxes(admin):
    page = admin.get(reverse("administration:tokens")).content.decode()
    for part in ("day", "month", "year"):
        assert f'name="expires_on-{part}"' in page
    assert 'class="govuk-date-input"' in page
    assert "For example, 31 12 2026" in page


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", str(NEXT_YEAR), "Expiry date must be a real date"),
        ("1", "13", str(NEXT_YEAR), "Expiry date must be a real date"),
        ("1", "2", "27", "Year must include 4 numbers"),
        ("", "2", str(NEXT_YEAR), "Expiry date must include a day"),
        ("1", "", "", "Expiry date must include a year"),
        ("1", "2", "2020", "The expiry date must be in the future"),
    ],
)
def test_a_bad_expiry_date_gives_the_patterns_error_and_makes_no_token(
    admin, day, month, year, message
):
    response = create(
        admin, **{"expires_on-day": day, "expires_on-month": month, "expires_on-year": year}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "govuk-error-summary" in page
    assert not ApiToken.objects.filter(name="RMS").exists()


def test_a_good_expiry_date_sets_the_tokens_expiry(admin):
    response = create(
        admin,
        **{"expires_on-day": "14", "expires_on-month": "2", "expires_on-year": str(NEXT_YEAR)},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="RMS")
    assert timezone.localtime(token.binding.expires_at).date() == date(NEXT_YEAR, 2, 14)


def test_no_expiry_date_takes_the_usual_ninety_days(admin):
    response = create(
        admin, **{"expires_on-day": "", "expires_on-month": "", "expires_on-year": ""}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="RMS")
    assert (token.binding.expires_at.date() - timezone.now().date()).days in (89, 90, 91)
