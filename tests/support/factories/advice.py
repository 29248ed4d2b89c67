"""Protection letters and advice packs, issued through the advice actions."""

from __future__ import annotations

import factory

from safeshare.accounts.actors import Actor
from safeshare.advice import actions
from safeshare.advice.eligibility import Child, Facts
from safeshare.advice.models import AdvicePack
from safeshare.kernel.roles import Role
from tests.support.factories.accounts import make_user
from tests.support.factories.referrals import ProtectionFactory

VIEW_URL = "http://testserver/my-protection/"


def sample_facts() -> Facts:
    """A partner of a student who left an abusive relationship, with a young child."""
    return Facts(
        offence_category="domestic_abuse",
        relationship_to_perpetrator="former_partner",
        visa_category="partner_of_student",
        relationship_broke_down_due_to_abuse=True,
        jurisdiction="england",
        children=(Child(age=4, years_residence=2, british_or_settled=False),),
        means="destitute",
        age=35,
        years_residence=2,
    )


class ProtectionLetterFactory(factory.Factory):
    """``ProtectionLetterFactory.create(protection=…, actor=…)`` returns the issued letter
    (its passcode and PDF); a new protection, referred by the actor, when none is given."""

    class Meta:
        model = actions.IssuedLetter

    actor = factory.LazyFunction(lambda: Actor.for_user(make_user(Role.POLICE_OFFICER)))
    protection = factory.LazyAttribute(lambda o: ProtectionFactory.create(actor=o.actor))
    language = "en"
    delivery = "handed_over"
    view_url = VIEW_URL

    @classmethod
    def _create(cls, model_class, *args, protection, actor: Actor, **kwargs):
        return actions.do_issue_protection_letter(protection, actor, **kwargs)


class AdvicePackFactory(factory.Factory):
    """``AdvicePackFactory.create(protection=…, actor=…)``; a new protection, referred by the
    actor, when none is given. The facts are ``sample_facts()`` unless given."""

    class Meta:
        model = AdvicePack

    actor = factory.LazyFunction(lambda: Actor.for_user(make_user(Role.POLICE_OFFICER)))
    protection = factory.LazyAttribute(lambda o: ProtectionFactory.create(actor=o.actor))
    facts = factory.LazyFunction(sample_facts)
    language = "en"
    channel = "handed_over"
    view_url = VIEW_URL

    @classmethod
    def _create(cls, model_class, *args, protection, actor: Actor, **kwargs) -> AdvicePack:
        return actions.do_issue_advice_pack(protection, actor, **kwargs)
