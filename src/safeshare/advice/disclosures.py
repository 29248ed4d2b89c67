"""What the ledger says happened with a person's information, in words they can read.

Each row is one ledger entry about the person, with its receipt (when the entry is in a signed
checkpoint), whether the receipt checks out here, and what is needed to check it again in the
browser or anywhere else.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from safeshare.accounts.models import Organisation
from safeshare.advice import ledger_link
from safeshare.advice.texts import (
    DECISION_LABELS,
    ENTRY_GROUP_HEADINGS,
    ENTRY_TITLES,
    OTHER_ENTRY_TITLE,
    PROTECTION_KINDS,
    ROLE_LABELS,
    ROUTINE_READ,
    SHARED_WITH_OTHERS,
    STATUS_LABELS,
    field_labels,
)
from safeshare.kernel.long_dates import long_date
from safeshare.ledger.models import LedgerEntry
from safeshare.ledger.receipts import Receipt, receipt_to_json
from safeshare.people.models import Person
from safeshare.protocol.protection import ProtectionStatus

RECEIPT_BUNDLE_FORMAT = "safeshare-receipt-bundle/1"


@dataclass
class DisclosureRow:
    """One entry about the person, ready to show."""

    entry_id: int
    index: int | None
    kind: str
    when: datetime | None
    title: str
    by: str
    details: list[str] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)
    shared_with_others: bool = False
    receipt_json: str | None = None
    receipt_holds: bool = False
    witnessed_by: list[str] = field(default_factory=list)
    entry_b64: str | None = None
    organisation: str = ""

    @property
    def has_receipt(self) -> bool:
        return self.receipt_json is not None


def _organisation_names(codes: set[str]) -> dict[str, str]:
    return dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))


def _status_label(code: object) -> str:
    try:
        return str(STATUS_LABELS[ProtectionStatus(str(code))])
    except ValueError:
        return str(code)


def _describe(
    fields: dict[str, object], names: dict[str, str]
) -> tuple[str, list[str], list[str]]:
    kind = str(fields.get("kind", ""))
    payload = fields.get("payload") or {}
    assert isinstance(payload, dict)
    title = str(ENTRY_TITLES.get(kind, OTHER_ENTRY_TITLE))
    details: list[str] = []
    recipient = payload.get("recipient_org")
    if recipient:
        details.append(_("Shared with: %(name)s") % {"name": names.get(str(recipient), recipient)})
    decision = payload.get("decision")
    if kind == "clearance_decision" and decision in DECISION_LABELS:
        details.append(str(DECISION_LABELS[str(decision)]))
    if kind == "protection_status_changed" and payload.get("status"):
        details.append(_("New status: %(status)s") % {"status": _status_label(payload["status"])})
    if kind in {"referral", "disclosure"}:
        details.append(
            _("Why: so that Immigration Enforcement knows you are protected and does not act.")
        )
    shared = field_labels(payload.get("fields") or []) if kind == "disclosure" else []
    return title, details, shared


def _by(fields: dict[str, object], names: dict[str, str]) -> str:
    org = str(fields.get("actor_org", ""))
    role = ROLE_LABELS.get(str(fields.get("actor_role", "")))
    name = names.get(org, org)
    if role:
        return _("%(organisation)s (%(role)s)") % {"organisation": name, "role": role}
    return name


def describe_entry(fields: dict[str, object]) -> tuple[str, str, list[str]]:
    """One entry in words: its title, who wrote it, and its details (the receipt check page)."""
    codes = {str(fields.get("actor_org", ""))}
    payload = fields.get("payload") or {}
    if isinstance(payload, dict) and payload.get("recipient_org"):
        codes.add(str(payload["recipient_org"]))
    names = _organisation_names(codes)
    title, details, shared = _describe(fields, names)
    if shared:
        details.append(_("Details shared: %(fields)s") % {"fields": ", ".join(shared)})
    return title, _by(fields, names), details


def disclosures_for(person: Person) -> tuple[list[DisclosureRow], list[str]]:
    """Rows for every ledger entry about the person, newest first, and the ledger's keys."""
    pairs = sorted(
        ledger_link.receipts_for_person(person),
        key=lambda pair: (pair[0].index is None, pair[0].index or 0, pair[0].pk),
    )
    keys = ledger_link.verifier_keys()
    all_fields = [ledger_link.entry_fields(entry) for entry, _receipt in pairs]
    codes = set()
    for fields in all_fields:
        codes.add(str(fields.get("actor_org", "")))
        payload = fields.get("payload") or {}
        if isinstance(payload, dict) and payload.get("recipient_org"):
            codes.add(str(payload["recipient_org"]))
    names = _organisation_names(codes)
    rows = []
    for (entry, receipt), fields in zip(pairs, all_fields, strict=True):
        title, details, shared = _describe(fields, names)
        data = ledger_link.entry_bytes(entry)
        timestamp = fields.get("timestamp")
        rows.append(
            DisclosureRow(
                entry_id=entry.pk,
                index=entry.index,
                kind=entry.kind,
                when=parse_datetime(str(timestamp)) if timestamp else entry.created_at,
                title=title,
                by=_by(fields, names),
                details=details,
                shared=shared,
                shared_with_others=entry.kind in SHARED_WITH_OTHERS,
                receipt_json=receipt_to_json(receipt) if receipt is not None else None,
                receipt_holds=ledger_link.receipt_holds(entry, receipt, keys),
                witnessed_by=ledger_link.witnessed_by(receipt),
                entry_b64=base64.b64encode(data).decode("ascii") if data is not None else None,
                organisation=names.get(
                    str(fields.get("actor_org", "")), str(fields.get("actor_org", ""))
                ),
            )
        )
    rows.reverse()
    return rows, keys


@dataclass
class EntryGroup:
    """The important entries of one kind, under one heading."""

    key: str
    heading: str
    rows: list[DisclosureRow]


@dataclass
class ReadDay:
    """The routine reads of the person's record on one day, folded into one line."""

    day: date
    count: int
    line: str
    rows: list[DisclosureRow]


@dataclass
class RecordSummary:
    """What the top of the victim's record says: how often shared, how often looked at."""

    shared_count: int
    last_shared: datetime | None
    read_count: int
    important_count: int

    @property
    def shared_line(self) -> str:
        if not self.shared_count or self.last_shared is None:
            return _("Never")
        return ngettext(
            "%(count)s time, most recently on %(date)s",
            "%(count)s times, most recently on %(date)s",
            self.shared_count,
        ) % {"count": self.shared_count, "date": long_date(self.last_shared)}


def is_routine(row: DisclosureRow) -> bool:
    """A routine read of the record: folded into one line per day, never hidden."""
    return row.kind == ROUTINE_READ


def group_key(kind: str) -> str:
    if kind in SHARED_WITH_OTHERS:
        return "shared"
    if kind in PROTECTION_KINDS:
        return "protection"
    return "other"


def group_rows(rows: list[DisclosureRow]) -> list[EntryGroup]:
    """Important entries (newest first) under their kind's heading, in a fixed order; the
    group of things shared with IE is always there, so that "nothing shared" can be said."""
    groups = [
        EntryGroup(key=key, heading=str(heading), rows=[])
        for key, heading in ENTRY_GROUP_HEADINGS.items()
    ]
    by_key = {group.key: group for group in groups}
    for row in rows:
        by_key[group_key(row.kind)].rows.append(row)
    return [group for group in groups if group.rows or group.key == "shared"]


def _local_day(when: datetime | None) -> date | None:
    if when is None:
        return None
    return timezone.localtime(when).date() if timezone.is_aware(when) else when.date()


def _names_and(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def read_days(rows: list[DisclosureRow]) -> list[ReadDay]:
    """The routine reads, one line a day (newest day first), each with its entries."""
    days: dict[date | None, list[DisclosureRow]] = {}
    for row in rows:
        if is_routine(row):
            days.setdefault(_local_day(row.when), []).append(row)
    folded = []
    for day, day_rows in days.items():
        counts = Counter(row.organisation for row in day_rows)
        who = _names_and([f"{name} ({count})" for name, count in counts.most_common()])
        folded.append(
            ReadDay(
                day=day or date.min,
                count=len(day_rows),
                line=ngettext(
                    "%(date)s: your record was looked at %(count)s time, by %(who)s",
                    "%(date)s: your record was looked at %(count)s times, by %(who)s",
                    len(day_rows),
                )
                % {
                    "date": long_date(day) if day else "",
                    "count": len(day_rows),
                    "who": who,
                },
                rows=day_rows,
            )
        )
    return folded


def record_summary(rows: list[DisclosureRow]) -> RecordSummary:
    shared = [row for row in rows if row.kind == "disclosure"]
    return RecordSummary(
        shared_count=len(shared),
        last_shared=max((row.when for row in shared if row.when), default=None),
        read_count=sum(1 for row in rows if is_routine(row)),
        important_count=sum(1 for row in rows if not is_routine(row)),
    )


def receipt_bundle(entry: LedgerEntry, receipt: Receipt, keys: list[str]) -> str:
    """Everything needed to check one entry's receipt, as one JSON document."""
    data = ledger_link.entry_bytes(entry)
    assert data is not None
    return json.dumps(
        {
            "format": RECEIPT_BUNDLE_FORMAT,
            "entry": data.decode("utf-8"),
            "receipt": json.loads(receipt_to_json(receipt)),
            "verifier_keys": keys,
            "how_to_check": (
                "The leaf hash is SHA-256(0x00 || entry as UTF-8). Check it equals "
                "receipt.leaf_hash, run the RFC 9162 inclusion proof up to the checkpoint's "
                "root, and check the checkpoint's Ed25519 signature with a verifier key you "
                "got from the operator (c2sp.org/tlog-checkpoint). In Python: "
                "safeshare.ledger.receipts.verify_receipt(receipt, entry, keys)."
            ),
        },
        ensure_ascii=False,
        indent=2,
    )
