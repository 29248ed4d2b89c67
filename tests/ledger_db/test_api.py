"""The ledger's API: checkpoint, entries, proofs and keys, checked with the pure verifier."""

from __future__ import annotations

import base64

import pytest

from safeshare.accounts import actions
from safeshare.kernel.roles import Role, Scope
from safeshare.ledger import service
from safeshare.ledger.checkpoint import verify_checkpoint
from safeshare.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from tests.accounts.factories import make_user, organisation_for
from tests.api_client import ApiClient
from tests.ledger_db.support import ORIGIN, append, officer, someone

pytestmark = pytest.mark.django_db


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


@pytest.fixture
def advocate() -> ApiClient:
    return ApiClient(Role.ADVOCATE, "SUPPORT1")


@pytest.fixture
def log() -> None:
    actor = officer()
    for count in (7, 14):
        append(actor, count, [someone(), someone()])
        service.sequence_pending()
        service.make_checkpoint()
    append(actor, 2)
    service.sequence_pending()  # 23 entries, the last two not yet signed


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields", "request_id"}
    assert error["code"] == code
    return error


def test_the_latest_checkpoint_as_text_and_as_json(advocate, log):
    response = advocate.get("/ledger/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    note = response.content.decode()
    checkpoint = verify_checkpoint(note, service.verifier_keys(), origin=ORIGIN)
    assert checkpoint.size == 21
    as_json = advocate.get("/ledger/checkpoint", format="json").json()
    assert as_json == {
        "origin": ORIGIN,
        "size": 21,
        "root_hash": base64.b64encode(checkpoint.root).decode(),
        "note": note,
    }
    accepted = advocate.client.get(
        "/api/v1/ledger/checkpoint", headers={**advocate._headers(), "Accept": "application/json"}
    )
    assert accepted.json()["size"] == 21


def test_no_checkpoint_yet_is_404(advocate):
    assert_error(advocate.get("/ledger/checkpoint"), 404, "not_found")


def test_entries_are_the_canonical_bytes_of_the_leaves(advocate, log):
    body = advocate.get("/ledger/entries", start=5, end=30).json()
    assert (body["start"], body["end"], body["log_size"]) == (5, 23, 23)
    assert [e["index"] for e in body["entries"]] == list(range(5, 23))
    for item in body["entries"]:
        assert leaf_hash(item["entry"].encode()) == unb64(item["leaf_hash"])
        assert f'"index":{item["index"]},' in item["entry"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": -1, "end": 3}, "start"),
        ({"start": 4, "end": 4}, "end"),
        ({"start": 9, "end": 2}, "end"),
        ({"start": 0, "end": 1001}, "end"),
        ({"start": 23, "end": 25}, "start"),
    ],
)
def test_a_bad_range_is_422_with_the_standard_body(advocate, log, params, field):
    error = assert_error(advocate.get("/ledger/entries", **params), 422, "validation_error")
    assert field in error["fields"]


def test_a_range_that_is_not_a_number_is_422(advocate, log):
    error = assert_error(
        advocate.get("/ledger/entries", start="x", end=3), 422, "validation_error"
    )
    assert "start" in error["fields"]
    assert_error(advocate.get("/ledger/entries", start=1), 422, "validation_error")


def test_an_inclusion_proof_verifies_against_the_signed_checkpoint(advocate, log):
    keys = service.verifier_keys()
    for index in (0, 6, 13, 20):
        body = advocate.get(f"/ledger/entries/{index}/proof").json()
        assert body["size"] == 21
        checkpoint = verify_checkpoint(body["checkpoint"], keys)
        entry = advocate.get("/ledger/entries", start=index, end=index + 1).json()["entries"][0]
        assert unb64(body["leaf_hash"]) == leaf_hash(entry["entry"].encode())
        proof = [unb64(node) for node in body["inclusion_proof"]]
        assert verify_inclusion(index, 21, unb64(body["leaf_hash"]), proof, checkpoint.root)
    older = advocate.get("/ledger/entries/3/proof", size=7).json()
    old_checkpoint = verify_checkpoint(older["checkpoint"], keys)
    assert verify_inclusion(
        3,
        7,
        unb64(older["leaf_hash"]),
        [unb64(n) for n in older["inclusion_proof"]],
        old_checkpoint.root,
    )
    unsigned = advocate.get("/ledger/entries/22/proof", size=23).json()
    assert unsigned["checkpoint"] is None


@pytest.mark.parametrize("path", ["/ledger/entries/21/proof", "/ledger/entries/-1/proof"])
def test_a_proof_outside_the_checkpoint_is_422(advocate, log, path):
    assert_error(advocate.get(path), 422, "validation_error")


def test_a_proof_beyond_the_log_is_422(advocate, log):
    assert_error(advocate.get("/ledger/entries/3/proof", size=24), 422, "validation_error")


def test_a_consistency_proof_verifies_between_checkpoints(advocate, log):
    keys = service.verifier_keys()
    body = advocate.get("/ledger/consistency", first=7).json()
    assert (body["first"], body["second"]) == (7, 21)
    old = verify_checkpoint(body["first_checkpoint"], keys)
    new = verify_checkpoint(body["second_checkpoint"], keys)
    proof = [unb64(node) for node in body["consistency_proof"]]
    assert verify_consistency(7, 21, old.root, new.root, proof)
    assert_error(advocate.get("/ledger/consistency", first=22), 422, "validation_error")
    assert_error(advocate.get("/ledger/consistency", first=3, second=40), 422, "validation_error")


def test_the_public_key_as_json_and_text(advocate, log):
    keys = service.verifier_keys()
    body = advocate.get("/ledger/public-key").json()
    assert body == {"origin": ORIGIN, "verifier_key": keys[0], "verifier_keys": keys}
    text = advocate.get("/ledger/public-key", format="text")
    assert text.content.decode() == "".join(f"{key}\n" for key in keys)
    note = advocate.get("/ledger/checkpoint").content.decode()
    verify_checkpoint(note, [body["verifier_key"]])


@pytest.mark.parametrize("role", list(Role))
def test_every_role_with_ledger_read_may_read(role, log):
    client = ApiClient(role, f"ORG-{role.value[:6].upper()}")
    assert client.get("/ledger/public-key").status_code == 200


def test_a_token_without_the_scope_is_refused(client, log):
    organisation = organisation_for(Role.POLICE_OFFICER, "WMP")
    issued = actions.do_create_api_token(
        organisation=organisation,
        role=Role.POLICE_OFFICER,
        name="cases only",
        scopes=[Scope.CASES_READ],
        person=make_user(Role.POLICE_OFFICER, organisation),
    )
    response = client.get(
        "/api/v1/ledger/checkpoint", headers={"Authorization": f"Bearer {issued.secret}"}
    )
    assert_error(response, 403, "forbidden")
    assert_error(client.get("/api/v1/ledger/checkpoint"), 401, "unauthenticated")


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/ledger/checkpoint",
        "/api/v1/ledger/entries",
        "/api/v1/ledger/entries/{index}/proof",
        "/api/v1/ledger/consistency",
        "/api/v1/ledger/public-key",
    ):
        assert path in paths
