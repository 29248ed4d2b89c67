"""Cases and their parties for tests, made through the cases actions as the service makes them."""

from __future__ import annotations

import factory

from safeshare.accounts.actors import Actor
from safeshare.cases import actions
from safeshare.cases.models import Case, Party
from safeshare.kernel.roles import Role
from safeshare.people.identity import IdentityIn
from tests.support.factories.accounts import make_user


class CaseFactory(factory.Factory):
    """``CaseFactory.create(actor=…)``; a police officer of a new force when no actor is given."""

    class Meta:
        model = Case

    actor = factory.LazyFunction(lambda: Actor.for_user(make_user(Role.POLICE_OFFICER)))
    crime_reference = factory.Sequence(lambda n: f"20/{1000 + n}/26")
    offence_category = "domestic_abuse"

    @classmethod
    def _create(cls, model_class, *args, actor: Actor, **kwargs) -> Case:
        return actions.do_create_case(actor, **kwargs)


class PartyFactory(factory.Factory):
    """``PartyFactory.create(case=…, actor=…)``: a new person in a case (a victim by default)."""

    class Meta:
        model = Party

    role = "victim"
    given_names = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    migrant = True

    @classmethod
    def _create(
        cls, model_class, *args, case: Case, actor: Actor, role: str, migrant: bool, **identity
    ) -> Party:
        """Any other keyword is an identity field (``date_of_birth``, ``nationality``…)."""
        return actions.do_add_party(
            case, actor, role=role, migrant=migrant, identity=IdentityIn(**identity)
        )
