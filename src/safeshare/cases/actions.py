"""The only code that changes cases, their parties and their events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.cases.lifecycle import (
    CaseEvent as CaseEventType,
)
from safeshare.cases.lifecycle import (
    CaseState,
    InvalidCaseEvent,
    OffenceCategory,
    PartyRole,
    apply_event,
)
from safeshare.cases.models import (
    Case,
    CaseEvent,
    ImportedEvent,
    NrmDecision,
    NrmRecord,
    Party,
    PersonMerge,
)
from safeshare.cases.modern_slavery import (
    NrmRecordKind,
    age_on,
    modern_slavery_next_step_for,
    modern_slavery_problems,
    nrm_decision_problems,
    nrm_record_problems,
    recovery_period_from,
)
from safeshare.kernel import hooks
from safeshare.kernel.policy import policy_in_force
from safeshare.kernel.roles import OrganisationKind
from safeshare.kernel.transactions import _joined, action_transaction, request_transaction
from safeshare.ledger.actions import log_entry
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.keys import token_for_record
from safeshare.people.actions import create_person, do_merge_people
from safeshare.people.identity import IdentityIn
from safeshare.people.models import Person

PROTECTED_ROLES = {PartyRole.VICTIM, PartyRole.WITNESS, PartyRole.DEPENDANT}


def do_create_case(
    actor: Actor,
    *,
    crime_reference: str,
    offence_category: OffenceCategory | str,
    counting_rules_code: str = "",
) -> Case:
    """Record a case for the actor's police force. The crime reference is unique in the force."""
    if actor.organisation.kind != OrganisationKind.POLICE_FORCE:
        raise ValidationError("Only a police force can record a case.")
    reference = " ".join(crime_reference.split()).upper()
    if not reference:
        raise ValidationError({"crime_reference": "Enter the crime reference"})
    case = Case(
        force=actor.organisation,
        crime_reference=reference,
        offence_category=OffenceCategory(offence_category).value,
        counting_rules_code=counting_rules_code.strip(),
        state=CaseState.REPORTED.value,
    )
    case.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with action_transaction():
            case.save()
    except IntegrityError as error:
        raise ValidationError(
            {"crime_reference": f"Your force already has a case with the reference {reference}"}
        ) from error
    return case


def do_add_party(
    case: Case,
    actor: Actor,
    *,
    role: PartyRole | str,
    identity: IdentityIn | None = None,
    person: Person | None = None,
    migrant: bool = True,
    trafficking_indicators: Iterable[str] = (),
    nrm_consent: str = "",
) -> Party:
    """Add a person to a case in a role. Under a policy that protects on registration (the
    firewall), a migrant victim, witness or dependant is protected at once.

    Trafficking indicators and the person's answer on a referral to the National Referral
    Mechanism are recorded with them (R27); the case is where the override reviewers' modern
    slavery flag and the advice pack read them from."""
    role = PartyRole(role)
    if (identity is None) == (person is None):
        raise ValueError("Give either a new identity or an existing person.")
    indicators = list(trafficking_indicators)
    if identity is not None:
        date_of_birth = identity.date_of_birth
    else:
        date_of_birth = _date_of_birth(person) if person is not None else None
    problems = modern_slavery_problems(
        indicators,
        nrm_consent,
        date_of_birth=str(date_of_birth) if date_of_birth else None,
        today=timezone.localdate(),
    )
    if problems:
        raise ValidationError(problems)
    policy = policy_in_force()
    with action_transaction():
        if person is None:
            person = create_person(identity, actor)  # type: ignore[arg-type]
        if Party.objects.filter(case=case, person=person, role=role.value).exists():
            raise ValidationError(f"This person is already a {role} in this case.")
        party = Party.objects.create(
            case=case,
            person=person,
            role=role.value,
            migrant=migrant,
            trafficking_indicators=indicators,
            nrm_consent=nrm_consent,
        )
        hooks.fire(hooks.PARTY_ADDED, party, actor, policy)
    return party


def modern_slavery_prompt(party: Party) -> tuple[str, str] | None:
    """The R27 prompt for a person with trafficking indicators recorded: the next step and
    what to do, by the policy in force where the force is (the duty to notify); else None."""
    if not party.trafficking_indicators:
        return None
    profile = policy_in_force().jurisdiction(party.case.force.jurisdiction or "england_wales")
    born = _date_of_birth(party.person)
    age = age_on(born, timezone.localdate())
    step, text = modern_slavery_next_step_for(
        party.nrm_consent,
        child=age is not None and age < 18,
        duty_to_notify=profile.duty_to_notify,
        duty_to_notify_law=profile.duty_to_notify_law,
    )
    return step.value, text


def _is_child(party: Party) -> bool:
    age = age_on(_date_of_birth(party.person), timezone.localdate())
    return age is not None and age < 18


def _log_nrm(party: Party, actor: Actor, policy, event_type: str) -> None:
    """The ledger entry for an NRM record on the case: the case and the person, as tokens;
    the kind is kept in the case's own tables (a format-2 entry publishes only the case)."""
    log_entry(
        EntryKind.CASE_EVENT,
        actor,
        policy,
        subjects=[party.person.public_id],
        payload={"case": token_for_record("case", party.case_id), "event_type": event_type},
    )


def do_record_nrm_referral(
    party: Party,
    actor: Actor,
    *,
    kind: str,
    made_on: dt.date | None,
    first_responder: str = "",
    reference: str = "",
) -> NrmRecord:
    """Record, for a person in a case, the referral to the National Referral Mechanism made
    for them (with the consent recorded on the case) or, for an adult who did not consent, the
    duty-to-notify report (R27). Refused, with every reason and nothing stored, when the
    record does not fit the person: an adult's referral needs their recorded consent, and a
    child is referred, never reported."""
    first_responder, reference = first_responder.strip(), reference.strip()
    policy = policy_in_force()
    with action_transaction():
        party = Party.objects.select_for_update().select_related("person", "case").get(pk=party.pk)
        problems = nrm_record_problems(
            kind,
            made_on=made_on,
            first_responder=first_responder,
            reference=reference,
            indicators=party.trafficking_indicators,
            nrm_consent=party.nrm_consent,
            child=_is_child(party),
            already=party.nrm_records.values_list("kind", flat=True),
            today=timezone.localdate(),
        )
        if problems or made_on is None:
            raise ValidationError(problems)
        record = NrmRecord.objects.create(
            party=party,
            kind=kind,
            made_on=made_on,
            first_responder=first_responder,
            reference=reference,
            consent=party.nrm_consent,
            recorded_by=f"{actor.label}, {actor.organisation.name}",
        )
        _log_nrm(party, actor, policy, kind)
    return record


def do_record_nrm_decision(
    party: Party, actor: Actor, *, stage: str, outcome: str, decided_on: dt.date | None
) -> NrmDecision:
    """Record a decision of the National Referral Mechanism on a person in a case (R27). The
    recovery-period protection from removal follows from the decisions recorded
    (``recovery_period_from``); every protection the case holds is decided again."""
    policy = policy_in_force()
    with action_transaction():
        party = Party.objects.select_for_update().select_related("person", "case").get(pk=party.pk)
        referred = (
            party.nrm_records.filter(kind=NrmRecordKind.NRM_REFERRAL.value)
            .values_list("made_on", flat=True)
            .first()
        )
        problems = nrm_decision_problems(
            stage,
            outcome,
            decided_on=decided_on,
            referred_on=referred,
            earlier=party.nrm_decisions.values_list("stage", "outcome", "decided_on"),
            today=timezone.localdate(),
        )
        if problems or decided_on is None:
            raise ValidationError(problems)
        decision = NrmDecision.objects.create(
            party=party,
            stage=stage,
            outcome=outcome,
            decided_on=decided_on,
            recorded_by=f"{actor.label}, {actor.organisation.name}",
        )
        _log_nrm(party, actor, policy, f"nrm_{stage}_{outcome}")
        hooks.fire(hooks.CASE_EVENT_RECORDED, party.case, actor, policy)
    return decision


def recovery_periods_for(person_ids: Iterable[int]) -> dict[int, tuple[bool, str]]:
    """For each person with NRM decisions recorded in a case, whether those decisions protect
    them from removal today, and why (``recovery_period_from``)."""
    decisions: dict[int, list[tuple[str, str, dt.date]]] = {}
    for person, stage, outcome, decided_on in NrmDecision.objects.filter(
        party__person_id__in=list(person_ids)
    ).values_list("party__person_id", "stage", "outcome", "decided_on"):
        decisions.setdefault(person, []).append((stage, outcome, decided_on))
    today = timezone.localdate()
    return {person: recovery_period_from(made, today) for person, made in decisions.items()}


def nrm_on_record(person_id: int) -> bool:
    """Whether an NRM referral, a duty-to-notify report or an NRM decision is recorded for the
    person in any case."""
    return (
        NrmRecord.objects.filter(party__person_id=person_id).exists()
        or NrmDecision.objects.filter(party__person_id=person_id).exists()
    )


def _date_of_birth(person: Person) -> str | None:
    """The person's full date of birth when any identity gives one."""
    for identity in person.identities.all():
        if identity.date_of_birth:
            return str(identity.date_of_birth)
    return None


def do_record_case_event(
    case: Case,
    actor: Actor,
    *,
    event: CaseEventType | str,
    occurred_on: dt.date | None = None,
) -> CaseEvent:
    """Record what happened in a case and recompute every protection it holds open. An event
    that makes no sense in the case's state is refused with the reason."""
    event = CaseEventType(event)
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "The date must be today or in the past"})
    policy = policy_in_force()
    with action_transaction():
        case = Case.objects.select_for_update().get(pk=case.pk)
        before = CaseState(case.state)
        try:
            after = apply_event(before, event)
        except InvalidCaseEvent as error:
            raise ValidationError({"event": str(error)}) from error
        case.state = after.value
        case.updated_at = timezone.now()
        case.save(update_fields=["state", "updated_at"])
        recorded = CaseEvent.objects.create(
            case=case,
            event=event.value,
            occurred_on=occurred_on,
            state_before=before.value,
            state_after=after.value,
            recorded_by=f"{actor.label}, {actor.organisation.name}",
        )
        people = (
            Person.objects.filter(parties__case=case)
            .distinct()
            .values_list("public_id", flat=True)
        )
        log_entry(
            EntryKind.CASE_EVENT,
            actor,
            policy,
            subjects=list(people),
            payload={
                "case": token_for_record("case", case.pk),
                "event_type": event.value,
                "case_status": after.value,
                "event_date": occurred_on.isoformat(),
                "reopened": event == CaseEventType.CASE_REOPENED,
            },
        )
        hooks.fire(hooks.CASE_EVENT_RECORDED, case, actor, policy)
    return recorded


def on_people_merged(keep: Person, merge: Person, actor: Actor) -> None:
    """Hook ``people_merged``: the merged person's case roles move to the person kept."""
    Party.objects.filter(person=merge).update(person=keep)


def do_record_imported_event(
    *,
    force,
    crime_reference: str,
    person_reference: str,
    event_id: str,
    digest: str,
    case: Case,
    person: Person | None,
) -> None:
    """Remember a feed event as applied (``cases.feeds``), or its new digest once its change
    has been applied. Runs in the import's transaction."""
    with action_transaction():
        updated = ImportedEvent.objects.filter(
            force=force,
            crime_reference=crime_reference,
            person_reference=person_reference,
            event_id=event_id,
        ).update(digest=digest, updated_at=timezone.now())
        if not updated:
            ImportedEvent.objects.create(
                force=force,
                crime_reference=crime_reference,
                person_reference=person_reference,
                event_id=event_id,
                digest=digest,
                case=case,
                person=person,
            )


def do_update_case(
    case: Case, *, offence_category: OffenceCategory | str, counting_rules_code: str = ""
) -> Case:
    """Correct a case's kind of crime or counting-rules code (a feed's update)."""
    category = OffenceCategory(offence_category).value
    code = counting_rules_code.strip()
    if (case.offence_category, case.counting_rules_code) == (category, code):
        return case
    with action_transaction():
        Case.objects.filter(pk=case.pk).update(
            offence_category=category, counting_rules_code=code, updated_at=timezone.now()
        )
    case.offence_category, case.counting_rules_code = category, code
    return case


def people_in_force(force):
    """People who are parties to a case of ``force`` and not merged into someone else."""
    return Person.objects.filter(parties__case__force=force, merged_into__isnull=True).distinct()


def do_request_merge(actor: Actor, *, keep: Person, merge: Person, reason: str) -> PersonMerge:
    """Ask for two people of the force's cases to be merged (R24); a second person approves."""
    if keep.pk == merge.pk:
        raise ValidationError({"merge_with": "Choose another person: this is the same person"})
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": "Say why these are the same person"})
    with action_transaction():
        return PersonMerge.objects.create(
            force=actor.organisation,
            keep=keep,
            merge=merge,
            reason=reason.strip(),
            requested_by=actor.label,
            requester_key=actor.identifier,
        )


def do_approve_merge(actor: Actor, request: PersonMerge) -> Person:
    """The second person approves: parties, identities and protections move to the person kept
    (the ``people_merged`` hook), and clears the merge makes wrong are suspended (protocol)."""

    if request.status != PersonMerge.Status.PENDING:
        raise ValidationError({"merge": "This merge has already been carried out"})
    if request.requester_key == actor.identifier:
        raise ValidationError({"merge": "A second person must approve the merge"})
    # One transaction that the merge of the people (an action of its own) joins.
    with action_transaction() if _joined.get() else request_transaction():
        locked = PersonMerge.objects.select_for_update().get(pk=request.pk)
        if locked.status != PersonMerge.Status.PENDING:
            raise ValidationError({"merge": "This merge has already been carried out"})
        kept = do_merge_people(locked.keep, locked.merge, actor)
        PersonMerge.objects.filter(pk=locked.pk).update(
            status=PersonMerge.Status.MERGED, approved_by=actor.label, approved_at=timezone.now()
        )
    return kept
