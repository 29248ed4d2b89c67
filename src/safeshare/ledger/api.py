"""The ledger's API: the latest checkpoint, entries, inclusion and consistency proofs, the key.

The ledger holds no personal data, and from entry format 2 nothing that links people (each
reference is a hiding commitment with its own opening), so any token with the ``ledger:read``
scope may read its public form: checkpoints, proofs, keys and format-2 entries. Entries of format
1 held keyed tokens that repeat from entry to entry; they are served as leaf hashes only (enough
to rebuild the tree and check every proof), never re-published.
Hashes and proof nodes are base64 (as in checkpoints); entries are given as their exact
canonical JSON text, whose UTF-8 bytes are the Merkle leaf data. Nothing here signs or writes.
"""

from __future__ import annotations

import base64
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from safeshare.api_kit import ApiProblem, require_scope
from safeshare.kernel.roles import Scope
from safeshare.ledger import service, signing
from safeshare.ledger.checkpoint import CheckpointError, parse_checkpoint
from safeshare.ledger.entries import ENTRY_FORMAT_VERSION, entry_format

router = Router(tags=["Ledger"])

MAX_PAGE = 1000
"""Most entries one request returns."""

Format = Literal["text", "json"]


def _b64(data: bytes | memoryview) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")


def _wants_text(request: HttpRequest, chosen: Format | None, default: Format) -> bool:
    if chosen is not None:
        return chosen == "text"
    accept = request.headers.get("Accept", "")
    if "application/json" in accept:
        return False
    if accept.startswith("text/plain"):
        return True
    return default == "text"


def _text(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


def _read(request: HttpRequest) -> None:
    require_scope(request, Scope.LEDGER_READ)


def _latest_size() -> int:
    checkpoint = service.latest_checkpoint_record()
    if checkpoint is None:
        raise ApiProblem(404, "not_found", "The ledger has no signed checkpoint yet.")
    return checkpoint.size


class CheckpointOut(Schema):
    origin: str
    size: int = Field(description="Number of entries the checkpoint covers.")
    root_hash: str = Field(description="RFC 6962 root hash of those entries, base64.")
    note: str = Field(description="The signed note (c2sp.org/tlog-checkpoint), verbatim.")


def _also_text(description: str) -> dict[str, object]:
    """OpenAPI for an operation whose 200 answer may also be ``text/plain``."""
    text = {"schema": {"type": "string"}, "example": description}
    return {"responses": {200: {"content": {"text/plain; charset=utf-8": text}}}}


class FormatQuery(Schema):
    format: Format | None = Field(
        default=None, description="`text` or `json`; otherwise the Accept header decides."
    )


@router.get(
    "/ledger/checkpoint",
    response=CheckpointOut,
    summary="The latest signed checkpoint",
    description="The signed note as `text/plain` (the default), or as JSON with "
    "`Accept: application/json` or `?format=json`. 404 before the first checkpoint.",
    openapi_extra=_also_text("The signed note (c2sp.org/tlog-checkpoint), verbatim."),
)
def latest_checkpoint(request: HttpRequest, query: Query[FormatQuery]):
    _read(request)
    note = service.latest_checkpoint()
    if note is None:
        raise ApiProblem(404, "not_found", "The ledger has no signed checkpoint yet.")
    if _wants_text(request, query.format, "text"):
        return _text(note)
    checkpoint = parse_checkpoint(note)
    return CheckpointOut(
        origin=checkpoint.origin, size=checkpoint.size, root_hash=_b64(checkpoint.root), note=note
    )


class EntryOut(Schema):
    index: int
    leaf_hash: str = Field(description="SHA-256(0x00 ‖ entry), base64, as recorded.")
    entry: str | None = Field(
        description="The entry's canonical JSON; its UTF-8 bytes are the leaf. Null for an "
        "entry of format 1, whose keyed tokens would let readers link people: only its leaf "
        "hash is served (docs/adr/0007-unlinkable-entries.md)."
    )
    withheld: bool = Field(
        default=False, description="True when only the leaf hash of the entry is served."
    )


def _entry_out(
    index: int, leaf: bytes | memoryview | None, body: bytes | memoryview | None
) -> EntryOut:
    data = bytes(body or b"")
    if entry_format(data) != ENTRY_FORMAT_VERSION:
        return EntryOut(index=index, leaf_hash=_b64(leaf or b""), entry=None, withheld=True)
    return EntryOut(
        index=index, leaf_hash=_b64(leaf or b""), entry=data.decode("utf-8", "replace")
    )


class EntriesOut(Schema):
    start: int
    end: int = Field(description="One past the last index returned.")
    log_size: int = Field(description="Entries in the log now (some may not be signed yet).")
    entries: list[EntryOut]


class RangeQuery(Schema):
    start: int = Field(description="First index, from 0.")
    end: int = Field(description=f"One past the last index; at most start + {MAX_PAGE}.")


@router.get(
    "/ledger/entries",
    response=EntriesOut,
    summary="A range of entries",
    description=f"Entries with start <= index < end, at most {MAX_PAGE} at a time. `end` is cut "
    "to the log's size; a start at or beyond it is refused.",
)
def entries(request: HttpRequest, query: Query[RangeQuery]):
    _read(request)
    start, end = query.start, query.end
    fields: dict[str, str] = {}
    if start < 0:
        fields["start"] = "Give an index of 0 or more."
    if end <= start:
        fields["end"] = "Give an end greater than start."
    elif end - start > MAX_PAGE:
        fields["end"] = f"Ask for at most {MAX_PAGE} entries at a time."
    size = service.log_size()
    if not fields and start >= size:
        fields["start"] = f"The log has {size} entries, so start must be below {size}."
    if fields:
        raise ApiProblem(422, "validation_error", "The range is not valid.", fields)
    end = min(end, size)
    rows = service.entries_range(start, end)
    return EntriesOut(
        start=start,
        end=end,
        log_size=size,
        entries=[
            _entry_out(row.index, row.leaf_hash, row.body) for row in rows if row.index is not None
        ],
    )


class InclusionProofOut(Schema):
    index: int
    size: int = Field(description="The tree size the proof is for.")
    leaf_hash: str
    inclusion_proof: list[str] = Field(description="RFC 6962 audit path, base64, leaf first.")
    checkpoint: str | None = Field(description="The signed checkpoint of that size, if any.")


class ProofQuery(Schema):
    size: int | None = Field(default=None, description="Default: the latest checkpoint's size.")


@router.get(
    "/ledger/entries/{index}/proof",
    response=InclusionProofOut,
    summary="An inclusion proof for an entry",
    description="Proves entry `index` is in the tree of `size` entries. Check it against a "
    "signed checkpoint of that size (given when one exists) with RFC 9162's algorithm.",
)
def entry_proof(request: HttpRequest, index: int, query: Query[ProofQuery]):
    _read(request)
    if query.size is None:
        latest = service.latest_checkpoint_record()
        if latest is None:
            raise ApiProblem(404, "not_found", "The ledger has no signed checkpoint yet.")
        size, note = latest.size, latest.note
    else:
        size, note = query.size, None
    try:
        proved = service.prove_inclusion(index, size)
    except service.LedgerRangeError as error:
        raise ApiProblem(422, "validation_error", str(error), {"size": str(error)}) from error
    return InclusionProofOut(
        index=index,
        size=size,
        leaf_hash=_b64(proved.leaf_hash),
        inclusion_proof=[_b64(node) for node in proved.proof],
        checkpoint=note if note is not None else service.checkpoint_at(size),
    )


class ConsistencyProofOut(Schema):
    first: int
    second: int
    consistency_proof: list[str] = Field(description="RFC 6962 consistency proof, base64.")
    first_checkpoint: str | None
    second_checkpoint: str | None


class ConsistencyQuery(Schema):
    first: int = Field(description="The older tree size (a witness's stored checkpoint).")
    second: int | None = Field(default=None, description="Default: the latest checkpoint's.")


@router.get(
    "/ledger/consistency",
    response=ConsistencyProofOut,
    summary="A consistency proof between two tree sizes",
    description="Proves the tree of `first` entries is a prefix of the tree of `second`: what "
    "a witness checks before accepting a newer checkpoint.",
)
def consistency(request: HttpRequest, query: Query[ConsistencyQuery]):
    _read(request)
    second = query.second if query.second is not None else _latest_size()
    try:
        proof = service.consistency_proof(query.first, second)
    except service.LedgerRangeError as error:
        raise ApiProblem(422, "validation_error", str(error), {"first": str(error)}) from error
    return ConsistencyProofOut(
        first=query.first,
        second=second,
        consistency_proof=[_b64(node) for node in proof],
        first_checkpoint=service.checkpoint_at(query.first),
        second_checkpoint=service.checkpoint_at(second),
    )


class PublicKeyOut(Schema):
    origin: str
    verifier_key: str = Field(description="The current key (c2sp.org/signed-note verifier key).")
    verifier_keys: list[str] = Field(description="Every trusted key, current first (rotation).")


@router.get(
    "/ledger/public-key",
    response=PublicKeyOut,
    summary="The ledger's public (verifier) keys",
    description="JSON by default; one key a line with `Accept: text/plain` or `?format=text`. "
    "Get the key from more than one place before you rely on it.",
    openapi_extra=_also_text("One verifier key a line, current first."),
)
def public_key(request: HttpRequest, query: Query[FormatQuery]):
    _read(request)
    try:
        keys = service.verifier_keys()
    except CheckpointError as error:
        raise ApiProblem(500, "internal_error", "The ledger's keys are misconfigured.") from error
    if _wants_text(request, query.format, "json"):
        return _text("".join(f"{key}\n" for key in keys))
    return PublicKeyOut(origin=signing.origin(), verifier_key=keys[0], verifier_keys=keys)
