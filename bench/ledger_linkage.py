"""What an IE reader can link on the demo data, from the API's real responses.

Run ``uv run python bench/ledger_linkage.py [--policy ID]``. In a fresh SQLite database of its
own it seeds ``safeshare demo``'s data, sequences and signs the ledger, makes an IE
caseworker's API token (IE-NCCU, ``ledger:read``) and reads the whole log through
``GET /api/v1/ledger/checkpoint`` and ``GET /api/v1/ledger/entries``, as IE would. The attacker
(``tests/ledger_db/attacker.py``) then takes IE's own clearance entries and follows every
64-hex-digit value they share with other entries (policy versions aside), transitively.

Printed (and written to ``bench/results/ledger-linkage-<policy>.json``): entries served, entries
withheld (leaf hash only), IE's own clearances, how many of them link to other entries, and how
many other entries (and of those, entries by other organisations, such as police) they reach.
To measure the code before unlinkable entries, run the same script with ``PYTHONPATH`` set to
that version's ``src`` (the attacker module is pure and is taken from this checkout).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(1, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", default=None, help="policy id (default: the settings')")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results")
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="safeshare-linkage-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(SAFESHARE_VAR_DIR=var_dir, DJANGO_SETTINGS_MODULE="safeshare.settings")
    if args.policy:
        os.environ["SAFESHARE_POLICY"] = args.policy
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from tests.ledger_db.attacker import is_ie_clearance, link, read_log

    import safeshare
    from safeshare import demo
    from safeshare.accounts.actions import do_create_api_token
    from safeshare.accounts.models import Organisation
    from safeshare.kernel.roles import Role
    from safeshare.ledger import service

    setup_test_environment()
    call_command("migrate", verbosity=0)
    demo.seed()
    service.sequence_pending()
    service.make_checkpoint()
    secret = do_create_api_token(
        organisation=Organisation.objects.get(code="IE-NCCU"),
        role=Role.IE_CASEWORKER,
        name="linkage measurement",
    ).secret
    client = Client()

    def get(path: str, **params):
        return client.get(f"/api/v1{path}", params, headers={"Authorization": f"Bearer {secret}"})

    entries, withheld = read_log(get)
    result = {
        "code": str(Path(safeshare.__file__).resolve().parents[1]),
        "policy": settings.SAFESHARE_POLICY,
        "entries_served": len(entries),
        "entries_withheld": withheld,
        **link(entries, is_ie_clearance).as_dict(),
    }
    print(json.dumps(result, indent=2))
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"ledger-linkage-{settings.SAFESHARE_POLICY}.json"
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
