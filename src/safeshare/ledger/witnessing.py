"""The log asks its witnesses to cosign each new checkpoint (c2sp.org/tlog-witness).

The operator configures witnesses (``SAFESHARE_LEDGER_WITNESSES``: comma-separated ``<URL>
<witness public key>`` pairs, read in ``settings``) and a quorum
(``SAFESHARE_LEDGER_WITNESS_QUORUM``, default all of them). After each checkpoint the worker
calls ``witness_latest()``: it sends each witness that has not cosigned it the checkpoint and a
consistency proof from the size that witness last cosigned, checks every cosignature that comes
back, and stores the checkpoint with the cosignatures it got. A checkpoint below the quorum is
still stored and published, and says so (``quorum_status``). A witness that refuses because
the log is not consistent with what it saw raises an alert in the log (level ERROR).
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings

from safeshare.ledger import storage
from safeshare.ledger.actions import do_add_cosignatures
from safeshare.ledger.checkpoint import CheckpointError, parse_checkpoint
from safeshare.ledger.cosignature import (
    CosignerVerifier,
    add_cosignatures,
    parse_cosigner_verifier,
    verify_cosignatures,
)
from safeshare.ledger.models import LedgerCheckpoint
from safeshare.ledger.witness import SIZE_CONTENT_TYPE, add_checkpoint_body

logger = logging.getLogger("safeshare.ledger.witnessing")


@dataclass(frozen=True)
class WitnessConfig:
    """One witness the log asks: where, and the key its cosignatures must verify under."""

    url: str
    key: CosignerVerifier


@dataclass
class WitnessOutcome:
    """What the witnesses said about one checkpoint."""

    size: int
    cosigned_by: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    quorum: int = 0

    @property
    def reached_quorum(self) -> bool:
        """True if at least ``quorum`` witnesses cosigned."""
        return len(self.cosigned_by) >= self.quorum


def configured_witnesses() -> list[WitnessConfig]:
    """The witnesses from ``settings.SAFESHARE_LEDGER_WITNESSES``."""
    result = []
    for item in getattr(settings, "SAFESHARE_LEDGER_WITNESSES", []):
        url, _, key = item.strip().partition(" ")
        result.append(WitnessConfig(url.strip(), parse_cosigner_verifier(key.strip())))
    return result


def quorum() -> int:
    """How many witnesses must cosign (default: all configured)."""
    witnesses = configured_witnesses()
    wanted = getattr(settings, "SAFESHARE_LEDGER_WITNESS_QUORUM", 0) or len(witnesses)
    return min(wanted, len(witnesses)) if witnesses else 0


def cosigners(note: str, witnesses: list[WitnessConfig] | None = None) -> list[str]:
    """Names of the configured witnesses whose cosignatures on ``note`` verify."""
    keys = [w.key for w in (configured_witnesses() if witnesses is None else witnesses)]
    try:
        return [c.witness.name for c in verify_cosignatures(note, keys)]
    except CheckpointError:
        return []


def quorum_status(note: str) -> str:
    """``"cosigned by N of M (quorum Q)"`` for people; ``"no witnesses configured"``."""
    witnesses = configured_witnesses()
    if not witnesses:
        return "no witnesses configured"
    names = cosigners(note, witnesses)
    state = "reached" if len(names) >= quorum() else "NOT reached"
    return f"cosigned by {len(names)} of {len(witnesses)} witnesses; quorum {quorum()} {state}"


def _last_cosigned_size(witness: WitnessConfig, below: int) -> int:
    """The largest stored checkpoint below ``below`` that ``witness`` cosigned (else 0)."""
    for size, note in (
        LedgerCheckpoint.objects.filter(size__lt=below)
        .order_by("-size")
        .values_list("size", "note")[:50]
    ):
        if cosigners(note, [witness]):
            return size
    return 0


def _post(url: str, body: bytes) -> tuple[int, str, str]:
    timeout = getattr(settings, "SAFESHARE_LEDGER_WITNESS_TIMEOUT", 5)
    request = urllib.request.Request(  # noqa: S310 (the operator's configured witness)
        url.rstrip("/") + "/add-checkpoint",
        data=body,
        headers={"Content-Type": "text/plain; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.headers.get_content_type(), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read().decode(errors="replace")


def ask_witness(witness: WitnessConfig, note: str) -> str:
    """Ask one witness to cosign ``note``; return its verified cosignature line.

    Raises ``WitnessRefused`` (with the witness's reason) or ``OSError`` (unreachable).
    """
    checkpoint = parse_checkpoint(note)
    tree = storage.tree()
    old = _last_cosigned_size(witness, checkpoint.size)
    for _attempt in range(2):
        proof = tree.consistency_proof(old, checkpoint.size) if old else []
        status, content_type, text = _post(witness.url, add_checkpoint_body(old, proof, note))
        if status == 200:
            cosigned = add_cosignatures(note, [text])
            if not verify_cosignatures(cosigned, [witness.key]):
                raise WitnessRefused(f"{witness.key.name} answered without a valid cosignature")
            return text if text.endswith("\n") else text + "\n"
        if status == 409 and content_type == SIZE_CONTENT_TYPE and text.strip().isdigit():
            known = int(text.strip())
            if known > checkpoint.size:
                raise WitnessRefused(
                    f"{witness.key.name} has already seen {known} entries, more than this "
                    f"checkpoint's {checkpoint.size}: the log was rolled back"
                )
            if known == old:
                break
            old = known  # the witness told us what it has; prove from there
            continue
        raise WitnessRefused(f"{witness.key.name} refused ({status}): {text.strip()}")
    raise WitnessRefused(
        f"{witness.key.name} refused: it has a different tree of size {old} (a fork or rewrite)"
    )


class WitnessRefused(RuntimeError):
    """A witness would not cosign."""


def witness_latest() -> WitnessOutcome | None:
    """Ask every configured witness that has not yet cosigned the latest checkpoint; store the
    cosignatures got. ``None`` when no witness is configured or nothing is signed."""
    witnesses = configured_witnesses()
    record = LedgerCheckpoint.objects.order_by("-size").first()
    if not witnesses or record is None:
        return None
    outcome = WitnessOutcome(record.size, cosigners(record.note, witnesses), quorum=quorum())
    lines = []
    for witness in witnesses:
        if witness.key.name in outcome.cosigned_by:
            continue
        try:
            lines.append(ask_witness(witness, record.note))
            outcome.cosigned_by.append(witness.key.name)
        except WitnessRefused as error:
            outcome.refused[witness.key.name] = str(error)
            logger.error(
                "ALERT: ledger checkpoint %d refused by a witness: %s", record.size, error
            )
        except (OSError, CheckpointError, ValueError) as error:
            outcome.refused[witness.key.name] = f"unreachable: {error}"
            logger.warning("Witness %s could not be asked: %s", witness.key.name, error)
    if lines:
        do_add_cosignatures(record.pk, lines)
    if not outcome.reached_quorum:
        logger.warning(
            "Ledger checkpoint %d is below the witness quorum: %d of %d cosigned",
            record.size,
            len(outcome.cosigned_by),
            outcome.quorum,
        )
    return outcome
