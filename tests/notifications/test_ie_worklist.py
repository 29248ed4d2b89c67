"""The IE caseworker's worklist: holds waiting, clears suspended, clears about to expire.

IE sees only what it was told. Under every shipped policy, the lists, their filters, their counts
and their CSV carry nothing beyond the answer IE was given; under a firewall no hold is ever
listed as waiting, and no force or reference reaches IE."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.kernel.roles import Role
from safeshare.kernel.transactions import action_transaction
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.active import active_policy
from safeshare.protocol.api import clearance_out
from safeshare.protocol.models import Clearance
from tests.accounts.factories import make_user
from tests.pages.helpers import fake_matcher
from tests.support.pages import without_random_values

pytestmark = pytest.mark.django_db

ACTION = "immigration_arrest_or_detention"
SUBJECT = {
    "given_names": "Fatema",
    "family_name": "Begum",
    "date_of_birth": "1991-03-14",
    "nationality": "BGD",
}
URL = "/worklists/clearances/"


def shipped_policies() -> list[str]:
    from pathlib import Path

    import safeshare.protocol

    folder = Path(safeshare.protocol.__file__).parent / "policies"
    return sorted(p.stem for p in folder.glob("*.toml"))


def ask(monkeypatch, user, decision: str, protection, **subject) -> Clearance:
    fake_matcher(monkeypatch, decision, [protection])
    result = protocol_actions.do_request_clearance(
        Actor.for_user(user),
        action_code=ACTION,
        subject={**SUBJECT, **subject},
        information_sources=["immigration_records"],
        scheduled_for=None,
    )
    return Clearance.objects.get(pk=result.clearance.pk)


def suspend(monkeypatch, protection, officer) -> None:
    fake_matcher(monkeypatch, "match", [protection])
    with action_transaction():
        protocol_actions.suspend_scheduled_actions(
            protection, Actor.for_user(officer), active_policy()
        )


@pytest.fixture
def answers(monkeypatch, protection, caseworker, officer):
    """A block, a hold, a clear that will soon expire and a clear later suspended."""
    blocked = ask(monkeypatch, caseworker, "match", protection, given_names="Fatima")
    held = ask(monkeypatch, caseworker, "possible", protection, given_names="Fatma")
    suspended = ask(monkeypatch, caseworker, "none", protection, given_names="Farida")
    suspend(monkeypatch, protection, officer)
    # Asked after the suspension, so it still stands, with ten hours left.
    expiring = ask(monkeypatch, caseworker, "none", protection, given_names="Amina")
    hours = active_policy().clearance.clear_valid_hours
    Clearance.objects.filter(pk=expiring.pk).update(
        decided_at=timezone.now() - dt.timedelta(hours=hours - 10)
    )
    return {
        "blocked": blocked,
        "held": held,
        "expiring": Clearance.objects.get(pk=expiring.pk),
        "suspended": Clearance.objects.get(pk=suspended.pk),
    }


def _pages(client) -> dict[str, str]:
    """Every list, filtered and not, and its CSV."""
    found = {}
    for show in ("waiting", "suspended", "expiring"):
        for query in ({}, {"action": ACTION}, {"asked_by": "me"}, {"sort": "newest"}):
            response = client.get(URL, {"show": show, **query})
            assert response.status_code == 200
            # The page's random CSP nonces and form tokens are left out: one could spell a
            # force's code.
            found[f"{show} {query}"] = without_random_values(response.content.decode())
        csv = client.get(URL, {"show": show, "format": "csv"})
        assert csv["Content-Type"].startswith("text/csv")
        found[f"{show} csv"] = csv.content.decode()
    return found


def test_each_list_shows_what_it_says(client, answers, caseworker):
    client.force_login(caseworker)
    waiting = client.get(URL).content.decode()
    suspended = client.get(URL, {"show": "suspended"}).content.decode()
    expiring = client.get(URL, {"show": "expiring"}).content.decode()
    held = answers["held"]
    if (held.ie_decision or held.decision) == "hold":
        assert "Fatma Begum" in waiting
    assert "Farida Begum" in suspended
    assert "Farida" not in waiting + expiring
    assert answers["suspended"].ie_message in suspended
    assert "Amina Begum" in expiring
    assert "hours left" in expiring
    assert "Report what you did" in expiring
    # The block is in none of them.
    assert "Fatima" not in waiting + suspended + expiring
    # A wider or narrower window.
    assert "Amina" not in client.get(URL, {"show": "expiring", "within": "6"}).content.decode()
    csv = client.get(URL, {"show": "expiring", "format": "csv"}).content.decode()
    assert str(answers["expiring"].public_id) in csv
    assert "Amina" not in csv, "the CSV names no one"


def test_asked_by_me_and_another_organisation(
    client, monkeypatch, answers, caseworker, protection
):
    colleague = make_user(Role.IE_CASEWORKER, caseworker.organisation)
    ask(monkeypatch, colleague, "none", protection, given_names="Samira")
    Clearance.objects.filter(subject__given_names="Samira").update(
        decided_at=timezone.now()
        - dt.timedelta(hours=active_policy().clearance.clear_valid_hours - 2)
    )
    client.force_login(caseworker)
    everyone = client.get(URL, {"show": "expiring"}).content.decode()
    mine = client.get(URL, {"show": "expiring", "asked_by": "me"}).content.decode()
    assert "Samira" in everyone
    assert "Samira" not in mine
    assert "Amina" in mine
    client.force_login(make_user(Role.IE_CASEWORKER))
    for page in _pages(client).values():
        assert "Begum" not in page
        assert "Samira" not in page


def test_a_reported_action_leaves_the_expiring_list(client, answers, caseworker):
    protocol_actions.do_report_outcome(
        answers["expiring"],
        Actor.for_user(caseworker),
        outcome="cancelled",
        action_taken_at=None,
    )
    client.force_login(caseworker)
    assert "Amina" not in client.get(URL, {"show": "expiring"}).content.decode()


def test_bad_filters_fall_back_and_change_nothing(client, answers, caseworker):
    client.force_login(caseworker)
    before = Clearance.objects.count()
    response = client.get(
        URL, {"show": "everything", "action": "x" * 300, "within": "-1", "sort": "'", "page": "z"}
    )
    assert response.status_code == 200
    assert Clearance.objects.count() == before


@pytest.mark.parametrize("policy_id", shipped_policies())
def test_ie_learns_nothing_beyond_its_answers_under_each_policy(
    client, monkeypatch, settings, policy_id, protection, caseworker, officer
):
    settings.SAFESHARE_POLICY = policy_id
    held = ask(monkeypatch, caseworker, "possible", protection, given_names="Fatma")
    blocked = ask(monkeypatch, caseworker, "match", protection, given_names="Fatima")
    clear = ask(monkeypatch, caseworker, "none", protection, given_names="Farida")
    suspend(monkeypatch, protection, officer)
    assert held.decision == "hold"
    assert blocked.decision == "blocked"
    mine = list(Clearance.objects.filter(requested_by=caseworker.organisation))
    told = " ".join(str(value) for c in mine for value in clearance_out(c).model_dump().values())
    force = protection.opened_by
    secrets = [protection.reference, force.code, force.name, "Possible match", "On hold"]
    secrets += [force.contact_point] if force.contact_point else []
    secrets += [reason for c in mine for reason in c.reasons]
    secrets += ["sounds the same", "agrees exactly"]
    secrets = [s for s in secrets if s and s not in told]
    if any(clearance_out(c).decision == "hold" for c in mine):
        secrets.remove("On hold")  # the label of an answer IE was given
    client.force_login(caseworker)
    pages = _pages(client)
    for where, page in pages.items():
        for secret in secrets:
            assert secret not in page, (policy_id, where, secret)
    # The counts are those of the answers as IE was told them.
    shown = [clearance_out(c) for c in mine]
    waiting = sum(1 for c in shown if c.decision == "hold")
    suspended = sum(1 for c in shown if c.status == "suspended")
    page = pages["waiting {}"]
    tag = '<span class="govuk-tag govuk-tag--grey">'
    assert f'data-testid="ie-list-waiting">Waiting for a decision {tag}{waiting}<' in page
    assert f'data-testid="ie-list-suspended">Suspended {tag}{suspended}<' in page
    assert Clearance.objects.get(pk=clear.pk).status == "suspended"
    if active_policy().clearance.ie_detail == "custodian":
        assert waiting == 0
        assert "Fatma" not in pages["waiting {}"]
        assert "hold" not in pages["waiting csv"].lower()
