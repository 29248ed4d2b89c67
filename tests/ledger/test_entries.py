"""Canonical JSON, keyed tokens, entries and the no-personal-data rule."""

from __future__ import annotations

import hmac
import json
import math
from datetime import UTC, datetime, timedelta, timezone
from hashlib import sha256

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.ledger.entries import (
    ENTRY_FORMAT_VERSION,
    OPENING_BYTES,
    PAYLOAD_FIELDS,
    V2_PAYLOAD_FIELDS,
    EntryError,
    EntryKind,
    PersonalDataError,
    assert_no_personal_data,
    canonical_json,
    commit_reference,
    entry_bytes,
    entry_format,
    entry_from_dict,
    entry_to_dict,
    format_timestamp,
    parse_canonical_json,
    parse_entry,
    person_token,
    public_payload,
    record_token,
)
from safeshare.ledger.merkle import leaf_hash

from .helpers import TOKEN_KEY, make_entry, make_legacy_entry

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


# --- Canonical JSON ---------------------------------------------------------------------------


def test_canonical_json_is_sorted_compact_utf8() -> None:
    value = {"b": [1, True, None], "a": "café ✓", "c": {"z": 1, "y": "\n"}}
    assert canonical_json(value) == (
        '{"a":"café ✓","b":[1,true,null],"c":{"y":"\\n","z":1}}'.encode()
    )


@given(value=st.dictionaries(st.text(), json_values, max_size=6))
def test_canonical_json_does_not_depend_on_key_order(value: dict[str, object]) -> None:
    reordered = dict(reversed(list(value.items())))
    assert canonical_json(reordered) == canonical_json(value)


@given(value=json_values)
def test_canonical_json_round_trips(value: object) -> None:
    encoded = canonical_json(value)
    decoded = parse_canonical_json(encoded)
    assert decoded == value or (isinstance(value, float) and math.isclose(decoded, value))
    assert canonical_json(decoded) == encoded
    assert b"\n" not in encoded  # so that entries fit one to a line


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, {"a": [1, math.nan]}])
def test_canonical_json_rejects_nan_and_infinity(bad: object) -> None:
    with pytest.raises(ValueError, match="NaN"):
        canonical_json(bad)


@pytest.mark.parametrize("bad", [{1: "a"}, {"a": {None: 1}}, {("a",): 1}])
def test_canonical_json_rejects_keys_that_are_not_strings(bad: object) -> None:
    with pytest.raises(TypeError, match="keys must be strings"):
        canonical_json(bad)


@pytest.mark.parametrize("bad", [b"bytes", {1, 2}, datetime.now(UTC), object()])
def test_canonical_json_rejects_values_with_no_json_form(bad: object) -> None:
    with pytest.raises(TypeError, match="no JSON form"):
        canonical_json({"a": [bad]})


def test_canonical_json_names_the_path_to_a_bad_value() -> None:
    with pytest.raises(ValueError, match=r"\$\.a\[1\]\.b"):
        canonical_json({"a": [0, {"b": math.nan}]})


def test_canonical_json_rejects_lone_surrogates() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        canonical_json({"a": "\ud800"})


@pytest.mark.parametrize(
    "text",
    [
        b'{"b":1,"a":2}',  # keys out of order
        b'{"a": 2}',  # spacing
        b'{"a":"\\u00e9"}',  # escaped non-ASCII
        b'{"a":1,"a":1}',  # duplicate key
        b'{"a":NaN}',
        b'{"a":1e400}',
        b'{"a":1}\n',
        b"\xef\xbb\xbf{}",  # byte order mark
        '{"a":"é"}'.encode("utf-16"),
        b'{"a":"\\ud800"}',
        b"",
    ],
)
def test_parse_canonical_json_rejects_other_encodings(text: bytes) -> None:
    with pytest.raises(EntryError):
        parse_canonical_json(text)


# --- Keyed tokens ----------------------------------------------------------------------------


def test_person_token_is_hmac_sha256_of_the_namespaced_identifier() -> None:
    expected = hmac.new(TOKEN_KEY, b"person:0a1b-uuid", sha256).hexdigest()
    assert person_token(TOKEN_KEY, "0a1b-uuid") == expected
    assert record_token(TOKEN_KEY, "case", "0a1b-uuid") != expected
    assert person_token(bytes(32), "0a1b-uuid") != expected


def test_token_keys_must_be_long_and_namespaces_plain() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        person_token(b"short", "x")
    with pytest.raises(ValueError, match="namespace"):
        record_token(TOKEN_KEY, "Case:1", "x")


def test_format_timestamp_gives_utc_with_microseconds() -> None:
    moment = datetime(2026, 2, 3, 4, 5, 6, tzinfo=timezone(timedelta(hours=1)))
    assert format_timestamp(moment) == "2026-02-03T03:05:06.000000Z"
    assert format_timestamp(datetime(33, 1, 1, tzinfo=UTC)) == "0033-01-01T00:00:00.000000Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_timestamp(datetime(2026, 1, 1))


# --- Entries -----------------------------------------------------------------------------------


def test_entry_bytes_are_the_canonical_json_of_the_entry() -> None:
    entry = make_entry(5)
    data = entry_bytes(entry)
    assert json.loads(data) == entry_to_dict(entry)
    assert data == canonical_json(entry_to_dict(entry))
    assert json.loads(data)["v"] == ENTRY_FORMAT_VERSION
    assert parse_entry(data) == entry
    assert leaf_hash(data) != leaf_hash(entry_bytes(make_entry(6)))


def test_every_kind_of_entry_round_trips() -> None:
    for kind in EntryKind:
        entry = make_entry(3, kind=kind)
        assert parse_entry(entry_bytes(entry)).kind is kind


def test_entry_kinds_are_the_documented_closed_list() -> None:
    assert {kind.value for kind in EntryKind} >= {
        "disclosure",
        "referral",
        "clearance_decision",
        "review_resolved",
        "override_requested",
        "override_approved",
        "override_refused",
        "protection_opened",
        "protection_status_changed",
        "protection_closed",
        "case_event",
        "personal_data_read",
        "advice_issued",
        "letter_issued",
        "sar_export",
        "policy_activated",
        "key_rotated",
    }
    with pytest.raises(ValueError, match="is not a valid EntryKind"):
        make_entry(1, kind="deportation")


def test_entry_from_dict_validates() -> None:
    fields = entry_to_dict(make_entry(2))
    assert entry_from_dict(fields) == make_entry(2)
    fields["payload"] = {"name": "Ana"}
    with pytest.raises(PersonalDataError):
        entry_from_dict(fields)


# --- No personal data ----------------------------------------------------------------------------


def valid_dict() -> dict[str, object]:
    """A format-1 entry: the value shapes are the same in every format, and format 1 takes any
    allowed payload field (format 2's narrower lists are tested below)."""
    return entry_to_dict(make_legacy_entry(4))


def test_a_valid_entry_passes() -> None:
    assert_no_personal_data(valid_dict())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("actor_org", "West Midlands Police, Ana Silva"),
        ("actor_role", "Ana Silva"),
        ("policy_id", "Policy for Ana Silva"),
        ("policy_version", "v1"),
        ("timestamp", "2026-02-03T03:05:06Z"),
        ("timestamp", "2026-02-30T03:05:06.000000Z"),
        ("timestamp", "２０２６-02-03T03:05:06.000000Z"),
        ("subjects", ["Ana Silva"]),
        ("subjects", ["AB123456C"]),
        ("subjects", [person_token(TOKEN_KEY, "a")] * 2),
        ("subjects", "not a list"),
        ("index", -1),
        ("index", True),
        ("index", 1.0),
        ("kind", "note"),
        ("v", 3),
        ("v", 0),
        ("payload", ["decision", "blocked"]),
    ],
)
def test_top_level_fields_must_have_their_shape(field: str, value: object) -> None:
    entry = valid_dict()
    entry[field] = value
    with pytest.raises(PersonalDataError, match=field):
        assert_no_personal_data(entry)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("name", "Ana Silva"),
        ("date_of_birth", "1990-04-01"),
        ("nationality", "BRA"),
        ("crime_reference", "20/123456/24"),
        ("narrative", "She said that"),
        ("reason", "Victim no longer co-operating"),
        ("address", {"line1": "1 High St"}),
    ],
)
def test_payload_fields_off_the_allow_list_are_refused(name: str, value: object) -> None:
    entry = valid_dict()
    entry["payload"] = {name: value}
    with pytest.raises(PersonalDataError, match="allow-list"):
        assert_no_personal_data(entry)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("decision", "Ana Silva"),
        ("decision", "blocked because she is a victim"),
        ("reason_code", "X" * 10),
        ("case", "20/123456/24"),
        ("reason_digest", "Victim no longer co-operating"),
        ("recipient_org", "Home Office, Croydon"),
        ("event_date", "1st of May"),
        ("event_date", "2026-13-01"),
        ("count", -1),
        ("count", "3"),
        ("count", 2.5),
        ("reopened", "yes"),
        ("fields", ["name", "Ana Silva"]),
        ("fields", ["name", "name"]),
        ("fields", "name"),
        ("key_hash", "zzzzzzzz"),
        ("verifier_key", "Ana Silva"),
        ("occurred_at", "yesterday"),
        ("case", {"id": 5}),
    ],
)
def test_allowed_payload_fields_only_take_values_of_their_shape(name: str, value: object) -> None:
    entry = valid_dict()
    entry["payload"] = {name: value}
    with pytest.raises(PersonalDataError, match=name):
        assert_no_personal_data(entry)


def test_allowed_payload_values_pass() -> None:
    entry = valid_dict()
    entry["payload"] = {
        "case": record_token(TOKEN_KEY, "case", "1"),
        "decision": "blocked",
        "fields": ["name", "date_of_birth", "nationality"],
        "recipient_org": "IE-NCCU",
        "reason_digest": sha256(b"free text kept in the database").hexdigest(),
        "event_date": "2026-05-01",
        "occurred_at": "2026-05-01T10:00:00.000000Z",
        "count": 0,
        "reopened": False,
        "exception": None,
        "verifier_key": "log.example+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "key_hash": "c74f20a3",
    }
    assert_no_personal_data(entry)


def test_every_payload_field_name_is_a_plain_code() -> None:
    for name, shape in PAYLOAD_FIELDS.items():
        assert name.isascii()
        assert name.islower()
        assert " " not in name
        assert shape.description


@pytest.mark.parametrize("change", ["extra", "missing"])
def test_top_level_fields_are_exactly_those_of_an_entry(change: str) -> None:
    entry = valid_dict()
    if change == "extra":
        entry["victim_name"] = "Ana Silva"
    else:
        del entry["actor_role"]
    with pytest.raises(PersonalDataError, match="entry fields wrong"):
        assert_no_personal_data(entry)


def test_entry_bytes_refuses_personal_data() -> None:
    with pytest.raises(PersonalDataError):
        entry_bytes(make_entry(1, payload={"victim": "Ana Silva"}))


@given(text=st.text(min_size=1, max_size=40))
def test_no_free_text_passes_as_a_token_or_digest(text: str) -> None:
    entry = valid_dict()
    entry["payload"] = {"case": text}
    is_token = len(text) == 64 and all(c in "0123456789abcdef" for c in text)
    if is_token:
        assert_no_personal_data(entry)
    else:
        with pytest.raises(PersonalDataError):
            assert_no_personal_data(entry)


def test_entries_reject_non_integer_numbers_when_parsed() -> None:
    data = entry_bytes(make_legacy_entry(1)).replace(b'"match_count":1', b'"match_count":1.5')
    with pytest.raises(PersonalDataError, match="match_count"):
        parse_entry(data)


def test_entry_normalises_kind_and_subjects() -> None:
    token = person_token(TOKEN_KEY, "a")
    entry = make_entry(1, kind="referral", subjects=[token])
    assert entry.kind is EntryKind.REFERRAL
    assert entry.subjects == (token,)
    assert entry == make_entry(1, kind=EntryKind.REFERRAL, subjects=(token,))
    assert entry != make_entry(2, kind=EntryKind.REFERRAL, subjects=(token,))


# --- Format 2: commitments and the fields each kind publishes -----------------------------------

_IDS = st.text(min_size=1, max_size=40)
_OPENINGS = st.binary(min_size=OPENING_BYTES, max_size=OPENING_BYTES)


def test_a_commitment_is_sha256_over_the_domain_opening_and_reference() -> None:
    opening = bytes(range(32))
    expected = sha256(b"safeshare/ledger/reference/v2\x00" + opening + b"person:0a1b").hexdigest()
    assert commit_reference(opening, "person", "0a1b") == expected
    with pytest.raises(ValueError, match="32 bytes"):
        commit_reference(b"short", "person", "0a1b")
    with pytest.raises(ValueError, match="namespace"):
        commit_reference(opening, "Person:", "0a1b")


@given(identifier=_IDS, first=_OPENINGS, second=_OPENINGS)
def test_one_reference_under_two_openings_gives_two_unrelated_commitments(
    identifier: str, first: bytes, second: bytes
) -> None:
    one = commit_reference(first, "person", identifier)
    other = commit_reference(second, "person", identifier)
    assert (one == other) == (first == second)


@given(a=_IDS, b=_IDS, opening=_OPENINGS)
def test_an_opening_opens_only_its_own_reference(a: str, b: str, opening: bytes) -> None:
    assert (commit_reference(opening, "person", a) == commit_reference(opening, "person", b)) == (
        a == b
    )
    assert commit_reference(opening, "person", a) != commit_reference(opening, "case", a)


_ANY_PAYLOAD = {
    "case": "a" * 64,
    "protection": "b" * 64,
    "clearance": "c" * 64,
    "decision": "blocked",
    "party_role": "victim",
    "status": "active",
    "previous_status": "pending",
    "event_type": "suspect_charged",
    "case_status": "charged",
    "event_date": "2026-05-01",
    "routes": ["asylum", "ddv"],
    "reason_code": "nrm_positive",
    "refers_to": 4,
    "channel": "web",
    "count": 2,
}


@given(
    kind=st.sampled_from(list(EntryKind)),
    names=st.sets(st.sampled_from(sorted(_ANY_PAYLOAD))),
    reason=st.sampled_from(["screen", "nrm_positive", "safeguarding", "register_import"]),
)
def test_what_public_payload_keeps_is_always_a_valid_format_2_entry(
    kind: EntryKind, names: set[str], reason: str
) -> None:
    given_payload = {name: _ANY_PAYLOAD[name] for name in names}
    if "reason_code" in given_payload:
        given_payload["reason_code"] = reason
    kept = public_payload(kind, given_payload)
    assert set(kept) <= V2_PAYLOAD_FIELDS[kind]
    profiling = {"party_role", "status", "event_type", "routes", "refers_to"}
    if kind is EntryKind.SAR_EXEMPTION:
        profiling.discard("status")  # what was done to it: recorded, reviewed, withdrawn
    assert not set(kept) & profiling
    entry = make_entry(3, kind=kind, payload=kept)
    data = entry_bytes(entry)
    assert entry_format(data) == 2
    assert parse_entry(data) == entry


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        (EntryKind.CASE_EVENT, "event_type", "suspect_charged"),
        (EntryKind.PROTECTION_STATUS_CHANGED, "status", "active"),
        (EntryKind.ADVICE_ISSUED, "routes", ["asylum"]),
        (EntryKind.DISCLOSURE, "party_role", "witness"),
        (EntryKind.REFERRAL, "refers_to", 3),
        (EntryKind.PROTECTION_OPENED, "reason_code", "safeguarding"),
    ],
)
def test_format_2_refuses_fields_that_profile_a_person(
    kind: EntryKind, field: str, value: object
) -> None:
    fields = entry_to_dict(make_entry(3, kind=kind))
    fields["payload"] = {**fields["payload"], field: value}
    with pytest.raises(PersonalDataError, match=field if field != "reason_code" else "reason"):
        assert_no_personal_data(fields)


def test_format_2_times_are_to_the_minute_and_format_changed_is_never_format_1() -> None:
    fields = entry_to_dict(make_entry(3))
    fields["timestamp"] = "2026-03-01T09:03:17.000000Z"
    with pytest.raises(PersonalDataError, match="minute"):
        assert_no_personal_data(fields)
    legacy = entry_to_dict(make_legacy_entry(3, kind=EntryKind.FORMAT_CHANGED))
    with pytest.raises(PersonalDataError, match="format_changed"):
        assert_no_personal_data(legacy)
