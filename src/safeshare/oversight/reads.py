"""The oversight report of reads of personal data per user, from the read audit.

For a period (and optionally one organisation), each person or API client who read personal
data, with their reads, the distinct people they read about and their reads outside working
hours, flagged by ``read_patterns.assess``. The people read about appear only as counts: the
read audit holds keyed tokens, never names.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation, ReadAudit
from safeshare.kernel.roles import Role
from safeshare.oversight.exports import neutralise
from safeshare.oversight.read_patterns import FLAG_LABELS, Read, ReaderSummary, assess, summarise
from safeshare.oversight.tables import Cell, PublishedRow, PublishedTable
from safeshare.web.forms import DATE_PARTS, GovukDateField

DEFAULT_DAYS = 30
MAX_DAYS = 366


class ReadsFilterForm(forms.Form):
    """The period (at most a year) and the organisation."""

    date_from = GovukDateField(
        label="From", help_text="For example, 1 11 2026", error_label="Start date"
    )
    date_to = GovukDateField(
        label="To", help_text="For example, 30 11 2026", error_label="End date"
    )
    organisation = forms.ChoiceField(label="Organisation", required=False)

    def __init__(self, data=None) -> None:
        today = timezone.localdate()
        typed = (
            [
                data.get(name)
                for field in ("date_from", "date_to")
                for name in (field, *(f"{field}-{part}" for part in DATE_PARTS))
            ]
            if data is not None
            else []
        )
        if data is not None and not any(typed):
            data = {
                "date_from": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
                "date_to": today.isoformat(),
                "organisation": data.get("organisation", ""),
            }
        super().__init__(data)
        self.fields["organisation"].choices = [("", "All organisations")] + [  # type: ignore[attr-defined]
            (o.code, o.name) for o in Organisation.objects.order_by("name")
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", "The end date must be the same as or after the start")
            elif (end - start).days >= MAX_DAYS:
                self.add_error("date_to", f"Choose a period of at most {MAX_DAYS} days")
        return data


@dataclass(frozen=True)
class ReadsReport:
    date_from: date
    date_to: date
    organisation: str
    rows: list[tuple[str, str, str, ReaderSummary]]  # (who, organisation, role label, summary)

    @property
    def flagged(self) -> int:
        return sum(1 for *_, summary in self.rows if summary.flags)

    def table(self) -> PublishedTable:
        """Reads per user, as the chart's data table (no figure is suppressed: these are counts
        of staff reads, not of victims)."""
        return PublishedTable(
            slug="reads-per-user",
            title="Reads of personal data per user",
            row_heading="User",
            columns=("Reads", "Distinct people", "Outside working hours"),
            rows=tuple(
                PublishedRow(
                    label=who,
                    cells=(
                        Cell(summary.reads),
                        Cell(summary.distinct_people),
                        Cell(summary.out_of_hours),
                    ),
                )
                for who, _, _, summary in self.rows
            ),
            notes=(),
        )

    def csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(
            [
                "User",
                "Organisation",
                "Role",
                "Reads",
                "Distinct people",
                "Outside working hours",
                "Flags",
            ]
        )
        for who, organisation, role, summary in self.rows:
            writer.writerow(
                [
                    neutralise(who),
                    neutralise(organisation),
                    neutralise(role),
                    summary.reads,
                    summary.distinct_people,
                    summary.out_of_hours,
                    "; ".join(FLAG_LABELS[f] for f in summary.flags),
                ]
            )
        return buffer.getvalue()


def _reader(record: ReadAudit) -> tuple[str, str]:
    """(stable key, label) for the person or API client who read."""
    if record.user is not None:
        return f"user:{record.user_id}", f"{record.user} ({record.user.email})"
    if record.token is not None:
        return f"token:{record.token_id}", Actor.for_token(record.token).label
    return f"org:{record.organisation_id}", f"SafeShare ({record.organisation.code})"


def build_report(date_from: date, date_to: date, organisation: str = "") -> ReadsReport:
    zone = timezone.get_current_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=zone)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
    records = ReadAudit.objects.filter(at__gte=start, at__lt=end).select_related(
        "user", "token", "token__binding", "organisation"
    )
    if organisation:
        records = records.filter(organisation__code=organisation)
    labels: dict[str, tuple[str, str, str]] = {}
    reads = []
    for record in records.iterator(chunk_size=2000):
        key, label = _reader(record)
        labels.setdefault(key, (label, record.organisation.name, record.role))
        reads.append(
            Read(
                reader=key,
                role=record.role,
                at=timezone.localtime(record.at, zone),
                people=tuple(record.people),
                person_count=record.person_count,
            )
        )
    rows = []
    for summary in assess(summarise(reads).values()):
        label, org_name, role = labels[summary.reader]
        rows.append((label, org_name, Role(role).label, summary))
    return ReadsReport(date_from, date_to, organisation, rows)
