"""``safeshare notifications send``: send the notices that are due, once."""

from django.core.management.base import BaseCommand, CommandError

from safeshare.notifications.actions import deliver_due


class Command(BaseCommand):
    help = "Notices to victims: 'send' sends every due notice once (the worker does it too)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["send"])

    def handle(self, *args, **options):
        if options["what"] != "send":
            raise CommandError("Use: safeshare notifications send")
        report = deliver_due()
        self.stdout.write(
            f"Sent {report.sent}, delivered {report.delivered}, failed {report.failed}, "
            f"waiting {report.waiting}, not sent for safety {report.withheld}."
        )
