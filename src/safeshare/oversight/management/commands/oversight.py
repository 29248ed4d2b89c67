"""``safeshare oversight …``: jobs for oversight that run from cron or by hand.

- ``deliver-webhooks``: send again every alert whose webhook delivery has not arrived.
- ``compare POLICY_A POLICY_B``: replay the history under two policies and keep the result, so
  that the comparison page opens at once however large the history is.
- ``refresh-statistics [--year YEAR]``: count the statistics again and keep them, so that
  pages open at once (run it from cron every few minutes).
- ``check-ledger``: verify the whole ledger and keep the result for the ledger page.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.oversight import history, ledger_view, webhooks
from safeshare.protocol.policy import available_policies


def _system_actor(org_code: str | None) -> Actor:
    organisations = Organisation.objects.filter(kind=OrganisationKind.OVERSIGHT_BODY)
    if org_code:
        organisations = organisations.filter(code=org_code.upper())
    organisation = organisations.order_by("code").first()
    if organisation is None:
        raise CommandError("No oversight organisation found. See `safeshare orgs list`.")
    return Actor(organisation=organisation, role=Role.OVERSIGHT_ANALYST)


class Command(BaseCommand):
    help = "Oversight jobs: resend webhooks, replay a policy comparison, check the ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("deliver-webhooks", help="Send alerts whose webhook delivery failed.")
        compare = sub.add_parser("compare", help="Replay the history under two policies.")
        compare.add_argument("policy_a", choices=available_policies())
        compare.add_argument("policy_b", choices=available_policies())
        compare.add_argument("--org", help="The oversight organisation it is run for.")
        refresh = sub.add_parser(
            "refresh-statistics", help="Count this year's statistics again and keep them."
        )
        refresh.add_argument("--year", type=int, help="A calendar year (default this year).")
        check = sub.add_parser("check-ledger", help="Verify the ledger and keep the result.")
        check.add_argument("--org", help="The oversight organisation it is run for.")

    def handle(self, *args, **options) -> None:
        getattr(self, "handle_" + options["subcommand"].replace("-", "_"))(options)

    def handle_deliver_webhooks(self, options) -> None:
        if not webhooks.webhook_url():
            raise CommandError("SAFESHARE_OVERSIGHT_WEBHOOK_URL is not set.")
        tried, delivered = webhooks.retry_failed()
        self.stdout.write(f"Tried {tried} deliveries; {delivered} arrived.")

    def handle_compare(self, options) -> None:
        if options["policy_a"] == options["policy_b"]:
            raise CommandError("Name two different policies.")
        run = history.run_comparison(
            _system_actor(options.get("org")), options["policy_a"], options["policy_b"]
        )
        self.stdout.write(
            f"Compared {run.policy_a} with {run.policy_b} as at {run.as_at:%Y-%m-%d %H:%M} "
            f"in {run.duration_ms / 1000:.1f} s."
        )

    def handle_refresh_statistics(self, options) -> None:
        from django.utils import timezone

        from safeshare.oversight.statistics import refresh_year

        year = options.get("year") or timezone.localdate().year
        timings = refresh_year(year)
        for slug, ms in timings.items():
            self.stdout.write(f"{slug:<16} {ms:>7} ms")

    def handle_check_ledger(self, options) -> None:
        check = ledger_view.check_now(_system_actor(options.get("org")))
        result = "verified" if check.ok else f"FAILED: {check.first_problem}"
        self.stdout.write(f"Ledger of {check.size:,} entries {result}.")
        if not check.ok:
            raise CommandError("The ledger check found a problem.")
