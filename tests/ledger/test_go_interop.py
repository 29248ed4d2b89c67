"""Interoperability with the Go reference, ``golang.org/x/mod/sumdb/note`` (``note.Open``).

Needs Debian's ``golang-go`` and ``golang-golang-x-mod-dev`` (CI installs them); skipped with
the reason otherwise. The program ``go/note_open.go`` opens a note read from standard input
with the verifier keys given as arguments and prints what ``note.Open`` says.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from safeshare.ledger.checkpoint import CheckpointError, parse_checkpoint, verify_checkpoint
from safeshare.ledger.cosignature import add_cosignatures, generate_cosigner

from .helpers import Signer, make_log

LOG = make_log(30)

GO_SOURCE = Path(__file__).parent / "go" / "note_open.go"
GOPATH = Path("/usr/share/gocode")
NOTE_PACKAGE = GOPATH / "src/golang.org/x/mod/sumdb/note"


@pytest.fixture(scope="module")
def note_open(tmp_path_factory) -> Path:
    if shutil.which("go") is None:
        pytest.skip("Go is not installed (Debian package golang-go)")
    if not NOTE_PACKAGE.is_dir():
        pytest.skip("golang.org/x/mod is not installed (Debian package golang-golang-x-mod-dev)")
    folder = tmp_path_factory.mktemp("gonote")
    binary = folder / "note_open"
    environment = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": str(GOPATH),
        "GOCACHE": str(folder / "cache"),
        "GOFLAGS": "",
    }
    subprocess.run(
        ["go", "build", "-o", str(binary), str(GO_SOURCE)],
        check=True,
        env=environment,
        capture_output=True,
        timeout=300,
    )
    return binary


def go_open(binary: Path, note: str, *keys: str) -> tuple[int, str]:
    result = subprocess.run(
        [str(binary), *keys], input=note.encode(), capture_output=True, timeout=60, check=False
    )
    return result.returncode, result.stdout.decode()


def test_go_opens_a_cosigned_checkpoint(note_open: Path) -> None:
    signer = Signer()
    note = signer.checkpoint(LOG, 20)
    body = parse_checkpoint(note).body
    lines = [generate_cosigner(f"w{n}.example").cosign(body) for n in range(2)]
    cosigned = add_cosignatures(note, lines)
    status, output = go_open(note_open, cosigned, str(signer.verifier))
    assert status == 0, output
    assert output == f"OK 1 2\n{body}"
    assert verify_checkpoint(cosigned, [signer.verifier]).body == body


def test_go_and_python_both_refuse_a_changed_body(note_open: Path) -> None:
    signer = Signer()
    note = signer.checkpoint(LOG, 20).replace("\n20\n", "\n21\n", 1)
    status, output = go_open(note_open, note, str(signer.verifier))
    assert status == 1
    assert "invalid signature" in output.lower()
    with pytest.raises(CheckpointError):
        verify_checkpoint(note, [signer.verifier])


@pytest.mark.parametrize("bad", ["evil\x01name", "tab\tname", "bell\x07"])
def test_go_and_python_both_refuse_control_characters_in_a_signer_name(
    note_open: Path, bad: str
) -> None:
    signer = Signer()
    note = signer.checkpoint(LOG, 20) + f"\u2014 {bad} AAAAAAAAAAAAAAAAAAAA\n"
    status, output = go_open(note_open, note, str(signer.verifier))
    assert status == 1
    assert "malformed" in output.lower()
    with pytest.raises(CheckpointError):
        verify_checkpoint(note, [signer.verifier])


def test_go_and_python_both_refuse_an_unknown_key(note_open: Path) -> None:
    note = Signer().checkpoint(LOG, 20)
    other = Signer()
    status, output = go_open(note_open, note, str(other.verifier))
    assert status == 1
    assert "no verifiable signatures" in output
    with pytest.raises(CheckpointError):
        verify_checkpoint(note, [other.verifier])
