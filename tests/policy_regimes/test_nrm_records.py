"""The NRM referral or duty-to-notify report, and the NRM's decisions, recorded on the case
(R27): checked field by field with nothing stored on bad input, a ledger entry for each, the
recovery-period protection from removal derived from them (for the clearance and for the
override reviewer), and a negative decision keeping it for the advice core's minimum period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from safeshare.advice import eligibility
from safeshare.cases.models import NrmDecision, NrmRecord, Party
from safeshare.cases.modern_slavery import (
    RECOVERY_PERIOD_MINIMUM,
    nrm_decision_problems,
    nrm_record_problems,
    recovery_period_from,
)
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Clearance, Override, Protection
from safeshare.protocol.policy import available_policies, load_policy
from tests import api_client as api

TODAY = dt.date(2026, 12, 7)
SIGNS = ["documents_held_by_others", "debt_bondage"]


# --- The pure core ---------------------------------------------------------------------------


def test_the_minimum_recovery_period_is_the_advice_cores():
    assert RECOVERY_PERIOD_MINIMUM == eligibility.RECOVERY_PERIOD_MINIMUM
    assert RECOVERY_PERIOD_MINIMUM == protocol_actions.RECOVERY_PERIOD_MINIMUM


@given(
    grounds=st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 1)),
    after=st.integers(0, 120),
    later=st.integers(0, 120),
)
def test_a_negative_decision_keeps_the_block_as_the_advice_core_does(grounds, after, later):
    conclusive = grounds + dt.timedelta(days=after)
    today = conclusive + dt.timedelta(days=later)
    mine, _ = recovery_period_from(
        [
            ("reasonable_grounds", "positive", grounds),
            ("conclusive_grounds", "negative", conclusive),
        ],
        today,
    )
    advice = eligibility.recovery_period_protection(
        eligibility.NrmStage.NEGATIVE, on=today, reasonable_grounds_decided_on=grounds
    )
    assert mine == advice.protected_from_removal


def test_the_recovery_period_from_the_decisions():
    rg = TODAY - dt.timedelta(days=3)
    assert recovery_period_from([], TODAY) == (
        False,
        "No reasonable grounds decision is recorded.",
    )
    assert recovery_period_from([("reasonable_grounds", "positive", rg)], TODAY)[0]
    assert not recovery_period_from([("reasonable_grounds", "negative", rg)], TODAY)[0]
    both = [("reasonable_grounds", "positive", rg), ("conclusive_grounds", "positive", TODAY)]
    assert recovery_period_from(both, TODAY + dt.timedelta(days=400))[0]


def record(kind, **changes):
    fields = {
        "made_on": TODAY,
        "first_responder": "West Midlands Police",
        "reference": "",
        "indicators": SIGNS,
        "nrm_consent": "given",
        "child": False,
        "already": (),
        "today": TODAY,
    }
    return nrm_record_problems(kind, **{**fields, **changes})


@pytest.mark.parametrize(
    ("kind", "changes", "field", "words"),
    [
        ("nrm_referral", {"nrm_consent": "refused"}, "kind", "did not agree"),
        ("nrm_referral", {"nrm_consent": "not_asked"}, "kind", "consent"),
        ("nrm_referral", {"indicators": []}, "kind", "trafficking indicators"),
        ("nrm_referral", {"already": ["nrm_referral"]}, "kind", "already recorded"),
        ("nrm_referral", {"first_responder": ""}, "first_responder", "first responder"),
        ("nrm_referral", {"made_on": None}, "made_on", "Enter the date"),
        ("nrm_referral", {"made_on": TODAY + dt.timedelta(days=1)}, "made_on", "past"),
        ("duty_to_notify", {"child": True, "nrm_consent": "refused"}, "kind", "child"),
        ("duty_to_notify", {"nrm_consent": "child"}, "kind", "child"),
        ("duty_to_notify", {"nrm_consent": "given", "reference": "DTN-1"}, "kind", "agreed"),
        ("duty_to_notify", {"nrm_consent": "refused"}, "reference", "reference"),
        ("nrm_referral", {"reference": "X" * 65}, "reference", "64 characters"),
        ("referral_of_sorts", {}, "kind", "Choose"),
    ],
)
def test_what_cannot_be_recorded_says_why(kind, changes, field, words):
    problems = record(kind, **changes)
    assert words in problems[field], problems


def test_what_can_be_recorded():
    assert record("nrm_referral") == {}
    assert record("nrm_referral", nrm_consent="refused", child=True) == {}
    assert record("nrm_referral", nrm_consent="child", first_responder="Barnardo's") == {}
    assert record("duty_to_notify", nrm_consent="refused", reference="DTN-2026-77") == {}


@pytest.mark.parametrize(
    ("stage", "outcome", "changes", "field", "words"),
    [
        ("reasonable_grounds", "positive", {"referred_on": None}, "stage", "referral"),
        ("reasonable_grounds", "maybe", {}, "outcome", "positive or negative"),
        ("final", "positive", {}, "stage", "Choose"),
        ("reasonable_grounds", "positive", {"decided_on": None}, "decided_on", "Enter"),
        (
            "reasonable_grounds",
            "positive",
            {"decided_on": TODAY + dt.timedelta(days=2)},
            "decided_on",
            "past",
        ),
        (
            "reasonable_grounds",
            "positive",
            {"decided_on": TODAY - dt.timedelta(days=30)},
            "decided_on",
            "before the referral",
        ),
        ("conclusive_grounds", "positive", {}, "stage", "follows a positive reasonable"),
        (
            "reasonable_grounds",
            "negative",
            {"earlier": [("reasonable_grounds", "positive", TODAY)]},
            "stage",
            "already recorded",
        ),
    ],
)
def test_a_decision_that_cannot_be_recorded_says_why(stage, outcome, changes, field, words):
    fields = {
        "decided_on": TODAY,
        "referred_on": TODAY - dt.timedelta(days=10),
        "earlier": [],
        "today": TODAY,
    }
    problems = nrm_decision_problems(stage, outcome, **{**fields, **changes})
    assert words in problems[field], problems


# --- Through the API, under every shipped policy ----------------------------------------------


@pytest.fixture
def police(settings, request):
    settings.SAFESHARE_POLICY = request.param
    api.ie()
    return api.police()


def path(case: dict, party: dict, what: str) -> str:
    return f"/cases/{case['id']}/parties/{party['id']}/{what}"


def stored() -> tuple[int, int, int]:
    return (
        NrmRecord.objects.count(),
        NrmDecision.objects.count(),
        LedgerEntry.objects.filter(kind="case_event").count(),
    )


def protect(police, case: dict, party: dict, policy) -> None:
    """Make the person protected under the policy (referred, with consent where needed)."""
    api.event(police, case, "investigation_opened")
    if policy.referrals.consent_required:
        api.ok(
            police.post(
                path(case, party, "consents"),
                {
                    "answer": "given",
                    "fields": ["given_names", "family_name", "date_of_birth"],
                    "asked_at": "2026-12-01T10:30:00Z",
                    "language": "Bengali",
                    "interpreter_used": True,
                    "suspect_present": False,
                },
            ),
            201,
        )
    if policy.referrals_possible:
        api.ok(api.refer(police, case, party), 201)


@pytest.mark.django_db
@pytest.mark.parametrize("police", available_policies(), indirect=True)
def test_referral_and_decisions_recorded_with_a_ledger_entry_each(police, settings):
    policy = load_policy(settings.SAFESHARE_POLICY)
    today = timezone.localdate()
    case = api.new_case(police)
    party = api.add_party(police, case, trafficking_indicators=SIGNS, nrm_consent="given")
    protect(police, case, party, policy)
    before = stored()

    # A decision before any referral is refused, with the reason, and nothing is stored.
    early = police.post(
        path(case, party, "nrm-decisions"),
        {"stage": "reasonable_grounds", "outcome": "positive", "decided_on": str(today)},
    )
    assert early.status_code == 422, early.content
    assert "referral" in early.json()["error"]["fields"]["stage"]
    assert stored() == before

    made_on = today - dt.timedelta(days=5)
    body = api.ok(
        police.post(
            path(case, party, "nrm-records"),
            {
                "kind": "nrm_referral",
                "made_on": str(made_on),
                "first_responder": "West Midlands Police",
                "reference": "NRM-2026-00042",
            },
        ),
        201,
    )
    (made,) = body["nrm_records"]
    assert made["kind"] == "nrm_referral"
    assert made["consent"] == "given"
    assert made["reference"] == "NRM-2026-00042"
    assert stored() == (before[0] + 1, before[1], before[2] + 1)

    # Reviewers' flag: the NRM referral on the case (IE cannot see the case; R18, R27).
    protection = Protection.objects.get(person__parties__pk=party["id"])
    body = api.ok(
        police.post(
            path(case, party, "nrm-decisions"),
            {"stage": "reasonable_grounds", "outcome": "positive", "decided_on": str(today)},
        ),
        201,
    )
    assert body["nrm_decisions"][0]["outcome"] == "positive"
    assert body["recovery_period"]["protected_from_removal"] is True
    assert stored() == (before[0] + 1, before[1] + 1, before[2] + 2)
    assert protocol_actions.protection_facts(protection).nrm_recovery_period

    # The clearance core is told of the recovery period, and blocks on it.
    ie = api.ie()
    blocked = api.ok(api.clearance(ie), 201)
    assert blocked["decision"] == "blocked"
    clearance = Clearance.objects.get(public_id=blocked["id"])
    assert any("recovery period" in reason for reason in clearance.reasons)
    assert clearance.facts["protections"][str(protection.pk)]["nrm_recovery_period"] is True
    asked = ie.post(
        "/overrides",
        {
            "clearance_id": blocked["id"],
            "exception_category": "national_security_or_public_protection",
            "reasons": "A serious public-protection risk, set out in an intelligence report.",
        },
    )
    if asked.status_code == 201:
        assert Override.objects.get(public_id=asked.json()["id"]).statutory_defence_flag

    # A negative conclusive decision keeps the block for the minimum period.
    body = api.ok(
        police.post(
            path(case, party, "nrm-decisions"),
            {"stage": "conclusive_grounds", "outcome": "negative", "decided_on": str(today)},
        ),
        201,
    )
    assert body["recovery_period"]["protected_from_removal"] is True
    assert "minimum recovery period" in body["recovery_period"]["reason"]
    assert protocol_actions.protection_facts(protection).nrm_recovery_period


@pytest.mark.django_db
@pytest.mark.parametrize("police", ["mvp-2021-promise", "firewall"], indirect=True)
def test_refused_consent_a_child_and_bad_fields_store_nothing(police):
    today = timezone.localdate()
    case = api.new_case(police)
    refusing = api.add_party(police, case, trafficking_indicators=SIGNS, nrm_consent="refused")
    child = api.add_party(
        police,
        case,
        given_names="Mira",
        date_of_birth=f"{today.year - 12}-02-01",
        trafficking_indicators=["forced_criminality"],
        nrm_consent="child",
    )
    before = stored()
    attempts = [
        (refusing, {"kind": "nrm_referral", "first_responder": "WMP"}, "kind", "did not agree"),
        (child, {"kind": "duty_to_notify", "reference": "DTN-1"}, "kind", "child"),
        (refusing, {"kind": "duty_to_notify"}, "reference", "reference"),
        (
            refusing,
            {
                "kind": "duty_to_notify",
                "reference": "DTN-1",
                "made_on": str(today + dt.timedelta(1)),
            },
            "made_on",
            "past",
        ),
    ]
    for party, body, field, words in attempts:
        response = police.post(path(case, party, "nrm-records"), {"made_on": str(today), **body})
        assert response.status_code == 422, (body, response.content)
        assert words in response.json()["error"]["fields"][field], (body, response.json())
    for body in (
        {"kind": "duty_to_notify", "made_on": "soon"},
        {"kind": "x", "made_on": "2026-01-01"},
    ):
        response = police.post(path(case, refusing, "nrm-records"), body)
        assert response.status_code in {400, 422}, response.content
    assert stored() == before

    # What fits is recorded: the duty to notify for the adult, a referral for the child.
    dtn = api.ok(
        police.post(
            path(case, refusing, "nrm-records"),
            {"kind": "duty_to_notify", "made_on": str(today), "reference": "DTN-2026-77"},
        ),
        201,
    )
    assert dtn["nrm_records"][0]["consent"] == "refused"
    api.ok(
        police.post(
            path(case, child, "nrm-records"),
            {"kind": "nrm_referral", "made_on": str(today), "first_responder": "Barnardo's"},
        ),
        201,
    )
    assert stored() == (before[0] + 2, before[1], before[2] + 2)
    # Another force's case is not found.
    other = api.police("GMP")
    valid = {"kind": "duty_to_notify", "made_on": str(today), "reference": "DTN-3"}
    assert other.post(path(case, refusing, "nrm-records"), valid).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("police", ["mvp-2021-promise"], indirect=True)
def test_the_block_ends_after_the_minimum_period_following_a_negative_decision(police):
    today = timezone.localdate()
    case = api.new_case(police)
    party = api.add_party(police, case, trafficking_indicators=SIGNS, nrm_consent="given")
    referred = today - dt.timedelta(days=60)
    api.ok(
        police.post(
            path(case, party, "nrm-records"),
            {"kind": "nrm_referral", "made_on": str(referred), "first_responder": "WMP"},
        ),
        201,
    )
    for stage, outcome, on in (
        ("reasonable_grounds", "positive", referred + dt.timedelta(days=5)),
        ("conclusive_grounds", "negative", today - dt.timedelta(days=2)),
    ):
        body = api.ok(
            police.post(
                path(case, party, "nrm-decisions"),
                {"stage": stage, "outcome": outcome, "decided_on": str(on)},
            ),
            201,
        )
    assert body["recovery_period"]["protected_from_removal"] is False
    assert [d["stage"] for d in body["nrm_decisions"]] == [
        "reasonable_grounds",
        "conclusive_grounds",
    ]


# --- The page --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_records_them_with_an_error_summary(settings, client):
    from safeshare.kernel.roles import Role
    from tests.accounts.factories import make_user, organisation_for

    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    officer = make_user(Role.POLICE_OFFICER, organisation_for(Role.POLICE_OFFICER, "WMP"))
    client.force_login(officer)
    police = api.police()
    case = api.new_case(police)
    party = api.add_party(police, case, trafficking_indicators=SIGNS, nrm_consent="refused")
    url = f"/cases/{case['id']}/people/{party['id']}/modern-slavery/"
    assert url in client.get(f"/cases/{case['id']}/").content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert "Record a referral or a duty to notify report" in page.content.decode()

    today = timezone.localdate()
    date = {
        "referral-made_on-day": today.day,
        "referral-made_on-month": today.month,
        "referral-made_on-year": today.year,
    }
    refused = client.post(
        url,
        {
            "record": "referral",
            "referral-kind": "nrm_referral",
            "referral-first_responder": "WMP",
            **date,
        },
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "govuk-error-summary" in html
    assert "did not agree to be referred" in html
    assert not NrmRecord.objects.exists()

    done = client.post(
        url,
        {
            "record": "referral",
            "referral-kind": "duty_to_notify",
            "referral-reference": "DTN-9",
            **date,
        },
    )
    assert done.status_code == 302, done.content[:3000]
    page = client.get(url).content.decode()
    assert "Duty to notify report to the Home Office" in page
    assert "DTN-9" in page

    # A decision for someone never referred is refused on the page too, with the reason.
    refused = client.post(
        url,
        {
            "record": "decision",
            "decision-stage": "reasonable_grounds",
            "decision-outcome": "positive",
            "decision-decided_on-day": today.day,
            "decision-decided_on-month": today.month,
            "decision-decided_on-year": today.year,
        },
    )
    assert refused.status_code == 400
    assert (
        "Record the referral to the National Referral Mechanism first" in refused.content.decode()
    )
    assert not NrmDecision.objects.exists()
    assert Party.objects.count() == 1
