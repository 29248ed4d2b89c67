"""Every route that shows personal data leaves exactly one read-audit record per request.

The walk opens every page and every API read, as a role that may open it, on real objects, and
sorts each route into one of three kinds, all declared below:

- ``PERSONAL_PAGES`` / ``PERSONAL_API``: shows people's data; each request writes one
  ``ReadAudit`` record naming who read (the person, or the token), the kind of record, the people
  by keyed token and the route;
- ``OWN_VIEW``: the protected person's own view of their record (not a read by someone else);
- everything else: must show nobody's data (the walk looks for the world's names, dates of birth
  and caseload rows in the answer) and must write no audit record.

A new route is one of these or the test fails, so no read can be added without its audit.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from safeshare.accounts.models import ReadAudit
from safeshare.accounts.permissions import API_PERMISSIONS, PAGE_PERMISSIONS, PUBLIC
from safeshare.kernel.roles import Role
from safeshare.ledger.keys import token_for_person
from tests.security.test_access_table import (
    API_REQUESTS,
    LAST_ROUTES,
    SITE_OBJECTS,
    VICTIM,
    _signed_in_client,
    _token,
    site_world,  # noqa: F401  (the fixture)
)

pytestmark = pytest.mark.django_db

PERSONAL_PAGES: dict[str, tuple[str, str]] = {
    # route: (purpose, kind of record)
    "cases:detail": ("case_page", "case"),
    "cases:person-duplicates": ("person_duplicates_page", "person"),
    "referrals:start": ("referral_form", "case_party"),
    "referrals:consent": ("consent_page", "case_party"),
    "cases:party-nrm": ("case_page", "case"),
    "referrals:detail": ("referral_page", "referral"),
    "protocol:protection": ("protection_page", "protection"),
    "protocol:protection-letter": ("protection_letter", "protection"),
    "protocol:clearance": ("clearance_page", "clearance"),
    "protocol:clearance-list": ("clearance_list", "clearance"),
    "worklists:clearances": ("ie_worklist", "clearance"),
    "worklists:subject-access-requests": ("sar_requests_list", "subject_access"),
    "protocol:override-new": ("override_form", "clearance"),
    "protocol:review-list": ("review_list", "review"),
    "protocol:review": ("review_page", "review"),
    "protocol:override": ("override_page", "override"),
    "advice:protection": ("advice_page", "protection"),
    "advice:contact": ("safe_contact_page", "contact_details"),
    "advice:issue-letter": ("letter_form", "protection"),
    "advice:issue-pack": ("advice_pack_form", "protection"),
    "advice:pack": ("advice_pack_page", "advice_pack"),
    "advice:pack-pdf": ("advice_pack_pdf", "advice_pack"),
    "advice:subject-access": ("subject_access_page", "subject_access"),
    "matching:sweep-download": ("sweep_results_download", "sweep_results"),
    "advice:subject-access-exemptions": ("exemptions_page", "subject_access"),
    "advocates:people": ("advocate_people", "protection"),
    "advocates:person": ("advocate_person", "protection"),
    "advocates:pack-pdf": ("advocate_pack", "advice_pack"),
    "advocates:letter-pdf": ("advocate_letter", "protection"),
    "advocates:subject-access": ("advocate_subject_access", "subject_access"),
    "advocates:protection-consents": ("advocate_consents", "consent"),
    "notifications:reach": ("notice_settings_page", "contact_details"),
}
PERSONAL_API: dict[str, tuple[str, str]] = {
    "GET /cases/{case_id}": ("api_case_read", "case"),
    "GET /cases/by-reference/{force}/{crime_reference}": ("api_case_read", "case"),
    "GET /protections/{reference}": ("api_protection_read", "protection"),
    "GET /protections": ("api_protection_list", "protection"),
    "GET /people/{person_id}/possible-duplicates": ("api_possible_duplicates", "person"),
    "GET /clearances/{clearance_id}": ("api_clearance_read", "clearance"),
    "GET /reviews": ("api_review_list", "review"),
    "GET /protections/{reference}/notifications": ("api_notifications_read", "notice"),
}
# IE reads a protection by reference for its status and contact point: a check, audited too.
IE_PURPOSES = {"GET /protections/{reference}": "api_protection_check"}
OWN_VIEW = {
    "advice:victim-protection",
    "advice:victim-shared",
    "advice:victim-receipt",
    "advice:victim-advice",
    "advice:victim-advice-pdf",
}
"""The protected person's own pages, opened with their reference and passcode."""

PERSONAL_MARKERS = re.compile(
    r"Begum|Fatema|Popescu|14 March 1991|Subject\W+Person|Q1,Subject", re.I
)


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _callers(route: str) -> list[Role | str]:
    allowed = PAGE_PERMISSIONS[route]
    if allowed == PUBLIC:
        return [VICTIM]
    return [role for role in Role if role in allowed]


def _template(route: str) -> str:
    """``GET api/v1/cases/<case_id>`` (Django's pattern) as ``GET /cases/{case_id}``."""
    method, pattern = route.split(" ", 1)
    pattern = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern.removeprefix("api/v1"))
    return f"{method} {pattern}"


def _latest_id() -> int:
    latest = ReadAudit.objects.order_by("-id").first()
    return latest.pk if latest else 0


def test_every_page_that_shows_a_person_is_audited_once_per_request(site_world):  # noqa: F811
    from tests.web.test_access_matrix import all_named_routes

    routes = all_named_routes()
    assert set(PERSONAL_PAGES) <= routes
    assert routes >= OWN_VIEW
    own_person = token_for_person(site_world.own.victim.person.public_id)
    problems, audited = [], set()
    clients: dict[Role | str, object] = {}
    for route in sorted(routes, key=lambda r: (r in LAST_ROUTES, r)):
        build = SITE_OBJECTS.get(route)
        url = reverse(route, kwargs=build(site_world, "own") if build else None)
        for caller in _callers(route):
            if caller not in clients:
                clients[caller] = _signed_in_client(caller, site_world)
            before = _latest_id()
            response = clients[caller].get(url)  # type: ignore[attr-defined]
            text = _text(response)
            records = list(ReadAudit.objects.filter(pk__gt=before))
            where = f"GET {route} as {caller}"
            if route in PERSONAL_PAGES:
                purpose, kind = PERSONAL_PAGES[route]
                if response.status_code != 200 or len(records) != 1:
                    problems.append(f"{where}: {response.status_code}, {len(records)} records")
                    continue
                record = records[0]
                user = clients[caller].session.get("_auth_user_id")  # type: ignore[attr-defined]
                assert str(record.user_id) == str(user), where
                assert (record.purpose, record.record_kind, record.route) == (
                    purpose,
                    kind,
                    route,
                ), where
                assert record.role == caller, where
                assert record.person_count >= 1, where
                if route != "matching:sweep-download":
                    assert own_person in record.people, where
                assert all(re.fullmatch(r"[0-9a-f]{64}", t) for t in record.people), where
                audited.add(route)
            elif records:
                problems.append(f"{where}: {len(records)} audit records, expected none")
            elif route not in OWN_VIEW and PERSONAL_MARKERS.search(text):
                found = PERSONAL_MARKERS.search(text).group(0)  # type: ignore[union-attr]
                problems.append(f"{where} shows personal data ({found!r}) with no audit")
    assert problems == [], "\n".join(problems)
    assert audited == set(PERSONAL_PAGES)


def test_every_api_read_of_a_person_is_audited_once_per_request(site_world):  # noqa: F811
    reads = [op for op in API_REQUESTS if op.startswith("GET ")]
    assert set(PERSONAL_API) <= set(reads)
    problems = []
    for operation in reads:
        _, build = API_REQUESTS[operation]
        for role in sorted(API_PERMISSIONS[operation].roles):
            client = _token(role)
            path, _ = build(site_world, "own")
            before = _latest_id()
            response = client.client.get(f"/api/v1{path}", headers=client._headers())
            records = list(ReadAudit.objects.filter(pk__gt=before))
            where = f"{operation} as {role}"
            if operation in PERSONAL_API:
                purpose, kind = PERSONAL_API[operation]
                if role in (Role.IE_CASEWORKER, Role.IE_SENIOR_APPROVER):
                    purpose = IE_PURPOSES.get(operation, purpose)
                if response.status_code != 200 or len(records) != 1:
                    problems.append(f"{where}: {response.status_code}, {len(records)} records")
                    continue
                record = records[0]
                assert record.user_id is None, where
                assert record.token_id is not None, where
                assert (record.purpose, record.record_kind) == (purpose, kind), where
                assert _template(record.route) == operation, (where, record.route)
            elif records:
                problems.append(f"{where}: {len(records)} audit records, expected none")
            elif PERSONAL_MARKERS.search(response.content.decode("utf-8", "replace")):
                problems.append(f"{where} shows personal data with no audit")
    assert problems == [], "\n".join(problems)


def test_a_refused_read_leaves_no_audit_record(site_world):  # noqa: F811
    client = _signed_in_client(Role.POLICE_OFFICER, site_world)
    before = ReadAudit.objects.count()
    other_case = site_world.other.case.public_id
    assert client.get(reverse("cases:detail", args=[other_case])).status_code == 404  # type: ignore[attr-defined]
    assert ReadAudit.objects.count() == before


def test_a_subject_access_export_is_audited(site_world):  # noqa: F811
    client = _signed_in_client(Role.POLICE_OFFICER, site_world)
    person = site_world.own.victim.person
    before = _latest_id()
    response = client.post(  # type: ignore[attr-defined]
        reverse("advice:subject-access", args=[person.public_id]),
        {"format": "json", "answers": "none"},  # the advocate's request waits (ADR 0035)
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    (record,) = ReadAudit.objects.filter(pk__gt=before)
    assert (record.purpose, record.record_kind, record.route) == (
        "subject_access_export",
        "subject_access",
        "advice:subject-access",
    )
    assert record.people == [token_for_person(person.public_id)]
