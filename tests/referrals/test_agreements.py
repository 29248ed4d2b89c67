"""Data-sharing agreements: set up once per force by an administrator (page and command),
chosen by name in referrals (page and API), refused from another force or once stopped, and
recorded in the ledger as other administration is."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from safeshare.accounts.actors import Actor
from safeshare.accounts.administration import operator_actor
from safeshare.kernel.roles import Role
from safeshare.ledger.models import LedgerEntry
from safeshare.referrals import agreements
from safeshare.referrals.models import DataSharingAgreement, Referral
from tests import api_client as api
from tests.accounts.factories import make_user, organisation_for

pytestmark = pytest.mark.django_db

FIELDS = {
    "name": "Home Office data-sharing agreement 2026",
    "controller": "Chief Constable of West Midlands Police",
    "regime": "uk_gdpr_part_2",
    "lawful_basis": "Public task (UK GDPR Article 6(1)(e))",
    "gateway": "Immigration and Asylum Act 1999 s.20",
    "reference": "DSA-2026-014",
    "dpia_version": "3.1",
}


def admin_actions() -> list[str]:
    return [
        draft["payload"]["admin_action"]
        for draft in LedgerEntry.objects.filter(kind="account_changed")
        .order_by("id")
        .values_list("draft", flat=True)
    ]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def wmp():
    return organisation_for(Role.POLICE_OFFICER, "WMP")


@pytest.fixture
def admin(wmp):
    return make_user(Role.ADMINISTRATOR, wmp)


def test_an_administrator_sets_up_an_agreement_and_the_ledger_records_it(admin, wmp):
    agreement = agreements.do_create_agreement(Actor.for_user(admin), wmp, **FIELDS)
    assert agreement.slug == "home-office-data-sharing-agreement-2026"
    assert list(agreements.active_agreements(wmp)) == [agreement]
    agreements.do_deactivate_agreement(Actor.for_user(admin), agreement)
    assert list(agreements.active_agreements(wmp)) == []
    assert admin_actions() == ["agreement_created", "agreement_deactivated"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter the name"),
        ({"name": "!!!"}, "name", "at least one letter or digit"),
        ({"controller": ""}, "controller", "Enter the data controller"),
        ({"regime": "gdpr_eu"}, "regime", "Select the data protection regime from the list"),
        ({"reference": "x" * 101}, "reference", "100 characters or fewer"),
        ({"dpia_version": ""}, "dpia_version", "Enter the DPIA version"),
    ],
)
def test_bad_agreements_are_refused_with_the_field_and_nothing_is_stored(
    admin, wmp, changes, field, message
):
    with pytest.raises(ValidationError) as refused:
        agreements.do_create_agreement(Actor.for_user(admin), wmp, **{**FIELDS, **changes})
    assert message in " ".join(refused.value.message_dict[field])
    assert not DataSharingAgreement.objects.exists()
    assert admin_actions() == []


def test_two_agreements_of_one_force_cannot_share_a_name(admin, wmp):
    agreements.do_create_agreement(Actor.for_user(admin), wmp, **FIELDS)
    with pytest.raises(ValidationError, match="already has an agreement with this name"):
        agreements.do_create_agreement(Actor.for_user(admin), wmp, **FIELDS)


def test_an_administrator_of_another_force_may_not_set_one_up(wmp):
    other = make_user(Role.ADMINISTRATOR, organisation_for(Role.POLICE_OFFICER, "MPS"))
    with pytest.raises(PermissionDenied):
        agreements.do_create_agreement(Actor.for_user(other), wmp, **FIELDS)


def test_only_organisations_that_refer_have_agreements():
    ie = organisation_for(Role.IE_CASEWORKER, "IE-NCCU")
    with pytest.raises(ValidationError, match="Only police forces, NHS bodies"):
        agreements.do_create_agreement(operator_actor(ie), ie, **FIELDS)


def test_another_forces_or_a_stopped_agreement_is_refused(wmp, admin):
    agreement = agreements.do_create_agreement(Actor.for_user(admin), wmp, **FIELDS)
    mps = organisation_for(Role.POLICE_OFFICER, "MPS")
    with pytest.raises(ValidationError, match="Choose one of your force's"):
        agreements.agreement_for(mps, agreement.slug)
    with pytest.raises(ValidationError, match="Choose one of your force's"):
        agreements.agreement_for(mps, str(agreement.public_id))
    assert agreements.agreement_for(wmp, str(agreement.public_id)) == agreement
    agreements.do_deactivate_agreement(Actor.for_user(admin), agreement)
    with pytest.raises(ValidationError, match="no longer in use"):
        agreements.agreement_for(wmp, agreement.slug)


# --- The page ------------------------------------------------------------------------------


def test_the_administration_page_sets_up_and_stops_an_agreement(client, admin, wmp):
    client.force_login(admin)
    page = reverse("referrals:agreements")
    assert "has no data-sharing agreement yet" in client.get(page).content.decode()
    refused = client.post(page, {**FIELDS, "controller": "", "action": "create"})
    assert refused.status_code == 400
    assert "Enter the data controller" in refused.content.decode()
    assert "<title>Error: Data-sharing agreements" in refused.content.decode()
    assert "Error: Error:" not in refused.content.decode()
    assert not DataSharingAgreement.objects.exists()
    created = client.post(page, {**FIELDS, "action": "create"})
    assert created.status_code == 302
    agreement = DataSharingAgreement.objects.get()
    assert agreement.organisation == wmp
    html = client.get(page).content.decode()
    assert "DSA-2026-014" in html
    assert "UK GDPR and Data Protection Act 2018, Part 2" in html
    stopped = client.post(page, {"action": "deactivate", "agreement": str(agreement.public_id)})
    assert stopped.status_code == 302
    agreement.refresh_from_db()
    assert agreement.deactivated_at is not None
    assert client.post(page, {"action": "deactivate", "agreement": "nonsense"}).status_code == 404
    assert admin_actions() == ["agreement_created", "agreement_deactivated"]


def test_an_administrator_cannot_reach_another_forces_agreements(client, admin):
    mps = organisation_for(Role.POLICE_OFFICER, "MPS")
    theirs = agreements.do_create_agreement(operator_actor(mps), mps, **FIELDS)
    client.force_login(admin)
    page = reverse("referrals:agreements")
    assert client.get(page, {"org": "MPS"}).status_code == 404
    stop = {"action": "deactivate", "agreement": str(theirs.public_id), "org": "MPS"}
    assert client.post(page, stop).status_code == 404
    stop.pop("org")
    assert client.post(page, stop).status_code == 404
    theirs.refresh_from_db()
    assert theirs.deactivated_at is None


# --- The command ---------------------------------------------------------------------------


def test_the_command_sets_up_lists_and_stops_an_agreement(wmp):
    args = [f"--{name.replace('_', '-')}={value}" for name, value in FIELDS.items()]
    assert "Set up Home Office" in run("agreements", "create", "--force", "WMP", *args)
    assert "DSA-2026-014" in run("agreements", "list", "--force", "WMP")
    slug = DataSharingAgreement.objects.get().slug
    assert "can no longer be chosen" in run("agreements", "deactivate", "--force", "WMP", slug)
    with pytest.raises(CommandError, match="already deactivated"):
        run("agreements", "deactivate", "--force", "WMP", slug)
    with pytest.raises(CommandError, match="has no agreement"):
        run("agreements", "deactivate", "--force", "WMP", "made-up")
    with pytest.raises(CommandError, match="dpia_version: Enter the DPIA version"):
        run("agreements", "create", "--force", "WMP", *args[:-1], "--dpia-version=")
    assert admin_actions() == ["agreement_created", "agreement_deactivated"]


# --- The API -------------------------------------------------------------------------------


@pytest.fixture
def referral_world():
    organisation_for(Role.IE_CASEWORKER, "IE-NCCU")  # whom referrals go to
    police = api.police()
    case = api.new_case(police)
    party = api.add_party(police, case)
    api.event(police, case, "investigation_opened")
    return police, case, party


def _refer(police, case, party, **basis):
    body = {
        "case_id": case["id"],
        "party_id": party["id"],
        "triggers": ["safeguarding"],
        "source_of_information": "police",
        **basis,
    }
    return police.post("/referrals", body)


@pytest.mark.parametrize("by", ["slug", "public_id"])
def test_the_api_refers_under_an_agreement_by_its_slug_or_id(referral_world, by):
    police, case, party = referral_world
    agreement = agreements.do_create_agreement(
        operator_actor(police.organisation), police.organisation, **FIELDS
    )
    body = api.ok(_refer(police, case, party, agreement=str(getattr(agreement, by))), 201)
    assert body["payload"]["agreement_id"] == "DSA-2026-014"
    referral = Referral.objects.get()
    assert (referral.controller, referral.dpia_version) == (FIELDS["controller"], "3.1")


def test_the_api_still_takes_the_six_fields_of_the_legal_basis(referral_world):
    police, case, party = referral_world
    api.ok(_refer(police, case, party, **api.BASIS), 201)
    assert Referral.objects.get().agreement_id == api.BASIS["agreement_id"]


def test_the_api_refuses_another_forces_or_a_stopped_agreement(referral_world):
    police, case, party = referral_world
    mps = organisation_for(Role.POLICE_OFFICER, "MPS")
    theirs = agreements.do_create_agreement(operator_actor(mps), mps, **FIELDS)
    refused = _refer(police, case, party, agreement=theirs.slug)
    assert refused.status_code in (400, 422), refused.content.decode()
    assert "agreement" in refused.json()["error"]["fields"]
    ours = agreements.do_create_agreement(
        operator_actor(police.organisation), police.organisation, **FIELDS
    )
    agreements.do_deactivate_agreement(operator_actor(police.organisation), ours)
    refused = _refer(police, case, party, agreement=ours.slug)
    assert "no longer in use" in refused.json()["error"]["fields"]["agreement"]
    assert not Referral.objects.exists()


def test_the_api_refuses_both_or_neither_the_agreement_and_the_fields(referral_world):
    police, case, party = referral_world
    ours = agreements.do_create_agreement(
        operator_actor(police.organisation), police.organisation, **FIELDS
    )
    both = _refer(police, case, party, agreement=ours.slug, **api.BASIS)
    assert "not both" in both.json()["error"]["fields"]["agreement"]
    neither = _refer(police, case, party)
    assert "data-sharing agreement" in neither.json()["error"]["fields"]["agreement"]
    assert not Referral.objects.exists()


def test_the_demo_sets_up_one_agreement_for_each_force():
    from safeshare.demo import seed_agreements

    forces = [organisation_for(Role.POLICE_OFFICER, code) for code in ("WMP", "MPS")]
    organisation_for(Role.IE_CASEWORKER, "IE-NCCU")
    seed_agreements()
    for force in forces:
        (agreement,) = agreements.active_agreements(force)
        assert agreement.controller == f"Chief Constable of {force.name}"
    assert DataSharingAgreement.objects.count() == len(forces)
