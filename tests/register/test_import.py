"""``safeshare register import``: protected identities in bulk, strictly, all or nothing."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from safeshare.ledger.entries import commit_reference
from safeshare.ledger.models import LedgerEntry, LedgerSubject
from safeshare.people.models import Identity
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Protection
from safeshare.register.actions import RegisterError, do_import_register
from safeshare.register.csvfiles import IdentityCsv
from safeshare.register.models import RegisterEntry, RegisterImport, RegisterKey
from safeshare.register.storage import SIZE_KEY
from tests.register.conftest import HEADER, REGISTER, counts

pytestmark = pytest.mark.django_db


def import_text(text: str | bytes, org, actor, **options):
    data = text.encode("utf-8") if isinstance(text, str) else text
    reader = IdentityCsv(io.BytesIO(data))
    return do_import_register(
        reader, org, actor, content_digest=lambda: reader.content_digest, **options
    )


def refused(text: str | bytes, org, actor) -> str:
    before = counts()
    with pytest.raises(RegisterError) as caught:
        import_text(text, org, actor)
    assert counts() == before, "an import that failed stored something"
    return " ".join(caught.value.messages)


def test_an_import_registers_each_row_as_a_protected_person(force, importer):
    before = counts()
    result = import_text(REGISTER, force, importer)
    assert result.imported == 4
    after = counts()
    for model in ("people.Person", "people.Identity", "protocol.Protection"):
        assert after[model] == before[model] + 4
    assert after["matching.RegisterEntry"] == before["matching.RegisterEntry"] + 4
    assert after["matching.RegisterImport"] == before["matching.RegisterImport"] + 1
    assert after["ledger.LedgerEntry"] == before["ledger.LedgerEntry"] + 1

    entry = RegisterEntry.objects.select_related("identity", "protection").get(external_id="W1")
    assert entry.source == "WMP"
    identity = entry.identity
    assert (identity.given_names, identity.family_name) == ("Fatema", "Begum")
    assert identity.aliases == ["Fatima Begum", "F Begum"]
    assert (identity.date_of_birth, identity.sex, identity.nationality_code) == (
        "1991-03-14",
        "female",
        "BGD",
    )
    assert identity.recorded_by == force
    protection = entry.protection
    assert protection.person_id == identity.person_id
    assert (protection.status, protection.trigger, protection.opened_by) == (
        "active",
        "register_import",
        force,
    )
    assert protection.contact_point == force.contact_point
    assert protection.reference.startswith("PR-")
    prepared = json.loads(entry.prepared)
    assert prepared["pc"] == "B64AA"  # the address and postcode are kept for matching only
    assert (
        Identity.objects.get(
            pk=RegisterEntry.objects.get(external_id="W2").identity_id
        ).passport_number
        == "AB1234567"
    )
    assert RegisterKey.objects.get(key=SIZE_KEY).n == before["matching.RegisterEntry"] + 4


def test_the_import_has_one_ledger_entry_with_the_count_and_the_file_digest(force, importer):
    import hashlib

    result = import_text(REGISTER, force, importer)
    entry = LedgerEntry.objects.order_by("-id").first()
    assert entry.kind == "protection_opened"
    payload = entry.draft["payload"]
    assert payload["count"] == 4
    assert payload["reason_code"] == "register_import"
    digest = hashlib.sha256(REGISTER.encode()).hexdigest()
    [reference] = LedgerSubject.objects.filter(entry=entry, field="content_digest")
    assert reference.token == digest
    assert payload["content_digest"] == commit_reference(
        bytes(reference.opening), "content_digest", digest
    )
    assert entry.draft["subjects"] == []
    assert result.record == RegisterImport.objects.get()
    assert result.record.content_digest == digest


def test_a_clearance_finds_an_imported_person_and_names_the_force(force, importer, caseworker):
    import_text(REGISTER, force, importer)
    protection = RegisterEntry.objects.get(external_id="W1").protection
    result = protocol_actions.do_request_clearance(
        caseworker,
        action_code="immigration_arrest_or_detention",
        subject={
            "given_names": "Fatima",
            "family_name": "Begum",
            "date_of_birth": "1991-03-14",
            "nationality": "BGD",
        },
        information_sources=["police"],
    )
    assert result.view.decision.value == "blocked"
    assert result.view.protection_reference == protection.reference
    assert "West Midlands Police protocol desk" in result.view.message
    assert list(result.clearance.protections.all()) == [protection]


def test_a_clearance_for_someone_else_is_clear(force, importer, caseworker):
    import_text(REGISTER, force, importer)
    result = protocol_actions.do_request_clearance(
        caseworker,
        action_code="immigration_arrest_or_detention",
        subject={
            "given_names": "Johan",
            "family_name": "Lindqvist",
            "date_of_birth": "1969-02-01",
            "nationality": "SWE",
            "passport_number": "SE9988776",
        },
        information_sources=["police"],
    )
    assert result.view.decision.value == "clear"


def test_malformed_csv_is_refused_with_its_line(force, importer):
    text = f'{HEADER}\nW1,"Fatema,Begum,,1991,F,BGD,,\nW2,Ali,Khan,,1980,M,PK,,\n'
    message = refused(text, force, importer)
    assert "not well-formed CSV" in message
    assert "line" in message
    assert "Nothing was imported" in message


def test_a_wrong_header_names_the_expected_columns(force, importer):
    message = refused("id,name,date_of_birth\nW1,Fatema Begum,1991\n", force, importer)
    assert "id, given_names, family_name, aliases, dob, sex, nationality, passport_no" in message
    assert "missing given_names" in message
    assert "does not know: name, date_of_birth" in message


def test_a_header_with_a_column_twice_is_refused(force, importer):
    message = refused(f"{HEADER},dob\nW1,Fatema,Begum,,1991,F,BGD,,,1991\n", force, importer)
    assert "names a column twice: dob" in message


def test_bad_encoding_is_refused_with_the_byte_and_line(force, importer):
    good = f"{HEADER}\nW1,Fatema,Begum,,1991,F,BGD,,\n".encode()
    bad = "W2,José,García,,1980,M,ES,,\n".encode("latin-1")
    message = refused(good + bad, force, importer)
    offset = len(good) + len("W2,Jos")
    assert f"byte at {offset} (line 3)" in message
    assert "not UTF-8" in message


def test_a_byte_order_mark_is_accepted(force, importer):
    result = import_text("\ufeff" + REGISTER, force, importer)
    assert result.imported == 4


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1991-02-30", "dob ‘1991-02-30’ cannot be used: date of birth must be a real date"),
        ("14/03/1991", "dob ‘14/03/1991’ cannot be used: date of birth must be YYYY"),
        ("2991", "dob ‘2991’ cannot be used: date of birth year must be between 1900"),
    ],
)
def test_a_bad_date_stops_the_import_with_the_row_and_reason(force, importer, value, reason):
    text = f"{HEADER}\nW1,Fatema,Begum,,1991,F,BGD,,\nW2,Ali,Khan,,{value},M,PK,,\n"
    message = refused(text, force, importer)
    assert message.startswith(f"Row 3: {reason}")


def test_an_unknown_nationality_is_kept_with_a_warning(force, importer):
    result = import_text(f"{HEADER}\nW1,Fatema,Begum,,1991,F,Atlantean,,\n", force, importer)
    assert result.imported == 1
    assert result.warnings == {"nationality_not_recognised": 1}
    identity = Identity.objects.get()
    assert (identity.nationality_code, identity.nationality_text) == ("", "Atlantean")


@pytest.mark.parametrize("nationality", ["PAK", "PK", "Pakistan", "pakistani", ""])
def test_nationality_may_be_a_code_a_country_an_adjective_or_empty(force, importer, nationality):
    import_text(f"{HEADER}\nW1,Ali,Khan,,1980,M,{nationality},,\n", force, importer)
    assert Identity.objects.get().nationality_code == ("PAK" if nationality else "")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("W2,,,,1980,M,PK,,", "give a given name or a family name"),
        (",Ali,Khan,,1980,M,PK,,", "id is empty"),
        ("=cmd,Ali,Khan,,1980,M,PK,,", "id ‘=cmd’ must be up to 64 letters"),
        ("W2,-,?,,1980,M,PK,,", "the names have no letters"),
        ("W2,Ali,Khan,,1980-02-30,M,PK,,", "dob ‘1980-02-30’ cannot be used"),
        ("W2,Ali,Khan,,1980,M,PK", "it has 7 values but the header names 9 columns"),
    ],
)
def test_each_bad_row_is_named(force, importer, row, reason):
    message = refused(f"{HEADER}\nW1,Fatema,Begum,,1991,F,BGD,,\n{row}\n", force, importer)
    assert message.startswith(f"Row 3: {reason}")


def test_an_id_twice_in_the_file_is_refused(force, importer):
    text = f"{HEADER}\nW1,Fatema,Begum,,1991,F,BGD,,\nW2,Ali,Khan,,1980,M,PK,,\nW1,Ann,Lee,,,,,,\n"
    message = refused(text, force, importer)
    assert message.startswith("Row 4: id ‘W1’ is already used on row 2")


def test_an_id_already_in_the_register_for_the_force_is_refused(force, other_force, importer):
    import_text(REGISTER, force, importer)
    message = refused(f"{HEADER}\nW9,Ann,Lee,,,,,,\nW3,Maria,Ionescu,,,,,,\n", force, importer)
    assert message.startswith("Row 3: id ‘W3’ is already in the register for WMP")
    # Another force's ids are its own.
    from safeshare.accounts.actors import Actor
    from safeshare.kernel.roles import Role

    other = Actor(organisation=other_force, role=Role.PROTOCOL_OFFICER)
    assert import_text(f"{HEADER}\nW3,Maria,Ionescu,,,,,,\n", other_force, other).imported == 1


def test_a_bad_row_after_many_batches_still_stores_nothing(force, importer):
    lines = [HEADER] + [f"R{i},Given{i},Family{i % 97},,1990,F,PK,," for i in range(12_000)]
    lines.append("R-bad,Ann,Lee,,1990-13-01,F,PK,,")
    message = refused("\n".join(lines) + "\n", force, importer)
    assert message.startswith("Row 12002: dob")


def test_an_empty_file_and_a_header_alone_are_refused(force, importer):
    assert "The file is empty" in refused("", force, importer)
    assert "no rows that can be imported" in refused(HEADER + "\n", force, importer)


def test_only_a_police_force_can_import(ie_unit, caseworker):
    message = refused(REGISTER, ie_unit, caseworker)
    assert "Only a police force can import" in message


def test_skip_invalid_imports_the_good_rows_and_reports_the_bad(force, importer):
    text = REGISTER + "W5,Ann,Lee,,1990-13-01,F,GBR,,,,\nW1,Ann,Lee,,,,,,,,\n"
    rejected = []
    result = import_text(text, force, importer, skip_invalid=True, on_reject=rejected.append)
    assert result.imported == 4
    assert [(p.row, p.reason[:9]) for p in result.rejected] == [(6, "dob ‘1990"), (7, "id ‘W1’ i")]
    assert rejected == result.rejected
    assert RegisterImport.objects.get().rejected == 2


def test_the_import_works_with_a_worker_process(force, importer):
    result = import_text(REGISTER, force, importer, workers=1)
    assert result.imported == 4
    assert RegisterEntry.objects.filter(source="WMP").count() == 4


# --- The command -----------------------------------------------------------------------------


def test_the_command_imports_a_file(force, tmp_path):
    path = tmp_path / "wmp.csv"
    path.write_text(REGISTER, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "register", "import", str(path), "--org", "wmp", "--quiet", "--workers", "0", stdout=out
    )
    assert "Imported 4 protected identities for WMP" in out.getvalue()
    assert not (tmp_path / "wmp.rejects.csv").exists()
    stats = io.StringIO()
    call_command("register", "stats", "--json", stdout=stats)
    assert json.loads(stats.getvalue())["entries"] == 4


def test_the_command_stops_on_a_bad_row(force, tmp_path):
    path = tmp_path / "wmp.csv"
    path.write_text(REGISTER + "W5,Ann,Lee,,1990-13-01,F,GBR,,,,\n", encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError, match="Row 6: dob ‘1990-13-01’"):
        call_command(
            "register", "import", str(path), "--org", "WMP", "--quiet", stdout=io.StringIO()
        )
    assert counts() == before


def test_the_command_writes_a_reject_file_when_asked_to_skip(force, tmp_path):
    path = tmp_path / "wmp.csv"
    path.write_text(REGISTER + "W5,Ann,Lee,,1990-13-01,F,GBR,,,,\n", encoding="utf-8")
    out = io.StringIO()
    call_command(
        "register",
        "import",
        str(path),
        "--org",
        "WMP",
        "--skip-invalid",
        "--quiet",
        "--workers",
        "0",
        stdout=out,
    )
    assert "1 rows were not imported" in out.getvalue()
    with (tmp_path / "wmp.rejects.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["row", "reason", "id"]
    assert rows[1][0] == "6"
    assert rows[1][1].startswith("dob ‘1990-13-01’")
    assert rows[1][2] == "W5"
    assert Protection.objects.count() == 4


def test_the_command_refuses_an_unknown_force_and_a_missing_file(force, tmp_path):
    with pytest.raises(CommandError, match="There is no file"):
        call_command("register", "import", str(tmp_path / "nope.csv"), "--org", "WMP")
    path = tmp_path / "wmp.csv"
    path.write_text(REGISTER, encoding="utf-8")
    with pytest.raises(CommandError, match="no organisation with the code XYZ"):
        call_command("register", "import", str(path), "--org", "XYZ")
