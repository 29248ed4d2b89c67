"""The only code that writes advice packs, letters, safe contact, victim sign-in state and
subject access exports. Each action is one transaction with its ledger entry."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.formats import date_format

from safeshare.accounts.actors import Actor
from safeshare.advice import conf
from safeshare.advice.documents import render_pdf
from safeshare.advice.eligibility import Facts, candidate_routes, default_catalogue
from safeshare.advice.eligibility import support_organisations_for as organisations_for
from safeshare.advice.factsio import facts_to_json
from safeshare.advice.languages import get_language, in_english, language_codes
from safeshare.advice.models import (
    AdvicePack,
    ClientThrottle,
    ContactPreference,
    Delivery,
    ProtectionLetter,
    ReferenceLock,
    SubjectAccessExemption,
    SubjectAccessExport,
)
from safeshare.advice.pack import (
    LetterContent,
    PackContent,
    build_letter_content,
    build_pack_content,
    route_record,
)
from safeshare.advice.passcodes import hash_passcode, new_passcode
from safeshare.kernel.roles import Role
from safeshare.kernel.transactions import action_transaction
from safeshare.ledger.actions import append_entry
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.keys import token_for_record
from safeshare.notifications.messages import Event
from safeshare.notifications.models import SubjectAccessRequest
from safeshare.people.models import Person
from safeshare.protocol.active import active_policy
from safeshare.protocol.models import Protection
from safeshare.protocol.outcomes import notify_person

ISSUING_ROLES = frozenset({Role.POLICE_OFFICER, Role.PROTOCOL_OFFICER})
"""Who may record safe contact and issue letters and packs."""
SUBJECT_ACCESS_ROLES = frozenset({Role.POLICE_OFFICER, Role.PROTOCOL_OFFICER, Role.ADMINISTRATOR})

LETTER_DELIVERIES = (Delivery.HANDED_OVER, Delivery.POSTED, Delivery.SUPPORT_ORGANISATION)
PACK_CHANNELS = tuple(Delivery)


def _require_role(actor: Actor, roles: frozenset[Role]) -> None:
    if actor.role not in roles:
        raise PermissionDenied("Your role cannot do this.")


def _check_language(language: str) -> str:
    if language not in language_codes():
        raise ValidationError({"language": "Choose a language from the list"})
    return language


# --- Safe contact (R28, R29) -----------------------------------------------------------------


def latest_contact_preference(person: Person) -> ContactPreference | None:
    return ContactPreference.objects.filter(person=person).order_by("-recorded_at", "-id").first()


POST_REFUSALS = {
    None: (
        "There are no safe contact details for this person. Record them first: a letter can "
        "only be posted to an address that the alleged perpetrator does not share."
    ),
    ContactPreference.Shared.YES: (
        "You cannot post this to the address on record. The person shares that address with "
        "the alleged perpetrator, who could open it. Hand it over in person, or record a safe "
        "address."
    ),
    ContactPreference.Shared.NOT_KNOWN: (
        "You cannot post this yet. Nobody has recorded whether the alleged perpetrator shares "
        "the address, so it could reach them. Hand it over in person, or find out and record a "
        "safe address."
    ),
    "no_address": (
        "There is no safe postal address on record. Hand it over in person, or record a safe "
        "address."
    ),
}


def safe_postal_address(person: Person) -> str:
    """The address a letter may be posted to, or ``ValidationError`` saying why not (R29)."""
    preference = latest_contact_preference(person)
    if preference is None:
        raise ValidationError(POST_REFUSALS[None], code="no_safe_contact")
    shared = preference.address_shared_with_perpetrator
    if shared != ContactPreference.Shared.NO:
        raise ValidationError(POST_REFUSALS[ContactPreference.Shared(shared)], code="shared")
    if not preference.safe_postal_address.strip():
        raise ValidationError(POST_REFUSALS["no_address"], code="no_address")
    return preference.safe_postal_address.strip()


def safe_email_address(person: Person) -> str:
    preference = latest_contact_preference(person)
    if preference is None or not preference.safe_email:
        raise ValidationError(
            "There is no safe email address on record. Record one first, or choose another way."
        )
    return preference.safe_email


def do_record_contact_preference(
    person: Person,
    actor: Actor,
    *,
    language: str,
    interpreter_needed: bool,
    interpreter_language: str = "",
    safe_channel: str,
    address_shared_with_perpetrator: str,
    safe_postal_address: str = "",
    safe_phone: str = "",
    safe_email: str = "",
) -> ContactPreference:
    """Record how to reach the person safely. Post is only a safe channel to an address the
    alleged perpetrator does not share (R29)."""
    _require_role(actor, ISSUING_ROLES)
    language, channel, shared, address = check_contact_preference(
        language=language,
        interpreter_needed=interpreter_needed,
        interpreter_language=interpreter_language,
        safe_channel=safe_channel,
        address_shared_with_perpetrator=address_shared_with_perpetrator,
        safe_postal_address=safe_postal_address,
        safe_phone=safe_phone,
        safe_email=safe_email,
    )
    with action_transaction():
        return ContactPreference.objects.create(
            person=person,
            language=language,
            interpreter_needed=interpreter_needed,
            interpreter_language=interpreter_language.strip() if interpreter_needed else "",
            safe_channel=channel.value,
            address_shared_with_perpetrator=shared.value,
            safe_postal_address=address,
            safe_phone=safe_phone.strip(),
            safe_email=safe_email.strip(),
            recorded_by=f"{actor.label}, {actor.organisation.name}",
            recorded_by_org=actor.organisation,
        )


def check_contact_preference(
    *,
    language: str,
    interpreter_needed: bool,
    interpreter_language: str = "",
    safe_channel: str,
    address_shared_with_perpetrator: str,
    safe_postal_address: str = "",
    safe_phone: str = "",
    safe_email: str = "",
) -> tuple[str, ContactPreference.Channel, ContactPreference.Shared, str]:
    """The language, channel, sharing and address to record, or ``ValidationError`` with what
    is wrong, by field. Stores nothing: the check-answers page asks it first."""
    errors: dict[str, str] = {}
    language = language if language in language_codes() else ""
    if not language:
        errors["language"] = "Choose the language the person wants to read"
    try:
        channel = ContactPreference.Channel(safe_channel)
    except ValueError:
        errors["safe_channel"] = "Choose a safe way to contact the person"
        channel = None
    try:
        shared = ContactPreference.Shared(address_shared_with_perpetrator)
    except ValueError:
        errors["address_shared_with_perpetrator"] = (
            "Say whether the person shares their address with the alleged perpetrator"
        )
        shared = None
    address = "\n".join(line.strip() for line in safe_postal_address.splitlines() if line.strip())
    if interpreter_needed and not interpreter_language.strip():
        errors["interpreter_language"] = "Enter the language the interpreter must speak"
    if shared is ContactPreference.Shared.YES and address:
        errors["safe_postal_address"] = (
            "Do not record an address the person shares with the alleged perpetrator as a safe "
            "address. Leave it empty."
        )
    if channel is ContactPreference.Channel.POST:
        if shared is not ContactPreference.Shared.NO:
            errors["safe_channel"] = (
                "Post is only safe to an address the alleged perpetrator does not share. "
                "Choose another way to contact the person."
            )
        elif not address:
            errors["safe_postal_address"] = "Enter the safe postal address"
    if channel is ContactPreference.Channel.PHONE and not safe_phone.strip():
        errors["safe_phone"] = "Enter a safe phone number"
    if safe_email.strip():
        try:
            validate_email(safe_email.strip())
        except ValidationError:
            errors["safe_email"] = "Enter an email address in the right format"
    if channel is ContactPreference.Channel.EMAIL and not safe_email.strip():
        errors["safe_email"] = "Enter a safe email address"
    if errors or channel is None or shared is None:
        raise ValidationError(errors)
    return language, channel, shared, address


# --- Protection letters ----------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedLetter:
    """A new letter. ``passcode`` and ``pdf`` (which prints it) exist only in memory: show the
    passcode once and hand the PDF over; neither is stored."""

    letter: ProtectionLetter
    passcode: str
    pdf: bytes


def do_issue_protection_letter(
    protection: Protection,
    actor: Actor,
    *,
    language: str,
    delivery: str,
    view_url: str,
    issued_on: date | None = None,
) -> IssuedLetter:
    """Issue a protection letter with a new one-time passcode; the old passcode stops working.

    A posted letter goes only to a recorded safe address, never to one shared with the alleged
    perpetrator (R29); a handed-over letter carries no address.
    """
    _require_role(actor, ISSUING_ROLES)
    language = _check_language(language)
    try:
        delivery = Delivery(delivery)
    except ValueError:
        raise ValidationError({"delivery": "Choose how the person will get the letter"}) from None
    if delivery not in LETTER_DELIVERIES:
        raise ValidationError({"delivery": "A protection letter cannot be sent that way"})
    address = ""
    if delivery is Delivery.POSTED:
        try:
            address = safe_postal_address(protection.person)
        except ValidationError as error:
            raise ValidationError({"delivery": error.messages}) from None
    policy = active_policy()
    passcode = new_passcode()
    issued_on = issued_on or timezone.localdate()
    with translation.override(language):

        def letter_content() -> dict[str, object]:
            return {
                "letter": build_letter_content(
                    protection,
                    passcode=passcode,
                    view_url=view_url,
                    issued_on=issued_on,
                    addressed_to=address,
                    policy=policy,
                )
            }

        context = {**letter_content(), "english_context": in_english(letter_content)}
    content: LetterContent = context["letter"]  # type: ignore[assignment]
    pdf = render_pdf(
        "advice/pdf/letter.html",
        {**context, "language": content.language},
        language=language,
    )
    with action_transaction():
        Protection.objects.select_for_update().filter(pk=protection.pk).first()
        ProtectionLetter.objects.filter(protection=protection, replaced_at__isnull=True).update(
            replaced_at=timezone.now()
        )
        letter = ProtectionLetter.objects.create(
            protection=protection,
            language=language,
            delivery=delivery.value,
            addressed_to=address,
            passcode_hash=hash_passcode(passcode),
            issued_by=f"{actor.label}, {actor.organisation.name}",
            issued_by_org=actor.organisation,
        )
        letter.ledger_entry = append_entry(
            EntryKind.LETTER_ISSUED,
            actor=actor,
            policy_id=policy.id,
            policy_version=policy.version,
            subjects=[protection.person.public_id],
            payload={
                "letter": token_for_record("letter", letter.pk),
                "protection": token_for_record("protection", protection.pk),
                "channel": delivery.value,
            },
        )
        letter.save(update_fields=["ledger_entry"])
    return IssuedLetter(letter=letter, passcode=passcode, pdf=pdf)


def current_letter(protection: Protection) -> ProtectionLetter | None:
    return (
        ProtectionLetter.objects.filter(protection=protection, replaced_at__isnull=True)
        .order_by("-issued_at", "-id")
        .first()
    )


# --- Advice packs ----------------------------------------------------------------------------


def do_issue_advice_pack(
    protection: Protection,
    actor: Actor,
    *,
    facts: Facts,
    language: str,
    channel: str,
    view_url: str,
    advice_date: date | None = None,
) -> AdvicePack:
    """Issue an advice pack: candidate routes for the facts on the advice date, support
    organisations and data rights, as a PDF in the person's language. Stored with what
    reproduces it (R26) and logged on the ledger, which oversight counts."""
    _require_role(actor, ISSUING_ROLES)
    language = _check_language(language)
    try:
        channel = Delivery(channel)
    except ValueError:
        raise ValidationError({"channel": "Choose how the person will get the pack"}) from None
    if channel is Delivery.POSTED:
        try:
            safe_postal_address(protection.person)
        except ValidationError as error:
            raise ValidationError({"channel": error.messages}) from None
    if channel is Delivery.EMAILED:
        try:
            safe_email_address(protection.person)
        except ValidationError as error:
            raise ValidationError({"channel": error.messages}) from None
    advice_date = advice_date or timezone.localdate()
    policy = active_policy()
    candidates = candidate_routes(facts, on=advice_date)
    organisations = organisations_for(facts)
    with translation.override(language):

        def pack_content() -> dict[str, object]:
            return {
                "pack": build_pack_content(
                    protection, facts, advice_date, view_url=view_url, policy=policy
                )
            }

        context = {**pack_content(), "english_context": in_english(pack_content)}
    content: PackContent = context["pack"]  # type: ignore[assignment]
    pdf = render_pdf(
        "advice/pdf/pack.html", {**context, "language": content.language}, language=language
    )
    digest = hashlib.sha256(pdf).hexdigest()
    with action_transaction():
        pack = AdvicePack.objects.create(
            protection=protection,
            person=protection.person,
            language=language,
            channel=channel.value,
            advice_date=advice_date,
            facts=facts_to_json(facts),
            routes=route_record(candidates),
            organisations=[organisation.id for organisation in organisations],
            catalogue_digest=default_catalogue().digest,
            policy_id=policy.id,
            policy_version=policy.version,
            content_digest=digest,
            pdf=pdf,
            issued_by=f"{actor.label}, {actor.organisation.name}",
            issued_by_org=actor.organisation,
        )
        pack.ledger_entry = append_entry(
            EntryKind.ADVICE_ISSUED,
            actor=actor,
            policy_id=policy.id,
            policy_version=policy.version,
            subjects=[protection.person.public_id],
            payload={
                "advice_pack": token_for_record("advice_pack", pack.pk),
                "protection": token_for_record("protection", protection.pk),
                "channel": channel.value,
                "routes": [candidate.route_id for candidate in candidates],
                "count": len(candidates),
                "content_digest": digest,
                "effective_date": advice_date.isoformat(),
            },
        )
        pack.save(update_fields=["ledger_entry"])
        if channel is not Delivery.HANDED_OVER:
            # The person is told their advice is ready, through the channel they chose (R29).
            notify_person(protection, Event.ADVICE_PACK_READY, policy)
    return pack


# --- The victim's sign-in --------------------------------------------------------------------


@dataclass(frozen=True)
class SignInBlock:
    """Why a sign-in cannot be tried now, if it cannot."""

    reference_locked: bool = False
    client_limited: bool = False

    def __bool__(self) -> bool:
        return self.reference_locked or self.client_limited


def victim_sign_in_block(reference_key: str, client_key: str) -> SignInBlock:
    """Whether this reference is locked, or this network address has tried too often."""
    now = timezone.now()
    lock = ReferenceLock.objects.filter(reference_key=reference_key).first()
    throttle = ClientThrottle.objects.filter(client_key=client_key).first()
    window = timedelta(minutes=conf.client_window_minutes())
    limited = (
        throttle is not None
        and throttle.window_started_at + window > now
        and throttle.failures >= conf.client_attempt_limit()
    )
    return SignInBlock(
        reference_locked=lock is not None and lock.is_locked(now), client_limited=limited
    )


def do_record_victim_sign_in_failure(reference_key: str, client_key: str) -> SignInBlock:
    """Count a wrong passcode against the reference and the network address; lock the
    reference after ``SAFESHARE_VICTIM_LOCKOUT_THRESHOLD`` failures in a row."""
    now = timezone.now()
    window = timedelta(minutes=conf.client_window_minutes())
    with action_transaction():
        lock, _created = ReferenceLock.objects.select_for_update().get_or_create(
            reference_key=reference_key
        )
        if lock.locked_until is not None and lock.locked_until <= now:
            lock.locked_until = None
            lock.failed_attempts = 0
        lock.failed_attempts += 1
        lock.last_failure_at = now
        if lock.failed_attempts >= conf.victim_lockout_threshold():
            lock.locked_until = now + timedelta(minutes=conf.victim_lockout_minutes())
            lock.failed_attempts = 0
        lock.save()
        throttle, _created = ClientThrottle.objects.select_for_update().get_or_create(
            client_key=client_key
        )
        if throttle.window_started_at + window <= now:
            throttle.window_started_at = now
            throttle.failures = 0
        throttle.failures += 1
        throttle.save()
    return victim_sign_in_block(reference_key, client_key)


def do_clear_victim_sign_in_failures(reference_key: str) -> None:
    """A correct passcode clears the reference's count (not the network address's)."""
    with action_transaction():
        ReferenceLock.objects.filter(
            reference_key=reference_key, locked_until__isnull=True
        ).update(failed_attempts=0)


# --- Subject access (R21) --------------------------------------------------------------------


def do_record_exemption(
    person: Person,
    actor: Actor,
    *,
    item_kind: str,
    item_id: str,
    basis: str,
    risk_assessment: str,
    review_on: date,
) -> SubjectAccessExemption:
    """Withhold one item from subject access, with its reasons. Never the person's protection,
    never a whole category (N7)."""
    _require_role(actor, SUBJECT_ACCESS_ROLES)
    if item_kind in SubjectAccessExemption.NEVER_WITHHELD:
        raise ValidationError(
            {"item_kind": "A person's own protection can never be withheld from them."}
        )
    if not item_id.strip():
        raise ValidationError({"item_id": "Name the one item to withhold"})
    if len(risk_assessment.strip()) < 40:
        raise ValidationError(
            {
                "risk_assessment": "Write the risk assessment: why giving this item would "
                "prejudice the purpose the exemption protects (at least 40 characters)"
            }
        )
    exemption = SubjectAccessExemption(
        person=person,
        item_kind=item_kind,
        item_id=item_id.strip(),
        basis=SubjectAccessExemption.Basis(basis).value,
        risk_assessment=risk_assessment.strip(),
        decided_by=f"{actor.label}, {actor.organisation.name}",
        decided_by_org=actor.organisation,
        review_on=review_on,
    )
    exemption.full_clean()
    with action_transaction():
        exemption.save()
        _log_exemption(exemption, actor, "recorded")
    return exemption


def _log_exemption(exemption: SubjectAccessExemption, actor: Actor, status: str) -> None:
    """Each change of an exemption is a ledger entry: only that it happened, never the item,
    the basis or the risk assessment. In a transaction."""
    policy = active_policy()
    append_entry(
        EntryKind.SAR_EXEMPTION,
        actor=actor,
        policy_id=policy.id,
        policy_version=policy.version,
        subjects=[exemption.person.public_id],
        payload={"record": token_for_record("sar_exemption", exemption.pk), "status": status},
    )


def do_review_exemption(
    exemption: SubjectAccessExemption, actor: Actor, *, review_on: date, reasons: str
) -> SubjectAccessExemption:
    """Keep an exemption after reviewing it, until a new review date; the review is kept."""
    _require_role(actor, SUBJECT_ACCESS_ROLES)
    problems = {}
    if review_on <= timezone.localdate():
        problems["review_on"] = "The next review date must be in the future"
    if len(reasons.strip()) < 20:
        problems["reasons"] = "Explain why the item is still withheld (at least 20 characters)"
    if problems:
        raise ValidationError(problems)
    with action_transaction():
        exemption = SubjectAccessExemption.objects.select_for_update().get(pk=exemption.pk)
        if exemption.withdrawn_at is not None:
            raise ValidationError("This exemption has been withdrawn: the item is released.")
        now = timezone.now()
        by = f"{actor.label}, {actor.organisation.name}"
        exemption.history = [
            *exemption.history,
            {
                "reviewed_at": now.isoformat(),
                "reviewed_by": by,
                "previous_review_on": exemption.review_on.isoformat(),
                "review_on": review_on.isoformat(),
                "reasons": reasons.strip(),
            },
        ]
        exemption.reviewed_at, exemption.reviewed_by, exemption.review_on = now, by, review_on
        exemption.save(update_fields=["history", "reviewed_at", "reviewed_by", "review_on"])
        _log_exemption(exemption, actor, "reviewed")
    return exemption


def do_withdraw_exemption(
    exemption: SubjectAccessExemption, actor: Actor, *, reasons: str
) -> SubjectAccessExemption:
    """Release a withheld item: the next export includes it."""
    _require_role(actor, SUBJECT_ACCESS_ROLES)
    if len(reasons.strip()) < 10:
        raise ValidationError(
            {"reasons": "Explain why the item is released (at least 10 characters)"}
        )
    with action_transaction():
        exemption = SubjectAccessExemption.objects.select_for_update().get(pk=exemption.pk)
        if exemption.withdrawn_at is not None:
            raise ValidationError("This exemption has already been withdrawn.")
        exemption.withdrawn_at = timezone.now()
        exemption.withdrawn_by = f"{actor.label}, {actor.organisation.name}"
        exemption.withdrawal_reasons = reasons.strip()
        exemption.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reasons"])
        _log_exemption(exemption, actor, "withdrawn")
    return exemption


@dataclass(frozen=True)
class SubjectAccessResult:
    export: SubjectAccessExport
    data: dict[str, object]
    json_bytes: bytes


def _check_answerable(
    request: SubjectAccessRequest, person: Person, actor: Actor
) -> SubjectAccessRequest:
    """The advocate's request an export is to answer: about this person, asked of the actor's
    force, and not answered yet. Locked until the export is recorded, so that two exports made
    at once cannot both answer it. In a transaction."""
    locked = SubjectAccessRequest.objects.select_for_update().filter(pk=request.pk).first()
    if locked is None or locked.person_id != person.pk or locked.force_id != actor.organisation.pk:
        raise ValidationError(
            {"answers": "That request is not one asked of your force about this person"}
        )
    answered = SubjectAccessExport.objects.filter(answers=locked).first()
    if answered is not None:
        when = date_format(timezone.localtime(answered.created_at), "j F Y H:i")
        raise ValidationError(
            {"answers": f"That request was already answered on {when} by {answered.requested_by}"}
        )
    return locked


def do_export_subject_access(
    person: Person, actor: Actor, *, answers: SubjectAccessRequest | None = None
) -> SubjectAccessResult:
    """Gather everything held about a person, record the export and log it on the ledger.

    ``answers`` is the advocate's request, made on the person's behalf, that this export
    answers: the export records it, and the request leaves the force's worklist. An export
    made for another reason answers no request and leaves every request waiting. Refused,
    with nothing stored, when the request is not about this person, was not asked of the
    actor's force, or was answered already."""
    from safeshare.advice.sar import build_subject_access, count_items

    _require_role(actor, SUBJECT_ACCESS_ROLES)
    policy = active_policy()
    with action_transaction():
        if answers is not None:
            answers = _check_answerable(answers, person, actor)
        export = SubjectAccessExport(
            person=person,
            requested_by=f"{actor.label}, {actor.organisation.name}",
            requested_by_org=actor.organisation,
            answers=answers,
        )
        data = build_subject_access(person, export=export)
        json_bytes = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
        export.content_digest = hashlib.sha256(json_bytes).hexdigest()
        export.item_count = count_items(data)
        export.exemption_count = len(data["exemptions"])  # type: ignore[arg-type]
        export.save()
        export.ledger_entry = append_entry(
            EntryKind.SAR_EXPORT,
            actor=actor,
            policy_id=policy.id,
            policy_version=policy.version,
            subjects=[person.public_id],
            payload={
                "record": token_for_record("sar_export", export.pk),
                "count": export.item_count,
                "content_digest": export.content_digest,
            },
        )
        export.save(update_fields=["ledger_entry"])
    return SubjectAccessResult(export=export, data=data, json_bytes=json_bytes)


def language_for_person(person: Person, default: str = "en") -> str:
    """The person's recorded language, for pre-filling forms."""
    preference = latest_contact_preference(person)
    return get_language(preference.language if preference else default).code


def do_delete_for_retention(protection_ids: Iterable[int], person_ids: Iterable[int]) -> dict:
    """Delete the advice packs and protection letters of ended protections that retention
    deletes, and the contact preferences of people it erases (R23). The ledger entries that
    recorded their issue stay. In the caller's transaction; returns what went, by kind."""
    protection_ids, person_ids = list(protection_ids), list(person_ids)
    with action_transaction():
        return {
            "advice_packs": AdvicePack.objects.filter(protection_id__in=protection_ids).delete()[
                0
            ],
            "protection_letters": ProtectionLetter.objects.filter(
                protection_id__in=protection_ids
            ).delete()[0],
            "contact_preferences": ContactPreference.objects.filter(
                person_id__in=person_ids
            ).delete()[0],
        }
