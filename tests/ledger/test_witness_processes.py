"""Two witnesses run as separate processes (``python -m safeshare.ledger.witness``), with
nothing but this package: they cosign a growing log, refuse a rewritten one and alert."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from safeshare.ledger.checkpoint import sign_checkpoint
from safeshare.ledger.cosignature import add_cosignatures, generate_cosigner, verify_cosignatures
from safeshare.ledger.merkle import consistency_proof, leaf_hash, root_from_leaf_hashes
from safeshare.ledger.tiles import write_tiles
from safeshare.ledger.witness import EXIT_ALERT, add_checkpoint_body

from .helpers import ORIGIN, Signer

LEAVES = [leaf_hash(b"entry %d" % i) for i in range(40)]


class WitnessProcess:
    def __init__(self, directory: Path, name: str, log_key: str) -> None:
        self.key = generate_cosigner(name)
        key_file = directory / "witness.key"
        key_file.write_text(f"{self.key}\n")
        self.state = directory / "state.json"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "safeshare.ledger.witness",
                "serve",
                "--key",
                str(key_file),
                "--state",
                str(self.state),
                "--log-key",
                log_key,
                "--listen",
                "127.0.0.1:0",
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stderr is not None
        line = self.process.stderr.readline()
        assert "listening on" in line, line
        self.url = "http://" + line.rsplit("listening on ", 1)[1].strip()
        self.output: list[str] = []
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.output.append(line)

    def add(self, old: int, proof: list[bytes], note: str) -> tuple[int, str]:
        request = urllib.request.Request(
            self.url + "/add-checkpoint", data=add_checkpoint_body(old, proof, note), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self._drainer.join(timeout=10)  # every line the witness wrote is read


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def witnesses(tmp_path: Path, signer: Signer) -> Iterator[list[WitnessProcess]]:
    started = []
    try:
        for name in ("commissioner.example/witness", "victims.example/witness"):
            directory = tmp_path / name.split(".")[0]
            directory.mkdir()
            started.append(WitnessProcess(directory, name, str(signer.verifier)))
        yield started
    finally:
        for witness in started:
            witness.stop()


def note(signer: Signer, size: int, leaves: list[bytes] = LEAVES) -> str:
    root = root_from_leaf_hashes(leaves[:size])
    return sign_checkpoint(ORIGIN, size, root, signer.private_key, signer.name)


def test_two_witness_processes_cosign_then_refuse_a_rewrite(
    witnesses: list[WitnessProcess], signer: Signer
) -> None:
    lines = []
    for witness in witnesses:
        status, line = witness.add(0, [], note(signer, 10))
        assert status == 200
        lines.append(line)
        status, line = witness.add(10, consistency_proof(LEAVES, 10, 20), note(signer, 20))
        assert status == 200
    cosigned = add_cosignatures(note(signer, 10), lines)
    assert len(verify_cosignatures(cosigned, [w.key.verifier for w in witnesses])) == 2

    # The operator rewrites entry 12 and re-signs with the log's own key.
    rewritten = [*LEAVES]
    rewritten[12] = leaf_hash(b"something else")
    forged = note(signer, 30, rewritten)
    for witness in witnesses:
        status, body = witness.add(20, consistency_proof(rewritten, 20, 30), forged)
        assert status == 422, body
        assert "rewritten" in body
        # Claiming the witness has seen less does not help: it says what it has.
        status, body = witness.add(0, [], forged)
        assert (status, body) == (409, "20\n")
        state = json.loads(witness.state.read_text())
        assert state["logs"][ORIGIN]["size"] == 20
    for witness in witnesses:
        witness.stop()
        assert any("ALERT" in line and "rewritten" in line for line in witness.output)


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict[str, object]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def run_poll(state: Path, signer: Signer, folder: Path, *extra: str):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "safeshare.ledger.witness",
            "poll",
            "--once",
            "--state",
            str(state),
            "--log-key",
            str(signer.verifier),
            folder.as_uri(),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_polling_a_published_log_alerts_when_it_is_rewritten(
    tmp_path: Path, signer: Signer
) -> None:
    folder = tmp_path / "published"
    state = tmp_path / "poll-state.json"
    write_tiles(folder, LEAVES[:20], [None] * 20, note(signer, 20))
    assert run_poll(state, signer, folder).returncode == 0
    write_tiles(folder, LEAVES[:30], [None] * 30, note(signer, 30))
    result = run_poll(state, signer, folder)
    assert result.returncode == 0, result.stderr
    assert json.loads(state.read_text())["logs"][ORIGIN]["size"] == 30

    rewritten = [*LEAVES]
    rewritten[5] = leaf_hash(b"changed")
    for path in (folder / "tile").rglob("*"):
        if path.is_file():
            path.unlink()
    write_tiles(folder, rewritten, [None] * 40, note(signer, 40, rewritten))
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=server.handle_request, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_address[1]}/alert"
    result = run_poll(state, signer, folder, "--webhook", hook)
    server.server_close()
    assert result.returncode == EXIT_ALERT
    assert "ALERT" in result.stderr
    assert "rewritten" in result.stderr
    assert _Webhook.received
    assert "rewritten" in str(_Webhook.received[-1]["alert"])
    assert json.loads(state.read_text())["logs"][ORIGIN]["size"] == 30

    # A rolled-back checkpoint alerts too.
    write_tiles(folder, LEAVES[:10], [None] * 10, note(signer, 10))
    result = run_poll(state, signer, folder)
    assert result.returncode == EXIT_ALERT
    assert "rolled back" in result.stderr


def test_the_witness_runs_without_django() -> None:
    program = (
        "import sys, runpy\n"
        "sys.argv = ['safeshare-witness', 'keygen', '--name', 'w.example']\n"
        "try:\n"
        "    runpy.run_module('safeshare.ledger.witness', run_name='__main__')\n"
        "except SystemExit as stop:\n"
        "    assert stop.code == 0\n"
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "print('no django')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.startswith("PRIVATE+KEY+w.example+")
    assert result.stdout.strip().endswith("no django")
