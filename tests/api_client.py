"""A small API client for tests: a bearer token per role and JSON in and out."""

from __future__ import annotations

import json
import uuid

from django.test import Client

from safeshare.accounts import actions
from safeshare.kernel.roles import Role
from tests.accounts.factories import DEFAULT_PASSWORD, organisation_for

BASIS = {
    "controller": "Chief Constable of West Midlands Police",
    "regime": "uk_gdpr_part_2",
    "lawful_basis": "Public task",
    "gateway": "Immigration and Asylum Act 1999 s.20",
    "agreement_id": "DSA-2026-014",
    "dpia_version": "3.1",
}


class ApiClient:
    """Calls /api/v1/ as one organisation and role."""

    def __init__(self, role: Role, org_code: str) -> None:
        self.organisation = organisation_for(role, org_code)
        self.role = role
        self.person = actions.do_create_user(
            email=f"api.{uuid.uuid4().hex[:12]}@example.test",
            password=DEFAULT_PASSWORD,
            organisation=self.organisation,
            role=role,
            first_name="Api",
            last_name=role.label,
        )
        self.secret = actions.do_create_api_token(
            organisation=self.organisation,
            role=role,
            name=f"tests {uuid.uuid4().hex[:8]}",
            person=self.person,
        ).secret
        self.client = Client()

    def _headers(self, extra: dict | None = None) -> dict:
        return {"Authorization": f"Bearer {self.secret}", **(extra or {})}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self._headers())

    def post(
        self, path: str, body: object = None, *, key: str | None = None, raw: bytes | None = None
    ):
        headers = self._headers({"Idempotency-Key": key} if key else None)
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(
            f"/api/v1{path}", data, content_type="application/json", headers=headers
        )


def police(code: str = "WMP") -> ApiClient:
    return ApiClient(Role.POLICE_OFFICER, code)


def ie(code: str = "IE-NCCU") -> ApiClient:
    return ApiClient(Role.IE_CASEWORKER, code)


def ie_senior(code: str = "IE-NCCU") -> ApiClient:
    return ApiClient(Role.IE_SENIOR_APPROVER, code)


def protocol_officer(code: str = "WMP") -> ApiClient:
    return ApiClient(Role.PROTOCOL_OFFICER, code)


FATEMA = {
    "given_names": "Fatema",
    "family_name": "Begum",
    "date_of_birth": "1991-03-14",
    "nationality": "BGD",
    "sex": "female",
}


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


def new_case(client: ApiClient, reference: str = "20/1001/26", offence: str = "domestic_abuse"):
    return ok(
        client.post("/cases", {"crime_reference": reference, "offence_category": offence}), 201
    )


def add_party(client: ApiClient, case: dict, role: str = "victim", **identity) -> dict:
    body = {**FATEMA, **identity, "role": role}
    return ok(client.post(f"/cases/{case['id']}/parties", body), 201)


def event(client: ApiClient, case: dict, name: str) -> dict:
    return ok(client.post(f"/cases/{case['id']}/events", {"event": name}), 201)


def refer(client: ApiClient, case: dict, party: dict, triggers=("safeguarding",), **extra):
    body = {
        "case_id": case["id"],
        "party_id": party["id"],
        "triggers": list(triggers),
        "source_of_information": "police",
        **BASIS,
        **extra,
    }
    return client.post("/referrals", body)


def clearance(
    client: ApiClient,
    action: str = "immigration_arrest_or_detention",
    sources=("police",),
    **identity,
):
    subject = {key: value for key, value in {**FATEMA, **identity}.items() if value is not None}
    body = {**subject, "action": action, "information_sources": list(sources)}
    return client.post("/clearances", body)
