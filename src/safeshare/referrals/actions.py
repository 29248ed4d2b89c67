"""Referrals from police to Immigration Enforcement: the only code that records one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.cases.lifecycle import InformationSource, OffenceCategory, PartyRole
from safeshare.cases.models import Party
from safeshare.kernel.errors import RuleRefusal
from safeshare.kernel.identity import IDENTITY_FIELDS
from safeshare.kernel.roles import REFERRING_KINDS, OrganisationKind, Role
from safeshare.kernel.transactions import _joined, action_transaction
from safeshare.ledger.actions import log_entry
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.keys import token_for_record
from safeshare.notifications.actions import notify_staff
from safeshare.people.actions import create_person
from safeshare.people.identity import IdentityIn
from safeshare.protocol.actions import (
    do_close_protection,
    end_referral_hold,
    open_or_extend_protection,
)
from safeshare.protocol.active import active_policy
from safeshare.protocol.policy import Jurisdiction, Policy
from safeshare.protocol.protection import OpeningEvent, should_open_protection
from safeshare.protocol.referral import (
    ConsentState,
    ReferralFacts,
    ReferralTrigger,
    decide_referral,
    validate_referral_payload,
)
from safeshare.protocol.replay import referral_decision_record, referral_facts
from safeshare.referrals.models import (
    AuthorityReferral,
    Consent,
    Referral,
    RefusedAuthorityReferral,
    RefusedReferral,
    StopProcessing,
)


class ReferralRefusedError(RuleRefusal):
    """The policy does not allow this referral; nothing was sent. The attempt is recorded
    (``RefusedReferral``); inside a request's transaction, which the error rolls back, the
    caller records it afterwards with ``record_refusal``."""

    refusal: dict | None = None

    http_status = 403
    error_code = "referral_refused"

    def after_rollback(self) -> None:
        record_refusal(self)


_BASIS_LABELS: tuple[tuple[str, str], ...] = (
    ("controller", "data controller"),
    ("regime", "data protection regime"),
    ("lawful_basis", "lawful basis"),
    ("gateway", "legal gateway"),
    ("agreement_id", "data-sharing agreement reference"),
    ("dpia_version", "DPIA version"),
)


@dataclass(frozen=True)
class LegalBasis:
    """What every data flow must record before it can be sent (R22)."""

    controller: str
    regime: str
    lawful_basis: str
    gateway: str
    agreement_id: str
    dpia_version: str


def referral_payload(
    party: Party,
    actor: Actor,
    *,
    channel: str,
    source: str,
    basis: LegalBasis,
    necessity: Mapping[str, str],
    extra: Mapping[str, object],
    protection_flag: bool,
    consented_fields: Iterable[str] | None = None,
) -> dict[str, object]:
    """Exactly what would be sent: the policy's identity fields plus role and legal metadata.

    ``protection_flag`` is what the decision produced: true only when the referral opens (or
    extends) a protection under the policy, never as a matter of form."""
    identity = party.person.primary_identity
    fields = identity.as_fields() if identity else {}
    payload: dict[str, object] = {name: fields.get(name) for name in IDENTITY_FIELDS}
    payload = {name: value for name, value in payload.items() if value not in (None, "", [])}
    if consented_fields is not None:
        # Only what the person agreed to share travels (consent-2025).
        agreed = set(consented_fields)
        payload = {name: value for name, value in payload.items() if name in agreed}
    payload.update(
        role=party.role,
        protection_flag=protection_flag,
        force_code=actor.org_code,
        crime_reference=party.case.crime_reference,
        channel=channel,
        source_of_information=source,
        lawful_basis=basis.lawful_basis,
        gateway=basis.gateway,
        agreement_id=basis.agreement_id,
        dpia_version=basis.dpia_version,
    )
    payload.update({name: value for name, value in extra.items() if necessity.get(name)})
    return payload


def facts_for(party: Party, actor: Actor, triggers: Iterable[str]) -> ReferralFacts:
    """What the policy decides a referral of ``party`` from, as it stands now."""
    other_roles = frozenset(
        PartyRole(role)
        for role in Party.objects.filter(person=party.person)
        .exclude(pk=party.pk)
        .values_list("role", flat=True)
    )
    return ReferralFacts(
        role=PartyRole(party.role),
        offence=OffenceCategory(party.case.offence_category),
        triggers=frozenset(ReferralTrigger(t) for t in triggers),
        jurisdiction=Jurisdiction(actor.organisation.jurisdiction)
        if actor.organisation.jurisdiction in set(Jurisdiction)
        else Jurisdiction.ENGLAND_WALES,
        force_code=actor.org_code,
        other_roles=other_roles,
        consent=consent_state(party)[0],
    )


def decide_for(party: Party, actor: Actor, triggers: Iterable[str], policy: Policy):
    """The policy's decision on referring ``party`` with these triggers (no side effects)."""
    return decide_referral(policy, facts_for(party, actor, triggers))


def opens_protection(policy: Policy, party: Party) -> bool:
    """Whether a police referral of ``party`` opens or extends a protection under ``policy``."""
    return should_open_protection(
        policy,
        PartyRole(party.role),
        OffenceCategory(party.case.offence_category),
        OpeningEvent.POLICE_REFERRAL,
    ).opens


def preview_referral(
    party: Party,
    actor: Actor,
    *,
    triggers: Iterable[str],
    channel: str,
    source: str,
    basis: LegalBasis,
    necessity: Mapping[str, str] | None = None,
    extra: Mapping[str, object] | None = None,
    policy: Policy | None = None,
) -> tuple[dict[str, object], list[str], list[str]]:
    """(payload, refusal reasons, field problems) — shown to the officer before sending."""
    policy = policy or active_policy()
    necessity = dict(necessity or {})
    decision = decide_for(party, actor, triggers, policy)
    payload = referral_payload(
        party,
        actor,
        channel=channel,
        source=source,
        basis=basis,
        necessity=necessity,
        extra=extra or {},
        protection_flag=opens_protection(policy, party),
        consented_fields=consent_state(party)[1] if policy.referrals.consent_required else None,
    )
    problems = [error.message for error in validate_referral_payload(policy, payload, necessity)]
    refusals = [] if decision.allowed else list(decision.reasons)
    return payload, refusals, problems


def do_make_referral(
    party: Party,
    actor: Actor,
    *,
    triggers: Iterable[str],
    channel: str,
    source_of_information: InformationSource | str,
    basis: LegalBasis,
    recipient: Organisation | None = None,
    necessity: Mapping[str, str] | None = None,
    extra: Mapping[str, object] | None = None,
) -> Referral:
    """Send a referral if, and only if, the policy allows it; open the protection (R1) and log
    the disclosure in the same transaction (invariant 3)."""
    policy = active_policy()
    if party.case.force_id != actor.organisation.pk:
        raise ValidationError("You can only refer people in your own force's cases.")
    missing = {
        name: f"Enter the {label}"
        for name, label in _BASIS_LABELS
        if not getattr(basis, name).strip()
    }
    if missing:
        raise ValidationError(missing)
    triggers = list(triggers)
    source = InformationSource(source_of_information).value
    channel = Referral.Channel(channel).value
    payload, refusals, problems = preview_referral(
        party,
        actor,
        triggers=triggers,
        channel=channel,
        source=source,
        basis=basis,
        necessity=necessity,
        extra=extra,
        policy=policy,
    )
    facts = facts_for(party, actor, triggers)
    decision = decide_referral(policy, facts)
    if refusals:
        error = ReferralRefusedError(refusals, code="referral_refused")
        error.refusal = {
            "party": party,
            "actor": actor,
            "triggers": sorted(triggers),
            "rule_codes": list(decision.rule_codes),
            "reasons": list(decision.reasons),
            "policy": policy,
            "facts": referral_facts(facts),
            "decided": referral_decision_record(decision),
        }
        if not _joined.get():
            record_refusal(error)
        raise error
    if problems:
        raise ValidationError(problems)
    recipient = _ie_recipient(recipient)
    with action_transaction():
        protection = None
        opening = should_open_protection(
            policy,
            PartyRole(party.role),
            OffenceCategory(party.case.offence_category),
            OpeningEvent.POLICE_REFERRAL,
        )
        if opening.opens:
            protection = open_or_extend_protection(
                party.person,
                party.case,
                PartyRole(party.role),
                actor,
                policy,
                OpeningEvent.POLICE_REFERRAL,
            )
        referral = Referral.objects.create(
            case=party.case,
            party=party,
            force=actor.organisation,
            recipient=recipient,
            role=party.role,
            channel=channel,
            trigger=",".join(sorted(triggers)),
            source_of_information=source,
            controller=basis.controller,
            regime=basis.regime,
            lawful_basis=basis.lawful_basis,
            gateway=basis.gateway,
            agreement_id=basis.agreement_id,
            dpia_version=basis.dpia_version,
            payload=payload,
            necessity_flags=dict(necessity or {}),
            protection=protection,
            policy_id=policy.id,
            policy_version=policy.version,
            facts=referral_facts(facts),
            decided=referral_decision_record(decision),
            created_by=f"{actor.label}, {actor.organisation.name}",
        )
        for kind in (EntryKind.REFERRAL, EntryKind.DISCLOSURE):
            log_entry(
                kind,
                actor,
                policy,
                subjects=[party.person.public_id],
                payload={
                    "referral": token_for_record("referral", referral.pk),
                    "case": token_for_record("case", party.case.pk),
                    "party_role": party.role,
                    "channel": channel,
                    "recipient_org": recipient.code,
                    "referring_org": actor.org_code,
                    "fields": sorted(payload),
                },
            )
    return referral


def _ie_recipient(recipient: Organisation | None) -> Organisation:
    """The Immigration Enforcement unit a referral goes to (the national unit by default)."""
    recipient = (
        recipient
        or Organisation.objects.filter(kind=OrganisationKind.IE_UNIT, code="IE-NCCU").first()
        or Organisation.objects.filter(kind=OrganisationKind.IE_UNIT).first()
    )
    if recipient is None or recipient.kind != OrganisationKind.IE_UNIT:
        raise ValidationError("There is no Immigration Enforcement unit to send the referral to.")
    return recipient


def record_refusal(
    error: ReferralRefusedError,
) -> RefusedReferral | RefusedAuthorityReferral | None:
    """Record a refused referral and its ledger entry, in a transaction of its own."""
    refusal = error.refusal
    if not refusal:
        return None
    if refusal.get("authority"):
        return _record_authority_refusal(error)
    party, actor, policy = refusal["party"], refusal["actor"], refusal["policy"]
    with action_transaction():
        refused = RefusedReferral.objects.create(
            case=party.case,
            party=party,
            force=actor.organisation,
            role=party.role,
            triggers=refusal["triggers"],
            rule_codes=refusal["rule_codes"],
            reasons=refusal["reasons"],
            attempted_by=f"{actor.label}, {actor.organisation.name}",
            attempted_by_key=actor.identifier,
            policy_id=policy.id,
            policy_version=policy.version,
            facts=refusal.get("facts") or {},
            decided=refusal.get("decided") or {},
        )
        log_entry(
            EntryKind.REFERRAL_REFUSED,
            actor,
            policy,
            subjects=[party.person.public_id],
            payload={
                "case": token_for_record("case", party.case.pk),
                "party_role": party.role,
                "referring_org": actor.org_code,
                "rules": sorted(refusal["rule_codes"]),
            },
        )
    error.refusal = None
    return refused


# --- Consent (consent-2025) ------------------------------------------------------------------

CONSENT_FIELDS = IDENTITY_FIELDS


def latest_consent(party: Party) -> Consent | None:
    """The person's latest answer for this party, or None if they were never asked."""
    return party.consents.order_by("-asked_at", "-id").first()


def consent_state(party: Party) -> tuple[ConsentState, tuple[str, ...]]:
    """The state of the person's consent to sharing with IE, and the fields they agreed to."""
    consent = latest_consent(party)
    if consent is None:
        return ConsentState.NONE, ()
    if consent.withdrawn_at is not None:
        return ConsentState.WITHDRAWN, ()
    if consent.not_freely_given:
        return ConsentState.NOT_FREELY_GIVEN, ()
    if consent.answer == Consent.Answer.REFUSED:
        return ConsentState.REFUSED, ()
    return ConsentState.GIVEN, tuple(consent.fields)


def do_record_consent(
    party: Party,
    actor: Actor,
    *,
    answer: str,
    fields: Iterable[str],
    asked_at,
    language: str,
    interpreter_used: bool,
    suspect_present: bool,
    own_words: str = "",
) -> Consent:
    """Record the person's answer when asked for consent to share their data with IE.

    A consent given with the suspect, or anyone connected to them, present is recorded and
    marked as possibly not freely given: it blocks sharing until a new consent is asked."""
    if party.case.force_id != actor.organisation.pk:
        raise ValidationError("You can only record consent in your own force's cases.")
    fields = list(dict.fromkeys(fields))
    problems: dict[str, str] = {}
    if answer not in Consent.Answer.values:
        problems["answer"] = "Select whether the person gave or refused consent"
    unknown = [name for name in fields if name not in CONSENT_FIELDS]
    if unknown:
        problems["fields"] = "These are not fields that can be shared: " + ", ".join(unknown)
    elif answer == Consent.Answer.GIVEN and not fields:
        problems["fields"] = "Select what the person agreed to share"
    if not language.strip():
        problems["language"] = "Enter the language the person was asked in"
    if asked_at is None:
        problems["asked_at"] = "Enter when the person was asked"
    elif asked_at > timezone.now() + timedelta(minutes=5):
        problems["asked_at"] = "The time the person was asked must not be in the future"
    if problems:
        raise ValidationError(problems)
    policy = active_policy()
    with action_transaction():
        consent = Consent.objects.create(
            party=party,
            answer=answer,
            fields=fields if answer == Consent.Answer.GIVEN else [],
            asked_by=f"{actor.label}, {actor.organisation.name}",
            asked_by_key=actor.identifier,
            asked_by_org=actor.organisation,
            asked_at=asked_at,
            language=language.strip(),
            interpreter_used=interpreter_used,
            suspect_present=suspect_present,
            own_words=own_words.strip(),
            not_freely_given=suspect_present and answer == Consent.Answer.GIVEN,
            not_freely_given_reason=(
                "The suspect, or someone connected to them, was present when consent was asked."
                if suspect_present and answer == Consent.Answer.GIVEN
                else ""
            ),
            policy_id=policy.id,
            policy_version=policy.version,
        )
    return consent


def do_flag_consent_not_free(consent: Consent, actor: Actor, *, reason: str) -> Consent:
    """An officer records that the consent may not have been freely given: it blocks sharing."""
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": "Explain in at least 10 characters why"})
    with action_transaction():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        consent.not_freely_given = True
        consent.not_freely_given_reason = reason.strip()
        consent.flagged_by = f"{actor.label}, {actor.organisation.name}"
        consent.save(update_fields=["not_freely_given", "not_freely_given_reason", "flagged_by"])
    return consent


def do_withdraw_consent(
    consent: Consent, actor: Actor, *, words: str = ""
) -> list[StopProcessing]:
    """The person withdraws consent: nothing more is shared, and every IE unit that received a
    referral about them is told to stop processing it (recorded, and a notice to the unit)."""

    with action_transaction():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if consent.withdrawn_at is not None:
            raise ValidationError("This consent has already been withdrawn.")
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = f"{actor.label}, {actor.organisation.name}"
        consent.withdrawal_words = words.strip()
        consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_words"])
        stops = []
        for referral in Referral.objects.filter(party=consent.party).select_related("recipient"):
            stops.append(
                StopProcessing.objects.create(
                    referral=referral, consent=consent, recipient=referral.recipient
                )
            )
            notify_staff(
                referral.recipient,
                Role.IE_CASEWORKER.value,
                "stop_processing",
                f"Stop processing: the person referred in referral {referral.public_id} has "
                "withdrawn their consent to their data being shared with Immigration "
                "Enforcement. Stop processing the data and do not use it.",
            )
    return stops


def consent_counts() -> dict[str, int]:
    """Consents asked, given, refused and withdrawn, for statistics."""
    consents = Consent.objects.all()
    return {
        "asked": consents.count(),
        "given": consents.filter(answer=Consent.Answer.GIVEN).count(),
        "refused": consents.filter(answer=Consent.Answer.REFUSED).count(),
        "withdrawn": consents.filter(withdrawn_at__isnull=False).count(),
        "not_freely_given": consents.filter(not_freely_given=True).count(),
    }


# --- Referrals by other authorities (R5) ------------------------------------------------------


def do_make_authority_referral(
    actor: Actor,
    identity: IdentityIn,
    *,
    role: PartyRole | str,
    offence_category: OffenceCategory | str,
    triggers: Iterable[str],
    channel: str,
    source_of_information: InformationSource | str,
    basis: LegalBasis,
    consent_given: bool = False,
    consent_fields: Iterable[str] = (),
) -> AuthorityReferral:
    """An NHS body, local authority or NRM first responder refers a person (R5): the person is
    registered, the referral is sent if, and only if, the policy allows it, and the protection
    opens as the policy says, with the same minimised payload and ledger entries as a police
    referral. The refusal of a referral the policy does not allow stores nothing."""
    policy = active_policy()
    organisation = actor.organisation
    if organisation.kind not in REFERRING_KINDS:
        raise ValidationError(
            "Only an NHS body, local authority or NRM first responder can make this referral."
        )
    missing = {
        name: f"Enter the {label}"
        for name, label in _BASIS_LABELS
        if not getattr(basis, name).strip()
    }
    if missing:
        raise ValidationError(missing)
    role, offence = PartyRole(role), OffenceCategory(offence_category)
    triggers = sorted(set(triggers))
    decision = decide_referral(
        policy,
        ReferralFacts(
            role=role,
            offence=offence,
            triggers=frozenset(ReferralTrigger(t) for t in triggers),
            jurisdiction=Jurisdiction(organisation.jurisdiction)
            if organisation.jurisdiction in set(Jurisdiction)
            else Jurisdiction.ENGLAND_WALES,
            force_code=actor.org_code,
            consent=ConsentState.GIVEN if consent_given else ConsentState.NONE,
        ),
    )
    if not decision.allowed:
        error = ReferralRefusedError(list(decision.reasons), code="referral_refused")
        error.refusal = {
            "authority": True,
            "actor": actor,
            "role": role.value,
            "offence_category": offence.value,
            "triggers": triggers,
            "consent_given": consent_given,
            "rule_codes": list(decision.rule_codes),
            "reasons": list(decision.reasons),
            "policy": policy,
        }
        if not _joined.get():
            record_refusal(error)
        raise error
    opening = should_open_protection(policy, role, offence, OpeningEvent.OTHER_AUTHORITY_REFERRAL)
    source = InformationSource(source_of_information).value
    channel = Referral.Channel(channel).value
    recipient = _ie_recipient(None)
    with action_transaction():  # a payload the policy refuses rolls the new person back
        person = create_person(identity, actor)
        fields = person.primary_identity.as_fields() if person.primary_identity else {}
        payload: dict[str, object] = {
            name: fields.get(name)
            for name in IDENTITY_FIELDS
            if fields.get(name) not in (None, "", [])
        }
        if policy.referrals.consent_required:
            agreed = set(consent_fields)
            payload = {name: value for name, value in payload.items() if name in agreed}
        payload.update(
            role=role.value,
            protection_flag=opening.opens,
            force_code=actor.org_code,
            channel=channel,
            source_of_information=source,
            lawful_basis=basis.lawful_basis,
            gateway=basis.gateway,
            agreement_id=basis.agreement_id,
            dpia_version=basis.dpia_version,
        )
        problems = [error.message for error in validate_referral_payload(policy, payload, {})]
        if problems:
            raise ValidationError(problems)
        protection = None
        if opening.opens:
            protection = open_or_extend_protection(
                person, None, role, actor, policy, OpeningEvent.OTHER_AUTHORITY_REFERRAL
            )
        referral = AuthorityReferral.objects.create(
            referrer=organisation,
            person=person,
            recipient=recipient,
            role=role.value,
            offence_category=offence.value,
            channel=channel,
            trigger=",".join(triggers),
            source_of_information=source,
            consent_given=consent_given,
            consent_fields=sorted(set(consent_fields)),
            payload=payload,
            protection=protection,
            policy_id=policy.id,
            policy_version=policy.version,
            created_by=f"{actor.label}, {organisation.name}",
            **{name: getattr(basis, name) for name, _ in _BASIS_LABELS},
        )
        for kind in (EntryKind.REFERRAL, EntryKind.DISCLOSURE):
            log_entry(
                kind,
                actor,
                policy,
                subjects=[person.public_id],
                payload={
                    "referral": token_for_record("authority_referral", referral.pk),
                    "channel": channel,
                    "recipient_org": recipient.code,
                    "referring_org": actor.org_code,
                    "fields": sorted(payload),
                },
            )
    return referral


# --- Ending a protection another authority's referral opened (docs/adr/0038) ----------------

WITHDRAWAL_REASONS = {
    "no_longer_at_risk": "The person is no longer at risk",
    "person_asked": "The person asked for the referral to be withdrawn",
    "made_in_error": "The referral was made in error",
    "police_case_opened": "A police force now holds a case for the person",
}


def _own_authority_referral(referral: AuthorityReferral, actor: Actor) -> None:
    if actor.role is not Role.REFERRER or referral.referrer_id != actor.organisation.pk:
        raise ValidationError("Only the organisation that made a referral can end it.")


def do_withdraw_authority_referral(
    referral: AuthorityReferral, actor: Actor, *, reason: str, details: str = ""
) -> AuthorityReferral:
    """The referring organisation withdraws its referral (R5): the referral stops holding the
    protection open, and the protection is recomputed. With nothing else holding it, it moves
    to transition, still blocking enforcement, and the person is sent the end-of-protection
    notice; it ends only when a person closes it (``do_close_authority_protection``)."""
    _own_authority_referral(referral, actor)
    if reason not in WITHDRAWAL_REASONS:
        raise ValidationError(
            {"reason": f"Choose a reason from: {', '.join(WITHDRAWAL_REASONS)}."}
        )
    if len(details) > 2000:
        raise ValidationError({"details": "Enter at most 2,000 characters."})
    with action_transaction():
        referral = AuthorityReferral.objects.select_for_update().get(pk=referral.pk)
        if referral.withdrawn_at is not None:
            raise ValidationError("This referral has already been withdrawn.")
        referral.withdrawn_at = timezone.now()
        referral.withdrawn_by = f"{actor.label}, {actor.organisation.name}"
        referral.withdrawal_reason = reason
        referral.withdrawal_details = details.strip()
        referral.save(
            update_fields=[
                "withdrawn_at",
                "withdrawn_by",
                "withdrawal_reason",
                "withdrawal_details",
            ]
        )
        if referral.protection is not None:
            end_referral_hold(referral.protection, actor, reason_code="referral_withdrawn")
    return referral


def do_close_authority_protection(
    referral: AuthorityReferral, actor: Actor, *, reasons: str, victim_notified: bool
):
    """Close the protection a withdrawn referral opened, as a force's protocol officer closes
    one its case held: the same rule (R12: in transition, the notice delivered and the minimum
    period passed), the same record and ledger entry. Only when no police case holds it."""
    _own_authority_referral(referral, actor)
    if referral.protection is None:
        raise ValidationError("This referral opened no protection.")
    if referral.withdrawn_at is None:
        raise ValidationError(
            "Withdraw the referral first: while it stands it holds the protection open."
        )
    return do_close_protection(
        referral.protection, actor, reasons=reasons, victim_notified=victim_notified,
        as_custodian=True,
    )  # fmt: skip


def _record_authority_refusal(error: ReferralRefusedError) -> RefusedAuthorityReferral:
    """An NHS body's, local authority's or NRM first responder's refused referral (R5): who,
    when, under which rules, and nothing about the person (docs/adr/0038)."""
    refusal = error.refusal or {}
    actor, policy = refusal["actor"], refusal["policy"]
    with action_transaction():
        refused = RefusedAuthorityReferral.objects.create(
            referrer=actor.organisation,
            role=refusal["role"],
            offence_category=refusal["offence_category"],
            triggers=refusal["triggers"],
            consent_given=refusal["consent_given"],
            rule_codes=refusal["rule_codes"],
            reasons=refusal["reasons"],
            attempted_by=f"{actor.label}, {actor.organisation.name}",
            attempted_by_key=actor.identifier,
            policy_id=policy.id,
            policy_version=policy.version,
        )
        log_entry(
            EntryKind.REFERRAL_REFUSED,
            actor,
            policy,
            payload={
                "record": token_for_record("refused_authority_referral", refused.pk),
                "party_role": refusal["role"],
                "referring_org": actor.org_code,
                "rules": sorted(refusal["rule_codes"]),
            },
        )
    error.refusal = None
    return refused


def do_release_for_retention(protection_ids: Iterable[int], person_ids: Iterable[int]) -> int:
    """Before retention deletes ended protections (R23): the referrals that opened them no longer
    point at them, and the referrals of people it erases lose what was shared (their payload).
    Who referred, to whom, when and on what basis stays. In the caller's transaction; returns
    the referrals changed."""
    protection_ids, person_ids = list(protection_ids), list(person_ids)
    with action_transaction():
        changed = Referral.objects.filter(protection_id__in=protection_ids).update(protection=None)
        changed += Referral.objects.filter(party__person_id__in=person_ids).update(payload={})
        changed += AuthorityReferral.objects.filter(protection_id__in=protection_ids).update(
            protection=None
        )
        changed += AuthorityReferral.objects.filter(person_id__in=person_ids).update(payload={})
        return changed
