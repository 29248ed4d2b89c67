"""Ledger entries: canonical JSON, keyed person tokens, and the rule that no personal data goes in.

An entry records who did what, under which policy, about which (tokenised) people and records.
Its canonical JSON bytes are the leaf data of the Merkle tree, so an entry can never change once
appended. People and records appear only as keyed hashes (``person_token``, ``record_token``),
free text never appears (reasons are kept off the ledger and referred to by digest), and
``assert_no_personal_data`` enforces this structurally: every field must be on an allow-list and
every value must have the shape of a token, digest, code, count, flag, date or timestamp.
"""

from __future__ import annotations

import hmac
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import lru_cache
from hashlib import sha256
from typing import Any

ENTRY_FORMAT_VERSION = 2
"""Value of the ``v`` field of every entry written now (docs/adr/0007-unlinkable-entries.md)."""

LEGACY_FORMAT_VERSION = 1
"""The first format, whose keyed tokens are the same in every entry (still verified, never
written). Its entries stay leaves of the tree; the API serves them as leaf hashes only."""

FORMAT_VERSIONS = frozenset({LEGACY_FORMAT_VERSION, ENTRY_FORMAT_VERSION})

MIN_TOKEN_KEY_BYTES = 32
"""Shortest key accepted for keyed tokens."""


class EntryKind(StrEnum):
    """What an entry records. Add new kinds at the end; never rename or remove one."""

    DISCLOSURE = "disclosure"
    REFERRAL = "referral"
    CLEARANCE_DECISION = "clearance_decision"
    REVIEW_RESOLVED = "review_resolved"
    OVERRIDE_REQUESTED = "override_requested"
    OVERRIDE_APPROVED = "override_approved"
    OVERRIDE_REFUSED = "override_refused"
    PROTECTION_OPENED = "protection_opened"
    PROTECTION_STATUS_CHANGED = "protection_status_changed"
    PROTECTION_CLOSED = "protection_closed"
    CASE_EVENT = "case_event"
    PERSONAL_DATA_READ = "personal_data_read"
    ADVICE_ISSUED = "advice_issued"
    LETTER_ISSUED = "letter_issued"
    SAR_EXPORT = "sar_export"
    POLICY_ACTIVATED = "policy_activated"
    KEY_ROTATED = "key_rotated"
    FORMAT_CHANGED = "format_changed"
    CLEARANCE_OUTCOME = "clearance_outcome"
    REFERRAL_REFUSED = "referral_refused"
    SECOND_FACTOR_RESET = "second_factor_reset"
    ACCOUNT_CHANGED = "account_changed"
    RETENTION_RUN = "retention_run"
    SAR_EXEMPTION = "sar_exemption"
    OVERRIDE_WITHDRAWN = "override_withdrawn"


class EntryError(ValueError):
    """An entry, or its bytes, is not well formed."""


class PersonalDataError(EntryError):
    """An entry has a field or value that could carry personal data."""


# --- Canonical JSON --------------------------------------------------------------------------

_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def _find_bad_json(value: object) -> tuple[list[str], Exception] | None:
    """Return (path, error) for the first value with no canonical JSON form, else None."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return None
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return [], ValueError("NaN and infinities have no JSON form")
    if isinstance(value, str | int):
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return [], TypeError(f"object keys must be strings, not {type(key).__name__}")
            found = _find_bad_json(item)
            if found is not None:
                found[0].append(f".{key}")
                return found
        return None
    if isinstance(value, list | tuple):
        for position, item in enumerate(value):
            found = _find_bad_json(item)
            if found is not None:
                found[0].append(f"[{position}]")
                return found
        return None
    return [], TypeError(f"{type(value).__name__} has no JSON form")


def _encode(obj: object) -> bytes:
    try:
        return _ENCODER.encode(obj).encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("strings must not contain lone surrogates") from error


def canonical_json(obj: object) -> bytes:
    """Encode ``obj`` as canonical JSON: sorted keys, no spaces, UTF-8, no escaping of non-ASCII.

    Rejects NaN and infinities, non-string keys, lone surrogates and non-JSON types, rather than
    coercing them. (Finite floats are encoded with Python's shortest round-trip form; entries use
    integers only.)
    """
    found = _find_bad_json(obj)
    if found is not None:
        path, error = found
        raise type(error)("$" + "".join(reversed(path)) + f": {error}")
    return _encode(obj)


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not allowed in canonical JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def parse_canonical_json(data: bytes) -> object:
    """Decode canonical JSON bytes, raising ``EntryError`` unless they are exactly canonical."""
    try:
        obj, _ = _DECODER.raw_decode(data.decode("utf-8"))
        encoded = _encode(obj)
    except (UnicodeError, ValueError, RecursionError) as error:
        raise EntryError(f"not valid UTF-8 JSON: {error}") from error
    if encoded != data:
        raise EntryError("not in canonical form (key order, spacing, escaping or duplicate keys)")
    return obj


# --- Keyed tokens ----------------------------------------------------------------------------

_NAMESPACE = re.compile(r"[a-z][a-z0-9_]{0,31}")


def record_token(key: bytes, namespace: str, identifier: str) -> str:
    """Return ``HMAC-SHA256(key, namespace ":" identifier)`` in lower-case hex.

    ``namespace`` names the kind of thing (``person``, ``case``, ``protection``...), so that equal
    identifiers of different kinds never share a token. ``identifier`` should be the stable
    internal identifier of the record (for example its UUID), never a name or document number.
    """
    if len(key) < MIN_TOKEN_KEY_BYTES:
        raise ValueError(f"the token key must be at least {MIN_TOKEN_KEY_BYTES} bytes")
    if not _NAMESPACE.fullmatch(namespace):
        raise ValueError(f"bad token namespace {namespace!r}")
    message = f"{namespace}:{identifier}".encode()
    return hmac.new(key, message, sha256).hexdigest()


def person_token(key: bytes, identifier: str) -> str:
    """Return the keyed token for a person: ``record_token(key, "person", identifier)``."""
    return record_token(key, "person", identifier)


# --- Hiding commitments (format 2) -----------------------------------------------------------

COMMITMENT_DOMAIN = b"safeshare/ledger/reference/v2\x00"
"""Domain separation for reference commitments (never changes within format 2)."""

OPENING_BYTES = 32
"""Length of a commitment's random opening."""


def commit_reference(opening: bytes, namespace: str, identifier: str) -> str:
    """``SHA-256(domain ‖ opening ‖ namespace ":" identifier)`` in lower-case hex.

    With a fresh random 32-byte ``opening`` for every (entry, reference), two commitments to the
    same person or record cannot be told apart from commitments to different ones by anyone who
    does not hold the openings (which the operator keeps off the log). Whoever is given the
    opening and the identifier can check that the commitment is theirs, and learns nothing about
    the entry's other references.
    """
    if len(opening) != OPENING_BYTES:
        raise ValueError(f"an opening must be {OPENING_BYTES} bytes")
    if not _NAMESPACE.fullmatch(namespace):
        raise ValueError(f"bad reference namespace {namespace!r}")
    return sha256(COMMITMENT_DOMAIN + opening + f"{namespace}:{identifier}".encode()).hexdigest()


def format_timestamp(moment: datetime) -> str:
    """Format an aware datetime as an RFC 3339 UTC timestamp with microseconds."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the timestamp must be timezone-aware")
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return naive.isoformat(timespec="microseconds") + "Z"


def format_coarse_timestamp(moment: datetime) -> str:
    """The timestamp of a format-2 entry: to the minute (seconds and microseconds are zero)."""
    return format_timestamp(moment.replace(second=0, microsecond=0))


# --- Value shapes ----------------------------------------------------------------------------

PayloadValue = str | int | bool | list[str] | None


@dataclass(frozen=True)
class ValueShape:
    """A kind of value allowed in an entry, and a description for the documentation."""

    name: str
    description: str
    check: Callable[[object], bool]


def _pattern(regex: str) -> Callable[[object], bool]:
    compiled = re.compile(regex)
    return lambda value: isinstance(value, str) and compiled.fullmatch(value) is not None


def _is_hex64(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and not value.strip("0123456789abcdef")


def _is_code(value: object) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= 64
        and "a" <= value[0] <= "z"
        and not value.strip("abcdefghijklmnopqrstuvwxyz0123456789_")
    )


_HEX64 = _is_hex64
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _is_timestamp(value: object) -> bool:
    if not isinstance(value, str) or _TIMESTAMP.fullmatch(value) is None:
        return False
    try:
        datetime.fromisoformat(value[:-1])
    except ValueError:
        return False
    return True


def _is_date(value: object) -> bool:
    if not isinstance(value, str) or _DATE.fullmatch(value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


_CODE = _is_code


def _list_of(check: Callable[[object], bool]) -> Callable[[object], bool]:
    def is_list(value: object) -> bool:
        if not isinstance(value, list):
            return False
        for item in value:
            if not check(item):
                return False
        return len(set(value)) == len(value)

    return is_list


_TOKENS = _list_of(_HEX64)
TOKEN = ValueShape(
    "token",
    "format 2: hiding commitment (64 hex digits) with a fresh opening per entry; format 1: "
    "keyed hash from `record_token`/`person_token`",
    _HEX64,
)
DIGEST = ValueShape("digest", "SHA-256 (64 hex digits) of a document kept off the ledger", _HEX64)
CODE = ValueShape("code", "snake_case code from a closed list in SafeShare, e.g. `blocked`", _CODE)
CODES = ValueShape("codes", "list of distinct codes", _list_of(_CODE))
ORG = ValueShape(
    "org", "organisation code, e.g. `WMP`, `IE-NCCU`", _pattern(r"[A-Z0-9][A-Z0-9_-]{0,31}")
)
COUNT = ValueShape("count", "non-negative integer", _is_count)
FLAG = ValueShape("flag", "true or false", lambda value: isinstance(value, bool))
DATE = ValueShape("date", "date of an event, `YYYY-MM-DD`", _is_date)
TIMESTAMP = ValueShape("timestamp", "RFC 3339 UTC time with microseconds", _is_timestamp)
KEY_HASH = ValueShape("key_hash", "signed-note key hash, 8 hex digits", _pattern(r"[0-9a-f]{8}"))
VERIFIER_KEY = ValueShape(
    "verifier_key",
    "signed-note verifier key `<name>+<hash>+<base64 key>`",
    _pattern(r"[!-*,-~]{1,255}\+[0-9a-f]{8}\+[A-Za-z0-9+/]{43,512}={0,2}"),
)

PAYLOAD_FIELDS: dict[str, ValueShape] = {
    # Records, as keyed tokens (record_token(key, "<field name>", record id)).
    "case": TOKEN,
    "protection": TOKEN,
    "referral": TOKEN,
    "clearance": TOKEN,
    "review": TOKEN,
    "override": TOKEN,
    "sweep": TOKEN,
    "advice_pack": TOKEN,
    "letter": TOKEN,
    "request": TOKEN,
    "record": TOKEN,
    "actor": TOKEN,
    "approver": TOKEN,
    # Earlier ledger entries this one answers (for example the override request approved).
    "refers_to": COUNT,
    # Codes from closed lists.
    "decision": CODE,
    "party_role": CODE,
    "status": CODE,
    "previous_status": CODE,
    "case_status": CODE,
    "event_type": CODE,
    "outcome": CODE,
    "reason_code": CODE,
    "exception": CODE,
    "channel": CODE,
    "purpose": CODE,
    "lawful_basis": CODE,
    "policy_mode": CODE,
    "jurisdiction": CODE,
    "record_type": CODE,
    "route": CODE,
    "routes": CODES,
    "rules": CODES,
    "fields": CODES,
    "approver_role": CODE,
    "key_purpose": CODE,
    "admin_action": CODE,
    "target_role": CODE,
    # Organisations.
    "recipient_org": ORG,
    "referring_org": ORG,
    "approver_org": ORG,
    "target_org": ORG,
    # Digests of documents and free text kept off the ledger.
    "content_digest": DIGEST,
    "reason_digest": DIGEST,
    "previous_policy_version": DIGEST,
    # Numbers and flags.
    "count": COUNT,
    "match_count": COUNT,
    "blocked_count": COUNT,
    "hold_count": COUNT,
    "clear_count": COUNT,
    "tree_size": COUNT,
    "reopened": FLAG,
    # Dates and times of events.
    "event_date": DATE,
    "effective_date": DATE,
    "occurred_at": TIMESTAMP,
    # Signing keys.
    "verifier_key": VERIFIER_KEY,
    "previous_verifier_key": VERIFIER_KEY,
    "key_hash": KEY_HASH,
    # Entry formats (the format_changed entry).
    "entry_format": COUNT,
    "previous_entry_format": COUNT,
}
"""Every field an entry payload may hold, and the shape of its value. Values may also be null.

To record a new fact, add a field here with the narrowest shape that fits. Never add a shape
that admits free text: names, addresses, dates of birth, nationalities, document numbers,
crime references, narratives and reasons in words stay in the database, off the ledger.
"""

REFERENCE_FIELDS: frozenset[str] = frozenset(
    [name for name, shape in PAYLOAD_FIELDS.items() if shape is TOKEN]
    + ["content_digest", "reason_digest"]
)
"""Payload fields that refer to a person's records or documents. In format 2 each value is a
hiding commitment with its own opening (``commit_reference``), never a repeated token."""

_COUNTS = ("count", "blocked_count", "hold_count", "clear_count")
V2_PAYLOAD_FIELDS: dict[EntryKind, frozenset[str]] = {
    kind: frozenset(names)
    for kind, names in {
        EntryKind.DISCLOSURE: (
            "referral", "case", "channel", "recipient_org", "referring_org", "fields",
        ),
        EntryKind.REFERRAL: (
            "referral", "case", "channel", "recipient_org", "referring_org", "fields",
        ),
        EntryKind.CLEARANCE_DECISION: (
            "clearance", "protection", "sweep", "decision", "purpose", "match_count",
            "reason_code", "content_digest", *_COUNTS,
        ),
        EntryKind.REVIEW_RESOLVED: ("review", "clearance", "outcome", "decision"),
        EntryKind.OVERRIDE_REQUESTED: ("override", "clearance", "exception"),
        EntryKind.OVERRIDE_APPROVED: (
            "override", "clearance", "exception", "decision", "approver_role", "approver_org",
        ),
        EntryKind.OVERRIDE_REFUSED: (
            "override", "clearance", "exception", "decision", "approver_role", "approver_org",
        ),
        EntryKind.PROTECTION_OPENED: (
            "protection", "case", "record", "count", "reason_code", "content_digest",
        ),
        EntryKind.PROTECTION_STATUS_CHANGED: ("protection",),
        EntryKind.PROTECTION_CLOSED: ("protection",),
        EntryKind.CASE_EVENT: ("case",),
        EntryKind.PERSONAL_DATA_READ: ("purpose", "count"),
        EntryKind.ADVICE_ISSUED: ("advice_pack", "protection", "channel", "content_digest"),
        EntryKind.LETTER_ISSUED: ("letter", "protection", "channel"),
        EntryKind.SAR_EXPORT: ("record", "count", "content_digest"),
        EntryKind.POLICY_ACTIVATED: (
            "policy_mode", "jurisdiction", "previous_policy_version", "effective_date",
        ),
        EntryKind.KEY_ROTATED: (
            "key_purpose", "verifier_key", "previous_verifier_key", "key_hash",
        ),
        EntryKind.FORMAT_CHANGED: ("entry_format", "previous_entry_format"),
        EntryKind.CLEARANCE_OUTCOME: ("clearance", "outcome", "decision"),
        EntryKind.REFERRAL_REFUSED: ("referring_org", "rules"),
        EntryKind.SECOND_FACTOR_RESET: ("record",),
        EntryKind.ACCOUNT_CHANGED: ("admin_action", "record", "target_org", "target_role"),
        EntryKind.RETENTION_RUN: ("count", "fields", "effective_date"),
        EntryKind.SAR_EXEMPTION: ("record", "status"),
        EntryKind.OVERRIDE_WITHDRAWN: ("override", "clearance", "exception"),
    }.items()
}  # fmt: skip
"""The payload fields a format-2 entry of each kind may hold (docs/ledger.md explains each).

Callers may pass more (the facts stay in their own tables, where the keyed statistics read
them); ``public_payload`` keeps only these. Profiling details (party roles, case stages and
events, protection statuses, advice routes, event dates, links between entries) are not
published."""

PUBLISHED_REASON_CODES = frozenset(
    {"screen", "sweep", "scheduled_action_suspended", "register_import"}
)
"""The only ``reason_code`` values a format-2 entry publishes: how a clearance was asked (one
person, a bulk screen, a sweep of the caseload, a suspension) or that protections came from a
force's register import. Reasons that profile a person (referral triggers, NRM stages, merges)
are not published."""


def public_payload(kind: EntryKind | str, payload: Mapping[str, object]) -> dict[str, object]:
    """The part of ``payload`` that a format-2 entry of ``kind`` publishes."""
    allowed = V2_PAYLOAD_FIELDS[EntryKind(kind)]
    kept = {name: value for name, value in payload.items() if name in allowed}
    if "reason_code" in kept and kept["reason_code"] not in PUBLISHED_REASON_CODES:
        del kept["reason_code"]
    return kept


_KINDS = frozenset(EntryKind)
_REPEATED_SHAPES: dict[str, Callable[[object], bool]] = {
    "kind": lambda value: value in _KINDS,
    "policy_id": _pattern(r"[a-z0-9][a-z0-9._-]{0,63}"),
    "policy_version": _HEX64,
    "actor_org": ORG.check,
    "actor_role": _pattern(r"[a-z][a-z0-9_]{0,31}"),
}
_ENTRY_FIELDS = frozenset(_REPEATED_SHAPES) | {
    "v",
    "index",
    "timestamp",
    "subjects",
    "payload",
}


@lru_cache(maxsize=4096)
def _repeated_value_ok(name: str, value: str) -> bool:
    """Check a field whose few distinct values recur in every entry (memoised)."""
    return _REPEATED_SHAPES[name](value)


def assert_no_personal_data(entry_dict: Mapping[str, object]) -> None:
    """Raise ``PersonalDataError`` unless every field and value of the entry is allowed.

    The check is structural: the top-level fields are exactly those of ``Entry`` (plus ``v``),
    each with a fixed shape; subjects are person tokens; payload fields come from
    ``PAYLOAD_FIELDS`` and their values must match its shapes. No field admits free text.
    """
    if type(entry_dict) is not dict and not isinstance(entry_dict, Mapping):
        raise PersonalDataError("an entry must be a JSON object")
    if entry_dict.keys() != _ENTRY_FIELDS:
        keys = set(entry_dict)
        unknown = sorted(map(str, keys - _ENTRY_FIELDS))
        missing = sorted(_ENTRY_FIELDS - keys)
        raise PersonalDataError(f"entry fields wrong: unknown {unknown}, missing {missing}")
    for name in _REPEATED_SHAPES:
        value = entry_dict[name]
        if not isinstance(value, str) or not _repeated_value_ok(name, str(value)):
            raise PersonalDataError(f"field {name!r} has a value of the wrong shape")
    version = entry_dict["v"]
    if not _is_count(version) or version not in FORMAT_VERSIONS:
        raise PersonalDataError(f"field 'v' must be one of {sorted(FORMAT_VERSIONS)}")
    if not _is_count(entry_dict["index"]):
        raise PersonalDataError("field 'index' must be a non-negative integer")
    if not _is_timestamp(entry_dict["timestamp"]):
        raise PersonalDataError("field 'timestamp' must be an RFC 3339 UTC time with microseconds")
    if not _TOKENS(entry_dict["subjects"]):
        raise PersonalDataError("field 'subjects' must be a list of distinct person tokens")
    payload = entry_dict["payload"]
    if type(payload) is not dict and not isinstance(payload, Mapping):
        raise PersonalDataError("payload must be a JSON object")
    check_payload_shapes(payload)
    if version == ENTRY_FORMAT_VERSION:
        _check_format_2(entry_dict, payload)
    elif entry_dict["kind"] == EntryKind.FORMAT_CHANGED:
        raise PersonalDataError("a format_changed entry must be written in the new format")


def check_payload_shapes(payload: Mapping[Any, object]) -> None:
    """Raise ``PersonalDataError`` unless every payload field is on the allow-list with a value
    of its shape (or null)."""
    for name, value in payload.items():
        shape = PAYLOAD_FIELDS.get(name) if isinstance(name, str) else None
        if shape is None:
            raise PersonalDataError(f"payload field {name!r} is not on the allow-list")
        if value is not None and not shape.check(value):
            raise PersonalDataError(f"payload field {name!r} must be a {shape.name}")


def _check_format_2(entry_dict: Mapping[str, object], payload: Mapping[str, object]) -> None:
    """Format 2 publishes less: only its kind's fields, and times to the minute."""
    allowed = V2_PAYLOAD_FIELDS[EntryKind(str(entry_dict["kind"]))]  # a str: checked above
    extra = sorted(str(name) for name in payload if name not in allowed)
    if extra:
        raise PersonalDataError(
            f"payload fields {extra} are not published in a {entry_dict['kind']} entry "
            f"of format {ENTRY_FORMAT_VERSION}"
        )
    reason = payload.get("reason_code")
    if reason is not None and reason not in PUBLISHED_REASON_CODES:
        raise PersonalDataError(f"reason_code {reason!r} is not published in format 2")
    if not str(entry_dict["timestamp"]).endswith(":00.000000Z"):
        raise PersonalDataError("a format-2 timestamp is given to the minute")


# --- Entries ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One ledger entry. Its Merkle leaf is ``leaf_hash(entry_bytes(entry))``."""

    index: int
    kind: EntryKind
    policy_id: str
    policy_version: str
    actor_org: str
    actor_role: str
    timestamp: str
    subjects: tuple[str, ...] = ()
    payload: Mapping[str, PayloadValue] = field(default_factory=dict)
    version: int = ENTRY_FORMAT_VERSION

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", EntryKind(self.kind))
        object.__setattr__(self, "subjects", tuple(self.subjects))
        object.__setattr__(self, "payload", dict(self.payload))


def entry_to_dict(entry: Entry) -> dict[str, object]:
    """Return the JSON object form of an entry (not yet validated)."""
    return {
        "v": entry.version,
        "index": entry.index,
        "kind": entry.kind.value,
        "policy_id": entry.policy_id,
        "policy_version": entry.policy_version,
        "actor_org": entry.actor_org,
        "actor_role": entry.actor_role,
        "timestamp": entry.timestamp,
        "subjects": list(entry.subjects),
        "payload": {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in entry.payload.items()
        },
    }


def entry_from_dict(entry_dict: Mapping[str, object]) -> Entry:
    """Build an ``Entry`` from its JSON object form, after ``assert_no_personal_data``."""
    assert_no_personal_data(entry_dict)
    subjects = entry_dict["subjects"]
    payload = entry_dict["payload"]
    assert isinstance(subjects, list)
    assert isinstance(payload, Mapping)
    return Entry(
        index=int(entry_dict["index"]),  # type: ignore[call-overload]
        kind=EntryKind(str(entry_dict["kind"])),
        policy_id=str(entry_dict["policy_id"]),
        policy_version=str(entry_dict["policy_version"]),
        actor_org=str(entry_dict["actor_org"]),
        actor_role=str(entry_dict["actor_role"]),
        timestamp=str(entry_dict["timestamp"]),
        subjects=tuple(subjects),
        payload=payload,
        version=int(entry_dict["v"]),  # type: ignore[call-overload]
    )


def entry_bytes(entry: Entry) -> bytes:
    """Return the canonical bytes of an entry (the Merkle leaf data), after validating it."""
    entry_dict = entry_to_dict(entry)
    assert_no_personal_data(entry_dict)
    return _encode(entry_dict)  # the check above admits only JSON-encodable values


def parse_entry_dict(data: bytes) -> dict[str, object]:
    """Decode and validate entry bytes: canonical JSON of an allowed entry object."""
    obj = parse_canonical_json(data)
    if not isinstance(obj, dict):
        raise EntryError("an entry must be a JSON object")
    assert_no_personal_data(obj)
    return obj


def parse_entry(data: bytes) -> Entry:
    """Decode entry bytes into an ``Entry``, raising ``EntryError`` if they are not valid."""
    return entry_from_dict(parse_entry_dict(data))


_FORMAT_SUFFIX = re.compile(rb'"v":([0-9]{1,9})}\Z')


def entry_format(data: bytes) -> int | None:
    """The format (``v``) of an entry's canonical bytes, read from its end (``v`` sorts last),
    or ``None`` if the bytes do not end like an entry."""
    match = _FORMAT_SUFFIX.search(data[-20:])
    return int(match[1]) if match else None
