"""A bounded schemathesis run over the whole API, in every ``make test`` (bench/fuzz.py runs a
long one): no 5xx, every response as documented, every error in the standard error body."""

from __future__ import annotations

import pytest

from safeshare.kernel.roles import Role
from tests.api_client import ApiClient
from tests.security.conftest import ORG_FOR_ROLE, ORGANISATIONS, organisation
from tests.security.fuzzing import FuzzFailure, fuzz

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = 6
SEED = 20260601

# Found and reported; not failures of the service's behaviour. Remove when fixed.
KNOWN: dict[tuple[str, str], str] = {
    ("GET /ledger/public-key", "Undocumented Content-Type"): (
        "ledger/api.py answers text/plain for ?format=text but documents only JSON"
    ),
    ("GET /ledger/checkpoint", "Undocumented Content-Type"): (
        "ledger/api.py answers text/plain by default but documents only JSON"
    ),
}


def _known(failure: FuzzFailure) -> bool:
    return any(
        failure.operation == operation and failure.problem.startswith(problem)
        for operation, problem in KNOWN
    )


def fuzz_tokens() -> dict[str, str]:
    """A token for every role, in the organisations of our side."""
    for side_kind in {("own", kind) for kind in ORG_FOR_ROLE.values()}:
        organisation(*side_kind)
    return {
        role.value: ApiClient(role, ORGANISATIONS[("own", ORG_FOR_ROLE[role])][0]).secret
        for role in Role
    }


def test_the_api_survives_generated_requests():
    failures, requests = fuzz(fuzz_tokens(), max_examples=EXAMPLES, seed=SEED)
    assert requests > 100
    unexpected = [f for f in failures if not _known(f)]
    assert unexpected == [], "\n".join(str(f) for f in unexpected)
