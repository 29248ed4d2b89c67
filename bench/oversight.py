"""Benchmark of the oversight pages on PostgreSQL: the dashboard and every statistic.

Run ``uv run python bench/oversight.py [--protections N] [--ledger-entries N] [--repeat K]``.
Defaults: 10^5 protections (with their people, cases, parties, events and referrals), 10^5
clearances, and 10^6 ledger entries of which one in ten is ``advice_issued``, all in the current
year (the worst case for a year's statistics). Target: every page under 1 s on the 2-core
machine. The data is generated straight into a throwaway PostgreSQL server (``initdb``) with
``COPY``; it is synthetic and has no personal data. Pass ``--database-url`` to use an existing,
empty database instead.

Each page is fetched through Django's test client (the whole middleware and template stack,
no network) once cold and then ``--repeat`` times; the median and the slowest warm time are
reported. The load average is printed first: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protections", type=int, default=100_000)
    parser.add_argument("--clearances", type=int, default=100_000)
    parser.add_argument("--ledger-entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--keep-server",
        action="store_true",
        help="Leave the throwaway server running and print how to reuse and stop it.",
    )
    parser.add_argument(
        "--skip-generate",
        action="store_true",
        help="With --database-url: the data is already there (from a kept server).",
    )
    return parser.parse_args()


def copy_rows(connection, table: str, columns: list[str], rows) -> int:
    """Write rows with PostgreSQL's COPY through psycopg. Columns not listed take the model
    field's default, so that the generator keeps working when a model gains a field."""
    from django.apps import apps
    from django.db import models
    from psycopg.types.json import Jsonb

    model = next(
        m for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table
    )
    extra = [
        f
        for f in model._meta.concrete_fields
        if f.column not in columns and not isinstance(f, models.AutoField)
    ]
    fixed = [f for f in extra if not callable(f.default)]
    per_row = [f for f in extra if callable(f.default)]

    def value(field):
        default = field.get_default()
        if isinstance(field, models.JSONField):
            return Jsonb(default)
        return default

    fixed_values = tuple(value(f) for f in fixed)
    names = [*columns, *(f.column for f in fixed), *(f.column for f in per_row)]
    count = 0
    raw = connection.connection
    statement = f"COPY {table} ({', '.join(names)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row((*row, *fixed_values, *(value(f) for f in per_row)))
            count += 1
    raw.commit()
    return count


def generate(args: argparse.Namespace) -> dict[str, int]:
    from django.db import connection
    from psycopg.types.json import Jsonb

    from safeshare.accounts.models import Organisation
    from safeshare.cases.lifecycle import OffenceCategory
    from safeshare.cases.models import Case, CaseEvent, Party
    from safeshare.kernel.roles import OrganisationKind
    from safeshare.ledger.keys import token_for_person
    from safeshare.ledger.models import LedgerEntry, LedgerSubject
    from safeshare.oversight.models import Alert
    from safeshare.people.models import Person
    from safeshare.protocol.enforcement import enforcement_actions
    from safeshare.protocol.models import (
        Clearance,
        Override,
        Protection,
        ProtectionCase,
        Review,
    )
    from safeshare.protocol.policy import ExceptionCategory
    from safeshare.referrals.models import Referral

    rng = random.Random(args.seed)
    now = datetime.now(UTC)
    start = datetime(now.year, 1, 1, tzinfo=UTC)
    span = (now - start).total_seconds() - 3600

    def moment() -> datetime:
        return start + timedelta(seconds=rng.random() * span)

    forces = list(
        Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE).values_list("pk", "code")
    )
    ie = Organisation.objects.get(code="IE-NCCU").pk
    offences = [o.value for o in OffenceCategory]
    offence_weights = [40, 15, 15, 15, 8, 4, 3]
    n = args.protections
    counts: dict[str, int] = {}

    person_ids = [uuid.uuid4() for _ in range(n)]
    counts["people"] = copy_rows(
        connection,
        Person._meta.db_table,
        ["id", "public_id", "created_at", "recorded_by_id"],
        ((i + 1, person_ids[i], start, forces[i % len(forces)][0]) for i in range(n)),
    )
    cases = []
    for i in range(n):
        force_pk, _ = forces[rng.randrange(len(forces))]
        offence = rng.choices(offences, offence_weights)[0]
        created = moment()
        state = rng.choices(
            ["under_investigation", "charged", "trial", "closed_nfa", "concluded"],
            [45, 15, 10, 20, 10],
        )[0]
        cases.append((i + 1, force_pk, offence, state, created))
    counts["cases"] = copy_rows(
        connection,
        Case._meta.db_table,
        [
            "id",
            "public_id",
            "force_id",
            "crime_reference",
            "offence_category",
            "counting_rules_code",
            "state",
            "created_at",
            "updated_at",
        ],
        ((pk, uuid.uuid4(), f, f"B/{pk}/26", o, "", s, c, c) for pk, f, o, s, c in cases),
    )
    events = []
    for pk, _, _, state, created in cases:
        events.append(
            (
                pk,
                "investigation_opened",
                created.date(),
                "reported",
                "under_investigation",
                created + timedelta(days=1),
            )
        )
        if state in {"closed_nfa", "concluded"}:
            event = "no_further_action" if state == "closed_nfa" else "case_concluded"
            events.append(
                (
                    pk,
                    event,
                    created.date(),
                    "under_investigation",
                    state,
                    created + timedelta(days=rng.randint(2, 60)),
                )
            )
    counts["case events"] = copy_rows(
        connection,
        CaseEvent._meta.db_table,
        [
            "case_id",
            "event",
            "occurred_on",
            "state_before",
            "state_after",
            "recorded_at",
            "recorded_by",
        ],
        ((*e, "bench") for e in events),
    )
    roles = rng.choices(["victim", "witness", "dependant"], [75, 15, 10], k=n)
    counts["parties"] = copy_rows(
        connection,
        Party._meta.db_table,
        ["id", "case_id", "person_id", "role", "migrant", "added_at"],
        ((i + 1, i + 1, i + 1, roles[i], True, cases[i][4]) for i in range(n)),
    )

    protections = []
    for i in range(n):
        _, force_pk, _, state, created = cases[i]
        closed = state in {"closed_nfa", "concluded"}
        status = rng.choices(["transition", "ended"], [70, 30])[0] if closed else "active"
        opened = created + timedelta(hours=rng.randint(1, 72))
        if opened > now:
            opened = created
        closed_at = opened + timedelta(days=rng.randint(90, 200)) if status == "ended" else None
        if closed_at and closed_at > now:
            closed_at = now - timedelta(hours=1)
        regularisation = rng.choices(
            ["none", "advice_received", "application_pending", "decided_grant", "decided_refuse"],
            [40, 25, 20, 10, 5],
        )[0]
        certified = (
            opened + timedelta(days=rng.randint(1, 150))
            if regularisation.startswith("decided")
            else None
        )
        if certified and certified > now:
            certified = now - timedelta(hours=2)
        trigger = rng.choices(["police_referral", "registration"], [80, 20])[0]
        protections.append(
            (
                i + 1,
                f"PR-{i + 1:012d}",
                i + 1,
                status,
                trigger,
                opened,
                force_pk,
                regularisation,
                certified,
                status,
                closed_at,
            )
        )
    counts["protections"] = copy_rows(
        connection,
        Protection._meta.db_table,
        [
            "id",
            "reference",
            "person_id",
            "status",
            "trigger",
            "opened_at",
            "opened_by_id",
            "policy_id",
            "policy_version",
            "contact_point",
            "regularisation_status",
            "regularisation_certified_by",
            "regularisation_certified_at",
            "nrm_recovery_period",
            "status_reasons",
            "status_changed_at",
            "closed_at",
            "closed_by",
            "close_reasons",
        ],
        (
            (
                pk,
                ref,
                person,
                status,
                trigger,
                opened,
                force,
                "mvp-2021",
                "0" * 64,
                "desk",
                reg,
                "",
                cert,
                False,
                Jsonb([]),
                closed_at or opened,
                closed_at,
                "",
                "",
            )
            for (pk, ref, person, status, trigger, opened, force, reg, cert, _, closed_at) in (
                protections
            )
        ),
    )
    counts["protection links"] = copy_rows(
        connection,
        ProtectionCase._meta.db_table,
        ["protection_id", "case_id", "role"],
        ((i + 1, i + 1, roles[i]) for i in range(n)),
    )
    channels = ["web", "phone", "email", "api"]
    referred = [i for i in range(n) if protections[i][4] == "police_referral"]
    counts["referrals"] = copy_rows(
        connection,
        Referral._meta.db_table,
        [
            "public_id",
            "case_id",
            "party_id",
            "force_id",
            "recipient_id",
            "role",
            "channel",
            "trigger",
            "source_of_information",
            "controller",
            "regime",
            "lawful_basis",
            "gateway",
            "agreement_id",
            "dpia_version",
            "payload",
            "necessity_flags",
            "protection_id",
            "policy_id",
            "policy_version",
            "created_by",
            "created_at",
        ],
        (
            (
                uuid.uuid4(),
                i + 1,
                i + 1,
                cases[i][1],
                ie,
                roles[i],
                rng.choices(channels, [55, 25, 15, 5])[0],
                "safeguarding",
                "police",
                "c",
                "r",
                "l",
                "g",
                "a",
                "1",
                Jsonb({}),
                Jsonb({}),
                i + 1,
                "mvp-2021",
                "0" * 64,
                "bench",
                protections[i][5],
            )
            for i in referred
        ),
    )

    action_codes = [a.code for a in enforcement_actions().actions]
    clearance_rows, links = [], []
    for k in range(args.clearances):
        decision = rng.choices(["clear", "blocked", "hold"], [80, 15, 5])[0]
        created = moment()
        ever = decision != "clear" or rng.random() < 0.01
        clearance_rows.append((k + 1, decision, ever, created))
        if ever:
            links.append((k + 1, rng.randrange(n) + 1))
    counts["clearances"] = copy_rows(
        connection,
        Clearance._meta.db_table,
        [
            "id",
            "public_id",
            "requested_by_id",
            "requester",
            "requester_key",
            "action_code",
            "actions_version",
            "subject",
            "information_sources",
            "decision",
            "status",
            "reasons",
            "ever_protected",
            "match_decision",
            "match_explanation",
            "matcher_version",
            "policy_id",
            "policy_version",
            "created_at",
            "decided_at",
        ],
        (
            (
                pk,
                uuid.uuid4(),
                ie,
                "bench",
                "user:1",
                rng.choice(action_codes),
                "v",
                Jsonb({"given_names": "X"}),
                Jsonb(["police"]),
                d,
                "decided",
                Jsonb([]),
                ever,
                "match" if ever else "none",
                Jsonb([]),
                "m",
                "mvp-2021",
                "0" * 64,
                c,
                c,
            )
            for pk, d, ever, c in clearance_rows
        ),
    )
    copy_rows(
        connection,
        Clearance.protections.through._meta.db_table,
        ["clearance_id", "protection_id"],
        links,
    )
    holds = [row for row in clearance_rows if row[1] == "hold"]
    counts["reviews"] = copy_rows(
        connection,
        Review._meta.db_table,
        [
            "clearance_id",
            "status",
            "verdict",
            "reasons",
            "resolved_by",
            "created_at",
            "resolved_at",
        ],
        (
            (
                pk,
                "resolved" if i % 10 else "open",
                "same_person" if i % 3 else "not_same_person",
                "",
                "",
                c,
                c + timedelta(hours=rng.expovariate(1 / 6)) if i % 10 else None,
            )
            for i, (pk, _, _, c) in enumerate(holds)
        ),
    )
    blocked = [row for row in clearance_rows if row[1] == "blocked"][: max(1, n // 100)]
    categories = [c.value for c in ExceptionCategory]
    counts["overrides"] = copy_rows(
        connection,
        Override._meta.db_table,
        [
            "public_id",
            "clearance_id",
            "exception_category",
            "reasons",
            "statutory_defence_flag",
            "requested_by_id",
            "requester",
            "requester_key",
            "status",
            "decided_by",
            "decided_by_key",
            "decision_reasons",
            "policy_id",
            "policy_version",
            "created_at",
        ],
        (
            (
                uuid.uuid4(),
                pk,
                rng.choice(categories),
                "r",
                False,
                ie,
                "b",
                "user:1",
                rng.choice(["approved", "refused", "pending"]),
                "",
                "",
                "",
                "mvp-2021",
                "0" * 64,
                c,
            )
            for pk, _, _, c in blocked
        ),
    )
    counts["alerts"] = copy_rows(
        connection,
        Alert._meta.db_table,
        ["kind", "summary", "details", "organisation_code", "created_at", "acknowledged_by"],
        (
            ("override_approved", "An override was approved.", Jsonb({}), "IE-NCCU", c, "")
            for _, _, _, c in blocked
        ),
    )

    # Advice packs for one protection in three, some days after it opened (if the advice app
    # is installed), as well as advice-issued ledger entries below.
    from django.apps import apps as django_apps

    if django_apps.is_installed("safeshare.advice"):
        from safeshare.advice.models import AdvicePack

        counts["advice packs"] = copy_rows(
            connection,
            AdvicePack._meta.db_table,
            [
                "protection_id",
                "person_id",
                "language",
                "channel",
                "advice_date",
                "facts",
                "routes",
                "catalogue_digest",
                "policy_id",
                "policy_version",
                "content_digest",
                "pdf",
                "issued_by",
                "issued_by_org_id",
                "issued_at",
            ],
            (
                (
                    p[0],
                    p[2],
                    "en",
                    "handed_over",
                    issued.date(),
                    Jsonb({}),
                    Jsonb([]),
                    "0" * 64,
                    "mvp-2021",
                    "0" * 64,
                    "0" * 64,
                    b"%PDF",
                    "bench",
                    p[6],
                    issued,
                )
                for p in protections[::3]
                for issued in (min(p[5] + timedelta(days=rng.randint(0, 60)), now),)
            ),
        )

    # The ledger: one entry in ten is advice issued to a protected person (with the person's
    # token as subject), the rest other kinds; every entry has one subject row.
    tokens = [token_for_person(p) for p in person_ids]
    kinds = [
        "clearance_decision",
        "referral",
        "disclosure",
        "case_event",
        "protection_status_changed",
    ]

    def entries():
        for index in range(args.ledger_entries):
            kind = "advice_issued" if index % 10 == 0 else kinds[index % len(kinds)]
            created = protections[index % n][5] + timedelta(days=rng.randint(0, 40))
            draft = {"v": 1, "kind": kind, "payload": {}, "subjects": []}
            yield (index + 1, index, kind, Jsonb(draft), None, None, min(created, now))

    counts["ledger entries"] = copy_rows(
        connection,
        LedgerEntry._meta.db_table,
        ["id", "index", "kind", "draft", "body", "leaf_hash", "created_at"],
        entries(),
    )
    counts["ledger subjects"] = copy_rows(
        connection,
        LedgerSubject._meta.db_table,
        ["entry_id", "token"],
        ((i + 1, tokens[i % n]) for i in range(args.ledger_entries)),
    )
    with connection.cursor() as cursor:
        for model in (
            Person,
            Case,
            CaseEvent,
            Party,
            Protection,
            Referral,
            Clearance,
            Review,
            Override,
            Alert,
            LedgerEntry,
        ):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    return counts


def time_page(client, url: str, repeat: int) -> tuple[float, float, float, float]:
    """Seconds: (cold, median and slowest warm checking the data, median warm by default).

    Cold: no kept counts (snapshots deleted first), so the statistics are counted from the
    tables. Warm, checking the data: kept counts, with the data marker checked on every view
    (maximum age 0). Warm by default: kept counts within the default maximum age (300 s)."""
    from django.conf import settings

    from safeshare.oversight.models import StatisticsSnapshot

    StatisticsSnapshot.objects.all().delete()
    settings.SAFESHARE_OVERSIGHT_STATISTICS_MAX_AGE = 0
    timings = [_fetch(client, url)]
    timings += [_fetch(client, url) for _ in range(repeat)]
    settings.SAFESHARE_OVERSIGHT_STATISTICS_MAX_AGE = 300
    default = statistics.median(_fetch(client, url) for _ in range(repeat))
    warm = timings[1:]
    return timings[0], statistics.median(warm), max(warm), default


def _fetch(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    if response.streaming:
        b"".join(response.streaming_content)
    return time.perf_counter() - started


def main() -> int:
    args = parse_args()
    print(f"Load average: {os.getloadavg()}, CPUs: {os.cpu_count()}")
    server = None
    var_dir = tempfile.mkdtemp(prefix="safeshare-bench-")
    os.environ["SAFESHARE_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeshare.settings")
    os.environ.setdefault("SAFESHARE_HTTPS", "0")  # the test client speaks plain HTTP
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
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
        from safeshare.accounts import actions, demo
        from safeshare.accounts.actors import Actor
        from safeshare.accounts.models import Organisation, User
        from safeshare.kernel.roles import Role
        from safeshare.oversight import history
        from safeshare.oversight.statistics import STATISTICS

        if args.skip_generate:
            user = User.objects.get(email="analyst@dac.example")
        else:
            demo.seed_organisations()
            user = actions.do_create_user(
                email="analyst@dac.example",
                password="bench password 2026",  # noqa: S106
                organisation=Organisation.objects.get(code="DAC"),
                role=Role.OVERSIGHT_ANALYST,
                first_name="Bench",
                last_name="Analyst",
            )
            started = time.perf_counter()
            counts = generate(args)
            print(f"Generated in {time.perf_counter() - started:.0f} s:")
            for name, count in counts.items():
                print(f"  {name:>18}: {count:>9,}")

        client = Client()
        client.force_login(user)
        year = datetime.now(UTC).year
        pages = [("Dashboard", f"/oversight/?year={year}")]
        pages += [
            (f"Statistic: {spec.title}", f"/oversight/statistics/?name={slug}&year={year}")
            for slug, spec in STATISTICS.items()
        ]
        pages += [
            (
                "Referrals, filtered (WMP)",
                f"/oversight/statistics/?name=referrals&year={year}"
                "&force=WMP&offence=domestic_abuse",
            ),
            (
                "Download CSV (protections)",
                f"/oversight/statistics/download/?name=protections&year={year}&format=csv",
            ),
            (
                "Download ODS (referrals)",
                f"/oversight/statistics/download/?name=referrals&year={year}&format=ods",
            ),
            ("Alerts", "/oversight/alerts/"),
            ("Ledger", "/oversight/ledger/"),
        ]
        started = time.perf_counter()
        run = history.latest_run("mvp-2021", "firewall") if args.skip_generate else None
        run = run or history.run_comparison(Actor.for_user(user), "mvp-2021", "firewall")
        replay = time.perf_counter() - started
        pages.append(
            (
                "Policy comparison (stored run)",
                "/oversight/comparison/?policy_a=mvp-2021&policy_b=firewall",
            )
        )

        from safeshare.oversight.statistics import refresh_year

        settings.SAFESHARE_OVERSIGHT_STATISTICS_MAX_AGE = 0
        print("\nCounting each statistic from the tables (refresh-statistics):")
        for slug, ms in refresh_year(year).items():
            print(f"  {slug:<44} {ms / 1000:>7.3f}s")
        print(f"\nPages (cold: no kept counts; then {args.repeat} warm fetches with kept counts):")
        print(f"  {'':<44} {'':>8} {'warm, checking data':>20} {'warm':>8}")
        print(f"  {'page':<44} {'cold':>8} {'median':>9} {'slowest':>9} {'default':>8}")
        worst = coldest = 0.0
        for name, url in pages:
            cold, median, slowest, default = time_page(client, url, args.repeat)
            worst = max(worst, median)
            coldest = max(coldest, cold)
            flag = "" if median < 1 else "  OVER 1 s"
            print(
                f"  {name:<44} {cold:>7.3f}s {median:>8.3f}s {slowest:>8.3f}s "
                f"{default:>7.3f}s{flag}"
            )
        print(
            f"\nPolicy comparison replay (mvp-2021 against firewall, stored as a run): "
            f"{replay:.1f} s (run says {run.duration_ms / 1000:.1f} s)"
        )
        verdict = "met" if worst < 1 else "NOT met"
        print(f"Slowest warm page (median): {worst:.3f} s — target under 1 s: {verdict}")
        print(f"Slowest cold page (no kept counts): {coldest:.3f} s")
        return 0
    finally:
        if server is not None:
            from django.db import connections

            connections.close_all()
            if args.keep_server:
                print(f"\nServer kept: --database-url {server.url} --skip-generate")
                print(
                    f"Stop it with: runuser -u postgres -- {server.bin_dir}/pg_ctl -D "
                    f"{server.data_dir} -m immediate stop"
                )
            else:
                server.stop()


if __name__ == "__main__":
    sys.exit(main())
