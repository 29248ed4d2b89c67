"""Benchmark of the policy comparison page on a large history of recorded decisions.

Run ``nice -n 10 uv run python bench/comparison.py [--decisions N] [--repeat K] [--postgres]``.
Default: 10^4 recorded decisions, half clearances and half referrals (sent and refused), each
with the facts it was decided from. A handful are made through the real actions (a victim
referred with consent, one refused for want of it, clearances that block, hold and clear under
``consent-2025``); the rest are copies of them, so every one replays. SQLite in a temporary
directory by default; ``--postgres`` starts a throwaway PostgreSQL server (``initdb``).

It reports, for ``consent-2025`` against ``firewall``:
- the page (``GET /oversight/comparison/``), through Django's test client, cold once and then
  ``--repeat`` times (median and slowest): the history is under the page's live-replay limit,
  so each fetch replays every decision;
- the replay alone, as the page does it now (each record read once, decided under both
  policies) and as it was done before (``replay_clearances`` and ``replay_referrals`` once per
  policy), for comparison.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    return parser.parse_args()


def seed() -> None:
    """The few real decisions, through the actions."""
    from django.utils import timezone
    from tests.scenarios import helpers as h

    from safeshare.referrals.actions import ReferralRefusedError, do_record_consent

    caseworker = h.ie()
    officer = h.police("WMP")
    consenting = h.add_victim(h.new_case(officer), officer)
    do_record_consent(
        consenting,
        officer,
        answer="given",
        fields=["given_names", "family_name", "date_of_birth"],
        asked_at=timezone.now(),
        language="English",
        interpreter_used=False,
        suspect_present=False,
    )
    h.refer(consenting, officer)
    unasked = h.add_victim(
        h.new_case(officer, reference="20/5555/26"),
        officer,
        given_names="Amina",
        family_name="Yusuf",
        date_of_birth="1988-01-09",
        nationality="SOM",
    )
    with contextlib.suppress(ReferralRefusedError):
        h.refer(unasked, officer)
    h.clearance(caseworker)
    h.clearance(caseworker, date_of_birth="1991-07-02")
    h.clearance(caseworker, given_names="Oluwaseun", family_name="Adeyemi")


def copy(model, wanted: int) -> int:
    """Copies of the model's rows (new ids and public ids) until there are ``wanted``."""
    originals = list(model.objects.all())
    fields = {f.name for f in model._meta.concrete_fields}
    made = []
    for n in range(max(0, wanted - len(originals))):
        row = originals[n % len(originals)]
        clone = model(**{f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields})
        clone.pk = None
        if "public_id" in fields:
            clone.public_id = uuid.uuid4()
        made.append(clone)
    model.objects.bulk_create(made, batch_size=1000)
    return model.objects.count()


def main() -> int:
    args = parse_args()
    print(f"Load average: {os.getloadavg()}, CPUs: {os.cpu_count()}")
    os.environ["SAFESHARE_VAR_DIR"] = tempfile.mkdtemp(prefix="safeshare-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeshare.settings")
    os.environ.setdefault("SAFESHARE_HTTPS", "0")
    os.environ["SAFESHARE_POLICY"] = "consent-2025"
    server = None
    if args.postgres:
        from tests.support.postgres import PostgresServer

        server = PostgresServer.start()
        os.environ["DATABASE_URL"] = server.url
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client

        settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        call_command("migrate", verbosity=0)
        from tests.accounts.factories import make_user, organisation_for

        from safeshare.accounts import demo
        from safeshare.kernel.roles import Role
        from safeshare.oversight import history
        from safeshare.protocol.models import Clearance
        from safeshare.protocol.policy import load_policy
        from safeshare.protocol.replaying import replay_clearances
        from safeshare.referrals.models import Referral, RefusedReferral
        from safeshare.referrals.replaying import replay_referrals

        demo.seed_organisations()
        seed()
        clearances = copy(Clearance, args.decisions // 2)
        sent = copy(Referral, args.decisions // 4)
        refused = copy(RefusedReferral, args.decisions - clearances - sent)
        print(
            f"Recorded decisions: {clearances + sent + refused:,} "
            f"({clearances:,} clearances, {sent:,} referrals sent, {refused:,} refused); "
            f"database: {'PostgreSQL' if args.postgres else 'SQLite'}"
        )
        a, b = load_policy("consent-2025"), load_policy("firewall")

        started = time.perf_counter()
        history.recorded_decisions(a, b, [])
        once = time.perf_counter() - started
        started = time.perf_counter()
        for policy in (a, b):
            list(replay_referrals(policy=policy))
            list(replay_clearances(policy=policy))
        twice = time.perf_counter() - started
        print(f"Replay, each record read once, decided under both policies: {once:.2f} s")
        print(f"Replay, once per policy (as before):                        {twice:.2f} s")

        analyst = make_user(
            Role.OVERSIGHT_ANALYST, organisation_for(Role.OVERSIGHT_ANALYST, "IOPC")
        )
        client = Client()
        client.force_login(analyst)
        url = "/oversight/comparison/?policy_a=consent-2025&policy_b=firewall"
        times = []
        for _ in range(args.repeat + 1):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
            assert f"{clearances} clearances" in response.content.decode()
        cold, warm = times[0], times[1:]
        print(
            f"Page GET {url}: cold {cold:.2f} s; warm median {statistics.median(warm):.2f} s, "
            f"slowest {max(warm):.2f} s ({args.repeat} fetches)"
        )
        return 0
    finally:
        if server is not None:
            from django.db import connections

            connections.close_all()
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
