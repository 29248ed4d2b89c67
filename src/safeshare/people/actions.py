"""The only code that changes people and identities."""

from __future__ import annotations

from safeshare.accounts.actors import Actor
from safeshare.kernel import hooks
from safeshare.kernel.transactions import action_transaction
from safeshare.people.identity import IdentityIn, resolve_nationality
from safeshare.people.models import Identity, Person


def create_identity(person: Person, data: IdentityIn, actor: Actor) -> Identity:
    """Store one identity for a person. In a transaction."""
    code, text = resolve_nationality(data.nationality)
    return Identity.objects.create(
        person=person,
        given_names=data.given_names,
        family_name=data.family_name,
        aliases=list(data.aliases),
        date_of_birth=data.date_of_birth or "",
        sex=data.sex.value if data.sex else "",
        nationality_code=code,
        nationality_text=text,
        passport_number=data.passport_number or "",
        home_office_reference=data.home_office_reference or "",
        recorded_by=actor.organisation,
    )


def create_person(data: IdentityIn, actor: Actor) -> Person:
    """Record a new person with their first identity. In a transaction."""
    person = Person.objects.create(recorded_by=actor.organisation)
    create_identity(person, data, actor)
    return person


def do_add_identity(person: Person, data: IdentityIn, actor: Actor) -> Identity:
    """Add another identity (an alias or another spelling); a protected person stays protected
    under it at once, because protocol indexes it in the register (R4, R24)."""
    with action_transaction():
        identity = create_identity(person, data, actor)
        hooks.fire(hooks.IDENTITY_ADDED, identity, actor)
    return identity


def do_merge_people(keep: Person, merge: Person, actor: Actor) -> Person:
    """Merge ``merge`` into ``keep``: identities move here; case roles (cases) and protections
    (protocol) move through the ``people_merged`` hook, in the same transaction, so every
    protection is carried forward (R4, R24)."""
    if keep.pk == merge.pk:
        raise ValueError("A person cannot be merged into themselves.")
    with action_transaction():
        Identity.objects.filter(person=merge).update(person=keep)
        merge.merged_into = keep
        merge.save(update_fields=["merged_into"])
        hooks.fire(hooks.PEOPLE_MERGED, keep, merge, actor)
    return keep


def do_erase_identities(person_ids) -> int:
    """Delete every identity of these people (names, aliases, dates of birth, nationalities,
    documents) when retention erases them (R23). The person stays as a bare record with no
    personal data, so that case roles, notices and the ledger's keyed references to them stay
    whole. Their register entries must be gone first. In the caller's transaction."""
    with action_transaction():
        return Identity.objects.filter(person_id__in=list(person_ids)).delete()[0]
