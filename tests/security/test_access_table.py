"""Every API operation and every page, with every role, against the declared permission table.

The tables are ``API_PERMISSIONS`` and ``PAGE_PERMISSIONS`` + ``PAGE_OBJECT_SCOPES`` in
``safeshare/accounts/permissions.py``. Each role calls each operation on real objects of its own
side (our force, our IE unit) and of the other side; the outcome must be what the table says:

- a role the table does not list is refused (403, before the endpoint runs);
- a listed role reaches its own side's objects (2xx) and, where its object scope is "own …",
  gets 404 for the other side's (no existence leak); with scope "any", it reaches both.

Known violations in code owned elsewhere are listed in ``KNOWN_VIOLATIONS``: they are left out
of the walk and each is an xfail(strict) test of its own, so a fix shows up at once.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from safeshare.accounts.permissions import (
    ANY_OBJECT,
    API_PERMISSIONS,
    NO_OBJECT,
    PAGE_OBJECT_SCOPES,
    PAGE_PERMISSIONS,
    PUBLIC,
    VICTIMS_OWN,
)
from safeshare.kernel.roles import Role
from tests.accounts.factories import make_user
from tests.api_client import ApiClient
from tests.security.conftest import BASIS, ORG_FOR_ROLE, ORGANISATIONS, World, user_for

pytestmark = pytest.mark.django_db

_numbers = itertools.count(500)
Build = Callable[[World, str], tuple[str, dict | None]]


def _basis() -> dict[str, str]:
    return {
        "controller": BASIS.controller,
        "regime": BASIS.regime,
        "lawful_basis": BASIS.lawful_basis,
        "gateway": BASIS.gateway,
        "agreement_id": BASIS.agreement_id,
        "dpia_version": BASIS.dpia_version,
    }


def _another_person(w: World, s: str):
    """A new witness in the side's case: someone to merge into its victim."""
    from safeshare.cases.actions import do_add_party
    from safeshare.people.identity import IdentityIn

    identity = IdentityIn(given_names="Other", family_name=f"Witness{next(_numbers)}")
    side = w.side(s)
    return do_add_party(side.case, side.police, role="witness", identity=identity).person


def _signs_party(w: World, s: str, consent: str):
    """A new person in the side's case with trafficking indicators and an answer on an NRM
    referral (``consent``), for the NRM records on the case."""
    from safeshare.cases.actions import do_add_party
    from safeshare.people.identity import IdentityIn

    identity = IdentityIn(given_names="Signs", family_name=f"Person{next(_numbers)}")
    side = w.side(s)
    return do_add_party(
        side.case,
        side.police,
        role="victim",
        identity=identity,
        trafficking_indicators=["debt_bondage"],
        nrm_consent=consent,
    )


def _referred_party(w: World, s: str):
    """A person referred to the NRM with their consent, so that a decision can be recorded."""
    import datetime as dt

    from safeshare.cases.actions import do_record_nrm_referral

    party = _signs_party(w, s, "given")
    do_record_nrm_referral(
        party,
        w.side(s).police,
        kind="nrm_referral",
        made_on=dt.date(2026, 1, 5),
        first_responder="The force",
    )
    return party


def _merge_request(w: World, s: str):
    """A merge asked for by the side's police officer (someone else approves it)."""
    from safeshare.cases.actions import do_request_merge

    side = w.side(s)
    return do_request_merge(
        side.police, keep=side.victim.person, merge=_another_person(w, s), reason="Same passport"
    )


def _by_reference(w: World, s: str) -> str:
    case = w.side(s).case
    return f"/cases/by-reference/{case.force.code}/{quote(case.crime_reference, safe='/')}"


IE_CONSENT = {
    "answer": "given",
    "fields": ["given_names", "family_name"],
    "language": "Bengali",
    "interpreter_used": True,
    "suspect_present": False,
}


def _ie_consent(w: World, s: str):
    """A consent the side's victim gave, recorded by the side's police officer."""
    from django.utils import timezone

    from safeshare.referrals.actions import do_record_consent

    side = w.side(s)
    return do_record_consent(side.victim, side.police, **IE_CONSENT, asked_at=timezone.now())


def _authority_referral(w: World, s: str, *, withdrawn: bool = False):
    """A referral by the side's NHS body or local authority (under a policy that protects on
    it); withdrawn, with the person's notice long delivered, when asked."""
    import datetime as dt

    from django.test import override_settings
    from django.utils import timezone

    from safeshare.accounts.actors import Actor
    from safeshare.people.identity import IdentityIn
    from safeshare.protocol.models import Protection
    from safeshare.referrals import actions
    from tests.security.conftest import organisation

    actor = Actor(organisation=organisation(s, "referrer"), role=Role.REFERRER)
    with override_settings(SAFESHARE_POLICY="mvp-2021-promise"):
        referral = actions.do_make_authority_referral(
            actor,
            IdentityIn(given_names="Referred", family_name=f"Person{next(_numbers)}"),
            role="victim",
            offence_category="modern_slavery_trafficking",
            triggers=["safeguarding"],
            channel="api",
            source_of_information="victim",
            basis=BASIS,
            consent_given=True,
            consent_fields=["given_names", "family_name"],
        )
        if withdrawn:
            actions.do_withdraw_authority_referral(referral, actor, reason="person_asked")
            Protection.objects.filter(pk=referral.protection_id).update(
                transition_notice_at=timezone.now() - dt.timedelta(days=365)
            )
    return referral


def _ref(w: World, s: str) -> str:
    return w.side(s).protection.reference


# How to call each operation against side ``s``'s objects: (path, JSON body or None for GET).
API_REQUESTS: dict[str, tuple[bool, Build]] = {
    "GET /whoami": (False, lambda w, s: ("/whoami", None)),
    "GET /enforcement-actions": (False, lambda w, s: ("/enforcement-actions", None)),
    "POST /cases": (
        False,
        lambda w, s: (
            "/cases",
            {"crime_reference": f"20/{next(_numbers)}/26", "offence_category": "hate_crime"},
        ),
    ),
    "GET /cases/{case_id}": (True, lambda w, s: (f"/cases/{w.side(s).case.public_id}", None)),
    "GET /cases": (False, lambda w, s: ("/cases", None)),
    "GET /clearances": (False, lambda w, s: ("/clearances", None)),
    "GET /protections": (False, lambda w, s: ("/protections", None)),
    "POST /authority-referrals": (
        False,
        lambda w, s: (
            "/authority-referrals",
            {
                "given_names": "Referred",
                "family_name": f"Person{next(_numbers)}",
                "role": "victim",
                "offence_category": "modern_slavery_trafficking",
                "triggers": ["safeguarding"],
                "source_of_information": "victim",
                "consent_given": True,
                "consented_fields": ["given_names", "family_name"],
                **_basis(),
            },
        ),
    ),
    "GET /authority-referrals/refused": (
        False,
        lambda w, s: ("/authority-referrals/refused", None),
    ),
    "POST /authority-referrals/{referral_id}/withdrawal": (
        True,
        lambda w, s: (
            f"/authority-referrals/{_authority_referral(w, s).public_id}/withdrawal",
            {"reason": "person_asked"},
        ),
    ),
    "POST /authority-referrals/{referral_id}/protection-closure": (
        True,
        lambda w, s: (
            f"/authority-referrals/{_authority_referral(w, s, withdrawn=True).public_id}"
            "/protection-closure",
            {"reasons": "The person is safe.", "victim_notified": True},
        ),
    ),
    "POST /people/{person_id}/identities": (
        True,
        lambda w, s: (
            f"/people/{w.side(s).victim.person.public_id}/identities",
            {"given_names": "Alias", "family_name": f"Name{next(_numbers)}"},
        ),
    ),
    "GET /people/{person_id}/possible-duplicates": (
        True,
        lambda w, s: (f"/people/{w.side(s).victim.person.public_id}/possible-duplicates", None),
    ),
    "POST /people/{person_id}/merges": (
        True,
        lambda w, s: (
            f"/people/{w.side(s).victim.person.public_id}/merges",
            {"merge_with": str(_another_person(w, s).public_id), "reason": "Same passport seen"},
        ),
    ),
    "POST /people/merges/{merge_id}/approve": (
        True,
        lambda w, s: (f"/people/merges/{_merge_request(w, s).public_id}/approve", {}),
    ),
    "PUT /cases/by-reference/{force}/{crime_reference}": (
        True,
        lambda w, s: (_by_reference(w, s), {"offence_category": w.side(s).case.offence_category}),
    ),
    "GET /cases/by-reference/{force}/{crime_reference}": (
        True,
        lambda w, s: (_by_reference(w, s), None),
    ),
    "POST /cases/{case_id}/parties": (
        True,
        lambda w, s: (
            f"/cases/{w.side(s).case.public_id}/parties",
            {"given_names": "Wit", "family_name": f"Ness{next(_numbers)}", "role": "witness"},
        ),
    ),
    "POST /cases/{case_id}/parties/{party_id}/nrm-records": (
        True,
        lambda w, s: (
            f"/cases/{w.side(s).case.public_id}/parties/{_signs_party(w, s, 'refused').pk}"
            "/nrm-records",
            {"kind": "duty_to_notify", "made_on": "2026-01-05", "reference": "DTN-1"},
        ),
    ),
    "POST /cases/{case_id}/parties/{party_id}/nrm-decisions": (
        True,
        lambda w, s: (
            f"/cases/{w.side(s).case.public_id}/parties/{_referred_party(w, s).pk}/nrm-decisions",
            {"stage": "reasonable_grounds", "outcome": "positive", "decided_on": "2026-02-01"},
        ),
    ),
    "POST /cases/{case_id}/events": (
        True,
        lambda w, s: (
            f"/cases/{w.side(s).case.public_id}/events",
            {"event": "investigation_opened"},
        ),
    ),
    "POST /referrals": (
        True,
        lambda w, s: (
            "/referrals",
            {
                "case_id": str(w.side(s).case.public_id),
                "party_id": w.side(s).victim.pk,
                "triggers": ["safeguarding"],
                "source_of_information": "police",
                **_basis(),
            },
        ),
    ),
    "POST /cases/{case_id}/parties/{party_id}/consents": (
        True,
        lambda w, s: (
            f"/cases/{w.side(s).case.public_id}/parties/{w.side(s).victim.pk}/consents",
            {**IE_CONSENT, "asked_at": "2026-12-01T10:00:00Z"},
        ),
    ),
    "POST /consents/{consent_id}/withdrawal": (
        True,
        lambda w, s: (f"/consents/{_ie_consent(w, s).public_id}/withdrawal", {"words": "No more"}),
    ),
    "POST /consents/{consent_id}/not-freely-given": (
        True,
        lambda w, s: (
            f"/consents/{_ie_consent(w, s).public_id}/not-freely-given",
            {"reason": "Her partner's brother was in the room."},
        ),
    ),
    "GET /protections/{reference}": (True, lambda w, s: (f"/protections/{_ref(w, s)}", None)),
    "POST /protections/{reference}/regularisation": (
        True,
        lambda w, s: (f"/protections/{_ref(w, s)}/regularisation", {"status": "advice_received"}),
    ),
    "POST /protections/{reference}/public-order-disqualification": (
        True,
        lambda w, s: (
            f"/protections/{_ref(w, s)}/public-order-disqualification",
            {
                "decided_by": "A. Singh, Single Competent Authority",
                "reasons": "A conviction for a serious offence, set out in the decision letter.",
                "decided_on": "2026-11-30",
            },
        ),
    ),
    "POST /protections/{reference}/nrm-decision": (
        True,
        lambda w, s: (
            f"/protections/{_ref(w, s)}/nrm-decision",
            {"stage": "positive_reasonable_grounds"},
        ),
    ),
    "POST /clearances": (
        False,
        lambda w, s: (
            "/clearances",
            {
                "given_names": "Someone",
                "family_name": "Else",
                "action": "removal_directions",
                "information_sources": ["immigration_records"],
            },
        ),
    ),
    "GET /clearances/{clearance_id}": (
        True,
        lambda w, s: (f"/clearances/{w.side(s).blocked.public_id}", None),
    ),
    "POST /clearances/{clearance_id}/outcome": (
        True,
        lambda w, s: (
            f"/clearances/{w.side(s).blocked.public_id}/outcome",
            {"outcome": "not_yet"},
        ),
    ),
    "POST /protections/{reference}/contact-settings": (
        True,
        lambda w, s: (
            f"/protections/{_ref(w, s)}/contact-settings",
            {
                "channel": "email",
                "email": "safe@example.org",
                "address_shared_with_perpetrator": False,
            },
        ),
    ),
    "GET /protections/{reference}/notifications": (
        True,
        lambda w, s: (f"/protections/{_ref(w, s)}/notifications", None),
    ),
    "POST /overrides": (
        True,
        lambda w, s: (
            "/overrides",
            {
                "clearance_id": str(w.blocked_clearance(s).public_id),
                "exception_category": "national_security_or_public_protection",
                "reasons": "A serious public-protection risk, set out in an intelligence report.",
            },
        ),
    ),
    "POST /overrides/{override_id}/approve": (
        True,
        lambda w, s: (
            f"/overrides/{w.pending_override(s).public_id}/approve",
            {"approve": False, "reasons": "The intelligence does not show a serious risk."},
        ),
    ),
    "GET /reviews": (False, lambda w, s: ("/reviews", None)),
    "POST /reviews/{review_id}/resolve": (
        True,
        lambda w, s: (
            f"/reviews/{w.held_review(s).pk}/resolve",
            {"verdict": "not_same_person", "reasons": "A different date of birth and country."},
        ),
    ),
    "GET /oversight/statistics": (False, lambda w, s: ("/oversight/statistics", None)),
    "GET /oversight/statistics/{statistic_id}": (
        False,
        lambda w, s: (f"/oversight/statistics/{_first_statistic()}", None),
    ),
    "GET /oversight/alerts": (False, lambda w, s: ("/oversight/alerts", None)),
    "GET /oversight/comparison": (
        False,
        lambda w, s: (f"/oversight/comparison?{_comparison()}", None),
    ),
    "GET /oversight/ledger": (False, lambda w, s: ("/oversight/ledger", None)),
    "GET /ledger/checkpoint": (False, lambda w, s: ("/ledger/checkpoint?format=json", None)),
    "GET /ledger/entries": (False, lambda w, s: ("/ledger/entries?start=0&end=1", None)),
    "GET /ledger/entries/{index}/proof": (False, lambda w, s: ("/ledger/entries/0/proof", None)),
    "GET /ledger/consistency": (
        False,
        lambda w, s: ("/ledger/consistency?first=1&second=2", None),
    ),
    "GET /ledger/public-key": (False, lambda w, s: ("/ledger/public-key?format=json", None)),
}

# (operation or route, role, side): the table says refused/not found, the code lets it through.
# Reported to the owners; each is an xfail(strict) test below.
KNOWN_VIOLATIONS: dict[tuple[str, Role, str], str] = {}


def _first_statistic() -> str:
    from safeshare.oversight.statistics import STATISTICS

    return next(iter(STATISTICS))


def _comparison() -> str:
    """Two shipped policies, with a stored comparison run (made here if there is none)."""
    from safeshare.oversight import history
    from safeshare.protocol.policy import available_policies

    policy_a, policy_b = sorted(available_policies())[:2]
    if history.latest_run(policy_a, policy_b) is None:
        from django.core.management import call_command

        call_command("oversight", "compare", policy_a, policy_b, verbosity=0)
    return f"policy_a={policy_a}&policy_b={policy_b}"


def _prepare_ledger() -> None:
    """Sequence what is queued and sign a checkpoint, so that the ledger reads have data."""
    from safeshare.ledger import service

    service.sequence_pending()
    service.make_checkpoint()


def _token(role: Role) -> ApiClient:
    code = ORGANISATIONS[("own", ORG_FOR_ROLE[role])][0]
    return ApiClient(role, code)


def _call(client: ApiClient, method: str, path: str, body: dict | None):
    if method == "GET":
        return client.client.get(f"/api/v1{path}", headers=client._headers())
    if method == "PUT":
        return client.client.put(
            f"/api/v1{path}",
            json.dumps(body),
            content_type="application/json",
            headers=client._headers(),
        )
    return client.post(path, body)


def _api_expectation(operation: str, role: Role, side: str) -> str:
    permission = API_PERMISSIONS[operation]
    if role not in permission.roles:
        return "refused"
    scope = permission.objects[role]
    if side == "other" and scope not in (ANY_OBJECT, NO_OBJECT):
        return "not_found"
    return "reached"


def _api_outcome(response) -> str:
    if 200 <= response.status_code < 300:
        return "reached"
    body = response.json()
    assert set(body) == {"error"}, body
    code = body["error"]["code"]
    if response.status_code == 403 and code == "forbidden":
        return "refused"
    if response.status_code == 404 and code == "not_found":
        return "not_found"
    return f"{response.status_code} {code}: {body['error']['message']}"


def test_the_table_declares_exactly_the_documented_operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    documented = {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, operations in schema["paths"].items()
        for method in operations
    }
    assert documented - set(API_PERMISSIONS) == set(), "operations missing from API_PERMISSIONS"
    assert set(API_PERMISSIONS) - documented == set(), "API_PERMISSIONS lists unknown operations"
    assert set(API_REQUESTS) == documented, "this test must know how to call every operation"


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_every_api_operation_for_every_role(world, role):
    _prepare_ledger()
    client = _token(role)
    problems = []
    for operation, (has_object, build) in API_REQUESTS.items():
        method, _template = operation.split(" ", 1)
        for side in ("other", "own") if has_object else ("own",):
            if (operation, role, side) in KNOWN_VIOLATIONS:
                continue
            path, body = build(world, side)
            expected = _api_expectation(operation, role, side)
            seen = _api_outcome(_call(client, method, path, body))
            if seen != expected:
                problems.append(f"{operation} on {side} side: expected {expected}, got {seen}")
    assert problems == []


def test_a_protocol_officer_sees_only_reviews_of_their_force(world):
    reviews = _call(_token(Role.PROTOCOL_OFFICER), "GET", "/reviews", None).json()
    ids = {review["id"] for review in reviews}
    assert world.own.review.pk in ids
    assert world.other.review.pk not in ids


@pytest.mark.parametrize("role", [Role.IE_CASEWORKER, Role.IE_SENIOR_APPROVER])
def test_immigration_enforcement_never_reads_a_case(world, client, role):
    token = _token(role)
    user = user_for(role)
    client.force_login(user)
    for side in ("own", "other"):
        case = world.side(side).case
        api_response = _call(token, "GET", f"/cases/{case.public_id}", None)
        assert api_response.status_code == 403
        assert case.crime_reference not in api_response.content.decode()
        page = client.get(reverse("cases:detail", kwargs={"case_id": case.public_id}))
        assert page.status_code == 403
        assert case.crime_reference not in page.content.decode()


def test_an_undeclared_operation_is_refused_to_everyone(world):
    from safeshare.accounts import permissions

    client = _token(Role.POLICE_OFFICER)
    saved = permissions.API_PERMISSIONS.pop("GET /whoami")
    try:
        response = _call(client, "GET", "/whoami", None)
    finally:
        permissions.API_PERMISSIONS["GET /whoami"] = saved
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "This API operation is not open to any role."


def test_a_token_without_the_scope_is_refused_before_the_endpoint(world):
    from safeshare.accounts import actions
    from safeshare.kernel.roles import Scope

    issued = actions.do_create_api_token(
        organisation=world.own.case.force,
        role=Role.POLICE_OFFICER,
        name="read only",
        scopes=[Scope.CASES_READ],
        person=make_user(Role.POLICE_OFFICER, world.own.case.force),
    )
    headers = {"Authorization": f"Bearer {issued.secret}"}
    case_id = world.own.case.public_id
    assert Client().get(f"/api/v1/cases/{case_id}", headers=headers).status_code == 200
    response = Client().post(
        f"/api/v1/cases/{case_id}/events",
        {"event": "suspect_charged"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 403
    assert "cases:write" in response.json()["error"]["message"]


def test_no_known_violation_remains():
    """Violations found by the walk are fixed, not listed: the table and the code agree."""
    assert KNOWN_VIOLATIONS == {}


# --- The site ---------------------------------------------------------------------------------

ANONYMOUS, VICTIM = "anonymous", "victim"
LAST_ROUTES = {"advice:victim-leave", "advice:victim-sign-out", "accounts:sign-out"}
CALLERS: list[Role | str] = [ANONYMOUS, VICTIM, *Role]


@pytest.fixture
def site_world(world):
    """The world, plus a letter and an advice pack for each side's protection, the ledger
    sequenced with a checkpoint (so receipts exist), and the own victim's passcode."""
    from safeshare.advice import actions as advice_actions
    from tests.advice_web.support import facts

    passcodes = {}
    packs = {}
    for side in (world.own, world.other):
        issued = advice_actions.do_issue_protection_letter(
            side.protection,
            side.police,
            language="en",
            delivery="handed_over",
            view_url="http://testserver/my-protection/",
        )
        passcodes[side.name] = issued.passcode
        packs[side.name] = advice_actions.do_issue_advice_pack(
            side.protection,
            side.police,
            facts=facts(),
            language="en",
            channel="handed_over",
            view_url="http://testserver/my-protection/",
        )
    _prepare_ledger()
    world.passcodes, world.packs = passcodes, packs  # type: ignore[attr-defined]
    world.consents = _advocate_consents(world)  # type: ignore[attr-defined]
    return world


def _advocate_consents(w: World) -> dict:
    """Each side's victim consents that their side's support organisation may see them."""
    from safeshare.accounts.actions import do_create_organisation
    from safeshare.kernel.roles import OrganisationKind
    from safeshare.notifications import actions as notices
    from tests.security.conftest import organisation

    supports = {
        "own": organisation("own", "support"),
        "other": do_create_organisation(
            code="SUPPORT-2",
            name="Other Support Org",
            kind=OrganisationKind.SUPPORT_ORGANISATION,
            contact_point="",
        ),
    }
    consents = {
        side.name: notices.do_record_advocate_consent(
            side.victim.person,
            reference=side.protection.reference,
            organisation=supports[side.name],
            recorded_by="test",
            recorded_by_org=None,
        )
        for side in (w.own, w.other)
    }
    # The own side's advocate asks the force for the person's subject access export.
    from safeshare.accounts.actors import Actor

    notices.do_request_subject_access(
        consents["own"],
        Actor.for_user(user_for(Role.ADVOCATE)),
        force=w.own.protection.opened_by,
        person_link="/",
    )
    return consents


def _consent(w: World, s: str) -> dict:
    return {"consent_id": w.consents[s].public_id}  # type: ignore[attr-defined]


def _entry_about(w: World, s: str) -> int:
    from safeshare.ledger.keys import token_for_person
    from safeshare.ledger.models import LedgerEntry

    token = token_for_person(w.side(s).victim.person.public_id)
    return LedgerEntry.objects.filter(subject_rows__token=token).order_by("id").first().pk


def _case(w: World, s: str) -> dict:
    return {"case_id": w.side(s).case.public_id}


def _party(w: World, s: str) -> dict:
    return {"case_id": w.side(s).case.public_id, "party_id": w.side(s).victim.pk}


def _protection(w: World, s: str) -> dict:
    return {"reference": _ref(w, s)}


def _pack(w: World, s: str) -> dict:
    return {"reference": _ref(w, s), "pack_id": w.packs[s].public_id}  # type: ignore[attr-defined]


SITE_OBJECTS: dict[str, Callable[[World, str], dict]] = {
    "cases:detail": _case,
    "cases:add-party": _case,
    "cases:record-event": _case,
    "cases:party-nrm": _party,
    "protocol:case-event": _case,
    "referrals:start": _party,
    "referrals:check": _party,
    "referrals:consent": _party,
    "referrals:detail": lambda w, s: {"referral_id": w.side(s).referral.public_id},
    "protocol:protection": _protection,
    "protocol:protection-letter": _protection,
    "protocol:protection-regularisation": _protection,
    "protocol:protection-nrm": _protection,
    "protocol:protection-close": _protection,
    "protocol:protection-notice-given": _protection,
    "protocol:clearance": lambda w, s: {"clearance_id": w.side(s).blocked.public_id},
    "matching:sweep": lambda w, s: {"sweep_id": w.sweep(s).public_id},
    "matching:sweep-download": lambda w, s: {"sweep_id": w.sweep(s, finished=True).public_id},
    "protocol:override-new": lambda w, s: {"clearance_id": w.side(s).blocked.public_id},
    "protocol:override-withdraw": lambda w, s: {"clearance_id": w.side(s).blocked.public_id},
    "protocol:clearance-outcome": lambda w, s: {"clearance_id": w.side(s).blocked.public_id},
    "protocol:review": lambda w, s: {"reference": w.side(s).review.reference},
    "protocol:override": lambda w, s: {"override_id": w.side(s).override.public_id},
    "advice:protection": _protection,
    "advice:contact": _protection,
    "advice:issue-letter": _protection,
    "advice:issue-pack": _protection,
    "advice:pack": _pack,
    "advice:pack-pdf": _pack,
    "advice:subject-access": lambda w, s: {"person_id": w.side(s).victim.person.public_id},
    "cases:person-duplicates": lambda w, s: {"person_id": w.side(s).victim.person.public_id},
    "advice:subject-access-exemptions": lambda w, s: {
        "person_id": w.side(s).victim.person.public_id
    },
    "advice:victim-receipt": lambda w, s: {"entry_id": _entry_about(w, s)},
    "advice:victim-advice-pdf": lambda w, s: {"pack_id": w.packs[s].public_id},  # type: ignore[attr-defined]
    "advice:victim-language": lambda w, s: {"code": "cy"},
    "accounts:passkey-remove": lambda w, s: {"passkey_id": 999999},
    "advocates:person": _consent,
    "advocates:pack-pdf": lambda w, s: {**_consent(w, s), "pack_id": w.packs[s].public_id},  # type: ignore[attr-defined]
    "advocates:letter-pdf": _consent,
    "advocates:subject-access": _consent,
    "advocates:protection-consents": _protection,
    "advocates:withdraw": lambda w, s: {**_protection(w, s), **_consent(w, s)},
    "notifications:reach": _protection,
}


def _site_expectation(route: str, caller: Role | str, side: str | None) -> set[str]:
    allowed = PAGE_PERMISSIONS[route]
    scopes = PAGE_OBJECT_SCOPES.get(route, {})
    if allowed == PUBLIC:
        if caller == VICTIM and side == "other" and scopes.get(PUBLIC) not in (None, NO_OBJECT):
            return {"not_found"}
        return {"reached", "sign_in"}
    if caller in (ANONYMOUS, VICTIM):
        return {"sign_in"}
    if caller not in allowed:  # type: ignore[operator]
        return {"refused"}
    if side == "other" and scopes.get(caller, NO_OBJECT) not in (NO_OBJECT, ANY_OBJECT):
        return {"not_found"}
    return {"reached"}


def _site_outcome(response) -> str:
    status = response.status_code
    if status == 403:
        return "refused"
    if status == 404:
        return "not_found"
    if status in (301, 302) and response["Location"].startswith(reverse("accounts:sign-in")):
        return "sign_in"
    if status < 400 or status == 405:
        return "reached"
    return str(status)


def _signed_in_client(caller: Role | str, world: World) -> Client:
    client = Client()
    if caller == VICTIM:
        passcode = world.passcodes["own"]  # type: ignore[attr-defined]
        response = client.post(
            reverse("advice:victim-sign-in"),
            {"reference": world.own.protection.reference, "passcode": passcode},
        )
        assert response.status_code == 302, response.content.decode()[:500]
    elif caller != ANONYMOUS:
        client.force_login(user_for(caller))
    return client


def test_every_route_is_declared_with_its_object_scope():
    from tests.web.test_access_matrix import all_named_routes

    routes = all_named_routes()
    assert routes - set(PAGE_PERMISSIONS) == set()
    with_objects = {r for r in routes if _route_has_arguments(r)}
    assert with_objects - set(PAGE_OBJECT_SCOPES) == set(), "declare their object scope"
    assert with_objects == set(SITE_OBJECTS), "this test must know how to open every route"


def _route_has_arguments(route: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(route)
    except NoReverseMatch:
        return True
    return False


def test_every_page_for_every_role(site_world):
    """One world (letters and packs make it slow to build), every caller in turn."""
    from tests.web.test_access_matrix import all_named_routes

    # Leaving the victim's view ends the session, so it goes last.
    routes = sorted(all_named_routes(), key=lambda r: (r in LAST_ROUTES, r))
    problems = []
    for caller in CALLERS:
        client = _signed_in_client(caller, site_world)
        for route in routes:
            build = SITE_OBJECTS.get(route)
            for side in ("other", "own") if build else (None,):
                if (route, caller, side) in KNOWN_VIOLATIONS:
                    continue
                url = reverse(route, kwargs=build(site_world, side) if build else None)
                expected = _site_expectation(route, caller, side)
                response = client.get(url)
                seen = _site_outcome(response)
                victims_own = PAGE_OBJECT_SCOPES.get(route, {}).get(PUBLIC) == VICTIMS_OWN
                if (
                    caller == VICTIM
                    and victims_own
                    and side == "own"
                    and response.status_code != 200
                ):
                    seen = f"{response.status_code} (the victim's own object)"
                if seen not in expected:
                    problems.append(f"{caller} {route} {side}: expected {expected}, got {seen}")
    assert problems == []
