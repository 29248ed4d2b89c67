"""The only code that changes people and identities."""

from __future__ import annotations

from safeshare.accounts.actors import Actor
from safeshare.ledger.actions import log_entry
from safeshare.ledger.entries import EntryKind
from safeshare.people.identity import IdentityIn, resolve_nationality
from safeshare.people.models import Identity, Person
from safeshare.register.service import index_identity
from safeshare.transactions import action_transaction


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
    under it at once, because it is indexed in the register (R4, R24)."""
    with action_transaction():
        identity = create_identity(person, data, actor)
        protection = person.protections.first()
        if protection is not None:
            index_identity(identity, protection)
    return identity


def do_merge_people(keep: Person, merge: Person, actor: Actor) -> Person:
    """Merge ``merge`` into ``keep``: identities, case roles and protections all move, so every
    protection is carried forward (R4, R24)."""
    from safeshare.cases.models import Party
    from safeshare.protocol.active import active_policy
    from safeshare.protocol.models import Protection, ProtectionCase

    if keep.pk == merge.pk:
        raise ValueError("A person cannot be merged into themselves.")
    policy = active_policy()
    with action_transaction():
        Identity.objects.filter(person=merge).update(person=keep)
        Party.objects.filter(person=merge).update(person=keep)
        kept = Protection.objects.select_for_update().filter(person=keep).first()
        moved = Protection.objects.select_for_update().filter(person=merge).first()
        if moved is not None and kept is None:
            moved.person = keep
            moved.save(update_fields=["person"])
            kept = moved
        elif moved is not None and kept is not None:
            for link in ProtectionCase.objects.filter(protection=moved):
                ProtectionCase.objects.get_or_create(
                    protection=kept, case=link.case, role=link.role
                )
            kept.regularisation_status = max(
                [kept.regularisation_status, moved.regularisation_status],
                key=lambda s: s != "none",
            )
            kept.nrm_recovery_period = kept.nrm_recovery_period or moved.nrm_recovery_period
            kept.save()
        merge.merged_into = keep
        merge.save(update_fields=["merged_into"])
        if kept is not None:
            from safeshare.protocol.actions import refresh_protection

            refresh_protection(kept, actor, policy)
            for identity in keep.identities.all():
                index_identity(identity, kept)
        log_entry(
            EntryKind.PROTECTION_STATUS_CHANGED,
            actor,
            policy,
            subjects=[keep.public_id, merge.public_id],
            payload={"reason_code": "people_merged", "status": kept.status if kept else "none"},
        )
    return keep
