"""Data-sharing agreements: set up once per referring organisation (a police force, NHS body,
local authority or NRM first responder) by an administrator, chosen by name in each referral
(docs/adr/0045-data-sharing-agreements.md, docs/adr/0048-dates-and-agreements-by-name.md).

The page (``agreement_views``), the command (``safeshare agreements``) and the API all come
here. Every change fires ``kernel.hooks.ADMINISTRATION_CHANGED`` in its transaction, so the
ledger records it as it records other administration.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.text import slugify

from safeshare.accounts.actors import Actor
from safeshare.accounts.administration import may_manage
from safeshare.accounts.models import Organisation
from safeshare.kernel import hooks
from safeshare.kernel.roles import REFERRING_KINDS, OrganisationKind
from safeshare.kernel.transactions import action_transaction
from safeshare.referrals.actions import LegalBasis
from safeshare.referrals.models import DataSharingAgreement

REGIME_LABELS = {
    "uk_gdpr_part_2": "UK GDPR and Data Protection Act 2018, Part 2 (general processing)",
    "dpa_part_3": "Data Protection Act 2018, Part 3 (law enforcement processing)",
}

#: The organisations that send referrals, and so refer under a data-sharing agreement.
AGREEMENT_KINDS = frozenset({OrganisationKind.POLICE_FORCE, *REFERRING_KINDS})

#: (field, label for messages, longest length)
FIELDS: tuple[tuple[str, str, int], ...] = (
    ("name", "name", 120),
    ("controller", "data controller", 200),
    ("regime", "data protection regime", 40),
    ("lawful_basis", "lawful basis", 200),
    ("gateway", "legal gateway", 200),
    ("reference", "agreement reference", 100),
    ("dpia_version", "DPIA version", 40),
)


def _log(actor: Actor, action: str, agreement: DataSharingAgreement) -> None:
    hooks.fire(
        hooks.ADMINISTRATION_CHANGED,
        actor,
        action=action,
        organisation_code=agreement.organisation.code,
        record=f"agreement:{agreement.pk}",
        role="",
    )


def active_agreements(organisation: Organisation):
    """The agreements a referral from ``organisation`` may be sent under, by name."""
    return DataSharingAgreement.objects.filter(
        organisation=organisation, deactivated_at__isnull=True
    ).order_by("name")


def do_create_agreement(
    actor: Actor,
    organisation: Organisation,
    *,
    name: str,
    controller: str,
    regime: str,
    lawful_basis: str,
    gateway: str,
    reference: str,
    dpia_version: str,
) -> DataSharingAgreement:
    """Set up an agreement for an organisation that refers. Its administrators, or the
    operator, may."""
    if not may_manage(actor, organisation):
        raise PermissionDenied("You can only set up agreements for your own organisation.")
    if organisation.kind not in {kind.value for kind in AGREEMENT_KINDS}:
        raise ValidationError(
            {
                "organisation": "Only police forces, NHS bodies, local authorities and NRM "
                "first responders send referrals under a data-sharing agreement."
            }
        )
    if organisation.deactivated_at is not None:
        raise ValidationError({"organisation": "This organisation has been deactivated."})
    values = {
        "name": name,
        "controller": controller,
        "regime": regime,
        "lawful_basis": lawful_basis,
        "gateway": gateway,
        "reference": reference,
        "dpia_version": dpia_version,
    }
    values = {key: " ".join(str(value).split()) for key, value in values.items()}
    errors: dict[str, str] = {}
    for field, label, longest in FIELDS:
        if not values[field]:
            errors[field] = f"Enter the {label}"
        elif len(values[field]) > longest:
            errors[field] = f"The {label} must be {longest} characters or fewer"
    if values["regime"] and values["regime"] not in REGIME_LABELS:
        errors["regime"] = "Select the data protection regime from the list"
    slug = slugify(values["name"])[:120]
    if values["name"] and not slug:
        errors["name"] = "Enter a name with at least one letter or digit"
    if slug and DataSharingAgreement.objects.filter(organisation=organisation, slug=slug).exists():
        errors["name"] = f"{organisation.name} already has an agreement with this name"
    if errors:
        raise ValidationError(errors)
    agreement = DataSharingAgreement(
        organisation=organisation,
        slug=slug,
        created_by=f"{actor.label}, {actor.organisation.name}",
        **values,
    )
    with action_transaction():
        agreement.save()
        _log(actor, "agreement_created", agreement)
    return agreement


def do_deactivate_agreement(actor: Actor, agreement: DataSharingAgreement) -> None:
    """Stop an agreement being chosen; referrals already sent under it keep its fields."""
    if not may_manage(actor, agreement.organisation):
        raise PermissionDenied("You can only change your own organisation's agreements.")
    if agreement.deactivated_at is not None:
        raise ValidationError({"agreement": "This agreement is already deactivated."})
    with action_transaction():
        agreement.deactivated_at = timezone.now()
        agreement.save(update_fields=["deactivated_at"])
        _log(actor, "agreement_deactivated", agreement)


def _yours(organisation: Organisation) -> str:
    return "your force's" if organisation.kind == OrganisationKind.POLICE_FORCE else "your"


def agreement_for(organisation: Organisation, key: str) -> DataSharingAgreement:
    """The active agreement of ``organisation`` named by ``key``: its slug, its id, or its own
    reference (``DSA-2026-014``) when that names one agreement. Another organisation's
    agreement, a deactivated one or an unknown one is refused, with the reason."""
    key = (key or "").strip()
    found = DataSharingAgreement.objects.filter(organisation=organisation)
    agreement: DataSharingAgreement | None
    try:
        agreement = found.get(public_id=uuid.UUID(key))
    except (ValueError, DataSharingAgreement.DoesNotExist):
        agreement = found.filter(slug=key).first()
    if agreement is None and key:
        named = list(found.filter(reference__iexact=key))
        active = [a for a in named if a.deactivated_at is None]
        if len(active) > 1:
            raise ValidationError(
                {
                    "agreement": f"More than one of {_yours(organisation)} agreements has the "
                    f"reference {key}: give the agreement's slug instead"
                },
                code="ambiguous_agreement",
            )
        agreement = next(iter(active or named), None)
    if agreement is None:
        raise ValidationError(
            {"agreement": f"Choose one of {_yours(organisation)} data-sharing agreements"},
            code="unknown_agreement",
        )
    if agreement.deactivated_at is not None:
        raise ValidationError(
            {"agreement": f"The agreement “{agreement.name}” is no longer in use: choose another"},
            code="deactivated_agreement",
        )
    return agreement


def basis_of(agreement: DataSharingAgreement) -> LegalBasis:
    """The legal basis a referral under ``agreement`` records."""
    return LegalBasis(
        controller=agreement.controller,
        regime=agreement.regime,
        lawful_basis=agreement.lawful_basis,
        gateway=agreement.gateway,
        agreement_id=agreement.reference,
        dpia_version=agreement.dpia_version,
    )
