"""Referrals to Immigration Enforcement, and so the protections they open, made through the
referrals actions as the service makes them."""

from __future__ import annotations

import factory

from safeshare.accounts.actors import Actor
from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.protocol.models import Protection
from safeshare.referrals.actions import LegalBasis, do_make_referral
from safeshare.referrals.models import Referral
from tests.support.factories.accounts import make_user, organisation
from tests.support.factories.cases import CaseFactory, PartyFactory

BASIS = LegalBasis(
    controller="Chief Constable of West Midlands Police",
    regime="uk_gdpr_part_2",
    lawful_basis="Public task",
    gateway="Immigration and Asylum Act 1999 s.20",
    agreement_id="DSA-2026-014",
    dpia_version="3.1",
)
"""The legal basis a force records for a referral."""


def ie_unit():
    """The IE unit referrals go to (made if missing)."""
    return organisation("IE-NCCU", OrganisationKind.IE_UNIT, "Immigration Enforcement NCCU")


class ReferralFactory(factory.Factory):
    """``ReferralFactory.create(party=…, actor=…)``: a safeguarding referral of the party, which
    opens the party's protection under the policy in force. Without a party, a victim in a new
    case of the actor's force (a police officer of a new force when no actor is given)."""

    class Meta:
        model = Referral

    actor = factory.LazyFunction(lambda: Actor.for_user(make_user(Role.POLICE_OFFICER)))
    party = factory.LazyAttribute(
        lambda o: PartyFactory.create(case=CaseFactory.create(actor=o.actor), actor=o.actor)
    )
    triggers = ("safeguarding",)
    channel = "web"
    source_of_information = "police"
    basis = BASIS

    @classmethod
    def _create(cls, model_class, *args, party, actor: Actor, **kwargs) -> Referral:
        if kwargs.get("recipient") is None:
            ie_unit()
        return do_make_referral(party, actor, **kwargs)


class ProtectionFactory(factory.Factory):
    """A protection, opened as the service opens one: by a referral (``ReferralFactory``'s
    keywords apply)."""

    class Meta:
        model = Protection

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Protection:
        return ReferralFactory.create(**kwargs).protection
