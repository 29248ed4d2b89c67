"""Pages for protections, clearances, reviews of possible matches and overrides.

Scoping mirrors the API (``protocol/api.py``): police and protocol officers see protections their
force opened or holds a case for; IE sees its own organisation's clearances and, of each, only
the decision, the protection reference, the message and whom to contact (R18, invariant 5);
protocol officers see reviews whose candidate protections belong to their force.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.cases.forms import SEX_LABELS, SOURCE_LABELS, add_action_errors, posted_data
from safeshare.cases.lifecycle import CaseState, InformationSource, PartyRole
from safeshare.cases.models import ROLE_LABELS
from safeshare.kernel.countries import country_name
from safeshare.kernel.roles import Role
from safeshare.kernel.wording import for_people
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.people.models import Person
from safeshare.protocol import actions, outcomes
from safeshare.protocol.active import active_policy
from safeshare.protocol.agreement import Agreement, best, compare_field, hold_sentence
from safeshare.protocol.api import clearance_out
from safeshare.protocol.check_flow import check_answers_flow
from safeshare.protocol.clearance import ClearanceOutcome, ReviewVerdict, decide_clearance
from safeshare.protocol.contacts import protection_contact
from safeshare.protocol.enforcement import UnknownEnforcementAction, enforcement_actions
from safeshare.protocol.forms import (
    NRM_STAGE_LABELS,
    REGULARISATION_LABELS,
    ClearanceForm,
    CloseProtectionForm,
    NrmDecisionForm,
    OverrideDecisionForm,
    OverrideRequestForm,
    RegularisationForm,
    ReviewDecisionForm,
    WithdrawOverrideForm,
)
from safeshare.protocol.models import (
    DECISION_LABELS,
    PROTECTION_STATUS_LABELS,
    Clearance,
    Override,
    Protection,
    Review,
    reference_bounds,
)
from safeshare.protocol.overrides import (
    Approval,
    OverrideRefused,
    OverrideRequest,
    SuspectedOffence,
    approve_override,
    is_immigration_status_offence,
    validate_override_request,
)
from safeshare.protocol.policy import ExceptionCategory, IEDetail, Jurisdiction, Policy
from safeshare.protocol.protection import (
    CloseRefused,
    CloseRequest,
    ProtectionStatus,
    close_protection,
    compute_protection,
)
from safeshare.protocol.references import ReferenceFormatError, normalise_reference
from safeshare.web.templatetags.govuk import date_in_words

PER_PAGE = 50
IDENTITY_ROWS = (
    ("given_names", "Given names"),
    ("family_name", "Family name"),
    ("aliases", "Other names"),
    ("date_of_birth", "Date of birth"),
    ("sex", "Sex"),
    ("nationality", "Nationality"),
    ("passport_number", "Passport number"),
    ("home_office_reference", "Home Office reference"),
)


def action_name(code: str) -> str:
    """The enforcement action's name, or its code if it has left the list."""
    try:
        return enforcement_actions().get(code).name
    except UnknownEnforcementAction:
        return code.replace("_", " ").capitalize()


def exception_label(code: str) -> str:
    try:
        return ExceptionCategory(code).label
    except ValueError:
        return code.replace("_", " ").capitalize()


def _show(name: str, value: object) -> str:
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if name == "sex":
        return next((label for sex, label in SEX_LABELS.items() if sex.value == value), str(value))
    if name == "date_of_birth":
        return date_in_words(value)
    if name == "nationality":
        return country_name(str(value))
    return str(value)


# --- Protections -----------------------------------------------------------------------------


def force_protection(request: AuthenticatedHttpRequest, reference: str) -> Protection:
    """A protection the user's force opened or holds a case for; anything else is not found."""
    try:
        normalised = normalise_reference(reference)
    except ReferenceFormatError as error:
        raise Http404("No protection has that reference.") from error
    organisation = request.user.organisation
    protection = (
        Protection.objects.filter(reference=normalised)
        .filter(Q(cases__force=organisation) | Q(opened_by=organisation))
        .select_related("person", "opened_by")
        .distinct()
        .first()
    )
    if protection is None:
        raise Http404("No protection has that reference.")
    return protection


def _protection_context(
    request: AuthenticatedHttpRequest, protection: Protection
) -> dict[str, object]:
    organisation_id = request.user.organisation_id
    links: list[dict[str, Any]] = []
    for link in protection.links.select_related("case", "case__force").order_by("id"):
        case = link.case
        links.append(
            {
                "own": case.force_id == organisation_id,
                "case": case,
                "force": case.force.name,
                "role": ROLE_LABELS[PartyRole(link.role)],
                "state": CaseState(case.state),
                "ongoing": case.is_ongoing,
            }
        )
    is_police = request.user.role == Role.POLICE_OFFICER
    reasons = []
    for reason in protection.status_reasons:
        for row in links:
            case_id = str(row["case"].public_id)
            if row["own"]:
                reason = reason.replace(case_id, row["case"].crime_reference)
            else:  # another force's case: named by its force, never by its internal id
                reason = reason.replace(f"Case {case_id}", f"A case at {row['force']}")
                reason = reason.replace(f"case {case_id}", f"a case at {row['force']}")
        reasons.append(reason)
    return {
        "protection": protection,
        "reasons": reasons,
        "identity": protection.person.primary_identity,
        "links": links,
        "policy": active_policy(),
        "regularisation": REGULARISATION_LABELS[
            next(s for s in REGULARISATION_LABELS if s.value == protection.regularisation_status)
        ],
        "is_police": is_police,
        # From the NRM decisions recorded on the person's cases and on the protection (R27).
        "in_recovery_period": actions.in_recovery_period(protection),
        "can_close": request.user.role == Role.PROTOCOL_OFFICER
        and protection.status == ProtectionStatus.TRANSITION,
    }


def protection_detail(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    protection = force_protection(request, reference)
    context = _protection_context(request, protection)
    if context["is_police"]:
        context["regularisation_form"] = RegularisationForm(
            initial={"status": protection.regularisation_status}
        )
        context["nrm_form"] = NrmDecisionForm()
    context.update(outcomes.protection_page_facts(protection, active_policy()))
    do_record_personal_data_read(
        Actor.for_user(request.user), [protection.person], "protection_page"
    )
    return render(request, "protocol/protection_detail.html", context)


def protection_letter(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    protection = force_protection(request, reference)
    referral = protection.referrals.order_by("created_at").first()
    do_record_personal_data_read(
        Actor.for_user(request.user), [protection.person], "protection_letter"
    )
    return render(
        request,
        "protocol/protection_letter.html",
        {
            "protection": protection,
            "reference_groups": protection.reference.split("-"),
            "identity": protection.person.primary_identity,
            "policy": active_policy(),
            "actions": enforcement_actions().actions,
            "referral": referral,
            "force": protection.opened_by,
            "contact": protection_contact(protection),
            "today": timezone.localdate(),
        },
    )


PROTECTION_CHANGE_MEANING = {
    ProtectionStatus.ACTIVE.value: "It is active: Immigration Enforcement may not act.",
    ProtectionStatus.TRANSITION.value: (
        "It is in transition: Immigration Enforcement still may not act, the person is sent the "
        "end-of-protection notice, and a protocol officer decides when to close it."
    ),
    ProtectionStatus.ENDED.value: "It has ended.",
}


def _status_after(protection: Protection, **facts: object) -> str:
    """The protection's status if its facts changed so: ``compute_protection``, read-only."""
    changed = dataclasses.replace(actions.protection_facts(protection), **facts)  # type: ignore[arg-type]
    return compute_protection(active_policy(), changed).status.value


def _protection_change(
    request: AuthenticatedHttpRequest,
    protection: Protection,
    *,
    flow: str,
    page_name: str,
    make_form: Callable[[Any], forms.Form],
    question: dict[str, object],
    describe: Callable[[dict[str, Any]], tuple[list[dict[str, str]], str]],
    act: Callable[[dict[str, Any]], object],
    done_title: str,
) -> HttpResponse:
    """Question, check answers and confirmation for a change to a protection's facts that may
    change its status (ADR 0044). ``describe`` gives the check page's rows and the status the
    protection would have; ``act`` makes the change."""
    page = reverse(page_name, kwargs={"reference": protection.reference})

    def done() -> HttpResponse:
        return render(
            request,
            "protocol/protection_change_done.html",
            {
                "protection": protection,
                "title": done_title,
                "meaning": PROTECTION_CHANGE_MEANING[protection.status],
            },
        )

    def check(form: forms.Form, answers: str, change_url: str) -> HttpResponse:
        rows, after = describe(form.cleaned_data)
        return render(
            request,
            "protocol/protection_change_check.html",
            {
                "protection": protection,
                "title": question["check_title"],
                "button": question["button"],
                "rows": rows,
                "changes": after != protection.status,
                "before": protection.status_label,
                "after": PROTECTION_STATUS_LABELS[ProtectionStatus(after)],
                "meaning": PROTECTION_CHANGE_MEANING[after],
                "answers": answers,
                "change_url": change_url,
                "page": page,
            },
        )

    return check_answers_flow(
        request,
        flow=flow,
        record=protection.reference,
        page=page,
        make_form=make_form,
        check=check,
        act=lambda form: act(form.cleaned_data),
        question=lambda form, posted: render(
            request, str(question["template"]), {"form": form, "protection": protection}
        ),
        done=done,
    )


def protection_regularisation(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    protection = force_protection(request, reference)

    def describe(answers: dict[str, Any]) -> tuple[list[dict[str, str]], str]:
        status = answers["status"]
        rows = [{"label": "Regularisation status", "value": REGULARISATION_LABELS[status]}]
        return rows, _status_after(protection, regularisation=status)

    return _protection_change(
        request,
        protection,
        flow="regularisation",
        page_name="protocol:protection-regularisation",
        make_form=lambda data: RegularisationForm(
            data, initial={"status": protection.regularisation_status}
        ),
        question={
            "template": "protocol/regularisation_form.html",
            "check_title": "Check the regularisation status before you record it",
            "button": "Record status",
        },
        describe=describe,
        act=lambda answers: actions.do_update_regularisation(
            protection, answers["status"], Actor.for_user(request.user)
        ),
        done_title="Regularisation status recorded",
    )


def protection_nrm(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    protection = force_protection(request, reference)

    def describe(answers: dict[str, Any]) -> tuple[list[dict[str, str]], str]:
        stage = answers["stage"]
        positive = stage in {"positive_reasonable_grounds", "positive_conclusive_grounds"}
        until = protection.nrm_recovery_until
        if stage == "positive_reasonable_grounds":
            until = timezone.localdate() + actions.RECOVERY_PERIOD_MINIMUM
        flag = positive or (protection.nrm_recovery_period and stage == "referred")
        recovery = flag or (until is not None and timezone.localdate() <= until)
        rows = [{"label": "Decision", "value": NRM_STAGE_LABELS[stage]}]
        return rows, _status_after(protection, nrm_recovery_period=recovery)

    return _protection_change(
        request,
        protection,
        flow="nrm-decision",
        page_name="protocol:protection-nrm",
        make_form=NrmDecisionForm,
        question={
            "template": "protocol/nrm_form.html",
            "check_title": "Check the National Referral Mechanism decision before you record it",
            "button": "Record decision",
        },
        describe=describe,
        act=lambda answers: actions.do_record_nrm_decision(
            protection, Actor.for_user(request.user), stage=answers["stage"]
        ),
        done_title="National Referral Mechanism decision recorded",
    )


CLOSE_FLOW = "close-protection"


def _close_problems(
    protection: Protection, actor: Actor, *, reasons: str, victim_notified: bool
) -> list[str]:
    """Why closing would be refused, said before the check-answers page rather than after the
    confirm button: the checks ``do_close_protection`` makes, run on the facts (reads only).
    The action makes them again, under a lock, when the officer confirms."""
    policy = active_policy()
    notice_at = protection.transition_notice_at
    if (
        victim_notified
        and protection.status == ProtectionStatus.TRANSITION.value
        and notice_at is None
    ):
        return outcomes.notice_problems(protection, timezone.now(), policy)
    days = (timezone.now() - notice_at).days if victim_notified and notice_at else 0
    try:
        close_protection(
            policy,
            actions.protection_facts(protection),
            CloseRequest(
                closed_by=actor.identifier,
                closer_role=actor.role.value,
                reasons=reasons,
                victim_notified=victim_notified,
                days_since_notice=days,
            ),
        )
    except CloseRefused as refused:
        return list(refused.problems)
    return []


def protection_close(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Question, check answers and confirmation for closing a protection (ADR 0044)."""
    protection = force_protection(request, reference)
    page = reverse("protocol:protection-close", kwargs={"reference": protection.reference})
    actor = Actor.for_user(request.user)

    def validate(form: CloseProtectionForm) -> None:
        problems = _close_problems(
            protection,
            actor,
            reasons=form.cleaned_data["reasons"],
            victim_notified=form.cleaned_data["victim_notified"],
        )
        for problem in problems:
            form.add_error(None, for_people(problem))

    def check(form: CloseProtectionForm, answers: str, change_url: str) -> HttpResponse:
        do_record_personal_data_read(actor, [protection.person], "close_check")
        return render(
            request,
            "protocol/close_check.html",
            {
                "protection": protection,
                "identity": protection.person.primary_identity,
                "reasons": form.cleaned_data["reasons"],
                "victim_notified": form.cleaned_data["victim_notified"],
                "answers": answers,
                "change_url": change_url,
            },
        )

    def act(form: CloseProtectionForm) -> None:
        actions.do_close_protection(
            protection,
            actor,
            reasons=form.cleaned_data["reasons"],
            victim_notified=form.cleaned_data["victim_notified"],
        )

    def ask(form: CloseProtectionForm, posted: bool) -> HttpResponse:
        return render(
            request,
            "protocol/close_form.html",
            {
                "form": form,
                "protection": protection,
                "policy": active_policy(),
                "in_transition": protection.status == ProtectionStatus.TRANSITION,
            },
        )

    return check_answers_flow(
        request,
        flow=CLOSE_FLOW,
        record=protection.reference,
        page=page,
        make_form=CloseProtectionForm,
        validate=validate,
        check=check,
        act=act,
        question=ask,
        done=lambda: render(
            request,
            "protocol/close_done.html",
            {"protection": protection, "policy": active_policy()},
        ),
    )


# --- Clearances (Immigration Enforcement) ----------------------------------------------------


def own_clearance(request: AuthenticatedHttpRequest, clearance_id: uuid.UUID) -> Clearance:
    return get_object_or_404(
        Clearance, public_id=clearance_id, requested_by=request.user.organisation
    )


def clearance_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ClearanceForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.do_request_clearance(
                Actor.for_user(request.user),
                action_code=form.cleaned_data["action"],
                subject=form.subject(),
                information_sources=form.cleaned_data["information_sources"],
                scheduled_for=form.cleaned_data["scheduled_for"],
            )
        except UnknownEnforcementAction as error:
            form.add_error("action", str(error))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return redirect("protocol:clearance", clearance_id=result.clearance.public_id)
    return render(request, "protocol/clearance_form.html", {"form": form})


def _subject_name(subject: dict) -> str:
    name = " ".join(str(subject.get(k) or "") for k in ("given_names", "family_name")).strip()
    return name or "Name not given"


def clearance_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    clearances = Clearance.objects.filter(requested_by=request.user.organisation).order_by(
        "-created_at"
    )
    page = Paginator(clearances, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "clearance": clearance,
            "subject": _subject_name(clearance.subject),
            "action": action_name(clearance.action_code),
            "suspended": clearance.status == Clearance.Status.SUSPENDED,
            "ie_decision": clearance.ie_decision or clearance.decision,
        }
        for clearance in page.object_list
    ]
    shown = list(page.object_list)
    people = list(Person.objects.filter(protections__clearances__in=shown).distinct())
    found = {
        c.pk
        for c in Clearance.objects.filter(pk__in=[c.pk for c in shown], protections__isnull=False)
    }
    do_record_personal_data_read(
        Actor.for_user(request.user),
        people,
        "clearance_list",
        unregistered=sum(1 for clearance in shown if clearance.pk not in found),
    )
    return render(request, "protocol/clearance_list.html", {"page": page, "rows": rows})


def _record_clearance_read(
    request: AuthenticatedHttpRequest, clearance: Clearance, purpose: str
) -> None:
    """A clearance shows the subject IE asked about and, when it found one, the protected
    person: both are personal data."""
    people = list(Person.objects.filter(protections__clearances=clearance).distinct())
    do_record_personal_data_read(
        Actor.for_user(request.user), people, purpose, unregistered=0 if people else 1
    )


def clearance_detail(request: AuthenticatedHttpRequest, clearance_id: uuid.UUID) -> HttpResponse:
    clearance = own_clearance(request, clearance_id)
    view = clearance_out(clearance)
    _record_clearance_read(request, clearance, "clearance_page")
    overrides = list(clearance.overrides.order_by("-created_at"))
    can_override = (
        (clearance.ie_decision or clearance.decision) == "blocked"
        and clearance.status == Clearance.Status.DECIDED
        and not any(o.status == Override.Status.PENDING for o in overrides)
    )
    return render(
        request,
        "protocol/clearance_detail.html",
        {
            "clearance": clearance,
            "view": view,
            "action": action_name(clearance.action_code),
            "subject": _subject_name(clearance.subject),
            "overrides": [
                {"override": o, "category": exception_label(o.exception_category)}
                for o in overrides
            ],
            "can_override": can_override,
        },
    )


OVERRIDE_REQUEST_FLOW = "override-request"


def _override_request_problems(
    clearance: Clearance, actor: Actor, form: OverrideRequestForm
) -> list[str]:
    """Why the request would be refused, said before the check-answers page: the checks
    ``do_request_override`` makes (reads only). It makes them again on confirm."""
    if (clearance.ie_decision or clearance.decision) != "blocked":
        return ["Only a blocked clearance can be overridden."]
    if clearance.overrides.filter(status=Override.Status.PENDING).exists():
        return ["An override of this clearance is already waiting for approval."]
    offence = form.suspected_offence()
    assessment = validate_override_request(
        active_policy(),
        OverrideRequest(
            action_code=clearance.action_code,
            subject_ref=str(clearance.public_id),
            protection_ids=tuple(
                str(p) for p in clearance.protections.values_list("pk", flat=True)
            ),
            category=form.cleaned_data["category"].value,
            reasons=form.cleaned_data["reasons"],
            requested_by=actor.identifier,
            offences=(SuspectedOffence(**offence),) if offence else (),  # type: ignore[arg-type]
            modern_slavery_indicators=form.cleaned_data["modern_slavery_indicators"],
        ),
    )
    return list(assessment.problems)


def override_create(request: AuthenticatedHttpRequest, clearance_id: uuid.UUID) -> HttpResponse:
    """Ask to override a block: question, check answers and confirmation (ADR 0044)."""
    clearance = own_clearance(request, clearance_id)
    policy = active_policy()
    page = reverse("protocol:override-new", kwargs={"clearance_id": clearance.public_id})
    actor = Actor.for_user(request.user)

    def done() -> HttpResponse:
        override = clearance.overrides.order_by("-created_at").first()
        if override is None:
            return redirect("protocol:clearance", clearance_id=clearance.public_id)
        return render(
            request,
            "protocol/override_request_done.html",
            {
                "clearance": clearance,
                "override": override,
                "action": action_name(clearance.action_code),
                "awaited": actions.custodian_ruling_awaited(clearance),
            },
        )

    def validate(form: OverrideRequestForm) -> None:
        for problem in _override_request_problems(clearance, actor, form):
            form.add_error(None, for_people(problem))

    def check(form: OverrideRequestForm, answers: str, change_url: str) -> HttpResponse:
        _record_clearance_read(request, clearance, "override_check")
        return render(
            request,
            "protocol/override_request_check.html",
            {
                "clearance": clearance,
                "action": action_name(clearance.action_code),
                "subject": _subject_name(clearance.subject),
                "category": form.cleaned_data["category"].label,
                "reasons": form.cleaned_data["reasons"],
                "offence": form.suspected_offence(),
                "indicators": form.cleaned_data["modern_slavery_indicators"],
                "firewall": policy.clearance.ie_detail == IEDetail.CUSTODIAN,
                "answers": answers,
                "change_url": change_url,
            },
        )

    def act(form: OverrideRequestForm) -> None:
        actions.do_request_override(
            clearance,
            actor,
            category=form.cleaned_data["category"].value,
            reasons=form.cleaned_data["reasons"],
            suspected_offence=form.suspected_offence(),
            modern_slavery_indicators=form.cleaned_data["modern_slavery_indicators"],
        )

    def ask(form: OverrideRequestForm, posted: bool) -> HttpResponse:
        if not posted:
            _record_clearance_read(request, clearance, "override_form")
        return render(
            request,
            "protocol/override_form.html",
            {
                "form": form,
                "clearance": clearance,
                "action": action_name(clearance.action_code),
                "subject": _subject_name(clearance.subject),
                "blocked": clearance.decision == "blocked",
            },
        )

    return check_answers_flow(
        request,
        flow=OVERRIDE_REQUEST_FLOW,
        record=clearance.public_id,
        page=page,
        make_form=lambda data: OverrideRequestForm(data, policy=policy),
        validate=validate,
        check=check,
        act=act,
        question=ask,
        done=done,
    )


WITHDRAW_FLOW = "override-withdrawal"


def override_withdraw(request: AuthenticatedHttpRequest, clearance_id: uuid.UUID) -> HttpResponse:
    """IE withdraws its own pending override request: question, check answers and
    confirmation (ADR 0044)."""
    clearance = own_clearance(request, clearance_id)
    page = reverse("protocol:override-withdraw", kwargs={"clearance_id": clearance.public_id})
    context: dict[str, Any] = {
        "clearance": clearance,
        "action": action_name(clearance.action_code),
        "subject": _subject_name(clearance.subject),
    }

    def done() -> HttpResponse:
        withdrawn = clearance.overrides.filter(status=Override.Status.WITHDRAWN).first()
        if withdrawn is None:
            return redirect("protocol:clearance", clearance_id=clearance.public_id)
        return render(
            request, "protocol/override_withdraw_done.html", {**context, "override": withdrawn}
        )

    def nothing_pending() -> HttpResponse | None:
        pending = clearance.overrides.filter(status=Override.Status.PENDING).first()
        if pending is None:
            return redirect("protocol:clearance", clearance_id=clearance.public_id)
        context["override"] = pending
        context["category"] = exception_label(pending.exception_category)
        return None

    def validate(form: WithdrawOverrideForm) -> None:
        if len(form.cleaned_data["reasons"].strip()) < 10:
            form.add_error("reasons", "Explain why you are withdrawing the request")

    def check(form: WithdrawOverrideForm, answers: str, change_url: str) -> HttpResponse:
        return render(
            request,
            "protocol/override_withdraw_check.html",
            {
                **context,
                "reasons": form.cleaned_data["reasons"],
                "answers": answers,
                "change_url": change_url,
            },
        )

    def act(form: WithdrawOverrideForm) -> None:
        actions.do_withdraw_override(
            context["override"], Actor.for_user(request.user), reasons=form.cleaned_data["reasons"]
        )

    return check_answers_flow(
        request,
        flow=WITHDRAW_FLOW,
        record=clearance.public_id,
        page=page,
        before_form=nothing_pending,
        make_form=WithdrawOverrideForm,
        validate=validate,
        check=check,
        act=act,
        question=lambda form, posted: render(
            request, "protocol/override_withdraw_form.html", {**context, "form": form}
        ),
        done=done,
    )


# --- Reviews of possible matches (protocol officers) ------------------------------------------


def reviews_for(request: AuthenticatedHttpRequest) -> QuerySet[Review]:
    """Reviews whose candidate protections belong to the officer's force (as the API)."""
    organisation = request.user.organisation
    return (
        Review.objects.filter(
            Q(candidates__opened_by=organisation) | Q(candidates__cases__force=organisation)
        )
        .distinct()
        .select_related("clearance", "clearance__requested_by")
    )


def review_by_reference(reviews: QuerySet[Review], reference: str) -> Review:
    """The one review of ``reviews`` with this short reference (ADR 0047), or not found."""
    bounds = reference_bounds(reference)
    if bounds is None:
        raise Http404("No such review")
    found = list(reviews.filter(public_id__range=bounds)[:2])
    if len(found) != 1:
        raise Http404("No such review")
    return found[0]


def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    reviews = reviews_for(request).filter(status=Review.Status.OPEN).order_by("created_at")
    page = Paginator(reviews, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "review": review,
            "action": action_name(review.clearance.action_code),
            "candidates": review.candidates.count(),
        }
        for review in page.object_list
    ]
    do_record_personal_data_read(
        Actor.for_user(request.user),
        Person.objects.filter(protections__reviews__in=[r.pk for r in page.object_list]),
        "review_list",
    )
    return render(request, "protocol/review_list.html", {"page": page, "rows": rows})


AGREEMENT_TAGS = {
    Agreement.SAME: "govuk-tag--green",
    Agreement.SIMILAR: "govuk-tag--yellow",
    Agreement.DIFFERENT: "govuk-tag--red",
    Agreement.MISSING: "govuk-tag--grey",
}


def _comparison(subject: dict, protection: Protection) -> dict[str, object]:
    """IE's subject beside each identity of a protected person, field by field, with whether
    each field agrees in words (and colour, never colour alone), and why it was held."""
    identities = list(protection.person.identities.all())
    fields = [identity.as_fields() for identity in identities]
    rows = []
    agreements: dict[str, Agreement] = {}
    for name, label in IDENTITY_ROWS:
        theirs = _show(name, subject.get(name))
        cells = []
        for values in fields:
            agreement = compare_field(name, values.get(name), subject.get(name))
            cells.append(
                {
                    "value": _show(name, values.get(name)),
                    "agreement": agreement.label,
                    "tag": AGREEMENT_TAGS[agreement],
                }
            )
        agreements[name] = best(
            compare_field(name, values.get(name), subject.get(name)) for values in fields
        )
        rows.append({"label": label, "subject": theirs, "candidates": cells})
    return {
        "protection": protection,
        "identities": identities,
        "rows": rows,
        "reason": hold_sentence(agreements, dict(IDENTITY_ROWS)),
    }


REVIEW_FLOW = "review-decision"


def _review_consequence(review: Review, verdict: str) -> dict[str, str]:
    """What the clearance becomes if the officer decides ``verdict``: the same decision the
    action makes, on the same facts (reads only)."""
    policy = active_policy()
    clearance = review.clearance
    chosen = (
        ReviewVerdict.SAME_PERSON
        if verdict == Review.Verdict.SAME_PERSON
        else ReviewVerdict.DIFFERENT_PERSON
    )
    ids = list(review.candidates.values_list("pk", flat=True))
    outcome = actions.outcome_with_verdicts(clearance, dict.fromkeys(ids, chosen))
    decision = decide_clearance(
        policy,
        clearance.action_code,
        outcome,
        actions.snapshots_for(outcome),
        clearance.information_sources,
    )
    label = DECISION_LABELS[decision.outcome]
    action = action_name(clearance.action_code).lower()
    if decision.outcome == ClearanceOutcome.BLOCKED:
        meaning = (
            f"Immigration Enforcement may not go ahead with the {action}: it is told not to "
            "act and whom to contact."
        )
    elif decision.outcome == ClearanceOutcome.HOLD:
        meaning = (
            "It stays on hold: another possible match still has to be decided, and Immigration "
            "Enforcement still may not act."
        )
    else:
        meaning = (
            f"Immigration Enforcement may go ahead with the {action}: no protected person "
            "stands in the way."
        )
    return {"outcome": decision.outcome.value, "label": label, "meaning": meaning}


def review_detail(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """The possible match and the decision (question), check answers and confirmation
    (ADR 0044), found by the review's short reference (ADR 0047)."""
    review = review_by_reference(reviews_for(request), reference)
    page = reverse("protocol:review", kwargs={"reference": review.reference})

    def validate(form: ReviewDecisionForm) -> None:
        if len(form.cleaned_data["reasons"].strip()) < 10:
            form.add_error("reasons", "Explain your decision in at least 10 characters")
        if form.is_valid() and review.status != Review.Status.OPEN:
            form.add_error(None, "This review has already been decided.")

    def check(form: ReviewDecisionForm, answers: str, change_url: str) -> HttpResponse:
        verdict = Review.Verdict(form.cleaned_data["verdict"])
        return render(
            request,
            "protocol/review_check.html",
            {
                "review": review,
                "verdict": verdict.label,
                "reasons": form.cleaned_data["reasons"],
                "consequence": _review_consequence(review, verdict.value),
                "action": action_name(review.clearance.action_code),
                "answers": answers,
                "change_url": change_url,
            },
        )

    def act(form: ReviewDecisionForm) -> None:
        actions.do_resolve_review(
            review,
            Actor.for_user(request.user),
            verdict=form.cleaned_data["verdict"],
            reasons=form.cleaned_data["reasons"],
        )

    return check_answers_flow(
        request,
        flow=REVIEW_FLOW,
        record=review.pk,
        page=page,
        make_form=ReviewDecisionForm,
        validate=validate,
        check=check,
        act=act,
        question=lambda form, posted: _review_question(request, review, form),
        done=lambda: render(
            request,
            "protocol/review_done.html",
            {"review": review, "clearance": review.clearance},
        ),
    )


def _review_question(
    request: AuthenticatedHttpRequest, review: Review, form: ReviewDecisionForm
) -> HttpResponse:
    """The possible match beside the protected people this officer may see, and the question."""
    # Only this force's protected people: another force's are theirs to decide, and their
    # names are not this officer's to see.
    organisation = request.user.organisation
    every_candidate = review.candidates.select_related("person").order_by("id")
    candidates = list(
        every_candidate.filter(Q(opened_by=organisation) | Q(cases__force=organisation)).distinct()
    )
    elsewhere = every_candidate.count() - len(candidates)
    do_record_personal_data_read(
        Actor.for_user(request.user), [p.person for p in candidates], "review_page"
    )
    subject = review.clearance.subject
    return render(
        request,
        "protocol/review_detail.html",
        {
            "form": form,
            "review": review,
            "action": action_name(review.clearance.action_code),
            "comparisons": [_comparison(subject, p) for p in candidates],
            "elsewhere": elsewhere,
            "explanation": review.clearance.match_explanation,
            "sources": [
                SOURCE_LABELS[InformationSource(s)] for s in review.clearance.information_sources
            ],
        },
    )


# --- Overrides (senior approvers and protocol officers) ---------------------------------------


def overrides_for(request: AuthenticatedHttpRequest) -> QuerySet[Override]:
    """Protocol officers: overrides of blocks on their force's protections. IE senior
    approvers: overrides asked for by their own organisation."""
    organisation = request.user.organisation
    overrides = Override.objects.select_related("clearance", "requested_by")
    if request.user.role == Role.PROTOCOL_OFFICER:
        return overrides.filter(
            Q(clearance__protections__opened_by=organisation)
            | Q(clearance__protections__cases__force=organisation)
        ).distinct()
    return overrides.filter(requested_by=organisation)


def override_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    pending = overrides_for(request).filter(status=Override.Status.PENDING).order_by("created_at")
    page = Paginator(pending, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "override": override,
            "action": action_name(override.clearance.action_code),
            "category": exception_label(override.exception_category),
            "own": override.requester_key == Actor.for_user(request.user).identifier,
            "awaited": actions.custodian_ruling_awaited(override.clearance),
        }
        for override in page.object_list
    ]
    return render(request, "protocol/override_list.html", {"page": page, "rows": rows})


def _reviewer_flags(override: Override, law: str) -> list[str]:
    flags = []
    offence = override.suspected_offence
    if offence and is_immigration_status_offence(SuspectedOffence(**offence)):
        flags.append(
            f"'{offence.get('description') or offence.get('code')}' is an immigration-status "
            "offence and is disregarded: such offences never ground an override."
        )
    if override.statutory_defence_flag:
        flags.append(
            "The person has modern slavery indicators. Before relying on any offence, consider "
            f"whether the statutory defence ({law}) applies."
        )
    return flags


def _references_shown(
    request: AuthenticatedHttpRequest, policy: Policy, clearance: Clearance
) -> list[str]:
    """The protections an override would set aside, by reference; under a firewall IE is
    never given a protection reference (ADR 0022), so IE's approvers see none."""
    if request.user.role != Role.PROTOCOL_OFFICER and (
        policy.clearance.ie_detail == IEDetail.CUSTODIAN
    ):
        return []
    return list(clearance.protections.values_list("reference", flat=True))


OVERRIDE_DECISION_FLOW = "override-decision"


def _override_decision_problems(
    override: Override, actor: Actor, answers: dict[str, Any]
) -> list[str]:
    """Why the decision would be refused, said before the check-answers page: the checks
    ``do_decide_override`` makes, on the facts (reads only). It makes them again on confirm."""
    if override.status != Override.Status.PENDING:
        return ["This override has already been decided."]
    if actor.identifier == override.requester_key:
        return ["You asked for this override, so someone else must decide it."]
    policy = active_policy()
    if answers["decision"] != "approve":
        if len(answers["reasons"].strip()) < 10:
            return ["Explain why you are refusing the override"]
        if actor.role.value not in policy.overrides.approver_roles:
            return ["Only a senior approver can decide an override."]
        return []
    approval = Approval(
        approved_by=actor.identifier,
        approver_role=actor.role.value,
        reasons=answers["reasons"],
        statutory_defence_considered=answers.get("statutory_defence_considered", False),
    )
    try:
        approve_override(
            policy, actions.override_request(override), approval, str(override.public_id)
        )
    except OverrideRefused as refused:
        return list(refused.problems)
    return []


def override_detail(request: AuthenticatedHttpRequest, override_id: uuid.UUID) -> HttpResponse:
    override = get_object_or_404(overrides_for(request), public_id=override_id)
    policy = active_policy()
    jurisdiction = override.requested_by.jurisdiction
    law = policy.jurisdiction(
        jurisdiction if jurisdiction in set(Jurisdiction) else Jurisdiction.ENGLAND_WALES
    ).modern_slavery_defence_law
    pending = override.status == Override.Status.PENDING
    awaited = pending and actions.custodian_ruling_awaited(override.clearance)
    page = reverse("protocol:override", kwargs={"override_id": override.public_id})
    actor = Actor.for_user(request.user)

    def validate(form: OverrideDecisionForm) -> None:
        for problem in _override_decision_problems(override, actor, form.cleaned_data):
            form.add_error(None, for_people(problem))

    def check(form: OverrideDecisionForm, answers: str, change_url: str) -> HttpResponse:
        return render(
            request,
            "protocol/override_decision_check.html",
            {
                "override": override,
                "approve": form.cleaned_data["decision"] == "approve",
                "reasons": form.cleaned_data["reasons"],
                "defence_asked": "statutory_defence_considered" in form.fields,
                "defence": form.cleaned_data.get("statutory_defence_considered", False),
                "action": action_name(override.clearance.action_code),
                "category": exception_label(override.exception_category),
                "references": _references_shown(request, policy, override.clearance),
                "answers": answers,
                "change_url": change_url,
            },
        )

    def act(form: OverrideDecisionForm) -> None:
        actions.do_decide_override(
            override,
            actor,
            approve=form.cleaned_data["decision"] == "approve",
            reasons=form.cleaned_data["reasons"],
            statutory_defence_considered=form.cleaned_data.get(
                "statutory_defence_considered", False
            ),
        )

    def ask(form: OverrideDecisionForm, posted: bool) -> HttpResponse:
        clearance = override.clearance
        do_record_personal_data_read(
            Actor.for_user(request.user),
            Person.objects.filter(protections__clearances=clearance),
            "override_page",
        )
        return render(
            request,
            "protocol/override_detail.html",
            {
                "form": form,
                "override": override,
                "clearance": clearance,
                "action": action_name(clearance.action_code),
                "category": exception_label(override.exception_category),
                "references": _references_shown(request, policy, clearance),
                "flags": _reviewer_flags(override, law),
                "own": override.requester_key == Actor.for_user(request.user).identifier,
                "pending": pending,
                "awaited": awaited,
                "waiting_message": actions.override_waiting_message(override, awaited=awaited),
            },
        )

    return check_answers_flow(
        request,
        flow=OVERRIDE_DECISION_FLOW,
        record=override.public_id,
        page=page,
        make_form=lambda data: OverrideDecisionForm(
            data,
            statutory_defence=override.statutory_defence_flag,
            law=law,
            can_approve=not awaited,
        ),
        validate=validate,
        check=check,
        act=act,
        question=ask,
        done=lambda: render(
            request,
            "protocol/override_decision_done.html",
            {
                "override": override,
                "clearance": override.clearance,
                "action": action_name(override.clearance.action_code),
            },
        ),
    )
