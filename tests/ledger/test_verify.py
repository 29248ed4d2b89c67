"""The standalone verifier: exports, tampering, the command line, and no Django."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from safeshare.ledger.checkpoint import add_signature, sign_checkpoint
from safeshare.ledger.entries import canonical_json, entry_bytes
from safeshare.ledger.export import (
    CHECKPOINTS_DIR,
    ENTRIES_FILE,
    LEAF_HASHES_FILE,
    PUBLIC_KEYS_FILE,
    ExportError,
    write_export,
)
from safeshare.ledger.merkle import leaf_hash, root_from_leaf_hashes
from safeshare.ledger.verify import main, verify_export, verify_log

from .helpers import ORIGIN, Signer, build_export, make_entry, make_log, naive_mth

SIZES = (10, 20, 30)
LOG = make_log(30)


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer()


@pytest.fixture
def export(tmp_path: Path, signer: Signer) -> Path:
    return build_export(tmp_path / "export", LOG, signer, SIZES)


def read_lines(directory: Path) -> list[bytes]:
    return (directory / ENTRIES_FILE).read_bytes().split(b"\n")[:-1]


def write_lines(directory: Path, lines: list[bytes]) -> None:
    (directory / ENTRIES_FILE).write_bytes(b"".join(line + b"\n" for line in lines))


def first(directory: Path, signer: Signer) -> tuple[int | None, str]:
    report = verify_export(directory, [signer.verifier])
    assert not report.ok
    problem = report.first_problem
    assert problem is not None
    return problem.index, problem.code


# --- A good export -------------------------------------------------------------------------------


def test_a_good_export_verifies(export: Path, signer: Signer) -> None:
    report = verify_export(export, [signer.verifier])
    assert report.ok, report.problems
    assert report.entries == 30
    assert report.verified_size == 30
    assert report.origin == ORIGIN
    assert report.root == naive_mth(LOG)
    assert [r.status for r in report.checkpoints] == ["verified"] * 3
    assert report.first_problem is None
    assert "Result:       OK" in report.summary()


def test_export_layout(export: Path, signer: Signer) -> None:
    assert read_lines(export) == LOG
    hashes = (export / LEAF_HASHES_FILE).read_text().split()
    assert hashes == [leaf_hash(data).hex() for data in LOG]
    assert sorted(p.name for p in (export / CHECKPOINTS_DIR).iterdir()) == ["10", "20", "30"]
    assert str(signer.verifier) in (export / PUBLIC_KEYS_FILE).read_text()
    manifest = json.loads((export / "export.json").read_text())
    assert manifest == {
        "format": "safeshare-ledger-export/1",
        "origin": ORIGIN,
        "entries": 30,
        "checkpoints": 3,
    }


def test_write_export_refuses_a_non_empty_directory(export: Path, signer: Signer) -> None:
    with pytest.raises(ExportError, match="not empty"):
        write_export(export, LOG, [], [signer.verifier])


def test_write_export_refuses_mismatched_leaf_hashes(tmp_path: Path, signer: Signer) -> None:
    with pytest.raises(ExportError, match="differ in number"):
        write_export(tmp_path / "x", LOG, [], [signer.verifier], leaf_hashes=[leaf_hash(LOG[0])])


def test_write_export_refuses_an_entry_with_a_newline(tmp_path: Path, signer: Signer) -> None:
    with pytest.raises(ExportError, match="newline"):
        write_export(tmp_path / "x", [LOG[0], b'{"a":\n1}'], [], [signer.verifier])


def test_write_export_keeps_every_checkpoint_of_the_same_size(
    tmp_path: Path, signer: Signer
) -> None:
    rotated = Signer()
    texts = [signer.checkpoint(LOG, 30), rotated.checkpoint(LOG, 30)]
    export = tmp_path / "x"
    write_export(export, LOG, texts, [signer.verifier, rotated.verifier])
    assert sorted(p.name for p in (export / CHECKPOINTS_DIR).iterdir()) == ["30", "30-2"]
    report = verify_export(export, [signer.verifier, rotated.verifier])
    assert report.ok
    assert sorted(r.status for r in report.checkpoints) == ["verified", "verified-duplicate"]


# --- Tampering -----------------------------------------------------------------------------------


def test_changed_entry_byte_is_named(export: Path, signer: Signer) -> None:
    lines = read_lines(export)
    assert b'"policy_id":"uk-mvp-2022"' in lines[13]
    lines[13] = lines[13].replace(b'"policy_id":"uk-mvp-2022"', b'"policy_id":"uk-mvp-2023"')
    write_lines(export, lines)
    assert first(export, signer) == (13, "entry-changed")


def test_changed_entry_without_leaf_hashes_names_the_range(tmp_path: Path, signer: Signer) -> None:
    export = build_export(tmp_path / "e", LOG, signer, SIZES, with_leaf_hashes=False)
    lines = read_lines(export)
    lines[13] = lines[13].replace(b'"policy_id":"uk-mvp-2022"', b'"policy_id":"uk-mvp-2023"')
    write_lines(export, lines)
    report = verify_export(export, [signer.verifier])
    problem = report.first_problem
    assert problem is not None
    assert (problem.index, problem.code) == (10, "entry-changed")
    assert "entries 10 to 19" in problem.message
    assert report.verified_size == 10


def test_entry_and_its_leaf_hash_both_changed_names_the_range(
    export: Path, signer: Signer
) -> None:
    lines = read_lines(export)
    lines[13] = lines[13].replace(b'"policy_id":"uk-mvp-2022"', b'"policy_id":"uk-mvp-2023"')
    write_lines(export, lines)
    hashes = (export / LEAF_HASHES_FILE).read_text().split()
    hashes[13] = leaf_hash(lines[13]).hex()
    (export / LEAF_HASHES_FILE).write_text("".join(f"{h}\n" for h in hashes))
    assert first(export, signer) == (10, "entry-changed")


@pytest.mark.parametrize("byte", [0, 1, 50, -1])
def test_entry_byte_breaking_the_format_is_named(export: Path, signer: Signer, byte: int) -> None:
    lines = read_lines(export)
    changed = bytearray(lines[13])
    changed[byte] ^= 0x20
    lines[13] = bytes(changed)
    write_lines(export, lines)
    index, _ = first(export, signer)
    assert index == 13


def test_deleted_line_is_named(export: Path, signer: Signer) -> None:
    lines = read_lines(export)
    del lines[13]
    write_lines(export, lines)
    assert first(export, signer)[0] == 13


def test_deleted_last_lines_are_named(export: Path, signer: Signer) -> None:
    write_lines(export, read_lines(export)[:27])
    report = verify_export(export, [signer.verifier])
    assert report.first_problem is not None
    assert report.first_problem.index == 27
    assert {p.code for p in report.problems} >= {"entries-missing"}


def test_reordered_lines_are_named(export: Path, signer: Signer) -> None:
    lines = read_lines(export)
    lines[13], lines[17] = lines[17], lines[13]
    write_lines(export, lines)
    assert first(export, signer)[0] == 13


def test_inserted_line_is_named(export: Path, signer: Signer) -> None:
    lines = read_lines(export)
    forged = entry_bytes(make_entry(13, actor_org="IE-NCCU"))
    lines.insert(13, forged)
    write_lines(export, lines)
    assert first(export, signer) == (13, "entry-changed")


def test_inserted_copy_of_a_line_is_named(export: Path, signer: Signer) -> None:
    lines = read_lines(export)
    lines.insert(21, lines[20])
    write_lines(export, lines)
    assert first(export, signer)[0] == 21


@pytest.mark.parametrize("tamper", ["delete", "reorder"])
def test_moved_lines_are_named_exactly_even_without_leaf_hashes(
    tmp_path: Path, signer: Signer, tamper: str
) -> None:
    export = build_export(tmp_path / "e", LOG, signer, SIZES, with_leaf_hashes=False)
    lines = read_lines(export)
    if tamper == "delete":
        del lines[13]
    else:
        lines[13], lines[17] = lines[17], lines[13]
    write_lines(export, lines)
    assert first(export, signer) == (13, "index-out-of-order")


def test_changes_after_the_last_checkpoint_are_named(tmp_path: Path, signer: Signer) -> None:
    export = build_export(tmp_path / "e", LOG, signer, (10, 20))
    lines = read_lines(export)
    lines[24] = lines[24].replace(b'"policy_id":"uk-mvp-2022"', b'"policy_id":"uk-mvp-2023"')
    write_lines(export, lines)
    assert first(export, signer) == (24, "leaf-hash-differs")
    lines[22], lines[23] = lines[23], lines[22]
    write_lines(export, lines)
    assert first(export, signer) == (22, "index-out-of-order")


def test_a_wrong_recorded_leaf_hash_does_not_blame_a_good_entry(
    export: Path, signer: Signer
) -> None:
    hashes = (export / LEAF_HASHES_FILE).read_text().split()
    hashes[5] = leaf_hash(b"something else").hex()
    (export / LEAF_HASHES_FILE).write_text("".join(f"{h}\n" for h in hashes))
    report = verify_export(export, [signer.verifier])
    assert [(p.code, p.index) for p in report.problems] == [("leaf-hashes-wrong", None)]
    # With an entry changed as well, the unauthenticated leaf hashes cannot pin it down.
    lines = read_lines(export)
    lines[13] = lines[13].replace(b'"policy_id":"uk-mvp-2022"', b'"policy_id":"uk-mvp-2023"')
    write_lines(export, lines)
    assert first(export, signer) == (10, "entry-changed")


@pytest.mark.parametrize("change", ["shorter", "longer", "malformed"])
def test_leaf_hash_file_must_have_one_hash_per_entry(
    export: Path, signer: Signer, change: str
) -> None:
    hashes = (export / LEAF_HASHES_FILE).read_text().split()
    if change == "shorter":
        hashes = hashes[:25]
    elif change == "longer":
        hashes.append(hashes[0])
    else:
        hashes[25] = "xyz"
    (export / LEAF_HASHES_FILE).write_text("".join(f"{h}\n" for h in hashes))
    report = verify_export(export, [signer.verifier])
    assert [p.code for p in report.problems] == ["leaf-hashes-count"]
    # The entries all verify; an extra recorded hash suggests that entry 30 is missing.
    assert report.problems[0].index == (30 if change == "longer" else None)


def test_personal_data_in_an_entry_is_named(tmp_path: Path, signer: Signer) -> None:
    bad = [*LOG]
    fields = json.loads(bad[4])
    fields["payload"]["name"] = "Ana Silva"
    bad[4] = canonical_json(fields)
    export = build_export(tmp_path / "e", bad, signer, SIZES)
    report = verify_export(export, [signer.verifier])
    assert report.first_problem is not None
    assert (report.first_problem.index, report.first_problem.code) == (4, "entry-invalid")
    assert "allow-list" in report.first_problem.message
    assert verify_export(export, [signer.verifier], check_content=False).ok


def test_forged_checkpoint_is_named(export: Path, signer: Signer) -> None:
    path = export / CHECKPOINTS_DIR / "20"
    text = path.read_text()
    other_root = root_from_leaf_hashes([leaf_hash(b"x")])
    lines = text.split("\n")
    lines[2] = base64.b64encode(other_root).decode()
    path.write_text("\n".join(lines))
    report = verify_export(export, [signer.verifier])
    assert not report.ok
    assert report.first_problem is not None
    assert report.first_problem.code == "checkpoint-invalid"
    assert report.first_problem.checkpoint == "checkpoints/20"
    assert all(p.index is None for p in report.problems)


def test_checkpoints_re_signed_by_an_impostor_fail_with_the_real_key(
    tmp_path: Path, signer: Signer
) -> None:
    impostor = Signer()
    rewritten = [*LOG]
    rewritten[3] = entry_bytes(make_entry(3, payload={"decision": "clear"}))
    export = build_export(tmp_path / "e", rewritten, impostor, SIZES)
    # The export's own key file now holds the impostor's key: the verifier never trusts it ...
    with pytest.raises(ExportError, match="no trusted public key"):
        verify_export(export)
    # ... and takes the log's key from elsewhere.
    report = verify_export(export, [signer.verifier])
    assert not report.ok
    assert {p.code for p in report.problems} == {"checkpoint-invalid", "no-checkpoint"}


def test_two_roots_for_one_size_are_a_fork(export: Path, signer: Signer) -> None:
    other = [*LOG]
    other[2] = entry_bytes(make_entry(2, payload={"decision": "clear"}))
    (export / CHECKPOINTS_DIR / "10-2").write_text(signer.checkpoint(other, 10))
    report = verify_export(export, [signer.verifier])
    assert "checkpoint-fork" in {p.code for p in report.problems}


def test_a_rewritten_history_is_inconsistent_with_an_old_checkpoint(
    tmp_path: Path, signer: Signer
) -> None:
    rewritten = [*LOG]
    rewritten[3] = entry_bytes(make_entry(3, payload={"decision": "clear"}))
    old_checkpoint = signer.checkpoint(LOG, 10)
    export = build_export(tmp_path / "e", rewritten, signer, (20, 30))
    (export / CHECKPOINTS_DIR / "10").write_text(old_checkpoint)
    report = verify_export(export, [signer.verifier])
    codes = {p.code for p in report.problems}
    assert codes == {"entry-changed", "checkpoints-inconsistent"}
    assert report.first_problem is not None
    assert report.first_problem.index == 0  # somewhere in 0..9; the leaf hashes were rewritten


def test_entries_after_the_last_checkpoint_are_reported_but_not_a_failure(
    tmp_path: Path, signer: Signer
) -> None:
    export = build_export(tmp_path / "e", LOG, signer, (10, 20))
    report = verify_export(export, [signer.verifier])
    assert report.ok
    assert report.verified_size == 20
    assert report.to_dict()["unverified_entries"] == 10
    assert "Not yet covered by a checkpoint: entries 20 onwards" in report.summary()


def test_entries_without_any_checkpoint_fail(tmp_path: Path, signer: Signer) -> None:
    export = build_export(tmp_path / "e", LOG, signer, ())
    assert first(export, signer)[1] == "no-checkpoint"


def test_an_empty_log_with_a_size_zero_checkpoint_verifies(tmp_path: Path, signer: Signer) -> None:
    export = build_export(tmp_path / "e", [], signer, (0,))
    assert verify_export(export, [signer.verifier]).ok


def test_wrong_origin_is_refused(export: Path, signer: Signer) -> None:
    report = verify_export(export, [signer.verifier], origin="other.example/log")
    assert {p.code for p in report.problems} >= {"checkpoint-origin"}


def test_unknown_export_format_is_reported(export: Path, signer: Signer) -> None:
    (export / "export.json").write_text('{"format": "something-else/9"}')
    report = verify_export(export, [signer.verifier])
    assert [p.code for p in report.problems] == ["export-format"]
    assert "First problem: the export: unknown export format" in report.summary()


def test_missing_entries_file_is_an_export_error(tmp_path: Path, signer: Signer) -> None:
    with pytest.raises(ExportError):
        verify_export(tmp_path, [signer.verifier])


# --- The pure core, as the database side will call it --------------------------------------------


def test_verify_log_over_database_rows(signer: Signer) -> None:
    rows = [memoryview(data) for data in LOG]
    checkpoints = {f"checkpoint {size}": signer.checkpoint(LOG, size) for size in SIZES}
    report = verify_log(
        rows, checkpoints, [str(signer.verifier)], leaf_hashes=[leaf_hash(d) for d in LOG]
    )
    assert report.ok
    assert report.verified_size == 30
    rows[7] = memoryview(
        LOG[7].replace(b'"policy_id":"uk-mvp-2022"', b'"policy_id":"uk-mvp-2023"')
    )
    report = verify_log(
        rows, checkpoints, [signer.verifier], leaf_hashes=[leaf_hash(d) for d in LOG]
    )
    assert report.first_problem is not None
    assert report.first_problem.index == 7
    assert report.first_problem.checkpoint == "checkpoint 10"


@pytest.mark.parametrize("index", [b"1.0", b"true", b'"1"'])
def test_index_must_be_an_integer_even_without_the_content_check(
    signer: Signer, index: bytes
) -> None:
    rows = [*LOG[:3]]
    rows[1] = rows[1].replace(b'"index":1,', b'"index":' + index + b",")
    report = verify_log(rows, [], [signer.verifier], check_content=False)
    assert (report.problems[0].code, report.problems[0].index) == ("index-out-of-order", 1)


def test_verify_log_reports_every_checkpoint(signer: Signer) -> None:
    texts = [signer.checkpoint(LOG, size) for size in SIZES]
    texts.append(sign_checkpoint(ORIGIN, 5, bytes(32), signer.private_key))
    report = verify_log(LOG, texts, [signer.verifier])
    statuses = {r.size: r.status for r in report.checkpoints}
    assert statuses == {10: "verified", 20: "verified", 30: "verified", 5: "mismatch"}
    assert report.first_problem is not None
    assert report.first_problem.index == 0


# --- Command line --------------------------------------------------------------------------------


def run_verifier(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safeshare.ledger.verify", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_command_line_accepts_a_good_export(export: Path, signer: Signer) -> None:
    result = run_verifier(str(export), "--public-key", str(signer.verifier))
    assert result.returncode == 0, result.stderr
    assert "Result:       OK" in result.stdout
    assert "Entries:      30 (indices 0 to 29)" in result.stdout


def test_command_line_names_the_first_bad_entry(export: Path, signer: Signer) -> None:
    lines = read_lines(export)
    lines[13] = lines[13].replace(b'"policy_id":"uk-mvp-2022"', b'"policy_id":"uk-mvp-2023"')
    write_lines(export, lines)
    key_file = export.parent / "trusted-keys.txt"
    key_file.write_text(f"# from the operator's website\n{signer.verifier}\n")
    result = run_verifier(str(export), "--public-key", str(key_file))
    assert result.returncode == 1
    assert "First problem: entry 13:" in result.stdout
    result = run_verifier(str(export), "--public-key", str(key_file), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["first_problem"]["index"] == 13
    assert report["first_problem"]["code"] == "entry-changed"


def test_command_line_exit_status_two_when_unreadable(tmp_path: Path, signer: Signer) -> None:
    assert main([str(tmp_path / "nothing"), "--public-key", str(signer.verifier)]) == 2
    assert main([str(tmp_path), "--public-key", "not-a-key"]) == 2


def test_command_line_without_a_key_fails_and_never_trusts_the_export(
    export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (export / "public-keys.txt").is_file()
    assert main([str(export)]) == 2
    error = capsys.readouterr().err
    assert "no trusted public key" in error
    assert "--public-key" in error


def test_a_missing_checkpoint_fails_without_advice_to_sign(
    tmp_path: Path, signer: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    export = build_export(tmp_path / "e", LOG, signer, ())
    assert main([str(export), "--public-key", str(signer.verifier)]) == 1
    out = capsys.readouterr().out
    assert "no valid checkpoint covers any entry" in out
    assert "checkpoint`" not in out
    assert "sign" not in out.split("First problem:")[1]


# --- Purity --------------------------------------------------------------------------------------

PURE_MODULES = [
    "safeshare.ledger",
    "safeshare.ledger.merkle",
    "safeshare.ledger.entries",
    "safeshare.ledger.checkpoint",
    "safeshare.ledger.receipts",
    "safeshare.ledger.export",
    "safeshare.ledger.verify",
    "safeshare.ledger.cosignature",
    "safeshare.ledger.tiles",
    "safeshare.ledger.witness",
]


def test_pure_modules_do_not_import_django() -> None:
    program = (
        "import importlib, sys\n"
        f"for name in {PURE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_a_key_change_without_a_rotation_entry_fails(tmp_path: Path, signer: Signer) -> None:
    other = Signer()
    texts = [signer.checkpoint(LOG, 10), other.checkpoint(LOG, 20), other.checkpoint(LOG, 30)]
    report = verify_log(LOG, texts, [signer.verifier, other.verifier])
    assert not report.ok
    assert [p.code for p in report.problems] == ["key-changed"]
    assert report.problems[0].checkpoint == "checkpoint 2"
    # Signed by both keys at the switch (as a rotation does), the change is announced.
    both = add_signature(other.checkpoint(LOG, 20), signer.private_key, signer.name)
    assert verify_log(LOG, [texts[0], both, texts[2]], [signer.verifier, other.verifier]).ok


def test_a_key_change_announced_by_a_key_rotated_entry_verifies(signer: Signer) -> None:
    other = Signer()
    log = [*LOG[:15]]
    rotation = make_entry(
        15,
        kind="key_rotated",
        payload={
            "key_purpose": "checkpoint",
            "verifier_key": str(other.verifier),
            "previous_verifier_key": str(signer.verifier),
            "key_hash": f"{other.verifier.key_hash:08x}",
        },
    )
    log.append(entry_bytes(rotation))
    log += [entry_bytes(make_entry(i)) for i in range(16, 30)]
    texts = [signer.checkpoint(log, 10), other.checkpoint(log, 20)]
    report = verify_log(log, texts, [signer.verifier, other.verifier], check_content=False)
    assert report.ok, report.summary()
