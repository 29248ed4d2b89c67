"""``safeshare screen``: a caseload against the register, the decisions and the ledger."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from safeshare.ledger.models import LedgerEntry
from safeshare.register.actions import RegisterError, do_screen
from safeshare.register.csvfiles import IdentityCsv
from tests.register.conftest import HEADER, REGISTER, counts
from tests.register.test_import import import_text

pytestmark = pytest.mark.django_db

CASELOAD = f"""{HEADER}
Q1,Fatima,Begum,,1991-03-14,F,BGD,,
Q2,Johan,Lindqvist,,1969-02-01,M,SWE,SE9988776,
Q3,Maria,Ionescu,,1988-07-02,F,RO,,K1234567
Q4,Tran Thi,Lan,,1995-11-20,F,Vietnamese,,
Q5,Wojciech,Nowak,,1975-05-05,M,Polish,PL5555555,
"""


@pytest.fixture
def register(force, importer):
    import_text(REGISTER, force, importer)


def screen(text: str, actor, **options) -> tuple[list[list[str]], object]:
    out = io.StringIO()
    result = do_screen(IdentityCsv(io.BytesIO(text.encode())), out, actor, **options)
    return list(csv.reader(io.StringIO(out.getvalue()))), result


def test_members_are_blocked_or_held_and_others_cleared(register, caseworker):
    rows, result = screen(CASELOAD, caseworker)
    assert rows[0] == ["query_id", "register_id", "decision", "score"]
    decided = {row[0]: row for row in rows[1:]}
    assert [row[0] for row in rows[1:]] == ["Q1", "Q2", "Q3", "Q4", "Q5"]  # input order
    assert decided["Q1"][1:3] == ["W1", "blocked"]
    assert decided["Q3"][1:3] == ["W3", "blocked"]
    assert decided["Q4"][1] == "W4"
    assert decided["Q4"][2] in ("blocked", "hold")
    for cleared in ("Q2", "Q5"):
        assert decided[cleared][1:3] == ["", "clear"]
    assert float(decided["Q1"][3]) > float(decided["Q3"][3]) - 100  # a number
    assert result.counts["clear"] == 2
    assert result.total == 5


def test_a_screen_is_one_ledger_entry_with_the_counts(register, caseworker):
    before = LedgerEntry.objects.count()
    _, result = screen(CASELOAD, caseworker)
    assert LedgerEntry.objects.count() == before + 1
    entry = LedgerEntry.objects.order_by("-id").first()
    assert entry.kind == "clearance_decision"
    payload = entry.draft["payload"]
    assert payload["reason_code"] == "screen"
    assert (payload["blocked_count"], payload["hold_count"], payload["clear_count"]) == (
        result.counts["blocked"],
        result.counts["hold"],
        result.counts["clear"],
    )
    assert payload["count"] == 5
    assert len(payload["content_digest"]) == 64


def test_an_empty_register_clears_everyone(db, caseworker):
    rows, result = screen(CASELOAD, caseworker)
    assert {row[2] for row in rows[1:]} == {"clear"}
    assert result.counts == {"blocked": 0, "hold": 0, "clear": 5}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f'{HEADER}\nQ1,"Fatima,Begum,,1991,F,BGD,,\n', "not well-formed CSV"),
        ("id,name\nQ1,Fatima Begum\n", "The first row must name the columns id, given_names"),
        (f"{HEADER}\nQ1,Fatima,Begum,,1991-13-14,F,BGD,,\n", "Row 2: dob ‘1991-13-14’"),
        (f"{HEADER}\nQ1,4,2,,1991,F,Narnian,,\n", "Row 2: the names have no letters"),
        (f"{HEADER}\nQ1,Ann,Lee,,,,,,\nQ1,Bo,Chan,,,,,,\n", "Row 3: id ‘Q1’ is already used"),
    ],
)
def test_a_bad_caseload_is_refused_and_nothing_is_logged(register, caseworker, text, message):
    before = counts()
    with pytest.raises(RegisterError) as caught:
        screen(text, caseworker)
    assert message in " ".join(caught.value.messages)
    assert counts() == before


def test_only_immigration_enforcement_screens(register, importer):
    with pytest.raises(RegisterError, match="Screening is for Immigration Enforcement"):
        screen(CASELOAD, importer)


def test_skip_invalid_screens_the_good_rows(register, caseworker):
    text = CASELOAD + "Q6,Ann,Lee,,1990-02-30,F,GBR,,\n"
    rows, result = screen(text, caseworker, skip_invalid=True)
    assert len(rows) == 6
    assert [(p.row, p.reason[:4]) for p in result.rejected] == [(7, "dob ")]


# --- The command -----------------------------------------------------------------------------


def test_the_command_writes_the_results(register, ie_unit, tmp_path):
    source = tmp_path / "caseload.csv"
    source.write_text(CASELOAD, encoding="utf-8")
    out = tmp_path / "out.csv"
    report = io.StringIO()
    call_command("screen", str(source), "--out", str(out), "--quiet", stdout=report)
    assert "Screened 5 people" in report.getvalue()
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["query_id", "register_id", "decision", "score"]
    assert len(rows) == 6
    assert not (tmp_path / "out.csv.part").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (f"{HEADER}\nQ1,José,García,,1980,M,ES,,\n".encode("latin-1"), "not UTF-8"),
        (b"id,name\nQ1,x\n", "must name the columns"),
        (f'{HEADER}\nQ1,"Fatima,Begum,,1991,F,BGD,,\n'.encode(), "not well-formed CSV"),
    ],
)
def test_the_command_refuses_a_bad_file_and_writes_nothing(
    register, ie_unit, tmp_path, content, message
):
    source = tmp_path / "caseload.csv"
    source.write_bytes(content)
    out = tmp_path / "out.csv"
    before = counts()
    with pytest.raises(CommandError, match=message):
        call_command("screen", str(source), "--out", str(out), "--quiet", stdout=io.StringIO())
    assert not out.exists()
    assert not (tmp_path / "out.csv.part").exists()
    assert counts() == before


def test_the_command_writes_rejects_when_asked(register, ie_unit, tmp_path):
    source = tmp_path / "caseload.csv"
    source.write_text(CASELOAD + "Q6,Ann,Lee,,1990-02-30,F,GBR,,\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    call_command(
        "screen",
        str(source),
        "--out",
        str(out),
        "--skip-invalid",
        "--quiet",
        stdout=io.StringIO(),
    )
    rejects = (tmp_path / "caseload.rejects.csv").read_text(encoding="utf-8").splitlines()
    assert rejects[0].startswith("row,reason,id,given_names")
    assert rejects[1].startswith("7,dob ‘1990-02-30’")


def test_the_command_needs_the_unit_when_there_are_several(register, tmp_path):
    from safeshare.kernel.roles import OrganisationKind
    from tests.register.conftest import organisation

    organisation("IE-A", OrganisationKind.IE_UNIT, "IE A")
    organisation("IE-B", OrganisationKind.IE_UNIT, "IE B")
    source = tmp_path / "caseload.csv"
    source.write_text(CASELOAD, encoding="utf-8")
    with pytest.raises(CommandError, match="--org"):
        call_command("screen", str(source), "--out", str(tmp_path / "o.csv"), "--quiet")
    call_command(
        "screen",
        str(source),
        "--out",
        str(tmp_path / "o.csv"),
        "--org",
        "ie-a",
        "--quiet",
        stdout=io.StringIO(),
    )
    assert (tmp_path / "o.csv").exists()
