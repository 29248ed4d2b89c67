"""Fuzz the API with schemathesis, through Django's WSGI application (no server).

Every documented operation is called with the token of a role the permission table allows, with
data generated from the OpenAPI document: valid data (``positive``) and data that breaks it
(``negative``). Every response must not be a 5xx, must match the document (status, content type,
schema) and, if it is an error, must use the standard error body. Failures are collected, not
raised, so one run reports all of them (and Hypothesis does not spend time shrinking).

Used by tests/security/test_fuzz_api.py (a short run) and bench/fuzz.py (a long one).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection

STANDARD_ERROR_KEYS = {"code", "message", "fields", "request_id"}


@dataclass(frozen=True)
class FuzzFailure:
    """One problem found: which operation, what went wrong, and how to repeat it."""

    operation: str
    mode: str
    problem: str
    status: int
    reproduce: str
    body: str

    def __str__(self) -> str:
        return (
            f"{self.operation} [{self.mode}] {self.status}: {self.problem}\n"
            f"    {self.reproduce}\n    response: {self.body[:300]}"
        )


class DjangoWsgiApp:
    """Django's WSGI handler, without closing the database connection after each request, so
    that the calls run inside the test's transaction (as Django's test client does)."""

    def __init__(self) -> None:
        from django.core.wsgi import get_wsgi_application

        self.handler = get_wsgi_application()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        # On PostgreSQL one failed statement aborts the test's whole transaction; a savepoint
        # per request keeps each request's failure its own, as it is in production.
        savepoint = connection.savepoint() if connection.in_atomic_block else None
        try:
            response = self.handler(environ, start_response)
            body = b"".join(response)
            response.close()
            return [body]
        finally:
            if savepoint is not None:
                if _transaction_failed():
                    connection.savepoint_rollback(savepoint)
                    connection.needs_rollback = False
                else:
                    connection.savepoint_commit(savepoint)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def _transaction_failed() -> bool:
    if connection.vendor != "postgresql" or connection.connection is None:
        return False
    from psycopg.pq import TransactionStatus

    return connection.connection.info.transaction_status == TransactionStatus.INERROR


def standard_error_body(ctx, response, case) -> bool | None:
    """Every 4xx and 5xx answer uses ``{"error": {code, message, fields, request_id}}``."""
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError as error:
        raise AssertionError("The error response is not JSON.") from error
    if not isinstance(body, dict) or set(body) != {"error"}:
        raise AssertionError("The error response is not the standard error body.")
    if set(body["error"]) != STANDARD_ERROR_KEYS:
        raise AssertionError(f"The error has the keys {sorted(body['error'])}.")
    return True


def all_checks() -> list:
    """Every check schemathesis has (its registry), and the standard error body."""
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    return [*CHECKS.get_all(), standard_error_body]


def _checks(mode: str, everything: bool = False) -> list:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi import checks

    if everything:
        return all_checks()
    if mode == "positive":
        return [
            not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
            standard_error_body,
        ]
    return [not_a_server_error, checks.negative_data_rejection, standard_error_body]


def _problem_text(error: BaseException) -> str:
    exceptions = getattr(error, "exceptions", None)
    if exceptions:
        return "; ".join(_problem_text(inner) for inner in exceptions)
    title = getattr(error, "title", "") or type(error).__name__
    message = str(error).strip().splitlines()
    return f"{title}: {message[0] if message else ''}"[:300]


def _recorder(
    failures: dict, key: str, mode: str, headers: dict[str, str], everything: bool = False
):
    """Call one generated case and keep the first failure of each kind."""
    checks = _checks(mode, everything)

    def record(case) -> None:
        case.headers = {**(case.headers or {}), **headers}
        response = case.call()
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except (Exception, BaseExceptionGroup) as error:  # schemathesis raises a group
            problem = _problem_text(error)
            failures.setdefault(
                (key, mode, problem.split(":")[0]),
                FuzzFailure(
                    operation=key,
                    mode=mode,
                    problem=problem,
                    status=response.status_code,
                    reproduce=case.as_curl_command(headers=headers),
                    body=response.content.decode(errors="replace"),
                ),
            )

    return record


def _run(strategy, record, max_examples: int, seed: int) -> int:
    """Draw up to ``max_examples`` cases from ``strategy`` and record each; return how many."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed

    calls = 0

    @fixed_seed(seed)
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case) -> None:
        nonlocal calls
        calls += 1
        record(case)

    run()
    return calls


def fuzz(
    tokens: dict[str, str],
    *,
    max_examples: int,
    seed: int,
    modes: Iterable[str] = ("positive", "negative"),
    operations: Iterable[str] | None = None,
    everything: bool = False,
) -> tuple[list[FuzzFailure], int]:
    """Fuzz every documented operation (or those named ``"METHOD /path"``); return the failures
    (one per operation, mode and problem) and the number of requests made.

    ``tokens`` maps each role's value to a bearer token; each operation is called as the first
    role (in ``Role`` order) that ``API_PERMISSIONS`` allows. ``everything`` runs every check
    schemathesis has (``all_checks``) in both modes instead of the mode's own list.
    """
    import schemathesis
    from schemathesis import GenerationMode

    from safeshare.accounts.permissions import API_PERMISSIONS
    from safeshare.kernel.roles import Role

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", DjangoWsgiApp())
    wanted = set(operations) if operations is not None else None
    failures: dict[tuple[str, str, str], FuzzFailure] = {}
    requests = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        key = f"{operation.method.upper()} {operation.path.removeprefix('/api/v1')}"
        if wanted is not None and key not in wanted:
            continue
        permission = API_PERMISSIONS[key]
        role = next(r for r in Role if r in permission.roles)
        headers = {"Authorization": f"Bearer {tokens[role.value]}"}
        for mode in modes:
            strategy = operation.as_strategy(generation_mode=GenerationMode(mode))
            record = _recorder(failures, key, mode, headers, everything)
            requests += _run(strategy, record, max_examples, seed)
    return list(failures.values()), requests
