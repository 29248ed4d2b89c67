"""The attacker's test (docs/adr/0007-unlinkable-entries.md): with the whole log as IE reads it
through the API, and its own clearances, IE links no other entry to the people it asked about,
under every shipped policy, on scenario data (and on the demo data, in test_demo.py); while the
operator, with its key, still finds every entry about a person."""

from __future__ import annotations

import contextlib

import pytest
from django.db.models import Count

from safeshare.cases import actions as case_actions
from safeshare.ledger import service
from safeshare.ledger.models import LedgerEntry, LedgerSubject
from safeshare.protocol.policy import available_policies
from safeshare.referrals.actions import ReferralRefusedError
from tests import api_client as api
from tests.ledger_db.attacker import is_ie_clearance, link, read_log
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db

POLICIES = available_policies()


def attack_as_ie():
    """Sign everything, then read the whole log as an IE caseworker's API token would."""
    service.sequence_pending()
    service.make_checkpoint()
    entries, withheld = read_log(api.ie().get)
    assert len(entries) + withheld == LedgerEntry.objects.count()
    return entries, withheld, link(entries, is_ie_clearance)


def _orgs() -> dict[int, str]:
    return {
        pk: str(draft.get("actor_org", ""))
        for pk, draft in LedgerEntry.objects.exclude(draft={}).values_list("pk", "draft")
    }


def operator_links_ie_clearances_to_other_orgs() -> int:
    """Entries by other organisations about the people of IE's clearances, as the operator
    finds them with its key (the links the public log must not give away)."""
    orgs = _orgs()
    clearances = [
        pk
        for pk, kind in LedgerEntry.objects.values_list("pk", "kind")
        if kind == "clearance_decision" and orgs.get(pk, "").startswith("IE")
    ]
    people = LedgerSubject.objects.filter(entry_id__in=clearances, field="subjects")
    tokens = set(people.values_list("token", flat=True))
    found = LedgerSubject.objects.filter(token__in=tokens, field="subjects")
    entries = set(found.values_list("entry_id", flat=True))
    return sum(1 for pk in entries if not orgs.get(pk, "").startswith("IE"))


def orgs_writing_about_people_of(org: str) -> set[str]:
    """The organisations whose entries concern the people ``org`` wrote about (keyed lookup)."""
    orgs = _orgs()
    tokens = set(
        LedgerSubject.objects.filter(
            entry_id__in=[pk for pk, code in orgs.items() if code == org], field="subjects"
        ).values_list("token", flat=True)
    )
    entries = LedgerSubject.objects.filter(token__in=tokens, field="subjects")
    return {orgs[pk] for pk in entries.values_list("entry_id", flat=True) if pk in orgs}


def assert_nothing_links(entries, linkage) -> None:
    assert linkage.own > 0, "IE made no clearance: the attack proves nothing"
    assert linkage.shared_values == 0, linkage
    assert linkage.own_linked == linkage.others_linked == 0, linkage
    assert all(entry["v"] == 2 for entry in entries)


def refer(party, officer) -> None:
    """Refer, where the policy allows it (``firewall`` refers no one to IE)."""
    with contextlib.suppress(ReferralRefusedError):
        h.refer(party, officer)


def two_forces_one_person():
    """A victim and a witness in one case in one force; the same victim in a second case in
    another force; both refer; case events; IE asks about the victim twice."""
    wmp, met = h.police("WMP"), h.police("MPS")
    first = h.new_case(wmp, "20/1111/26")
    victim = h.add_victim(first, wmp)
    witness = h.add_victim(
        first,
        wmp,
        role="witness",
        given_names="Amina",
        family_name="Rahman",
        date_of_birth="1988-07-02",
    )
    refer(victim, wmp)
    refer(witness, wmp)
    h.event(first, wmp, "investigation_opened")
    h.event(first, wmp, "suspect_charged")
    second = h.new_case(met, "01/2222/26")
    again = case_actions.do_add_party(second, met, role="victim", person=victim.person)
    refer(again, met)
    h.event(second, met, "investigation_opened")
    caseworker = h.ie()
    h.clearance(caseworker)
    h.clearance(caseworker, action="removal_directions")
    return victim.person


@pytest.mark.parametrize("policy_id", POLICIES)
def test_two_forces_writing_about_one_person_cannot_be_linked(policy_id, settings):
    settings.SAFESHARE_POLICY = policy_id
    api.organisation_for(h.Role.IE_CASEWORKER, "IE-NCCU")
    person = two_forces_one_person()
    orgs = orgs_writing_about_people_of("WMP")
    assert {"WMP", "MPS"} <= orgs, "the operator finds the person's entries from both forces"
    assert person.pk
    entries, _withheld, linkage = attack_as_ie()
    assert_nothing_links(entries, linkage)
    # Nor can any reader link the two forces' entries to each other, whoever starts.
    forces = link(entries, lambda entry: entry.get("actor_org") == "WMP")
    assert forces.own_linked == forces.others_linked == 0


@pytest.mark.slow
@pytest.mark.parametrize("policy_id", POLICIES)
def test_ie_links_nothing_on_the_scenario_suites_data(policy_id, settings):
    """The scenario suite's random protocol runs (tests/scenarios), then the attack."""
    from tests.scenarios.test_stateful_invariants import ProtocolMachine, settings_for_machine

    settings.SAFESHARE_POLICY = policy_id
    api.organisation_for(h.Role.IE_CASEWORKER, "IE-NCCU")
    ProtocolMachine.TestCase.settings = settings_for_machine
    ProtocolMachine.TestCase("runTest").runTest()
    two_forces_one_person()  # so that every run has IE clearances about a referred person
    assert (
        LedgerSubject.objects.filter(field="subjects")
        .values("token")
        .annotate(entries=Count("entry"))
        .filter(entries__gt=1)
        .exists()
    ), "the operator links some person's entries"
    entries, withheld, linkage = attack_as_ie()
    assert withheld == 0
    assert_nothing_links(entries, linkage)
