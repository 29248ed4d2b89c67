"""Check answers and confirmation for a case event: what it does to each protection (ADR 0044).

The police officer answers "Record an event" (``cases:record-event``); this page says, before
anything is recorded, which protections in the case change and how (for example "no further
action" moves every protection the case alone holds open into transition at once). Nothing is
recorded until the officer presses "Record event", once, whatever happens after.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from safeshare.accounts.actors import Actor
from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.cases import actions as case_actions
from safeshare.cases.forms import CaseEventForm, add_action_errors
from safeshare.cases.lifecycle import CaseEvent, CaseState, InvalidCaseEvent, allowed_events
from safeshare.cases.lifecycle import apply_event as lifecycle_apply_event
from safeshare.cases.models import Case
from safeshare.cases.views import EVENT_FLOW, event_form_context, own_case
from safeshare.idempotency.pages import already_confirmed, confirm_once
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.protocol.actions import protection_facts
from safeshare.protocol.active import active_policy
from safeshare.protocol.models import PROTECTION_STATUS_LABELS, Protection, ProtectionCase
from safeshare.protocol.protection import ProtectionStatus, compute_protection
from safeshare.web.check_answers import read_answers, read_done, sign_answers, sign_done
from safeshare.web.templatetags.govuk import date_in_words


def _label(status: str | None) -> str:
    return PROTECTION_STATUS_LABELS[ProtectionStatus(status)] if status else "Not yet decided"


def _what_it_means(before: str, after: str, minimum_days: int) -> str:
    if before == after:
        return "No change: something else still holds it as it is."
    if after == ProtectionStatus.TRANSITION.value:
        return (
            "Nothing holds it open any more, so it moves into transition. Immigration "
            "Enforcement still may not act. The person is sent the end-of-protection notice, and "
            f"a protocol officer may close the protection no sooner than {minimum_days} days "
            "after it is delivered. It never ends by itself."
        )
    if after == ProtectionStatus.ACTIVE.value:
        return "It becomes active again, and the person is told."
    return "It ends."


def preview(case: Case, event: CaseEvent) -> list[dict[str, object]]:
    """Each protection the case is linked to, its status now and after ``event``: the same
    rules the action applies (``compute_protection``), on the facts with the event applied."""
    policy = active_policy()
    after_state = lifecycle_apply_event(CaseState(case.state), event)
    case_id = str(case.public_id)
    ids = ProtectionCase.objects.filter(case=case).values_list("protection_id", flat=True)
    rows = []
    for protection in (
        Protection.objects.filter(pk__in=list(ids)).select_related("person").order_by("id")
    ):
        facts = protection_facts(protection)
        linked = []
        for linked_case in facts.linked_cases:
            if linked_case.case_id == case_id:
                withdrawn = linked_case.support_withdrawn
                if event == CaseEvent.VICTIM_WITHDREW_SUPPORT:
                    withdrawn = True
                elif event == CaseEvent.VICTIM_RESUMED_SUPPORT:
                    withdrawn = False
                linked_case = dataclasses.replace(
                    linked_case, state=after_state, support_withdrawn=withdrawn
                )
            linked.append(linked_case)
        after = compute_protection(policy, dataclasses.replace(facts, linked_cases=tuple(linked)))
        before = protection.status
        rows.append(
            {
                "protection": protection,
                "name": protection.person.primary_identity.full_name
                if protection.person.primary_identity
                else "Name not recorded",
                "before": _label(before),
                "after": _label(after.status.value),
                "after_status": after.status.value,
                "changes": before != after.status.value,
                "meaning": _what_it_means(
                    before, after.status.value, policy.protection.minimum_transition_days
                ),
            }
        )
    return rows


def _fingerprint(case: Case) -> str:
    """The case as the officer checked it: a later event makes the checked answers stale."""
    return f"{case.state}:{case.events.count()}"


def record_case_event(request: AuthenticatedHttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """POST from the question page: the check-answers page. POST with ``confirm``: record the
    event once. GET with ``?done=``: the confirmation page."""
    case = own_case(request, case_id)
    question = reverse("cases:record-event", kwargs={"case_id": case.public_id})
    if request.method != "POST":
        done = read_done(request, EVENT_FLOW, case.public_id, request.GET.get("done"))
        if done is None:
            return redirect(question)
        return _confirmation(request, case, done)
    confirming = "confirm" in request.POST
    if confirming:
        kept = read_answers(request, EVENT_FLOW, case.public_id, request.POST.get("answers"))
        if kept is None:  # altered, someone else's, or too old: ask again
            return redirect(question)
        data, nonce = kept
        first = already_confirmed(str(request.user.pk), nonce)
        if first is not None:  # pressed before: nothing is done twice
            return redirect(first)
    else:
        data, nonce = request.POST, ""
    form = CaseEventForm(data, allowed=allowed_events(case.state_enum))
    stale = confirming and data.get("checked") != _fingerprint(case)
    if form.is_valid() and stale:
        form.add_error(
            None,
            "The case has changed since you checked your answers. Check them again before you "
            "record the event.",
        )
    if form.is_valid():
        event = form.cleaned_data["event"]
        occurred_on = form.cleaned_data["occurred_on"]
        try:
            changes = preview(case, event)
        except InvalidCaseEvent as error:
            form.add_error("event", error.reason)
        else:
            if confirming:
                try:
                    location = confirm_once(
                        str(request.user.pk),
                        nonce,
                        lambda: _record(request, case, event, occurred_on, changes),
                    )
                except ValidationError as error:
                    add_action_errors(form, error)
                else:
                    return redirect(location)
            else:
                answers = request.POST.copy()
                answers["checked"] = _fingerprint(case)
                token = sign_answers(request, EVENT_FLOW, case.public_id, answers)
                do_record_personal_data_read(
                    Actor.for_user(request.user),
                    [row["protection"].person for row in changes],  # type: ignore[attr-defined]
                    "case_event_check",
                )
                return render(
                    request,
                    "protocol/case_event_check.html",
                    {
                        "case": case,
                        "event": event,
                        "occurred_on": occurred_on,
                        "changes": changes,
                        "changing": [row for row in changes if row["changes"]],
                        "answers": token,
                        "change_url": f"{question}?{urlencode({'answers': token})}",
                        "state_before": CaseState(case.state).label,
                        "state_after": lifecycle_apply_event(CaseState(case.state), event).label,
                    },
                )
    context = event_form_context(case, form)
    context["action"] = reverse("protocol:case-event", kwargs={"case_id": case.public_id})
    return render(request, "cases/event_form.html", context)


def _record(
    request: AuthenticatedHttpRequest,
    case: Case,
    event: CaseEvent,
    occurred_on: dt.date | None,
    changes: list[dict[str, object]],
) -> str:
    recorded = case_actions.do_record_case_event(
        case, Actor.for_user(request.user), event=event, occurred_on=occurred_on
    )
    done = sign_done(
        request,
        EVENT_FLOW,
        case.public_id,
        {
            "event": recorded.event,
            "occurred_on": recorded.occurred_on.isoformat(),
            "protections": [row["protection"].reference for row in changes],  # type: ignore[attr-defined]
        },
    )
    page = reverse("protocol:case-event", kwargs={"case_id": case.public_id})
    return f"{page}?{urlencode({'done': done})}"


def _confirmation(
    request: AuthenticatedHttpRequest, case: Case, done: dict[str, object]
) -> HttpResponse:
    references = [str(reference) for reference in done.get("protections") or []]  # type: ignore[attr-defined]
    protections = list(
        Protection.objects.filter(reference__in=references, cases=case)
        .select_related("person")
        .distinct()
        .order_by("id")
    )
    do_record_personal_data_read(
        Actor.for_user(request.user), [p.person for p in protections], "case_event_recorded"
    )
    policy = active_policy()
    try:
        event = CaseEvent(str(done.get("event")))
    except ValueError:
        return redirect("cases:detail", case_id=case.public_id)
    return render(
        request,
        "protocol/case_event_done.html",
        {
            "case": case,
            "event": event,
            "occurred_on": date_in_words(str(done.get("occurred_on") or "")),
            "protections": protections,
            "in_transition": [
                p for p in protections if p.status == ProtectionStatus.TRANSITION.value
            ],
            "minimum_days": policy.protection.minimum_transition_days,
        },
    )
