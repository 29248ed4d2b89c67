"""People, made as the service makes them: as a party to a police case."""

from __future__ import annotations

import factory

from safeshare.accounts.actors import Actor
from safeshare.kernel.roles import Role
from safeshare.people.models import Person
from tests.support.factories.accounts import make_user
from tests.support.factories.cases import CaseFactory, PartyFactory


class PersonFactory(factory.Factory):
    """A person recorded by a police officer as a party to a new case. ``actor`` and ``case``
    may be given; other keywords are ``PartyFactory``'s (``role``, ``migrant``, identity)."""

    class Meta:
        model = Person

    actor = factory.LazyFunction(lambda: Actor.for_user(make_user(Role.POLICE_OFFICER)))
    case = factory.LazyAttribute(lambda o: CaseFactory.create(actor=o.actor))

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Person:
        return PartyFactory.create(**kwargs).person
