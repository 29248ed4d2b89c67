"""No ledger entry contains a raw name, date of birth or document number.

Every scenario test's flow (tests/scenarios) runs again here, through the API and the actions;
then every entry it wrote, queued draft and sequenced bytes alike, is scanned for every name,
alias, date of birth, passport number and Home Office reference in the database or in the
flow's inputs (and for crime references and free-text reasons, which must not appear either).
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterator

import pytest

from safeshare.cases.models import Case
from safeshare.ledger import service
from safeshare.ledger.models import LedgerEntry
from safeshare.people.models import Identity
from safeshare.protocol.models import Clearance, Override, Review
from tests import api_client as api
from tests.scenarios import test_edge_case_matrix, test_stateful_invariants, test_whole_loop
from tests.scenarios.helpers import identity as helper_identity

pytestmark = pytest.mark.django_db

MIN_LENGTH = 3
"""Shorter strings (initials, two-letter names) are not distinctive enough to search for."""

PERSON_FIELDS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "passport_number",
    "home_office_reference",
)


def _flows() -> Iterator[tuple[str, Callable, dict[str, object]]]:
    for module in (test_edge_case_matrix, test_whole_loop, test_stateful_invariants):
        for name, function in vars(module).items():
            if not name.startswith("test_") or not inspect.isfunction(function):
                continue
            marks = [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"]
            if not marks:
                yield name, function, {}
                continue
            argument, values = marks[0].args[0], marks[0].args[1]
            chosen = values if module is not test_stateful_invariants else ["mvp-2021", "firewall"]
            for number, value in enumerate(chosen):
                yield f"{name}[{number}]", function, {argument: value}


FLOWS = list(_flows())


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def personal_values() -> set[str]:
    """Every personal value the flow gave or the database holds, lower-cased."""
    values: set[str] = set()
    for row in Identity.objects.all():
        values.update(str(getattr(row, field) or "") for field in PERSON_FIELDS)
        values.update(str(alias) for alias in row.aliases or [])
        values.add(row.full_name)
    for subject in Clearance.objects.values_list("subject", flat=True):
        values.update(
            _strings(
                {k: v for k, v in (subject or {}).items() if k in (*PERSON_FIELDS, "aliases")}
            )
        )
    values.update(Case.objects.values_list("crime_reference", flat=True))
    values.update(Review.objects.values_list("reasons", flat=True))
    values.update(Override.objects.values_list("reasons", flat=True))
    for person in (api.FATEMA, *test_stateful_invariants.PEOPLE):
        values.update(str(person[field]) for field in PERSON_FIELDS if field in person)
    values.update(str(v) for k, v in helper_identity().model_dump().items() if k in PERSON_FIELDS)
    return {value.strip().lower() for value in values if len(value.strip()) >= MIN_LENGTH}


def leaks(text: str, values: set[str]) -> list[str]:
    """Values that appear in ``text`` as a whole word (not inside a hex token or a code)."""
    lowered = text.lower()
    return sorted(
        value
        for value in values
        if re.search(rf"(?<![0-9a-z]){re.escape(value)}(?![0-9a-z])", lowered)
    )


def call(function: Callable, given: dict[str, object], settings) -> None:
    fixtures = {"police": api.police, "ie": api.ie}
    arguments = {}
    for name in inspect.signature(function).parameters:
        if name in given:
            arguments[name] = given[name]
        elif name == "settings":
            arguments[name] = settings
        else:
            arguments[name] = fixtures[name]()
    function(**arguments)


@pytest.mark.parametrize(
    ("flow", "given"), [(f, g) for _, f, g in FLOWS], ids=[name for name, _, _ in FLOWS]
)
def test_no_entry_of_a_scenario_holds_personal_data(flow, given, settings):
    failure = None
    try:
        call(flow, given, settings)
    except Exception as error:  # the scenario's own checks belong to its own test
        failure = error  # whatever it wrote before failing is still scanned
    queued = {entry.pk: entry.draft for entry in LedgerEntry.objects.all()}
    service.sequence_pending()
    entries = list(LedgerEntry.objects.order_by("index"))
    assert entries, f"the flow wrote no ledger entry (it raised {failure!r})"
    values = personal_values()
    assert any(" " in value for value in values)  # the scan has something to look for
    for entry in entries:
        text = json.dumps(queued[entry.pk], ensure_ascii=False) + bytes(entry.body).decode()
        assert leaks(text, values) == [], f"entry {entry.index} ({entry.kind})"


def test_the_scan_would_catch_a_name():
    values = {"fatema", "begum", "1991-03-14", "x1234567"}
    assert leaks('{"payload":{"purpose":"Fatema"}}', values) == ["fatema"]
    assert leaks('{"d":"1991-03-14"}', values) == ["1991-03-14"]
    assert leaks('{"subjects":["ab1991cd"],"kind":"begumx"}', values) == []


def test_documents_and_aliases_never_reach_the_ledger():
    from tests.scenarios import helpers as h

    police, caseworker = h.police(), h.ie()
    case = h.new_case(police, reference="20/7777/26")
    documents = {
        "passport_number": "P9182736",
        "home_office_reference": "B7364519",
        "aliases": ["Fatima Akhter", "Mst Fatema Khatun"],
    }
    party = h.add_victim(case, police, **documents)
    h.event(case, police, "investigation_opened")
    h.refer(party, police)
    h.clearance(caseworker, passport_number="P9182736", home_office_reference="B7364519")
    h.event(case, police, "suspect_charged")
    service.sequence_pending()
    service.make_checkpoint()
    values = personal_values()
    assert {"p9182736", "b7364519", "fatima akhter", "20/7777/26"} <= values
    entries = list(LedgerEntry.objects.order_by("index"))
    assert {e.kind for e in entries} >= {"referral", "disclosure", "clearance_decision"}
    for entry in entries:
        text = json.dumps(entry.draft, ensure_ascii=False) + bytes(entry.body).decode()
        assert leaks(text, values) == [], f"entry {entry.index} ({entry.kind})"
