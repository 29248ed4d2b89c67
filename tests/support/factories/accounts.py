"""Organisations and users for tests, made through the accounts actions as the service does."""

from __future__ import annotations

import itertools

import factory

from safeshare.accounts import actions
from safeshare.accounts.models import Organisation, User
from safeshare.kernel.roles import OrganisationKind, Role

DEFAULT_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)

ORG_KIND_FOR_ROLE = {
    Role.POLICE_OFFICER: OrganisationKind.POLICE_FORCE,
    Role.PROTOCOL_OFFICER: OrganisationKind.POLICE_FORCE,
    Role.ADMINISTRATOR: OrganisationKind.POLICE_FORCE,
    Role.IE_CASEWORKER: OrganisationKind.IE_UNIT,
    Role.IE_SENIOR_APPROVER: OrganisationKind.IE_UNIT,
    Role.OVERSIGHT_ANALYST: OrganisationKind.OVERSIGHT_BODY,
    Role.ADVOCATE: OrganisationKind.SUPPORT_ORGANISATION,
    Role.REFERRER: OrganisationKind.NHS_BODY,
}


class OrganisationFactory(factory.Factory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"ORG{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.POLICE_FORCE
    official_code = ""
    jurisdiction = "england_wales"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return actions.do_create_organisation(**kwargs)


def organisation(code: str, kind: OrganisationKind, name: str, contact: str = "") -> Organisation:
    """The organisation with this code, made (with this kind, name and contact) if missing."""
    existing = Organisation.objects.filter(code=code).first()
    if existing:
        return existing
    return OrganisationFactory.create(code=code, kind=kind, name=name, contact_point=contact)


def organisation_for(role: Role, code: str | None = None) -> Organisation:
    """An organisation of the kind that can hold ``role``."""
    kind = ORG_KIND_FOR_ROLE[role]
    if code:
        existing = Organisation.objects.filter(code=code).first()
        if existing:
            return existing
        return OrganisationFactory.create(code=code, name=f"{code} organisation", kind=kind)
    return OrganisationFactory.create(kind=kind)


def make_user(
    role: Role, organisation: Organisation | None = None, password: str = DEFAULT_PASSWORD
) -> User:
    """A user with ``role`` in a suitable organisation."""
    organisation = organisation or organisation_for(role)
    return actions.do_create_user(
        email=f"{role.value}.{next(_counter)}@{organisation.code.lower()}.test",
        password=password,
        organisation=organisation,
        role=role,
        first_name="Test",
        last_name=role.label,
    )
