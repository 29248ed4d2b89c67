"""Referral to Immigration Enforcement: a form, then a check page that shows exactly the fields
that would be shared (from ``preview_referral``) or why nothing can be sent, then "Send"."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.cases.forms import SEX_LABELS, SOURCE_LABELS, add_action_errors, posted_data
from safeshare.cases.lifecycle import InformationSource, OffenceCategory, PartyRole
from safeshare.cases.models import OFFENCE_LABELS, ROLE_LABELS, Party
from safeshare.kernel.countries import country_name
from safeshare.kernel.identity import IDENTITY_FIELDS
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.protocol.active import active_policy, policy_title
from safeshare.protocol.referral import ReferralTrigger
from safeshare.referrals.actions import (
    do_make_referral,
    opens_protection,
    preview_referral,
)
from safeshare.referrals.agreements import agreement_for, basis_of
from safeshare.referrals.forms import ReferralForm, SendReferralForm
from safeshare.referrals.models import Referral

FIELD_LABELS = {
    "given_names": "Given names",
    "family_name": "Family name",
    "aliases": "Other names or spellings",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "nationality": "Nationality",
    "passport_number": "Passport number",
    "home_office_reference": "Home Office reference",
    "role": "Role in the case",
    "protection_flag": "Protection flag",
    "force_code": "Police force",
    "crime_reference": "Crime reference",
    "offence_category": "Kind of crime",
    "channel": "How it is sent",
    "source_of_information": "Where the information came from",
    "lawful_basis": "Lawful basis",
    "gateway": "Legal gateway",
    "agreement_id": "Data-sharing agreement",
    "dpia_version": "DPIA version",
    "crime_narrative": "What happened",
    "current_address": "Current address",
    "third_party_details": "Details of other people",
}


def _draft_key(party: Party) -> str:
    return f"safeshare-referral-draft-{party.pk}"


def own_party(request: AuthenticatedHttpRequest, case_id: uuid.UUID, party_id: int) -> Party:
    """A person in one of the officer's own force's cases; anything else is not found."""
    return get_object_or_404(
        Party.objects.select_related("case", "case__force", "person"),
        pk=party_id,
        case__public_id=case_id,
        case__force=request.user.organisation,
    )


def display_value(name: str, value: object) -> str:
    """A payload value as the officer should read it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if name == "nationality":
        return country_name(str(value))
    if name == "force_code":
        named = Organisation.objects.filter(code=str(value)).values_list("name", flat=True)
        return next(iter(named), str(value))
    labels: dict[str, dict] = {
        "role": {role.value: label for role, label in ROLE_LABELS.items()},
        "sex": {sex.value: label for sex, label in SEX_LABELS.items()},
        "source_of_information": {s.value: label for s, label in SOURCE_LABELS.items()},
        "channel": {c.value: c.label for c in Referral.Channel},
        "offence_category": {o.value: label for o, label in OFFENCE_LABELS.items()},
    }
    return labels.get(name, {}).get(str(value), str(value))


def payload_rows(payload: dict[str, object]) -> list[dict[str, str]]:
    """The fields of a referral, in a fixed order, with labels."""
    order = list(FIELD_LABELS)
    names = sorted(payload, key=lambda n: (order.index(n) if n in order else len(order), n))
    return [
        {
            "name": name,
            "label": FIELD_LABELS.get(name, name.replace("_", " ").capitalize()),
            "value": display_value(name, payload[name]),
        }
        for name in names
    ]


def referral_start(
    request: AuthenticatedHttpRequest, case_id: uuid.UUID, party_id: int
) -> HttpResponse:
    party = own_party(request, case_id, party_id)
    draft = request.session.get(_draft_key(party))
    force = party.case.force  # the user's own force
    initial = draft or ReferralForm.defaults_for(force)
    form = ReferralForm(posted_data(request), initial=initial, force=force)
    if request.method == "POST" and form.is_valid():
        request.session[_draft_key(party)] = dict(form.cleaned_data)
        return redirect("referrals:check", case_id=party.case.public_id, party_id=party.pk)
    identity = party.person.primary_identity
    do_record_personal_data_read(Actor.for_user(request.user), [party.person], "referral_form")
    return render(
        request,
        "referrals/referral_form.html",
        {
            "form": form,
            "party": party,
            "case": party.case,
            "identity": identity,
            "role_label": ROLE_LABELS[party.role_enum],
            "policy": active_policy(),
            "on_referral": on_referral_sentence(party),
        },
    )


def on_referral_sentence(party: Party) -> str:
    """What the active policy does when this person is referred, in one sentence."""
    policy = active_policy()
    if not policy.referrals_possible:
        return ""
    if opens_protection(policy, party):
        return (
            "Under the policy in force, sending this referral opens a protection for this "
            "person: Immigration Enforcement may take no enforcement action against them "
            "while it is open."
        )
    if policy.protection.trigger.value != "referral":
        return (
            "Under the policy in force, a protection opens when a person is registered, not "
            "when they are referred: this referral does not open one."
        )
    return (
        "Under the policy in force, this referral does not open a protection: the policy "
        f"does not cover a {ROLE_LABELS[party.role_enum].lower()} in a case of this kind, so "
        "Immigration Enforcement is not stopped from acting."
    )


def referral_check(
    request: AuthenticatedHttpRequest, case_id: uuid.UUID, party_id: int
) -> HttpResponse:
    party = own_party(request, case_id, party_id)
    draft = request.session.get(_draft_key(party))
    if not draft or "agreement" not in draft:
        return redirect("referrals:start", case_id=party.case.public_id, party_id=party.pk)
    actor = Actor.for_user(request.user)
    try:
        agreement = agreement_for(party.case.force, draft["agreement"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("referrals:start", case_id=party.case.public_id, party_id=party.pk)
    basis = basis_of(agreement)
    form = SendReferralForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            referral = do_make_referral(
                party,
                actor,
                triggers=draft["triggers"],
                channel=draft["channel"],
                source_of_information=draft["source_of_information"],
                basis=basis,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            del request.session[_draft_key(party)]
            messages.success(request, "Referral sent to Immigration Enforcement")
            return redirect("referrals:detail", referral_id=referral.public_id)
    payload, refusals, problems = preview_referral(
        party,
        actor,
        triggers=draft["triggers"],
        channel=draft["channel"],
        source=draft["source_of_information"],
        basis=basis,
    )
    do_record_personal_data_read(actor, [party.person], "referral_check")
    policy = active_policy()
    protection = party.person.protections.first()
    return render(
        request,
        "referrals/referral_check.html",
        {
            "form": form,
            "party": party,
            "case": party.case,
            "identity": party.person.primary_identity,
            "role_label": ROLE_LABELS[party.role_enum],
            "rows": payload_rows(payload),
            "refusals": refusals,
            "problems": problems,
            "policy": policy,
            "protection": protection,
            "triggers": [ReferralTrigger(t).label for t in draft["triggers"]],
            "source": SOURCE_LABELS[InformationSource(draft["source_of_information"])],
            "basis": basis,
            "agreement": agreement,
            "on_referral": on_referral_sentence(party),
        },
    )


def referral_detail(request: AuthenticatedHttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    referral = get_object_or_404(
        Referral.objects.select_related(
            "case", "party", "party__person", "protection", "recipient"
        ),
        public_id=referral_id,
        force=request.user.organisation,
    )
    do_record_personal_data_read(
        Actor.for_user(request.user), [referral.party.person], "referral_page"
    )
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "rows": payload_rows(referral.payload),
            "role_label": ROLE_LABELS[referral.party.role_enum],
            "policy_title": policy_title(referral.policy_id),
        },
    )


RULE_LABELS = {
    "role_not_allowed": "The policy does not allow this role to be referred",
    "role_in_other_case": "A protected role in another case",
    "jurisdiction_safe_reporting": "Safe reporting only in this jurisdiction",
    "force_safe_reporting": "Safe reporting only at this force",
    "no_trigger": "No reason recorded",
    "status_check_only": "Only to check immigration status",
    "status_doubt_only": "Only doubts about immigration status",
    "no_consent": "The person was not asked for consent",
    "consent_refused": "The person refused consent",
    "consent_withdrawn": "The person withdrew consent",
    "consent_not_free": "Consent possibly not freely given",
}


def refused_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The force's referrals the policy refused: who tried, when, under which rules."""
    from django.core.paginator import Paginator

    from safeshare.referrals.models import RefusedReferral

    refused = (
        RefusedReferral.objects.filter(force=request.user.organisation)
        .select_related("case")
        .order_by("-created_at")
    )
    page = Paginator(refused, 25).get_page(request.GET.get("page"))
    rows = [
        {
            "refused": r,
            "rules": [RULE_LABELS.get(code, code) for code in r.rule_codes],
            "policy": policy_title(r.policy_id) or "The policy then in force",
        }
        for r in page.object_list
    ]
    return render(request, "referrals/refused_list.html", {"page": page, "rows": rows})


# --- Refused referrals of NHS bodies, local authorities and NRM first responders (R5) -------

REFUSED_PER_PAGE = 25


def authority_refused_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The referrer organisation's own refused referrals, newest first: when, who tried, for
    which role and offence, and the rules and reasons in plain words. Nothing about the person
    was kept, so nothing about them is shown."""
    from django.core.paginator import Paginator

    from safeshare.kernel.wording import for_people
    from safeshare.referrals.models import RefusedAuthorityReferral

    refused = RefusedAuthorityReferral.objects.filter(referrer=request.user.organisation).order_by(
        "-created_at", "-id"
    )
    page = Paginator(refused, REFUSED_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for r in page.object_list:
        try:
            role = ROLE_LABELS[PartyRole(r.role)]
        except ValueError:
            role = r.role.replace("_", " ")
        try:
            offence = OFFENCE_LABELS[OffenceCategory(r.offence_category)]
        except ValueError:
            offence = r.offence_category.replace("_", " ")
        rows.append(
            {
                "refused": r,
                "role": role,
                "offence": offence,
                "rules": [
                    RULE_LABELS.get(code, code.replace("_", " ").capitalize())
                    for code in r.rule_codes
                ],
                "reasons": [for_people(reason) for reason in r.reasons],
                "policy": policy_title(r.policy_id) or "The policy then in force",
            }
        )
    return render(request, "referrals/authority_refused_list.html", {"page": page, "rows": rows})


CONSENT_STATES = {
    "given": ("Consent in force", "govuk-tag--green"),
    "withdrawn": ("Withdrawn", "govuk-tag--grey"),
    "not_freely_given": ("Possibly not freely given", "govuk-tag--red"),
    "refused": ("Refused", "govuk-tag--red"),
}


def _consent_state(consent) -> str:
    if consent.answer == "refused":
        return "refused"
    if consent.withdrawn_at:
        return "withdrawn"
    return "not_freely_given" if consent.not_freely_given else "given"


def consent_page(
    request: AuthenticatedHttpRequest, case_id: uuid.UUID, party_id: int
) -> HttpResponse:
    """Ask for, record and withdraw a person's consent to sharing with IE (consent-2025)."""
    from django.utils import timezone

    from safeshare.referrals.actions import (
        do_flag_consent_not_free,
        do_record_consent,
        do_withdraw_consent,
    )
    from safeshare.referrals.forms import ConsentChangeForm, ConsentForm

    party = own_party(request, case_id, party_id)
    actor = Actor.for_user(request.user)
    labels = {name: FIELD_LABELS[name] for name in IDENTITY_FIELDS}
    action = request.POST.get("action") if request.method == "POST" else None
    form = ConsentForm(
        request.POST if action == "record" else None, field_labels=labels, prefix="consent"
    )
    change = ConsentChangeForm(request.POST if action in ("withdraw", "doubt") else None)
    here = redirect("referrals:consent", case_id=party.case.public_id, party_id=party.pk)
    if action == "record" and form.is_valid():
        data = form.cleaned_data
        try:
            do_record_consent(
                party,
                actor,
                answer=data["answer"],
                fields=data["agreed_fields"] if data["answer"] == "given" else [],
                asked_at=timezone.now(),
                language=data["language"],
                interpreter_used=data["interpreter_used"] == "yes",
                suspect_present=data["suspect_present"] == "yes",
                own_words=data["own_words"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "fields" in error.error_dict:
                error.error_dict["agreed_fields"] = error.error_dict.pop("fields")
            add_action_errors(form, error)
        else:
            messages.success(request, "The person's answer is recorded")
            return here
    elif action in ("withdraw", "doubt") and change.is_valid():
        consent = get_object_or_404(party.consents, public_id=change.cleaned_data["consent"])
        words = change.cleaned_data["words"]
        try:
            if action == "withdraw":
                stops = do_withdraw_consent(consent, actor, words=words)
                told = (
                    " Immigration Enforcement has been told to stop processing." if stops else ""
                )
                messages.success(request, "The withdrawal is recorded." + told)
            else:
                do_flag_consent_not_free(consent, actor, reason=words)
                messages.success(request, "Your doubt is recorded: nothing will be shared")
        except ValidationError as error:
            add_action_errors(change, error)
        else:
            return here
    elif action not in (None, "record", "withdraw", "doubt"):
        change.is_valid()
        change.add_error(None, "Choose what to record")
    consents: list[dict[str, Any]] = [
        {"consent": c, "state": _consent_state(c), "label": CONSENT_STATES[_consent_state(c)]}
        for c in party.consents.order_by("-asked_at", "-id")
    ]
    for row in consents:
        row["fields"] = [labels.get(name, name) for name in row["consent"].fields]
    do_record_personal_data_read(actor, [party.person], "consent_page")
    return render(
        request,
        "referrals/consent.html",
        {
            "form": form,
            "change": change,
            "party": party,
            "case": party.case,
            "identity": party.person.primary_identity,
            "role_label": ROLE_LABELS[party.role_enum],
            "consents": consents,
            "policy": active_policy(),
        },
        status=400 if form.errors or change.errors else 200,
    )
