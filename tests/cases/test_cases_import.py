"""``safeshare cases import``: idempotent, all-or-nothing, row-level reports, changes only."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from safeshare.cases.models import Case, CaseEvent, ImportedEvent, Party
from safeshare.kernel.roles import Role
from safeshare.ledger.models import LedgerEntry
from safeshare.people.models import Identity, Person
from safeshare.protocol.models import Protection
from tests.accounts.factories import organisation_for

pytestmark = pytest.mark.django_db
HEADER = [
    "event_id",
    "crime_reference",
    "offence_category",
    "event",
    "occurred_on",
    "person_reference",
    "role",
    "given_names",
    "family_name",
    "date_of_birth",
    "nationality",
]


def feed_rows(cases: int) -> list[dict[str, str]]:
    rows = []
    for n in range(cases):
        ref = f"20/{n:05d}/26"
        rows.append(
            {
                "event_id": f"E{n}-1",
                "crime_reference": ref,
                "offence_category": "domestic_abuse",
                "event": "party_added",
                "person_reference": f"P{n}",
                "role": "victim",
                "given_names": "Amina",
                "family_name": f"Begum{n}",
                "date_of_birth": "1990-04-23",
                "nationality": "BGD",
            }
        )
        rows.append(
            {
                "event_id": f"E{n}-2",
                "crime_reference": ref,
                "event": "investigation_opened",
                "occurred_on": "2026-01-05",
            }
        )
    return rows


def write_csv(path, rows) -> str:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def state() -> tuple[int, ...]:
    return (
        Case.objects.count(),
        Party.objects.count(),
        CaseEvent.objects.count(),
        Person.objects.count(),
        Identity.objects.count(),
        Protection.objects.count(),
        ImportedEvent.objects.count(),
        LedgerEntry.objects.count(),
    )


@pytest.fixture
def force():
    return organisation_for(Role.POLICE_OFFICER, "WMP")


def test_importing_the_same_file_twice_changes_nothing(tmp_path, force):
    path = write_csv(tmp_path / "feed.csv", feed_rows(20))
    first = json.loads(run("cases", "import", path, "--org", "WMP", "--json"))
    assert first["created"] == 40
    after_first = state()
    assert after_first[:4] == (20, 20, 20, 20)
    second = json.loads(run("cases", "import", path, "--org", "WMP", "--json"))
    assert (second["created"], second["changed"], second["unchanged"]) == (0, 0, 40)
    assert state() == after_first


def test_one_bad_row_stores_nothing_and_is_named(tmp_path, force):
    rows = feed_rows(50)
    rows[57]["occurred_on"] = "2026-02-30"
    path = write_csv(tmp_path / "feed.csv", rows)
    with pytest.raises(CommandError) as raised:
        run("cases", "import", path, "--org", "WMP", "--quiet")
    assert "Nothing was stored" in str(raised.value)
    assert "row 58, occurred_on: must be a date, YYYY-MM-DD" in str(raised.value)
    assert state() == (0, 0, 0, 0, 0, 0, 0, 0)


def test_an_event_the_case_cannot_take_stores_nothing_and_is_named(tmp_path, force):
    rows = feed_rows(3)
    rows.append({"event_id": "X", "crime_reference": "20/00001/26", "event": "verdict"})
    path = write_csv(tmp_path / "feed.csv", rows)
    with pytest.raises(CommandError, match="row 7, event:"):
        run("cases", "import", path, "--org", "WMP", "--quiet")
    assert state() == (0, 0, 0, 0, 0, 0, 0, 0)


def test_a_changed_row_applies_only_that_change(tmp_path, force):
    rows = feed_rows(5)
    path = write_csv(tmp_path / "feed.csv", rows)
    run("cases", "import", path, "--org", "WMP", "--quiet")
    before = state()
    rows[4]["family_name"] = "Begum-Khan"
    path = write_csv(tmp_path / "feed2.csv", rows)
    report = json.loads(run("cases", "import", path, "--org", "WMP", "--json"))
    assert (report["created"], report["changed"], report["unchanged"]) == (0, 1, 9)
    after = state()
    assert after[:4] == before[:4]
    assert after[4] == before[4] + 1  # one more identity, on the same person
    person = Party.objects.get(case__crime_reference="20/00002/26").person
    assert {i.family_name for i in person.identities.all()} == {"Begum2", "Begum-Khan"}
    again = json.loads(run("cases", "import", path, "--org", "WMP", "--json"))
    assert again["unchanged"] == 10


def test_skip_invalid_applies_the_good_rows_and_writes_the_rejects(tmp_path, force):
    rows = feed_rows(4)
    rows[2]["role"] = "bystander"
    rows[3]["event"] = "=HYPERLINK(1)"
    path = write_csv(tmp_path / "feed.csv", rows)
    rejects = tmp_path / "rejects.csv"
    out = run(
        "cases",
        "import",
        path,
        "--org",
        "WMP",
        "--quiet",
        "--skip-invalid",
        "--rejects",
        str(rejects),
    )
    assert "2 with problems" in out
    rejected = list(csv.DictReader(rejects.open()))
    assert [r["row"] for r in rejected] == ["3", "4"]
    assert rejected[0]["reason"].startswith("row 3, role: must be victim")
    assert rejected[1]["event"].startswith("'=")
    assert Party.objects.count() == 3


def test_json_lines_and_bad_lines(tmp_path, force):
    lines = [json.dumps(r) for r in feed_rows(2)]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = json.loads(run("cases", "import", str(path), "--org", "WMP", "--json"))
    assert report["created"] == 4
    path.write_text('{"event_id": 1}\nnot json\n{"surname": "x"}\n[1]\n')
    with pytest.raises(CommandError) as raised:
        run("cases", "import", str(path), "--org", "WMP", "--quiet")
    message = str(raised.value)
    assert "row 1, event_id: must be text" in message
    assert "row 2, row: not valid JSON" in message
    assert "row 3, surname: unknown field" in message
    assert "row 4, row: each line must be one JSON object" in message


def test_an_unknown_column_or_organisation_is_refused(tmp_path, force):
    path = tmp_path / "feed.csv"
    path.write_text("event_id,crime_reference,event,colour\n1,2,party_added,red\n")
    with pytest.raises(CommandError, match="row 0, colour: unknown column"):
        run("cases", "import", str(path), "--org", "WMP", "--quiet")
    with pytest.raises(CommandError, match="No organisation has the code 'NOPE'"):
        run("cases", "import", str(path), "--org", "NOPE", "--quiet")
