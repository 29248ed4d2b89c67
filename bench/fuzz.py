"""The long schemathesis run over the whole API (``make test`` runs a short one).

    uv run python bench/fuzz.py                        # 200 examples an operation and mode
    uv run python bench/fuzz.py --examples 1000 --seed 7
    uv run python bench/fuzz.py --postgres             # on a throwaway PostgreSQL server
    DATABASE_URL=postgres://… uv run python bench/fuzz.py   # against a PostgreSQL database

Every documented operation is called, through Django's WSGI application, with a token of a role
the permission table allows, with valid (positive) and invalid (negative) data generated from
/api/v1/openapi.json. A failure is a 5xx, a response the document does not describe, an error
that is not the standard error body, or invalid data accepted. Without ``DATABASE_URL`` it uses
a fresh SQLite database in a temporary folder (migrated first). Writes bench/results/fuzz.json
and exits with status 1 if anything failed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))


def _tokens() -> dict[str, str]:
    from safeshare.accounts.actions import (
        do_create_api_token,
        do_create_organisation,
        do_create_user,
    )
    from safeshare.accounts.models import Organisation
    from safeshare.kernel.roles import OrganisationKind, Role

    kinds = {
        Role.POLICE_OFFICER: ("WMP", OrganisationKind.POLICE_FORCE),
        Role.PROTOCOL_OFFICER: ("WMP", OrganisationKind.POLICE_FORCE),
        Role.ADMINISTRATOR: ("WMP", OrganisationKind.POLICE_FORCE),
        Role.IE_CASEWORKER: ("IE-NCCU", OrganisationKind.IE_UNIT),
        Role.IE_SENIOR_APPROVER: ("IE-NCCU", OrganisationKind.IE_UNIT),
        Role.OVERSIGHT_ANALYST: ("ASC", OrganisationKind.OVERSIGHT_BODY),
        Role.ADVOCATE: ("SUPPORT", OrganisationKind.SUPPORT_ORGANISATION),
    }
    tokens = {}
    for role, (code, kind) in kinds.items():
        organisation = Organisation.objects.filter(code=code).first() or do_create_organisation(
            code=code, name=f"{code} (fuzzing)", kind=kind, contact_point="Fuzz desk"
        )
        person = do_create_user(
            email=f"fuzzing.{role.value}@{code.lower()}.test",
            password=secrets.token_urlsafe(24),
            organisation=organisation,
            role=role,
        )
        tokens[role.value] = do_create_api_token(
            organisation=organisation, role=role, name=f"fuzzing {role.value}", person=person
        ).secret
    return tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=200, help="per operation and mode")
    parser.add_argument("--seed", type=int, default=20260601)
    parser.add_argument("--operation", action="append", help='only "METHOD /path" (repeatable)')
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL")
    args = parser.parse_args()

    server = None
    if args.postgres:
        from tests.support.postgres import PostgresServer

        server = PostgresServer.start()
        os.environ["DATABASE_URL"] = server.url
    try:
        run(args)
    finally:
        if server is not None:
            server.stop()


def run(args: argparse.Namespace) -> None:
    os.environ["SAFESHARE_VAR_DIR"] = tempfile.mkdtemp(prefix="safeshare-fuzz-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeshare.settings")
    os.environ.setdefault("SAFESHARE_HTTPS", "0")  # the test client speaks plain HTTP
    import django

    django.setup()
    logging.disable(logging.WARNING)  # every refused request is logged; the report says enough
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from tests.security.fuzzing import fuzz

    started = time.monotonic()
    failures, requests = fuzz(
        _tokens(), max_examples=args.examples, seed=args.seed, operations=args.operation
    )
    elapsed = round(time.monotonic() - started, 1)
    report = {
        "examples_per_operation_and_mode": args.examples,
        "seed": args.seed,
        "requests": requests,
        "seconds": elapsed,
        "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
        "failures": [
            {
                "operation": f.operation,
                "mode": f.mode,
                "status": f.status,
                "problem": f.problem,
                "reproduce": f.reproduce,
                "response": f.body[:500],
            }
            for f in failures
        ],
    }
    results = BENCH / "results"
    results.mkdir(exist_ok=True)
    (results / "fuzz.json").write_text(json.dumps(report, indent=2))
    print(f"{requests} requests in {elapsed} s; {len(failures)} distinct failures")
    for failure in failures:
        print(failure)
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
