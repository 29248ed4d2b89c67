"""``verify_log(recheck_signed_entries=False)``, the database's fast integrity check, finds what
the full check finds wherever integrity is concerned (pure: no database).

Every test runs with the entries taken in batches of 3 as well as whole, so that findings cross
batches."""

from __future__ import annotations

import pytest

from safeshare.ledger import verify
from safeshare.ledger.entries import canonical_json, parse_canonical_json
from safeshare.ledger.merkle import leaf_hash
from safeshare.ledger.verify import verify_log
from tests.ledger.helpers import Signer, make_log

SIZES = (10, 20)
LOG = make_log(26)


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer()


@pytest.fixture(autouse=True, params=[3, verify._BATCH], ids=["batches-of-3", "one-batch"])
def batch(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "_BATCH", request.param)


def check(log: list[bytes], signer: Signer, **options):
    checkpoints = [signer.checkpoint(LOG, size) for size in SIZES]
    recorded = [leaf_hash(data) for data in LOG]
    return verify_log(
        log,
        checkpoints,
        [signer.verifier],
        leaf_hashes=recorded,
        recheck_signed_entries=False,
        **options,
    )


def test_a_good_log_verifies_quickly(signer):
    report = check(list(LOG), signer)
    assert report.ok, report.summary()
    assert report.verified_size == 20


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("change", (7, "entry-changed")),
        ("delete", (7, "index-out-of-order")),
        ("swap", (7, "index-out-of-order")),
        ("break", (7, "entry-invalid")),
        ("newline", (7, "entry-invalid")),
        ("run-on", (7, "entry-invalid")),
    ],
)
def test_tampering_is_named_as_by_the_full_check(signer, tamper, expected):
    log = list(LOG)
    if tamper == "change":
        log[7] = log[7].replace(b'"policy_id":"uk-mvp-2022"', b'"policy_id":"uk-mvp-2023"')
    elif tamper == "delete":
        del log[7]
    elif tamper == "swap":
        log[7], log[12] = log[12], log[7]
    elif tamper == "newline":
        log[7] = log[7].replace(b'"kind":"', b'"kind":\n"')
    elif tamper == "run-on":
        # The entry stops inside its first value and the next starts in the middle of it, so
        # that the two read together would look like one good prefix.
        log[7] = log[7][: log[7].index(b'"actor_role"') - 2]
        log[8] = log[8][log[8].index(b'"actor_role"') - 2 :]
    else:
        log[7] = log[7].replace(b'"kind":"', b'"kind" :"')
    assert log != LOG
    fast = check(log, signer)
    assert (fast.first_problem.index, fast.first_problem.code) == expected


def test_entries_after_the_last_checkpoint_get_every_check(signer):
    log = list(LOG)
    bad = parse_canonical_json(log[23])
    bad["payload"]["name"] = "Fatema"
    log[23] = canonical_json(bad)
    report = check(log, signer)
    assert report.first_problem.index == 23
    assert report.first_problem.code == "entry-invalid"


def test_an_index_that_is_not_canonical_falls_back_to_the_full_check(signer):
    log = list(LOG)
    log[3] = log[3].replace(b'"index":3,', b'"index":03,')
    report = check(log, signer)
    assert report.first_problem.index == 3
