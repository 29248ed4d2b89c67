"""What IE learns about a protected person under each shipped policy, from real API answers
(run with ``-s`` to print them)."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from safeshare.kernel.roles import Role
from safeshare.protocol.models import Protection
from safeshare.protocol.policy import IEDetail, available_policies, load_policy
from safeshare.referrals.actions import IDENTITY_FIELDS, do_record_consent
from tests.api_client import ApiClient
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("policy_id", available_policies())
def test_what_ie_learns_about_a_protected_person(settings, policy_id):
    settings.SAFESHARE_POLICY = policy_id
    policy = load_policy(policy_id)
    ie = ApiClient(Role.IE_CASEWORKER, "IE-NCCU")
    officer = h.police("WMP")
    party = h.add_victim(h.new_case(officer), officer)
    if policy.referrals.consent_required:
        do_record_consent(
            party,
            officer,
            answer="given",
            fields=IDENTITY_FIELDS,
            asked_at=timezone.now(),
            language="English",
            interpreter_used=False,
            suspect_present=False,
        )
    if policy.referrals_possible:
        h.refer(party, officer)
    protection = Protection.objects.get(person=party.person)
    body = ie.post(
        "/clearances",
        {
            "given_names": "Fatema",
            "family_name": "Begum",
            "date_of_birth": "1991-03-14",
            "nationality": "BGD",
            "action": "immigration_arrest_or_detention",
            "information_sources": ["police"],
        },
    ).json()
    shown = {k: v for k, v in body.items() if k not in {"id", "created_at", "policy_version"}}
    print(f"\n{policy_id}: " + json.dumps(shown, ensure_ascii=False))  # noqa: T201 (with -s)
    assert body["decision"] == "blocked"
    if policy.clearance.ie_detail == IEDetail.CUSTODIAN:
        assert body["protection_reference"] is None
        assert protection.opened_by.name not in json.dumps(body)
    else:
        assert body["protection_reference"] == protection.reference


SUBJECTS = {
    "protected person": {
        "given_names": "Fatema",
        "family_name": "Begum",
        "date_of_birth": "1991-03-14",
        "nationality": "BGD",
    },
    # The same names with another date of birth: too close to clear, not enough to be sure.
    "possible match": {
        "given_names": "Fatema",
        "family_name": "Begum",
        "date_of_birth": "1991-07-02",
        "nationality": "BGD",
    },
    "stranger": {
        "given_names": "Oluwaseun",
        "family_name": "Adeyemi",
        "date_of_birth": "1984-11-30",
        "nationality": "NGA",
    },
}
SWEEP = (
    "id,given_names,family_name,aliases,dob,sex,nationality,passport_no,ho_ref\n"
    "IE-1,Fatema,Begum,,1991-03-14,F,BGD,,\n"
    "IE-2,Fatema,Begum,,1991-07-02,F,BGD,,\n"
    "IE-3,Oluwaseun,Adeyemi,,1984-11-30,M,NGA,,\n"
)


def page_text(html: str, clearance_id: str) -> str:
    """The words of the page's main content, as IE reads them, without the clearance's own
    reference (which differs from one question to the next)."""
    import html as html_module
    import re

    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", main))
    text = " ".join(text.split())
    return text.replace(uuid_text(clearance_id)[:8].upper(), "<ref>")


def uuid_text(value: str) -> str:
    return value.replace("-", "")


@pytest.mark.parametrize("policy_id", available_policies())
def test_what_ie_can_learn_of_a_protected_person_a_possible_match_and_a_stranger(
    settings, client, tmp_path, policy_id
):
    """The evidence for the closing note: for each shipped policy, what IE is actually given
    about a protected person, a possible match (a hold) and a stranger: the API's answer, the
    clearance page's words and a sweep's result line. Printed with ``-s``."""
    import csv
    import io

    from safeshare.register import jobs, sweeps
    from safeshare.register.actions import do_start_sweep

    settings.SAFESHARE_POLICY = policy_id
    settings.VAR_DIR = tmp_path
    policy = load_policy(policy_id)
    ie = ApiClient(Role.IE_CASEWORKER, "IE-NCCU")
    officer = h.police("WMP")
    party = h.add_victim(h.new_case(officer), officer)
    if policy.referrals.consent_required:
        do_record_consent(
            party,
            officer,
            answer="given",
            fields=IDENTITY_FIELDS,
            asked_at=timezone.now(),
            language="English",
            interpreter_used=False,
            suspect_present=False,
        )
    if policy.referrals_possible:
        h.refer(party, officer)
    protection = Protection.objects.get(person=party.person)
    force = protection.opened_by
    client.force_login(ie.person)
    lines = [f"=== {policy_id} (ie_detail = {policy.clearance.ie_detail})"]
    seen: dict[str, tuple[dict, str]] = {}
    for who, subject in SUBJECTS.items():
        body = ie.post(
            "/clearances",
            {
                **subject,
                "action": "immigration_arrest_or_detention",
                "information_sources": ["police"],
            },
        ).json()
        shown = {
            k: v
            for k, v in body.items()
            if k not in {"id", "created_at", "policy_version", "action"}
        }
        page = client.get(f"/clearances/{body['id']}/")
        assert page.status_code == 200
        text = page_text(page.content.decode(), body["id"])
        seen[who] = (shown, text)
        lines.append(f"{who} API: " + json.dumps(shown, ensure_ascii=False))
        start = text.find("Clearance decision")
        lines.append(f"{who} page: " + text[start if start >= 0 else 0 :][:400])
    sweep = do_start_sweep(io.BytesIO(SWEEP.encode()), "caseload.csv", h.ie())
    assert jobs.run_sweep(sweep.pk)
    results = sweeps.stored_path(sweep, results=True).read_text()
    for row in csv.DictReader(io.StringIO(results)):
        lines.append("sweep line: " + ",".join(row.values()))
    print("\n" + "\n".join(lines))  # noqa: T201 (the closing note's evidence, with -s)

    protected, possible, stranger = (seen[w] for w in SUBJECTS)
    assert protected[0]["decision"] == "blocked"
    assert stranger[0]["decision"] == "clear"
    assert stranger[0]["protection_reference"] is None
    if policy.clearance.ie_detail == IEDetail.CUSTODIAN:
        # A protected person and a possible match: the same answer and the same page.
        assert protected == possible
        for text in (json.dumps(protected[0]), protected[1], results):
            for secret in (protection.reference, force.name, force.code):
                assert secret not in text
    else:
        assert protected[0]["protection_reference"] == protection.reference
        assert possible[0]["decision"] == "hold"
        assert protection.reference in protected[1]
        # A hold names only the custodian: never the force that holds the protection, nor
        # its reference, on the page, in the answer or in a sweep's line.
        assert possible[0]["contact_point"] == policy.clearance.custodian_contact
        assert possible[0]["protection_reference"] is None
        for text in (json.dumps(possible[0]), possible[1]):
            for secret in (protection.reference, force.name, force.code):
                assert secret not in text
        hold_line = results.splitlines()[2]
        assert hold_line == "IE-2,,hold,"
