"""Replay (invariant 7): every recorded decision is decided again, under its recorded policy
version, from its stored facts; a change of the policy in force is written to the ledger."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from safeshare.ledger.entries import EntryKind
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Clearance, Review
from safeshare.protocol.policy import (
    available_policies,
    load_policy,
    load_policy_version,
    shipped_versions,
)
from safeshare.protocol.replaying import replay_clearances, replay_protections
from safeshare.referrals.actions import ReferralRefusedError, do_record_consent
from safeshare.referrals.models import Referral, RefusedReferral
from safeshare.referrals.replaying import replay_referrals
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db

POSSIBLE = {"date_of_birth": "1991-07-02"}


def scenario():
    """A victim referred (or registered, under the firewall), and three clearances about her."""
    caseworker = h.ie()
    officer = h.police("WMP")
    party = h.add_victim(h.new_case(officer), officer)
    policy = load_policy(settings.SAFESHARE_POLICY)
    if policy.referrals.consent_required:
        do_record_consent(
            party,
            officer,
            answer="given",
            fields=["given_names", "family_name", "date_of_birth"],
            asked_at=timezone.now(),
            language="English",
            interpreter_used=False,
            suspect_present=False,
        )
    if policy.referrals_possible:
        h.refer(party, officer)  # the firewall refers nobody: registration protects
    exact = h.clearance(caseworker)
    possible = h.clearance(caseworker, **POSSIBLE)
    nobody = h.clearance(caseworker, given_names="Oluwaseun", family_name="Adeyemi")
    decided = [c.clearance.decision for c in (exact, possible, nobody)]
    assert decided == ["blocked", "hold", "clear"], decided
    return [exact, possible, nobody]


@pytest.mark.parametrize("policy_id", available_policies())
def test_replay_reproduces_every_decision_under_each_shipped_policy(settings, policy_id):
    settings.SAFESHARE_POLICY = policy_id
    scenario()
    results = list(replay_clearances())
    assert len(results) == Clearance.objects.count() == 3
    assert all(r.same for r in results), [r.describe() for r in results]
    # The referral (sent, or refused under the firewall) is decided again too.
    referrals = list(replay_referrals())
    assert len(referrals) == Referral.objects.count() + RefusedReferral.objects.count()
    assert referrals or not load_policy(policy_id).referrals_possible
    assert all(r.same for r in replay_protections())
    assert all(r.same for r in referrals), [r.describe() for r in referrals]
    call_command("replay")  # exit status 0: nothing differs


def test_every_kind_of_referral_decision_replays_and_an_altered_one_is_reported(settings):
    settings.SAFESHARE_POLICY = "consent-2025"
    officer = h.police("WMP")
    h.ie()
    party = h.add_victim(h.new_case(officer), officer)
    with pytest.raises(ReferralRefusedError):
        h.refer(party, officer)  # no consent
    do_record_consent(
        party,
        officer,
        answer="given",
        fields=["given_names", "family_name"],
        asked_at=timezone.now(),
        language="English",
        interpreter_used=False,
        suspect_present=False,
    )
    sent = h.refer(party, officer)
    assert sent.facts["consent"] == "given"
    assert sent.decided == {"allowed": True, "rule_codes": [], "opens_protection": True}
    refused = RefusedReferral.objects.get()
    assert refused.decided["rule_codes"] == ["no_consent"]
    assert all(r.same for r in replay_referrals())
    call_command("replay", kind="referral")
    # Under another policy the refused one would have been sent.
    other = {r.kind: r for r in replay_referrals(policy=load_policy("mvp-2021-promise"))}
    assert "allowed: recorded False, replayed True" in other["refused"].describe()
    # Someone edits the stored facts: the person is said to have refused consent.
    Referral.objects.filter(pk=sent.pk).update(facts={**sent.facts, "consent": "refused"})
    (result,) = [r for r in replay_referrals() if r.kind == "sent"]
    assert "allowed: recorded True, replayed False" in result.describe()
    with pytest.raises(CommandError):
        call_command("replay", kind="referral")
    # Someone edits what was recorded as decided: the record itself still tells.
    Referral.objects.filter(pk=sent.pk).update(
        facts=sent.facts, decided={**sent.decided, "opens_protection": False}
    )
    (result,) = [r for r in replay_referrals() if r.kind == "sent"]
    assert [d.field for d in result.differences] == ["opens_protection", "stored opens_protection"]


def test_a_decision_whose_stored_facts_were_altered_is_reported(settings):
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    exact = scenario()[0].clearance
    exact.refresh_from_db()
    assert exact.decision == "blocked"
    # Someone edits the stored facts: the protection is said to have ended.
    history = exact.history
    for snapshot in history[-1]["facts"]["protections"].values():
        snapshot["status"] = "ended"
    Clearance.objects.filter(pk=exact.pk).update(history=history, facts=history[-1]["facts"])
    (result,) = [r for r in replay_clearances() if r.clearance_id == str(exact.public_id)]
    assert not result.same
    assert "decision: recorded 'blocked', replayed 'clear'" in result.describe()
    with pytest.raises(CommandError):
        call_command("replay")


def test_an_altered_stored_decision_is_reported(settings):
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    nobody = scenario()[2].clearance
    Clearance.objects.filter(pk=nobody.pk).update(decision="blocked")
    (result,) = [r for r in replay_clearances() if r.clearance_id == str(nobody.public_id)]
    assert [d.field for d in result.differences] == ["stored decision"]


def test_a_re_decided_clearance_records_the_version_that_re_decided_it(settings):
    settings.SAFESHARE_POLICY = "mvp-2021"
    possible = scenario()[1].clearance
    possible.refresh_from_db()
    assert possible.decision == "hold"
    first = possible.history[0]
    assert first["policy_id"] == "mvp-2021"
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    review = Review.objects.get(clearance=possible)
    protocol_officer = h.actor(h.Role.PROTOCOL_OFFICER, "WMP")
    protocol_actions.do_resolve_review(
        review, protocol_officer, verdict="not_same_person", reasons="Different date of birth."
    )
    possible.refresh_from_db()
    assert possible.decision == "clear"
    assert possible.policy_id == "mvp-2021-promise"
    assert possible.policy_version == load_policy("mvp-2021-promise").version
    assert [step["policy_id"] for step in possible.history] == ["mvp-2021", "mvp-2021-promise"]
    assert possible.history[0] == first  # the first decision is kept, not overwritten
    assert [step["decision"] for step in possible.history] == ["hold", "clear"]
    results = [r for r in replay_clearances() if r.clearance_id == str(possible.public_id)]
    assert [r.replayed_under.split("@")[0] for r in results] == ["mvp-2021", "mvp-2021-promise"]
    assert all(r.same for r in results), [r.describe() for r in results]


def test_another_policy_shows_what_it_would_have_decided(settings):
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    scenario()
    call_command("replay", policy="firewall")  # differences are expected, not an error
    under = list(replay_clearances(policy=load_policy("firewall")))
    assert {r.replayed_under.split("@")[0] for r in under} == {"firewall"}


def test_every_archived_policy_version_loads_by_its_hash():
    versions = shipped_versions()
    for policy_id in available_policies():
        assert load_policy(policy_id).version in versions
    for version, (policy_id, _raw) in versions.items():
        assert load_policy_version(policy_id, version).version == version
    # The 2021 wording as it was before ie_detail was added is still there for replay.
    assert sum(1 for pid, _ in versions.values() if pid == "mvp-2021") >= 2


def activations() -> list[dict]:
    return [
        e.draft
        for e in LedgerEntry.objects.filter(kind=EntryKind.POLICY_ACTIVATED.value).order_by("id")
    ]


def test_a_change_of_the_policy_in_force_is_written_to_the_ledger(settings):
    h.police("WMP")  # an organisation exists
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    assert protocol_actions.do_record_policy_activation()
    assert not protocol_actions.do_record_policy_activation()  # unchanged: nothing new
    settings.SAFESHARE_POLICY = "firewall"
    assert protocol_actions.do_record_policy_activation()
    first, second = activations()
    assert first["policy_id"] == "mvp-2021-promise"
    assert second["policy_id"] == "firewall"
    assert second["payload"]["policy_mode"] == "firewall"
    assert second["payload"]["previous_policy_version"] != second["policy_version"]


def test_the_policy_file_is_kept_in_the_database_and_replay_loads_it_from_there(settings):
    import hashlib

    from safeshare.protocol.models import PolicyFile
    from safeshare.protocol.policy import PolicyError, policy_source
    from safeshare.protocol.registry import load_recorded_policy

    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    h.police("WMP")
    assert protocol_actions.do_record_policy_activation()
    policy = load_policy("mvp-2021-promise")
    stored = PolicyFile.objects.get()
    assert (stored.policy_id, stored.version) == (policy.id, policy.version)
    assert stored.content.encode() == policy_source(policy)
    assert not protocol_actions.do_register_policy(policy)  # kept once
    # A version no file in the repository holds any more: loaded from the database.
    raw = stored.content.encode() + b"\n# A deployment's earlier edit.\n"
    version = hashlib.sha256(raw).hexdigest()
    with pytest.raises(PolicyError):
        load_policy_version(policy.id, version)
    PolicyFile.objects.create(version=version, policy_id=policy.id, content=raw.decode())
    assert load_recorded_policy(policy.id, version).version == version
    # Bytes that do not match their hash are refused rather than replayed under.
    PolicyFile.objects.filter(version=version).update(content=raw.decode() + "# edited\n")
    with pytest.raises(PolicyError):
        load_recorded_policy(policy.id, version)


def test_changes_of_a_protections_status_replay_and_an_altered_one_is_reported(settings):
    from safeshare.protocol.models import Protection

    settings.SAFESHARE_POLICY = "mvp-2021"
    officer = h.police("WMP")
    h.ie()
    case = h.new_case(officer)
    party = h.add_victim(case, officer)
    h.refer(party, officer)
    h.event(case, officer, "investigation_opened")
    h.event(case, officer, "no_further_action")  # the case ends: in transition
    protection = Protection.objects.get(person=party.person)
    assert protection.status == "transition"
    assert [d["status"] for d in protection.decisions][-1] == "transition"
    results = list(replay_protections())
    assert results
    assert all(r.same for r in results), [r.describe() for r in results]
    # What mvp-2021-promise would have decided from the same facts.
    assert all(r.same for r in replay_protections(policy=load_policy("mvp-2021-promise")))
    # Someone edits the stored facts: the case is said to be still under investigation.
    decisions = protection.decisions
    for case_facts in decisions[-1]["facts"]["linked_cases"]:
        case_facts["state"] = "under_investigation"
    Protection.objects.filter(pk=protection.pk).update(decisions=decisions)
    last = list(replay_protections())[-1]
    assert "status: recorded 'transition', replayed 'active'" in last.describe()
    assert last.describe().startswith(f"Protection {protection.reference}")
    with pytest.raises(CommandError):
        call_command("replay", kind="protection")
