"""What goes in an advice pack and a protection letter, in the language that is active.

The same content is drawn on the victim's pages, on the officer's pages and in the PDFs, so the
three never drift apart. Route and organisation texts come from the data; they are shown in the
reader's language where a translation exists and otherwise in English, and ``untranslated``
says so (the templates then tell the reader which parts are in English).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from safeshare.advice.eligibility import (
    CandidateRoute,
    Facts,
    Fit,
    OrganisationKind,
    SupportOrganisation,
    candidate_routes,
    default_catalogue,
    default_organisations,
    support_organisations_for,
)
from safeshare.advice.languages import Language, current_language
from safeshare.advice.route_text import DataText, translate_data_text
from safeshare.advice.texts import (
    ACTION_PHRASES,
    FIT_HEADINGS,
    FIT_LABELS,
    STATUS_LABELS,
    STATUS_MEANINGS,
    STATUS_TAG_CLASSES,
    field_labels,
)
from safeshare.kernel.contact import ContactPoint
from safeshare.notifications.contact_words import contact_in_words
from safeshare.protocol.active import active_policy
from safeshare.protocol.contacts import protection_contact
from safeshare.protocol.enforcement import enforcement_actions
from safeshare.protocol.models import Protection
from safeshare.protocol.policy import ConditionsMode, Policy
from safeshare.protocol.protection import ProtectionStatus

HELPLINE_IDS = ("national_domestic_abuse_helpline", "modern_slavery_helpline")
"""Helplines printed on every letter: the two whose numbers have been checked."""


@dataclass
class PackRoute:
    """A candidate route as the victim reads it."""

    route_id: str
    fit: Fit
    fit_label: str
    title: DataText
    legal_name: DataText
    reasons: list[DataText]
    legal_advice: DataText
    summary: DataText | None = None
    evidence: list[DataText] = field(default_factory=list)
    how_to_apply: DataText | None = None

    @property
    def texts(self) -> list[DataText]:
        parts = [self.title, self.legal_name, *self.reasons, self.legal_advice, *self.evidence]
        return parts + [part for part in (self.summary, self.how_to_apply) if part is not None]


@dataclass
class PackRouteGroup:
    fit: Fit
    heading: str
    routes: list[PackRoute]


@dataclass
class PackOrganisation:
    """A support organisation, with only contact details someone has checked."""

    id: str
    name: str
    helps_with: DataText
    who_for: DataText
    phone: str | None
    url: str | None
    legal_advice: bool


@dataclass
class ProtectionSummary:
    """The protection: reference, status and what it means under the active policy."""

    reference: str
    reference_groups: list[str]
    status: ProtectionStatus
    status_label: str
    status_meaning: str
    tag_class: str
    contact_point: str
    contact: ContactPoint
    protects: bool
    needs_advice_to_stay_protected: bool
    policy_title: str


@dataclass
class SharingNotice:
    """What the police may share with Immigration Enforcement, and why (R20)."""

    referrals_possible: bool
    fields: list[str]


@dataclass
class PackContent:
    language: Language
    protection: ProtectionSummary
    route_groups: list[PackRouteGroup]
    organisations: list[PackOrganisation]
    legal_advice_organisations: list[PackOrganisation]
    sharing: SharingNotice
    ico: PackOrganisation | None
    advice_date: date
    catalogue_digest: str
    view_url: str

    @property
    def untranslated(self) -> bool:
        """Whether any text from the data is shown in English in a non-English pack."""
        texts = [
            text for group in self.route_groups for route in group.routes for text in route.texts
        ]
        for organisation in self.organisations:
            texts += [organisation.helps_with, organisation.who_for]
        return any(not text.translated for text in texts)


def protection_summary(protection: Protection, policy: Policy | None = None) -> ProtectionSummary:
    policy = policy or active_policy()
    status = ProtectionStatus(protection.status)
    contact = protection_contact(protection)
    return ProtectionSummary(
        reference=protection.reference,
        reference_groups=protection.reference.split("-"),
        status=status,
        status_label=str(STATUS_LABELS[status]),
        status_meaning=str(STATUS_MEANINGS[status]),
        tag_class=STATUS_TAG_CLASSES[status],
        # The team in the reader's language when SafeShare wrote it; the rest as the
        # organisation set it (ADR 0053).
        contact_point=contact_in_words(contact.team),
        contact=contact,
        protects=status.blocks_enforcement,
        needs_advice_to_stay_protected=policy.protection.conditions_mode is ConditionsMode.AND,
        policy_title=policy.title,
    )


def sharing_notice(policy: Policy | None = None) -> SharingNotice:
    policy = policy or active_policy()
    return SharingNotice(
        referrals_possible=policy.referrals_possible,
        fields=field_labels(policy.referrals.fields),
    )


def pack_route(candidate: CandidateRoute) -> PackRoute:
    """A candidate route in the active language. Routes that are not for the person show only
    the title, legal name, reasons and the legal-advice prompt (see docs/advice.md)."""
    route = PackRoute(
        route_id=candidate.route_id,
        fit=candidate.fit,
        fit_label=str(FIT_LABELS[candidate.fit]),
        title=translate_data_text(candidate.title),
        legal_name=DataText(candidate.legal_name, translated=True),
        reasons=[translate_data_text(reason) for reason in candidate.reasons],
        legal_advice=translate_data_text(candidate.legal_advice),
    )
    if candidate.fit is not Fit.NOT_THIS_ROUTE:
        route.summary = translate_data_text(candidate.summary)
        route.evidence = [translate_data_text(item) for item in candidate.evidence]
        route.how_to_apply = translate_data_text(candidate.how_to_apply)
    return route


def pack_organisation(organisation: SupportOrganisation) -> PackOrganisation:
    return PackOrganisation(
        id=organisation.id,
        name=organisation.name,
        helps_with=translate_data_text(organisation.helps_with),
        who_for=translate_data_text(organisation.who_for),
        phone=organisation.phone_to_show,
        url=organisation.url_to_show,
        legal_advice=organisation.kind is OrganisationKind.LEGAL_ADVICE,
    )


def _organisation(organisation_id: str) -> SupportOrganisation | None:
    return next((o for o in default_organisations() if o.id == organisation_id), None)


def helplines() -> list[PackOrganisation]:
    """The helplines printed on every letter (only those with a checked phone number)."""
    found = [_organisation(organisation_id) for organisation_id in HELPLINE_IDS]
    return [pack_organisation(o) for o in found if o is not None and o.phone_to_show]


def group_routes(candidates: list[CandidateRoute]) -> list[PackRouteGroup]:
    groups = []
    for fit in (Fit.MAY_APPLY, Fit.NEEDS_CHECKING, Fit.NOT_THIS_ROUTE):
        routes = [pack_route(candidate) for candidate in candidates if candidate.fit is fit]
        if routes:
            groups.append(PackRouteGroup(fit=fit, heading=str(FIT_HEADINGS[fit]), routes=routes))
    return groups


def build_pack_content(
    protection: Protection,
    facts: Facts,
    advice_date: date,
    *,
    view_url: str,
    policy: Policy | None = None,
) -> PackContent:
    """Everything an advice pack says, in the active language."""
    policy = policy or active_policy()
    candidates = candidate_routes(facts, on=advice_date)
    organisations = [pack_organisation(o) for o in support_organisations_for(facts)]
    ico = _organisation("ico")
    return PackContent(
        language=current_language(),
        protection=protection_summary(protection, policy),
        route_groups=group_routes(candidates),
        organisations=[o for o in organisations if not o.legal_advice],
        legal_advice_organisations=[o for o in organisations if o.legal_advice],
        sharing=sharing_notice(policy),
        ico=pack_organisation(ico) if ico is not None else None,
        advice_date=advice_date,
        catalogue_digest=default_catalogue().digest,
        view_url=view_url,
    )


def route_record(candidates: list[CandidateRoute]) -> list[dict[str, object]]:
    """What is stored with a pack to reproduce it (R26)."""
    return [
        {
            "route_id": candidate.route_id,
            "fit": candidate.fit.value,
            "version_id": candidate.version_id,
            "rule_ids": list(candidate.rule_ids),
        }
        for candidate in candidates
    ]


@dataclass
class LetterContent:
    """Everything a protection letter says. ``passcode`` is only ever held in memory."""

    language: Language
    protection: ProtectionSummary
    person_name: str
    force_name: str
    issued_on: date
    passcode: str
    view_url: str
    addressed_to: list[str]
    actions: list[str]
    helplines: list[PackOrganisation]


def enforcement_phrases() -> list[str]:
    """What Immigration Enforcement must not do, in the active language."""
    return [
        str(ACTION_PHRASES.get(action.code, action.name))
        for action in enforcement_actions().actions
    ]


def build_letter_content(
    protection: Protection,
    *,
    passcode: str,
    view_url: str,
    issued_on: date,
    addressed_to: str = "",
    policy: Policy | None = None,
) -> LetterContent:
    identity = protection.person.primary_identity
    return LetterContent(
        language=current_language(),
        protection=protection_summary(protection, policy),
        person_name=identity.full_name if identity else "",
        force_name=protection.opened_by.name,
        issued_on=issued_on,
        passcode=passcode,
        view_url=view_url,
        addressed_to=[line.strip() for line in addressed_to.splitlines() if line.strip()],
        actions=enforcement_phrases(),
        helplines=helplines(),
    )
