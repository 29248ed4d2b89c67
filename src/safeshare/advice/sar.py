"""Subject access (R21): everything SafeShare holds about one person, in one document.

Police and Immigration Enforcement data, the protection and its history, every referral with the
exact fields sent, the clearances that matched the person, safe contact, advice, letters, and
every ledger entry about them. An item is left out only under a recorded, per-item exemption,
which is listed with its reasons; the person's own protection is never left out (N7).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy, gettext_noop

from safeshare.advice import ledger_link
from safeshare.advice.models import (
    AdvicePack,
    ContactPreference,
    ProtectionLetter,
    SubjectAccessExemption,
    SubjectAccessExport,
)
from safeshare.cases.models import CaseEvent, Party
from safeshare.people.models import Person
from safeshare.protocol.models import Clearance, Protection, Review
from safeshare.referrals.models import Referral
from safeshare.register.models import RegisterEntry

FORMAT = "safeshare-subject-access/1"

# In English in the export's JSON; the PDF shows them in the person's language.
NOT_INCLUDED = [
    {
        "what": gettext_noop("The passcode of each protection letter"),
        "why": gettext_noop(
            "SafeShare keeps only a one-way hash of it, so that nobody can read it. The hash "
            "cannot be turned back into the passcode and says nothing about you."
        ),
    },
]

SECTIONS = (
    "identities",
    "cases",
    "protections",
    "referrals",
    "clearances",
    "matching_register",
    "contact_preferences",
    "advice_packs",
    "protection_letters",
    "subject_access_exports",
    "ledger_entries",
)


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _people(person: Person) -> list[Person]:
    """The person and any records merged into them."""
    return [person, *Person.objects.filter(merged_into=person).order_by("id")]


class _Withholder:
    """Replaces exempted items with a marker that points at the exemption's reasons."""

    def __init__(self, exemptions: Iterable[SubjectAccessExemption]) -> None:
        self.exemptions = {(e.item_kind, e.item_id): n for n, e in enumerate(exemptions, 1)}

    def __call__(
        self, kind: str, item_id: object, content: dict[str, object]
    ) -> dict[str, object]:
        number = self.exemptions.get((kind, str(item_id)))
        if number is None:
            return content
        return {"kind": kind, "id": str(item_id), "withheld": True, "exemption": number}


def _protection(protection: Protection) -> dict[str, object]:
    history = [
        {
            "kind": fields.get("kind"),
            "timestamp": fields.get("timestamp"),
            "status": (fields.get("payload") or {}).get("status"),
            "ledger_index": fields.get("index"),
        }
        for fields in (
            ledger_link.entry_fields(entry)
            for entry in ledger_link.entries_about(protection.person)
        )
        if str(fields.get("kind", "")).startswith("protection_")
    ]
    return {
        "reference": protection.reference,
        "status": protection.status,
        "status_reasons": list(protection.status_reasons),
        "status_changed_at": _when(protection.status_changed_at),
        "trigger": protection.trigger,
        "opened_at": _when(protection.opened_at),
        "opened_by": protection.opened_by.name,
        "policy_id": protection.policy_id,
        "policy_version": protection.policy_version,
        "contact_point": protection.contact_point,
        "regularisation_status": protection.regularisation_status,
        "regularisation_certified_by": protection.regularisation_certified_by,
        "regularisation_certified_at": _when(protection.regularisation_certified_at),
        "nrm_recovery_period": protection.nrm_recovery_period,
        "transition_notice_at": _when(protection.transition_notice_at),
        "closed_at": _when(protection.closed_at),
        "closed_by": protection.closed_by,
        "close_reasons": protection.close_reasons,
        "cases": [
            {
                "crime_reference": link.case.crime_reference,
                "force": link.case.force.name,
                "role": link.role,
                "state": link.case.state,
            }
            for link in protection.links.select_related("case", "case__force").order_by("id")
        ],
        "history": history,
    }


#: Said instead of IE's details of the person asked about, until it is confirmed it was them.
UNCONFIRMED_SUBJECT = (
    "Not included: it has not been confirmed that the person Immigration Enforcement asked about "
    "was you, so their details may be someone else's."
)


def _clearance(
    clearance: Clearance, withhold: _Withholder, protection_ids: set[int]
) -> dict[str, object] | None:
    """A clearance about the person, or None when it was ruled to be about someone else.

    IE's details of the person it asked about, the matcher's explanation and reviewers' reasons
    are included only when a protocol officer confirmed the subject was this person: until then
    they may be another person's data, and a subject access export never includes that."""
    reviews = [
        review
        for review in clearance.reviews.order_by("id").prefetch_related("candidates")
        if {c.pk for c in review.candidates.all()} & protection_ids
    ]
    verdicts = {review.verdict for review in reviews if review.status == Review.Status.RESOLVED}
    confirmed = Review.Verdict.SAME_PERSON in verdicts
    if not confirmed and Review.Verdict.NOT_SAME_PERSON in verdicts:
        return None
    return withhold(
        "clearance",
        clearance.public_id,
        {
            "id": str(clearance.public_id),
            "requested_by": clearance.requested_by.name,
            "requester": clearance.requester,
            "action": clearance.action_code,
            "subject_as_given_by_immigration_enforcement": (
                clearance.subject if confirmed else UNCONFIRMED_SUBJECT
            ),
            "information_sources": clearance.information_sources,
            "scheduled_for": _when(clearance.scheduled_for),
            "decision": clearance.decision,
            "status": clearance.status,
            "reasons": clearance.reasons if confirmed else [],
            "match_decision": clearance.match_decision,
            "match_explanation": clearance.match_explanation if confirmed else [],
            "policy_id": clearance.policy_id,
            "created_at": _when(clearance.created_at),
            "reviews": [
                {
                    "status": review.status,
                    "verdict": review.verdict,
                    "reasons": review.reasons if confirmed else "",
                    "resolved_by": review.resolved_by,
                    "resolved_at": _when(review.resolved_at),
                }
                for review in reviews
            ],
            "overrides": [
                withhold(
                    "override",
                    override.public_id,
                    {
                        "id": str(override.public_id),
                        "exception_category": override.exception_category,
                        "reasons": override.reasons,
                        "requester": override.requester,
                        "status": override.status,
                        "decided_by": override.decided_by,
                        "decision_reasons": override.decision_reasons,
                        "created_at": _when(override.created_at),
                        "decided_at": _when(override.decided_at),
                    },
                )
                for override in clearance.overrides.order_by("id")
            ],
        },
    )


def build_subject_access(
    person: Person, *, export: SubjectAccessExport | None = None
) -> dict[str, object]:
    """The whole export as a JSON-ready dict."""
    people = _people(person)
    exemptions = list(
        SubjectAccessExemption.objects.filter(person__in=people, withdrawn_at__isnull=True)
        .select_related("decided_by_org")
        .order_by("decided_at", "id")
    )
    withhold = _Withholder(exemptions)
    identities = [
        withhold(
            "identity",
            identity.pk,
            {
                "id": identity.pk,
                **identity.as_fields(),
                "recorded_by": identity.recorded_by.name,
                "created_at": _when(identity.created_at),
            },
        )
        for p in people
        for identity in p.identities.select_related("recorded_by").order_by("id")
    ]
    parties = Party.objects.filter(person__in=people).select_related("case", "case__force")
    cases = []
    for party in parties.order_by("id"):
        case = party.case
        events = CaseEvent.objects.filter(case=case).order_by("occurred_on", "id")
        cases.append(
            withhold(
                "party",
                party.pk,
                {
                    "role": party.role,
                    "migrant": party.migrant,
                    "added_at": _when(party.added_at),
                    "case": {
                        "crime_reference": case.crime_reference,
                        "force": case.force.name,
                        "offence_category": case.offence_category,
                        "state": case.state,
                        "created_at": _when(case.created_at),
                        "events": [
                            {
                                "event": event.event,
                                "occurred_on": _when(event.occurred_on),
                                "state_before": event.state_before,
                                "state_after": event.state_after,
                                "recorded_by": event.recorded_by,
                                "recorded_at": _when(event.recorded_at),
                            }
                            for event in events
                        ],
                    },
                },
            )
        )
    protections = list(
        Protection.objects.filter(person__in=people).select_related("opened_by", "person")
    )
    referrals = [
        withhold(
            "referral",
            referral.public_id,
            {
                "id": str(referral.public_id),
                "created_at": _when(referral.created_at),
                "from": referral.force.name,
                "to": referral.recipient.name,
                "role": referral.role,
                "channel": referral.channel,
                "trigger": referral.trigger,
                "source_of_information": referral.source_of_information,
                "controller": referral.controller,
                "regime": referral.regime,
                "lawful_basis": referral.lawful_basis,
                "gateway": referral.gateway,
                "agreement_id": referral.agreement_id,
                "dpia_version": referral.dpia_version,
                "fields_sent": referral.payload,
                "necessity_flags": referral.necessity_flags,
                "policy_id": referral.policy_id,
                "created_by": referral.created_by,
            },
        )
        for referral in Referral.objects.filter(party__person__in=people)
        .select_related("force", "recipient")
        .order_by("created_at", "id")
    ]
    protection_ids = {p.pk for p in protections}
    about = (
        _clearance(clearance, withhold, protection_ids)
        for clearance in Clearance.objects.filter(
            Q(protections__in=protections) | Q(reviews__candidates__in=protections)
        )
        .select_related("requested_by")
        .distinct()
        .order_by("created_at", "id")
    )
    clearances = [item for item in about if item is not None]
    register = [
        withhold(
            "register_entry",
            entry.pk,
            {
                "identity": entry.identity_id,
                "prepared_for_matching": entry.prepared,
                "created_at": _when(entry.created_at),
            },
        )
        for entry in RegisterEntry.objects.filter(identity__person__in=people).order_by("id")
    ]
    contact = [
        withhold(
            "contact_preference",
            preference.pk,
            {
                "recorded_at": _when(preference.recorded_at),
                "recorded_by": preference.recorded_by,
                "language": preference.language,
                "interpreter_needed": preference.interpreter_needed,
                "interpreter_language": preference.interpreter_language,
                "safe_channel": preference.safe_channel,
                "address_shared_with_perpetrator": preference.address_shared_with_perpetrator,
                "safe_postal_address": preference.safe_postal_address,
                "safe_phone": preference.safe_phone,
                "safe_email": preference.safe_email,
            },
        )
        for preference in ContactPreference.objects.filter(person__in=people).order_by("id")
    ]
    packs = [
        withhold(
            "advice_pack",
            pack.public_id,
            {
                "id": str(pack.public_id),
                "issued_at": _when(pack.issued_at),
                "issued_by": pack.issued_by,
                "language": pack.language,
                "channel": pack.channel,
                "advice_date": _when(pack.advice_date),
                "facts": pack.facts,
                "routes": pack.routes,
                "organisations": pack.organisations,
                "rules_digest": pack.catalogue_digest,
                "pdf_sha256": pack.content_digest,
            },
        )
        for pack in AdvicePack.objects.filter(person__in=people).order_by("issued_at", "id")
    ]
    letters = [
        withhold(
            "protection_letter",
            letter.public_id,
            {
                "id": str(letter.public_id),
                "issued_at": _when(letter.issued_at),
                "issued_by": letter.issued_by,
                "language": letter.language,
                "delivery": letter.delivery,
                "addressed_to": letter.addressed_to,
                "replaced_at": _when(letter.replaced_at),
            },
        )
        for letter in ProtectionLetter.objects.filter(protection__in=protections).order_by(
            "issued_at", "id"
        )
    ]
    exports = [
        {
            "id": str(item.public_id),
            "created_at": _when(item.created_at),
            "requested_by": item.requested_by,
            "sha256": item.content_digest,
        }
        for item in SubjectAccessExport.objects.filter(person__in=people).order_by("id")
    ]
    entries = [
        {**ledger_link.entry_fields(entry), "queued": entry.index is None}
        for entry in ledger_link.entries_about(person)
    ]
    return {
        "format": FORMAT,
        "generated_at": _when(export.created_at if export else timezone.now()),
        "generated_by": export.requested_by if export else "",
        "person": {
            "id": str(person.public_id),
            "created_at": _when(person.created_at),
            "recorded_by": person.recorded_by.name,
            "merged_records": [str(p.public_id) for p in people[1:]],
        },
        "identities": identities,
        "cases": cases,
        "protections": [_protection(protection) for protection in protections],
        "referrals": referrals,
        "clearances": clearances,
        "matching_register": register,
        "contact_preferences": contact,
        "advice_packs": packs,
        "protection_letters": letters,
        "subject_access_exports": exports,
        "ledger_entries": entries,
        "exemptions": [
            {
                "number": number,
                "item_kind": exemption.item_kind,
                "item_id": exemption.item_id,
                # The basis, never the risk assessment itself (which would defeat it).
                "basis": exemption.get_basis_display(),
                "decided_at": _when(exemption.decided_at),
                "review_on": _when(exemption.review_on),
            }
            for number, exemption in enumerate(exemptions, 1)
        ],
        "not_included": NOT_INCLUDED,
    }


def count_items(data: dict[str, Any]) -> int:
    """How many records the export lists (withheld ones included)."""
    return sum(len(data[section]) for section in SECTIONS)


# The PDF's section headings, translated when the PDF is drawn (``{% translate %}``).
SECTION_TITLES = {
    "identities": gettext_noop("Identities: names and details recorded about you"),
    "cases": gettext_noop("Police cases you are part of"),
    "protections": gettext_noop("Your protection and its history"),
    "referrals": gettext_noop("Referrals to Immigration Enforcement, with exactly what was sent"),
    "clearances": gettext_noop("Immigration Enforcement's checks that matched you"),
    "matching_register": gettext_noop("How your identity is kept for matching"),
    "contact_preferences": gettext_noop("Safe contact and language"),
    "advice_packs": gettext_noop("Advice packs"),
    "protection_letters": gettext_noop("Protection letters"),
    "subject_access_exports": gettext_noop("Earlier copies of this export"),
    "ledger_entries": gettext_noop("Entries about you in the ledger"),
}


def _text(value: object) -> str:
    import json

    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return gettext_lazy("Yes") if value else gettext_lazy("No")  # type: ignore[return-value]
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=1)
    return str(value)


def sar_sections(data: dict[str, Any]) -> list[dict[str, object]]:
    """The export laid out for the PDF: titled sections of items, each a list of rows."""
    sections: list[dict[str, object]] = []
    for name in SECTIONS:
        items = []
        for item in data[name]:
            rows = [
                (
                    key.replace("_", " ").capitalize(),
                    _text(value),
                    bool(value) and isinstance(value, dict | list),
                )
                for key, value in item.items()
            ]
            items.append({"rows": rows, "withheld": bool(item.get("withheld"))})
        sections.append({"title": SECTION_TITLES[name], "items": items})
    return sections


def _moment(value: object) -> datetime | None:
    return parse_datetime(str(value)) if value else None


def _day(value: object) -> date | None:
    return parse_date(str(value)[:10]) if value else None


def sar_pdf(data: dict[str, Any], language: str = "en") -> bytes:
    """The export as a PDF in ``language`` (the person's), for the person to read: headings
    and explanations translated, the English beside them while the language awaits a qualified
    translator's review (ADR 0046). The items keep the JSON's English field names and values,
    so that the PDF and the JSON can be read side by side."""
    from safeshare.advice.documents import render_pdf

    return render_pdf("advice/pdf/sar.html", sar_context(data, language), language=language)


def sar_context(data: dict[str, Any], language: str) -> dict[str, object]:
    """What the PDF is drawn from (``sar_pdf``)."""
    from safeshare.advice.languages import get_language

    return {
        "data": data,
        "sections": sar_sections(data),
        "generated_at": _moment(data["generated_at"]),
        "person_created_at": _moment(data["person"]["created_at"]),
        "exemptions": [
            (item, _day(item.get("decided_at")), _day(item.get("review_on")))
            for item in data["exemptions"]
        ],
        "language": get_language(language),
    }
