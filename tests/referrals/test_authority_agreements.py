"""NHS bodies, local authorities and NRM first responders refer under a data-sharing agreement
chosen by name, as police officers do: the referral API's ``agreement`` takes its slug, id or
own reference, of the caller's organisation only. The six legal-basis fields older clients send
are still taken, and marked deprecated in the OpenAPI document."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safeshare.accounts.administration import operator_actor
from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.ledger.models import LedgerEntry
from safeshare.people.models import Person
from safeshare.referrals import agreements
from safeshare.referrals.models import AuthorityReferral, RefusedAuthorityReferral
from tests import api_client as api
from tests.accounts.factories import make_user, organisation_for
from tests.referrals.test_authority_referrals import BODY, referrer
from tests.support.factories.referrals import ie_unit

pytestmark = pytest.mark.django_db

BASIS = ("controller", "regime", "lawful_basis", "gateway", "agreement_id", "dpia_version")
WITHOUT_BASIS = {key: value for key, value in BODY.items() if key not in BASIS}
AGREEMENT = {
    "name": "NHS data-sharing agreement 2026",
    "controller": "Sandwell and West Birmingham NHS Trust",
    "regime": "uk_gdpr_part_2",
    "lawful_basis": "Public task (UK GDPR Article 6(1)(e))",
    "gateway": "Immigration and Asylum Act 1999 s.20",
    "reference": "DSA-2026-031",
    "dpia_version": "2.0",
}


@pytest.fixture(autouse=True)
def _world(settings):
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    ie_unit()


def set_up(client, **changes):
    organisation = client.organisation
    return agreements.do_create_agreement(
        operator_actor(organisation), organisation, **{**AGREEMENT, **changes}
    )


def stored() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        AuthorityReferral.objects.count(),
        RefusedAuthorityReferral.objects.count(),
        LedgerEntry.objects.count(),
    )


@pytest.mark.parametrize("by", ["slug", "public_id", "reference"])
def test_a_referrer_refers_under_its_agreement_by_name(by):
    client = referrer()
    agreement = set_up(client)
    made = api.ok(
        client.post(
            "/authority-referrals", {**WITHOUT_BASIS, "agreement": str(getattr(agreement, by))}
        ),
        201,
    )
    referral = AuthorityReferral.objects.get(public_id=made["id"])
    assert (referral.controller, referral.regime) == (AGREEMENT["controller"], "uk_gdpr_part_2")
    assert (referral.lawful_basis, referral.gateway) == (
        AGREEMENT["lawful_basis"],
        AGREEMENT["gateway"],
    )
    assert (referral.agreement_id, referral.dpia_version) == ("DSA-2026-031", "2.0")


def test_each_referring_kind_may_set_up_an_agreement_and_others_may_not():
    for kind in (OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.NRM_FIRST_RESPONDER):
        client = referrer(f"R-{kind.value[:5].upper()}", kind)
        assert set_up(client).organisation == client.organisation
    ie = organisation_for(Role.IE_CASEWORKER, "IE-NCCU")
    with pytest.raises(ValidationError, match="Only police forces, NHS bodies"):
        agreements.do_create_agreement(operator_actor(ie), ie, **AGREEMENT)


@pytest.mark.parametrize("whose", ["another_referrer", "a_police_force", "nobody"])
def test_an_unknown_or_another_organisations_agreement_is_a_422_naming_the_field(whose):
    client = referrer()
    if whose == "another_referrer":
        other = referrer("LA-OTHER", OrganisationKind.LOCAL_AUTHORITY)
        key = set_up(other).slug
    elif whose == "a_police_force":
        force = organisation_for(Role.POLICE_OFFICER, "WMP")
        key = agreements.do_create_agreement(operator_actor(force), force, **AGREEMENT).reference
    else:
        key = "no-such-agreement"
    before = stored()
    refused = client.post("/authority-referrals", {**WITHOUT_BASIS, "agreement": key})
    assert refused.status_code == 422, refused.content.decode()
    fields = refused.json()["error"]["fields"]
    assert list(fields) == ["agreement"]
    assert "Choose one of your data-sharing agreements" in fields["agreement"]
    assert stored() == before


def test_a_stopped_agreement_is_refused():
    client = referrer()
    agreement = set_up(client)
    agreements.do_deactivate_agreement(operator_actor(client.organisation), agreement)
    before = stored()
    refused = client.post("/authority-referrals", {**WITHOUT_BASIS, "agreement": agreement.slug})
    assert refused.status_code == 422
    assert "no longer in use" in refused.json()["error"]["fields"]["agreement"]
    assert stored() == before


def test_two_active_agreements_with_one_reference_ask_for_the_slug():
    client = referrer()
    set_up(client)
    set_up(client, name="NHS data-sharing agreement 2026, second schedule")
    refused = client.post("/authority-referrals", {**WITHOUT_BASIS, "agreement": "DSA-2026-031"})
    assert refused.status_code == 422
    assert "give the agreement's slug" in refused.json()["error"]["fields"]["agreement"]


def test_the_six_fields_are_still_taken_but_not_with_the_agreement_nor_in_part():
    client = referrer()
    agreement = set_up(client)
    api.ok(client.post("/authority-referrals", BODY), 201)  # older clients
    before = stored()
    both = client.post("/authority-referrals", {**BODY, "agreement": agreement.slug})
    assert both.status_code == 422
    assert "not both" in both.json()["error"]["fields"]["agreement"]
    neither = client.post("/authority-referrals", WITHOUT_BASIS)
    assert neither.status_code == 422
    assert "data-sharing agreement" in neither.json()["error"]["fields"]["agreement"]
    part = client.post("/authority-referrals", {**WITHOUT_BASIS, "controller": "NHS Trust"})
    assert part.status_code == 422
    assert set(part.json()["error"]["fields"]) == set(BASIS) - {"controller"}
    assert stored() == before


def test_the_openapi_document_names_the_agreement_and_marks_the_six_fields_deprecated(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("AuthorityReferralIn", "ReferralIn"):
        properties = schemas[name]["properties"]
        assert "agreement" in properties
        assert not properties["agreement"].get("deprecated")
        assert "slug" in properties["agreement"]["description"]
        for field in BASIS:
            assert properties[field].get("deprecated") is True, (name, field)
        assert not set(BASIS) & set(schemas[name].get("required", []))


def test_a_referrers_administrator_sets_up_its_agreement_on_the_page(client):
    api_client = referrer()
    client.force_login(make_user(Role.ADMINISTRATOR, api_client.organisation))
    page = reverse("referrals:agreements")
    assert "has no data-sharing agreement yet." in client.get(page).content.decode()
    created = client.post(page, {**AGREEMENT, "action": "create"})
    assert created.status_code == 302
    html = client.get(page).content.decode()
    assert "nhs-data-sharing-agreement-2026" in html  # the name the API takes
    assert "Systems that refer choose one of these agreements by name" in html
    body = {**WITHOUT_BASIS, "agreement": "nhs-data-sharing-agreement-2026"}
    api.ok(api_client.post("/authority-referrals", body), 201)  # the API refers under it
