"""The refused referrals page of an NHS body, local authority or NRM first responder (R5):
its own refusals only, newest first, with when, who tried, and the rules and reasons in plain
words, 25 to a page; no other role reaches it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts.models import User
from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.referrals.models import RefusedAuthorityReferral
from tests.referrals.test_authority_referrals import BODY, referrer
from tests.support.factories.accounts import make_user
from tests.support.factories.referrals import ie_unit

pytestmark = pytest.mark.django_db

PAGE = "/authority-referrals/refused/"


@pytest.fixture
def refused(settings):
    """One real refusal under the firewall policy, then 29 more of the same organisation
    spread over the past days, and one of another organisation."""
    settings.SAFESHARE_POLICY = "firewall"
    ie_unit()
    client = referrer()
    assert client.post("/authority-referrals", BODY).status_code == 403
    first = RefusedAuthorityReferral.objects.get()
    for day in range(1, 30):
        copy = RefusedAuthorityReferral.objects.get(pk=first.pk)
        copy.pk = None
        copy.attempted_by = f"Referrer {day}, {client.organisation.name}"
        copy.created_at = timezone.now() - timedelta(days=day)
        copy.save()
    other = referrer("LA-OTHER", OrganisationKind.LOCAL_AUTHORITY)
    assert other.post("/authority-referrals", BODY).status_code == 403
    return client.organisation, first


def signed_in(organisation) -> Client:
    user = make_user(Role.REFERRER, organisation=organisation)
    client = Client()
    client.force_login(user)
    return client


def test_the_referrer_sees_its_own_refusals_newest_first_in_plain_words(refused):
    organisation, first = refused
    client = signed_in(organisation)
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "30 refused referrals, newest first" in text
    rows = re.findall(r'<tr class="govuk-table__row">\s*<td', text)
    assert len(rows) == 25
    assert text.index(first.attempted_by) < text.index("Referrer 1,")
    assert "Victim" in text
    assert "Modern slavery" in text or "modern slavery" in text.lower()
    for reason in first.reasons:
        assert reason.split("(R")[0].strip()[:40] in text
    assert not re.search(r"\(R\d+", text)  # no requirement references
    for code in first.rule_codes:
        assert code not in text  # rules in words, not codes
    assert "LA-OTHER" not in text
    assert "Fatema" not in text  # nothing about the person was kept

    second = client.get(PAGE, {"page": 2}).content.decode()
    assert "Page 2 of 2" in second
    assert len(re.findall(r'<tr class="govuk-table__row">\s*<td', second)) == 5
    assert "Referrer 29," in second


def test_an_organisation_with_no_refusals_is_told_so():
    organisation = make_user(Role.REFERRER).organisation
    text = signed_in(organisation).get(PAGE).content.decode()
    assert "Your organisation has no refused referrals." in text


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.REFERRER])
def test_no_other_role_reaches_it(role):
    client = Client()
    client.force_login(make_user(role))
    assert client.get(PAGE).status_code in {403, 404}


def test_the_page_is_in_the_referrers_navigation():
    user: User = make_user(Role.REFERRER)
    client = Client()
    client.force_login(user)
    home = client.get(reverse("web:home")).content.decode()
    assert PAGE in home
