"""Police pages: the force's cases, recording a case, the people in it and what happened.

Views are thin: a form validates, one action changes state, the page redirects (POST-redirect-GET).
A police officer sees only their own force's cases; another force's case is not found.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from safeshare.accounts.actors import Actor
from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.cases import actions
from safeshare.cases.forms import (
    CaseEventForm,
    CaseForm,
    NrmDecisionForm,
    NrmRecordForm,
    PartyForm,
    add_action_errors,
    posted_data,
)
from safeshare.cases.lifecycle import CaseEvent, CaseState, InvalidCaseEvent, allowed_events
from safeshare.cases.lifecycle import apply_event as lifecycle_apply_event
from safeshare.cases.models import ROLE_LABELS, Case
from safeshare.cases.modern_slavery import TRAFFICKING_INDICATORS
from safeshare.kernel.policy import policy_in_force
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.web.check_answers import read_answers

CASES_PER_PAGE = 50
#: The check-answers flow for case events (ADR 0044).
EVENT_FLOW = "case-event"


def own_case(request: AuthenticatedHttpRequest, case_id: uuid.UUID) -> Case:
    """A case of the officer's own force; another force's case is not found (no existence leak)."""
    return get_object_or_404(
        Case.objects.select_related("force"), public_id=case_id, force=request.user.organisation
    )


def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    cases = (
        Case.objects.filter(force=request.user.organisation)
        .annotate(people=Count("parties__person", distinct=True))
        .order_by("-created_at")
    )
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cases/case_list.html", {"page": page})


def case_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CaseForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.do_create_case(
                Actor.for_user(request.user),
                crime_reference=form.cleaned_data["crime_reference"],
                offence_category=form.cleaned_data["offence_category"],
                counting_rules_code=form.cleaned_data["counting_rules_code"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Case {case.crime_reference} recorded")
            return redirect("cases:detail", case_id=case.public_id)
    return render(request, "cases/case_form.html", {"form": form})


def case_detail(request: AuthenticatedHttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = own_case(request, case_id)
    parties = list(
        case.parties.select_related("person").prefetch_related(
            "person__identities", "person__protections", "referrals"
        )
    )
    rows = []
    for party in parties:
        identities = list(party.person.identities.all())
        protections = list(party.person.protections.all())
        rows.append(
            {
                "party": party,
                "identity": identities[0] if identities else None,
                "role_label": ROLE_LABELS[party.role_enum],
                "protection": protections[0] if protections else None,
                "overrides": protections[0].approved_overrides() if protections else [],
                "referable": party.role != "suspect",
                "referral": max(party.referrals.all(), key=lambda r: r.created_at, default=None),
                "indicators": [
                    TRAFFICKING_INDICATORS.get(code, code) for code in party.trafficking_indicators
                ],
                "modern_slavery_prompt": actions.modern_slavery_prompt(party),
            }
        )
    do_record_personal_data_read(
        Actor.for_user(request.user), [party.person for party in parties], "case_page"
    )
    events = [
        {
            "title": CaseEvent(event.event).label,
            "by": event.recorded_by,
            "on": event.occurred_on,
            "before": CaseState(event.state_before).label,
            "after": CaseState(event.state_after).label,
            "moved": event.state_before != event.state_after,
        }
        for event in reversed(list(case.events.all()))
    ]
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "rows": rows,
            "events": events,
            "policy": policy_in_force(),
        },
    )


def party_create(request: AuthenticatedHttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = own_case(request, case_id)
    form = PartyForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            party = actions.do_add_party(
                case,
                Actor.for_user(request.user),
                role=form.cleaned_data["role"],
                identity=form.identity,
                migrant=form.cleaned_data["migrant"],
                trafficking_indicators=form.cleaned_data["trafficking_indicators"],
                nrm_consent=form.cleaned_data["nrm_consent"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            assert form.identity is not None  # set by the form's clean() once it is valid
            name = form.identity.given_names + " " + form.identity.family_name
            messages.success(
                request, f"{name.strip()} added as {ROLE_LABELS[party.role_enum].lower()}"
            )
            return redirect("cases:detail", case_id=case.public_id)
    return render(request, "cases/party_form.html", {"form": form, "case": case})


def event_form_context(case: Case, form: CaseEventForm) -> dict[str, object]:
    """What the "Record an event" question page shows (also when the check-answers step,
    which protocol owns, sends it back with errors)."""
    allowed = allowed_events(case.state_enum)
    refused = []
    for event in CaseEvent:
        if event in allowed:
            continue
        try:
            lifecycle_apply_event(case.state_enum, event)
        except InvalidCaseEvent as error:
            refused.append({"label": event.label, "reason": error.reason})
    return {"form": form, "case": case, "refused": refused, "state": case.state_enum}


def event_create(request: AuthenticatedHttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The question page. Its answers go to the check-answers page (``protocol:case-event``),
    because what an event does to protections is protocol's to say; nothing is recorded until
    the officer confirms there. "Change" links bring the signed answers back (``?answers=``)."""
    case = own_case(request, case_id)
    check = reverse("protocol:case-event", kwargs={"case_id": case.public_id})
    if request.method == "POST":  # an older form: answer it at the check-answers page
        return HttpResponseRedirect(check, status=307)
    kept = read_answers(request, EVENT_FLOW, case.public_id, request.GET.get("answers"))
    form = CaseEventForm(kept[0] if kept else None, allowed=allowed_events(case.state_enum))
    context = event_form_context(case, form)
    context["action"] = check
    return render(request, "cases/event_form.html", context)


def party_nrm(
    request: AuthenticatedHttpRequest, case_id: uuid.UUID, party_id: int
) -> HttpResponse:
    """The NRM referral or duty-to-notify report made for a person in the case, and the NRM's
    decisions (R27): what is recorded, and a form for each. Each form posts its own ``record``."""
    case = own_case(request, case_id)
    party = get_object_or_404(case.parties.select_related("person"), pk=party_id)
    posted = None
    if request.method == "POST":
        posted = "decision" if request.POST.get("record") == "decision" else "referral"
    referral_form = NrmRecordForm(posted_data(request) if posted == "referral" else None)
    decision_form = NrmDecisionForm(posted_data(request) if posted == "decision" else None)
    actor = Actor.for_user(request.user)
    if posted == "referral" and referral_form.is_valid():
        try:
            record = actions.do_record_nrm_referral(party, actor, **referral_form.cleaned_data)
        except ValidationError as error:
            add_action_errors(referral_form, error)
        else:
            messages.success(request, f"{record.get_kind_display()} recorded")
            return redirect("cases:party-nrm", case_id=case.public_id, party_id=party.pk)
    if posted == "decision" and decision_form.is_valid():
        try:
            decision = actions.do_record_nrm_decision(party, actor, **decision_form.cleaned_data)
        except ValidationError as error:
            add_action_errors(decision_form, error)
        else:
            outcome = decision.get_outcome_display().lower()
            messages.success(request, f"{decision.get_stage_display()} recorded: {outcome}")
            return redirect("cases:party-nrm", case_id=case.public_id, party_id=party.pk)
    identity = party.person.identities.first()
    period = actions.recovery_periods_for([party.person_id]).get(party.person_id)
    do_record_personal_data_read(actor, [party.person], "case_page")
    return render(
        request,
        "cases/party_nrm.html",
        {
            "case": case,
            "party": party,
            "name": f"{identity.given_names} {identity.family_name}".strip() if identity else "",
            "indicators": [
                TRAFFICKING_INDICATORS.get(code, code) for code in party.trafficking_indicators
            ],
            "records": list(party.nrm_records.all()),
            "decisions": list(party.nrm_decisions.all()),
            "recovery_period": period,
            "prompt": actions.modern_slavery_prompt(party),
            "referral_form": referral_form,
            "decision_form": decision_form,
            "errors_form": referral_form if posted == "referral" else decision_form,
        },
    )
