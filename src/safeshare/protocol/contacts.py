"""Whom to contact about a protection, as structured data (ADR 0053).

A protection records on one line the contact point it was opened with (``contact_point``, kept
for the ledger and replay). Pages, letters and the API show the opening organisation's contact
point as it is now: team, telephone, email, hours and out-of-hours route, so that a number that
changes reaches every letter and answer. Under a firewall, and for a hold, IE is sent to the
protocol custodian's national contact point, from the settings.
"""

from __future__ import annotations

from django.conf import settings

from safeshare.kernel.contact import ContactPoint
from safeshare.protocol.models import Clearance, Protection


def national_contact() -> ContactPoint:
    """The protocol custodian's national contact point (``SAFESHARE_NATIONAL_CONTACT_*``)."""
    return ContactPoint(**settings.SAFESHARE_NATIONAL_CONTACT)


def protection_contact(protection: Protection) -> ContactPoint:
    """The contact point of the organisation that opened ``protection``; its recorded line when
    that organisation has set none."""
    contact = protection.opened_by.contact
    if contact:
        return contact
    return ContactPoint(team=protection.contact_point)


def clearance_contact(clearance: Clearance) -> ContactPoint | None:
    """The contact point of the answer IE was given: the protecting organisation's when the
    answer names a protection, else (a hold, or any answer under a firewall) the national one."""
    if not clearance.ie_contact_point:
        return None
    if clearance.ie_protection_reference:
        protection = (
            Protection.objects.select_related("opened_by")
            .filter(reference=clearance.ie_protection_reference)
            .first()
        )
        if protection is not None:
            return protection_contact(protection)
        return ContactPoint(team=clearance.ie_contact_point)
    return national_contact()
