"""``safeshare replay [--kind clearance|referral|protection] [--since DATE] [--policy ID] [ID …]``.

Recomputes recorded decisions (clearances, referrals sent or refused, and changes of a
protection's status; every kind unless ``--kind`` names one) under their recorded policy
version and facts, and reports every difference with its reason (exit status 1 when any
differs or cannot be replayed). With
``--policy ID`` it shows what that policy would have decided instead (differences expected).
``--activate`` first writes ``policy_activated`` if the policy in force is not the last one
recorded. See docs/adr/0023-replay.md.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safeshare.protocol.actions import do_record_policy_activation
from safeshare.protocol.policy import PolicyError, available_policies, load_policy
from safeshare.protocol.replaying import replay_clearances, replay_protections
from safeshare.referrals.replaying import replay_referrals

KINDS = ("clearance", "referral", "protection")


def _date(value: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--since: '{value}' is not a date (YYYY-MM-DD).") from error
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class Command(BaseCommand):
    help = "Replay recorded decisions under their recorded policy version and report differences."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("clearances", nargs="*", metavar="CLEARANCE_ID")
        parser.add_argument(
            "--kind", choices=KINDS, help="Only this kind of decision (default: every kind)."
        )
        parser.add_argument("--since", type=_date, help="Only decisions from this date.")
        parser.add_argument(
            "--policy",
            choices=available_policies(),
            help="Decide again under this policy instead of the recorded one.",
        )
        parser.add_argument(
            "--activate",
            action="store_true",
            help="First record the policy in force in the ledger if it changed.",
        )
        parser.add_argument("--all", action="store_true", help="List same decisions too.")

    def handle(self, *args, **options) -> None:
        if options["activate"] and do_record_policy_activation():
            self.stdout.write("Recorded the policy in force (policy_activated).")
        policy = None
        if options["policy"]:
            try:
                policy = load_policy(options["policy"])
            except PolicyError as error:
                raise CommandError(str(error)) from error
        total = differing = unreadable = 0
        kind = options["kind"]
        results: list = []
        if kind in (None, "clearance"):
            results.append(
                replay_clearances(since=options["since"], ids=options["clearances"], policy=policy)
            )
        if kind in (None, "referral") and not options["clearances"]:
            results.append(replay_referrals(since=options["since"], policy=policy))
        if kind in (None, "protection") and not options["clearances"]:
            results.append(replay_protections(since=options["since"], policy=policy))
        for result in itertools.chain.from_iterable(results):
            total += 1
            if result.problem:
                unreadable += 1
            elif result.differences:
                differing += 1
            if not result.same or options["all"]:
                self.stdout.write(result.describe())
        under = f"under {policy.id}" if policy else "under their recorded policy versions"
        self.stdout.write(
            f"Replayed {total} recorded decision(s) {under}: {total - differing - unreadable} "
            f"the same, {differing} different, {unreadable} could not be replayed."
        )
        if policy is None and (differing or unreadable):
            raise CommandError("Some recorded decisions were not reproduced; see above.")
