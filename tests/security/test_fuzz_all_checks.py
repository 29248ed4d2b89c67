"""schemathesis with every check it has (``fuzzing.all_checks``), over the whole API, in both
modes (valid and invalid data). No failure is allowed other than those in ``EXPLAINED``: each
is a rule the OpenAPI document cannot express, matched by operation, check and the error the
service answered with. docs/security.md ("schemathesis") lists and explains them.

Stateful runs (links between operations) are not made: the document declares no links, and
the checks that need them (``use_after_free``, ``ensure_resource_availability``) pass vacuously.
"""

from __future__ import annotations

import itertools
import re
import secrets

import pytest
from django.test import Client

from safeshare.accounts.permissions import API_PERMISSIONS
from tests.security.fuzzing import FuzzFailure, fuzz
from tests.security.test_fuzz_api import KNOWN, fuzz_tokens

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = 4
SEED = 20261207
ACCEPTED = "Schema-valid request rejected"
ALL = "*"

# (operation or ALL, the check's title, a part of the service's answer): why it is not a fault.
EXPLAINED: dict[tuple[str, str, str], str] = {
    (ALL, ACCEPTED, "is not valid UTF-8"): (
        "A path or query with bytes that are not UTF-8: JSON Schema strings cannot exclude them"
    ),
    (ALL, ACCEPTED, "NUL character"): (
        "A NUL character in a string: refused on every input path (strict input, 400)"
    ),
    (ALL, ACCEPTED, "Give at least a given name or a family name"): (
        "One of two optional fields is required: a rule across fields the document omits"
    ),
    (ALL, ACCEPTED, "must not contain control characters"): (
        "A name or alias may be in any script; after Unicode normalisation it is refused only "
        "for control characters, a rule on the normalised text that a pattern cannot state"
    ),
    (ALL, ACCEPTED, "Use only letters, numbers and /"): (
        "A document number is normalised first (spaces and hyphens dropped, letters upper-cased) "
        "and then must be letters, digits and /: a rule on the normalised text"
    ),
    (ALL, ACCEPTED, "Not a cursor"): (
        "A cursor is an opaque value the service hands out with a page; any other string is "
        "refused, which a schema for a string cannot state"
    ),
    (ALL, ACCEPTED, "Use up to 200 printable characters"): (
        "An Idempotency-Key must be printable characters (Unicode's own definition: a no-break "
        "space or a control character is refused), which a header's string schema cannot state"
    ),
    (ALL, ACCEPTED, "was used before with a different request"): (
        "An Idempotency-Key used before with another body: depends on earlier requests"
    ),
    ("POST /cases", ACCEPTED, "already has a case with the reference"): (
        "A crime reference is unique per force: depends on stored data"
    ),
    ("GET /oversight/comparison", ACCEPTED, "Name two different shipped policies"): (
        "Two different shipped policies: depends on the files installed and on both fields"
    ),
    ("GET /ledger/entries", ACCEPTED, "Give an end greater than start"): (
        "end > start: a rule across two parameters"
    ),
    ("GET /ledger/entries", ACCEPTED, "the log's size"): ("Within the log's size: stored data"),
    ("GET /ledger/entries/{index}/proof", ACCEPTED, "0 <= index < size"): (
        "index < size, both within the log: parameters and stored data"
    ),
    ("GET /ledger/consistency", ACCEPTED, "the log's size"): (
        "Within the log's size: stored data"
    ),
    ("GET /ledger/consistency", ACCEPTED, "first"): ("first <= second: a rule across parameters"),
    (ALL, "Unexpected response to invalid authentication", ""): (
        "schemathesis probes every operation with a wrong token from one address; after 20 "
        "wrong tokens that address is locked for unknown tokens (429, the API lockout), which "
        "the check does not count as a refusal. test_every_operation_refuses_a_missing_or_"
        "wrong_token checks the 401 directly."
    ),
}


def _explained(failure: FuzzFailure) -> bool:
    for operation, problem, answer in EXPLAINED:
        if (
            operation in (ALL, failure.operation)
            and failure.problem.startswith(problem)
            and answer in failure.body
        ):
            return True
    return any(
        failure.operation == operation and failure.problem.startswith(problem)
        for operation, problem in KNOWN
    )


def test_every_schemathesis_check_passes_or_is_explained():
    failures, requests = fuzz(fuzz_tokens(), max_examples=EXAMPLES, seed=SEED, everything=True)
    assert requests > 100
    unexpected = [f for f in failures if not _explained(f)]
    assert unexpected == [], "\n".join(str(f) for f in unexpected)


def test_every_operation_refuses_a_missing_or_wrong_token():
    """What ``ignored_auth`` would check, each wrong token from its own address (wrong tokens
    that no one holds count against the caller's address, which is then locked: 429,
    tests/security/test_lockouts.py)."""
    client = Client()
    addresses = (f"198.51.100.{n}" for n in itertools.count(1))
    for operation in API_PERMISSIONS:
        method, path = operation.split(" ", 1)
        url = "/api/v1" + re.sub(r"\{\w+\}", "1", path)
        for header in (None, "Bearer wrong-{}", "Basic eDp5"):
            headers = {"Authorization": header.format(secrets.token_urlsafe())} if header else {}
            response = client.generic(method, url, headers=headers, REMOTE_ADDR=next(addresses))
            assert response.status_code == 401, (operation, header, response.status_code)
            assert response.json()["error"]["code"] == "unauthenticated"
