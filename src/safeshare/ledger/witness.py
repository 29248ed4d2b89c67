"""A witness for SafeShare's ledger (and any C2SP checkpoint log): ``safeshare-witness``.

Run by an organisation independent of the operator (an oversight body, a victims'
organisation). It needs this package only: no database, no Django. It keeps, per log, the
latest checkpoint it has verified in a small JSON state file (written atomically), and:

- **serves** the C2SP tlog-witness protocol (c2sp.org/tlog-witness): ``POST /add-checkpoint``
  with the body ``old <size>``, the consistency proof (one base64 hash a line), a blank line
  and the signed checkpoint. It cosigns (c2sp.org/tlog-cosignature, ``cosignature/v1``) only a
  checkpoint signed by the log's key that is consistent with the one it has; it never cosigns a
  smaller tree after a larger one, nor two different trees of one size. Answers: 200 with the
  cosignature line; 400 malformed; 403 no signature by the log's key; 404 unknown log; 409 with
  ``Content-Type: text/x.tlog.size`` and the size it knows when ``old`` is not that size (a
  rolled-back or forked checkpoint gets this too); 422 when the proof does not verify.
- **polls** a log's published checkpoint and tiles (``safeshare ledger publish``) and alerts
  when the log misbehaves: a line in its log, exit status 3, and an optional webhook (a JSON
  POST).

Usage (docs/ledger.md, "Running a witness")::

    python -m safeshare.ledger.witness keygen --name example.org/witness > witness.key
    python -m safeshare.ledger.witness serve --key witness.key --state state.json \
        --log-key 'safeshare.example/ledger+1a2b3c4d+AQ...' --listen 127.0.0.1:7380
    python -m safeshare.ledger.witness poll --state state.json --log-key ... URL
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import logging
import os
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from safeshare.ledger.checkpoint import (
    MAX_NOTE_BYTES,
    Checkpoint,
    CheckpointError,
    VerifierKey,
    load_verifier_keys,
    parse_verifier_key,
    verify_checkpoint,
)
from safeshare.ledger.cosignature import Cosigner, generate_cosigner, parse_cosigner
from safeshare.ledger.merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency
from safeshare.ledger.tiles import TileError, TileReader, url_fetcher

log = logging.getLogger("safeshare.witness")

SIZE_CONTENT_TYPE = "text/x.tlog.size"
MAX_PROOF_LINES = 64
EXIT_ALERT = 3
HISTORY = 10_000
"""Checkpoints kept per log in the state file (about 200 bytes each)."""


@dataclass
class Answer:
    """An HTTP answer to an add-checkpoint request."""

    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


class WitnessState:
    """The latest verified checkpoint of each log, in a JSON file replaced atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.logs: dict[str, dict[str, object]] = {}
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            self.logs = dict(data.get("logs", {}))

    def get(self, origin: str) -> tuple[int, bytes, str | None]:
        """``(size, root, checkpoint)``; a log never seen is the empty tree."""
        record = self.logs.get(origin)
        if record is None:
            return 0, EMPTY_ROOT, None
        return (
            int(record["size"]),  # type: ignore[call-overload]
            base64.b64decode(str(record["root"])),
            str(record["checkpoint"]),
        )

    def put(self, checkpoint: Checkpoint, cosignature: str = "") -> None:
        """Record a newly verified checkpoint (with this witness's cosignature line, if any)
        and write the file (fsync, then rename). The last ``HISTORY`` checkpoints are kept, so
        that a verifier can locate a later rewrite (``--trusted-checkpoint STATE``)."""
        previous = self.logs.get(checkpoint.origin, {})
        history = list(previous.get("history", []))  # type: ignore[call-overload]
        text = checkpoint.text + cosignature
        if history and str(history[-1]).startswith(checkpoint.body + "\n"):
            history.pop()  # the same checkpoint again (a log retrying): keep it once
        history = [*history, text][-HISTORY:]
        self.logs[checkpoint.origin] = {
            "size": checkpoint.size,
            "root": base64.b64encode(checkpoint.root).decode("ascii"),
            "checkpoint": text,
            "history": history,
            "seen_at": int(time.time()),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"logs": self.logs}, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise


class Witness:
    """Checks checkpoints against its state and cosigns the consistent ones."""

    def __init__(
        self, key: Cosigner, state: WitnessState, log_keys: Iterable[VerifierKey]
    ) -> None:
        self.key = key
        self.state = state
        self.logs: dict[str, list[VerifierKey]] = {}
        for log_key in log_keys:
            self.logs.setdefault(log_key.name, []).append(log_key)

    def add_origin(self, origin: str, keys: Sequence[VerifierKey]) -> None:
        """Trust ``keys`` for the log ``origin`` (when the origin is not the key's name)."""
        self.logs.setdefault(origin, []).extend(keys)

    def add_checkpoint(self, request: bytes) -> Answer:
        """Handle the body of ``POST /add-checkpoint``."""
        try:
            old_size, proof, note = parse_add_checkpoint(request)
            checkpoint_origin = note.split("\n", 1)[0]
        except ValueError as error:
            return Answer(HTTPStatus.BAD_REQUEST, f"malformed request: {error}\n")
        keys = self.logs.get(checkpoint_origin)
        if not keys:
            return Answer(HTTPStatus.NOT_FOUND, f"unknown log {checkpoint_origin!r}\n")
        try:
            checkpoint = verify_checkpoint(note, keys, origin=checkpoint_origin)
        except CheckpointError as error:
            status = (
                HTTPStatus.FORBIDDEN
                if "trusted key" in str(error) or "does not verify" in str(error)
                else HTTPStatus.BAD_REQUEST
            )
            return Answer(status, f"checkpoint refused: {error}\n")
        if old_size > checkpoint.size:
            return Answer(HTTPStatus.BAD_REQUEST, "old size is larger than the checkpoint\n")
        with self.state.lock:
            known_size, known_root, _ = self.state.get(checkpoint.origin)
            if old_size != known_size:
                reason = (
                    "rolled back: smaller than the checkpoint this witness has"
                    if checkpoint.size < known_size
                    else "old size is not the size this witness has"
                )
                log.warning(
                    "refused %s at size %d: %s (witness has %d)",
                    checkpoint.origin,
                    checkpoint.size,
                    reason,
                    known_size,
                )
                return Answer(HTTPStatus.CONFLICT, f"{known_size}\n", SIZE_CONTENT_TYPE)
            if checkpoint.size == known_size and checkpoint.root != known_root:
                log.error(
                    "ALERT: %s signed two different trees of size %d (a fork or a rewrite)",
                    checkpoint.origin,
                    known_size,
                )
                return Answer(
                    HTTPStatus.CONFLICT,
                    f"{known_size}\n",
                    SIZE_CONTENT_TYPE,
                )
            if not verify_consistency(
                known_size, checkpoint.size, known_root, checkpoint.root, proof
            ):
                log.error(
                    "ALERT: %s at size %d is not consistent with the checkpoint of size %d "
                    "this witness has: the log was rewritten",
                    checkpoint.origin,
                    checkpoint.size,
                    known_size,
                )
                return Answer(
                    HTTPStatus.UNPROCESSABLE_ENTITY,
                    f"the consistency proof from size {known_size} does not verify: "
                    "the log was rewritten or the proof is wrong\n",
                )
            cosignature = self.key.cosign(checkpoint.body)
            self.state.put(checkpoint, cosignature)
        log.info("cosigned %s at size %d", checkpoint.origin, checkpoint.size)
        return Answer(HTTPStatus.OK, cosignature)


def parse_add_checkpoint(request: bytes) -> tuple[int, list[bytes], str]:
    """Split an add-checkpoint body into the old size, the proof and the checkpoint note."""
    if len(request) > MAX_NOTE_BYTES + MAX_PROOF_LINES * 50:
        raise ValueError("request too large")
    try:
        text = request.decode("utf-8")
    except UnicodeError as error:
        raise ValueError("not UTF-8") from error
    head, separator, note = text.partition("\n\n")
    if not separator:
        raise ValueError("no blank line before the checkpoint")
    lines = head.split("\n")
    first = lines[0]
    if not first.startswith("old ") or not first[4:].isdigit() or first[4:] != str(int(first[4:])):
        raise ValueError("the first line is 'old <size>'")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise ValueError("too many proof lines")
    proof = []
    for line in lines[1:]:
        try:
            digest = base64.b64decode(line, validate=True)
        except binascii.Error as error:
            raise ValueError("a proof line is not base64") from error
        if len(digest) != HASH_SIZE:
            raise ValueError("a proof line is not a 32-byte hash")
        proof.append(digest)
    return int(first[4:]), proof, note


def add_checkpoint_body(old_size: int, proof: Sequence[bytes], checkpoint: str) -> bytes:
    """The body of an add-checkpoint request (for logs and tests)."""
    lines = [f"old {old_size}", *(base64.b64encode(h).decode("ascii") for h in proof)]
    return ("\n".join(lines) + "\n\n" + checkpoint).encode("utf-8")


def make_handler(witness: Witness) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to ``witness``."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "safeshare-witness"
        timeout = 30  # seconds a client may take to send its request

        def _send(self, answer: Answer) -> None:
            data = answer.body.encode("utf-8")
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if self.path != "/add-checkpoint":
                self._send(Answer(HTTPStatus.NOT_FOUND, "not found\n"))
                return
            try:
                length = int(self.headers.get("Content-Length", "-1"))
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_NOTE_BYTES + MAX_PROOF_LINES * 50:
                self._send(Answer(HTTPStatus.BAD_REQUEST, "bad Content-Length\n"))
                return
            self._send(witness.add_checkpoint(self.rfile.read(length)))

        def do_GET(self) -> None:
            if self.path == "/key":
                self._send(Answer(HTTPStatus.OK, f"{witness.key.verifier}\n"))
            else:
                self._send(Answer(HTTPStatus.NOT_FOUND, "not found\n"))

        def log_message(self, format: str, *args: object) -> None:
            log.info("%s %s", self.address_string(), format % args)

    return Handler


def serve(witness: Witness, host: str, port: int) -> ThreadingHTTPServer:
    """A threading HTTP server for ``witness`` (call ``serve_forever`` on it)."""
    return ThreadingHTTPServer((host, port), make_handler(witness))


# ---------------------------------------------------------------------------------------------
# Polling a published log


@dataclass
class PollResult:
    """What one poll found: ``alert`` is a reason to raise the alarm, else None."""

    size: int
    alert: str | None = None


def poll_once(
    state: WitnessState,
    keys: Sequence[VerifierKey],
    fetch: Callable[[str], bytes],
    origin: str | None = None,
) -> PollResult:
    """Read the published checkpoint and tiles; check the log grew consistently."""
    try:
        text = fetch("checkpoint").decode("utf-8")
        checkpoint = verify_checkpoint(text, keys, origin=origin)
    except (OSError, UnicodeError, CheckpointError) as error:
        return PollResult(-1, f"the published checkpoint is missing or not valid: {error}")
    with state.lock:
        known_size, known_root, _ = state.get(checkpoint.origin)
        if checkpoint.size < known_size:
            return PollResult(
                checkpoint.size,
                f"the log rolled back from size {known_size} to {checkpoint.size}",
            )
        if checkpoint.size == known_size:
            if checkpoint.root != known_root:
                return PollResult(
                    checkpoint.size,
                    f"the log signed two different trees of size {known_size}",
                )
            return PollResult(checkpoint.size)
        try:
            reader = TileReader(fetch, checkpoint.size)
            proof = reader.consistency_proof(known_size) if known_size else []
        except (OSError, TileError, ValueError) as error:
            return PollResult(checkpoint.size, f"the published tiles cannot be read: {error}")
        if not verify_consistency(known_size, checkpoint.size, known_root, checkpoint.root, proof):
            return PollResult(
                checkpoint.size,
                f"the checkpoint of size {checkpoint.size} is not consistent with the one of "
                f"size {known_size} this witness has: the log was rewritten",
            )
        state.put(checkpoint)
    return PollResult(checkpoint.size)


def send_alert(message: str, webhook: str | None) -> None:
    """Log the alert and, if configured, POST it as JSON to the webhook."""
    log.error("ALERT: %s", message)
    if not webhook:
        return
    data = json.dumps({"alert": message, "time": int(time.time())}).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 (the operator's own URL)
        webhook, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass
    except (OSError, urllib.error.URLError) as error:
        log.error("the alert webhook failed: %s", error)


# ---------------------------------------------------------------------------------------------
# Command line


def _read_log_keys(values: Sequence[str]) -> list[VerifierKey]:
    keys = []
    for value in values:
        path = Path(value)
        if path.is_file():
            keys.extend(load_verifier_keys(path.read_text(encoding="utf-8")))
        else:
            keys.append(parse_verifier_key(value))
    return keys


def _read_key(path: str) -> Cosigner:
    return parse_cosigner(Path(path).read_text(encoding="ascii").strip())


def main(argv: Sequence[str] | None = None) -> int:
    """``safeshare-witness``: keygen, serve, poll. Returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="safeshare-witness", description="A witness for a C2SP checkpoint log."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    keygen = sub.add_parser("keygen", help="print a new witness signing key")
    keygen.add_argument("--name", required=True, help="the witness's name, e.g. example.org/w")
    public = sub.add_parser("public-key", help="print the public key of a signing key")
    public.add_argument("--key", required=True, help="the signing key file")
    for name, text in (
        ("serve", "serve add-checkpoint over HTTP"),
        ("poll", "follow a published log and alert when it misbehaves"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("--state", required=True, help="the witness's state file")
        command.add_argument(
            "--log-key",
            action="append",
            required=True,
            help="the log's verifier key, or a file of them (repeatable); the key's name is "
            "the log's origin unless --origin is given",
        )
        command.add_argument("--origin", help="the log's origin, if not its key's name")
    serve_command = sub.choices["serve"]
    serve_command.add_argument("--key", required=True, help="the witness's signing key file")
    serve_command.add_argument("--listen", default="127.0.0.1:7380", help="host:port")
    poll_command = sub.choices["poll"]
    poll_command.add_argument("url", help="where the log is published (checkpoint, tile/…)")
    poll_command.add_argument("--interval", type=float, default=60.0, help="seconds")
    poll_command.add_argument("--once", action="store_true", help="poll once and exit")
    poll_command.add_argument("--webhook", help="POST each alert as JSON to this URL")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
    )
    try:
        if args.command == "keygen":
            sys.stdout.write(f"{generate_cosigner(args.name)}\n")
            return 0
        if args.command == "public-key":
            sys.stdout.write(f"{_read_key(args.key).verifier}\n")
            return 0
        keys = _read_log_keys(args.log_key)
        state = WitnessState(Path(args.state))
    except (OSError, ValueError) as error:
        sys.stderr.write(f"safeshare-witness: {error}\n")
        return 2
    if args.command == "serve":
        witness = Witness(_read_key(args.key), state, [] if args.origin else keys)
        if args.origin:
            witness.add_origin(args.origin, keys)
        host, _, port = args.listen.rpartition(":")
        server = serve(witness, host or "127.0.0.1", int(port))
        log.info(
            "witness %s listening on %s:%d",
            witness.key.verifier,
            *server.server_address[:2],
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        return 0
    fetch = url_fetcher(args.url)
    while True:
        result = poll_once(state, keys, fetch, args.origin)
        if result.alert:
            send_alert(result.alert, args.webhook)
            if args.once:
                return EXIT_ALERT
        else:
            log.info("log at size %d is consistent", result.size)
        if args.once:
            return 0
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
