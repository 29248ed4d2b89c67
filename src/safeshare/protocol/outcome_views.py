"""IE's page to report what was done after a clearance (the API does the same)."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.cases.forms import GovukDateField
from safeshare.protocol import actions, outcomes
from safeshare.protocol.active import active_policy
from safeshare.protocol.check_flow import check_answers_flow
from safeshare.protocol.models import OutcomeReport
from safeshare.protocol.views import action_name, own_clearance

LONDON = zoneinfo.ZoneInfo("Europe/London")


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What was done?",
        choices=list(OutcomeReport.Outcome.choices),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what was done",
            "invalid_choice": "Select what was done from the list",
        },
    )
    action_date = GovukDateField(
        label="Date the action was taken", required=False, help_text="For example, 27/3/2026"
    )
    action_time = forms.TimeField(
        label="Time the action was taken (UK time)",
        required=False,
        help_text="For example, 14:30",
        input_formats=["%H:%M", "%H.%M"],
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
        error_messages={"invalid": "Enter a real time, for example 14:30"},
    )

    def clean(self):
        data = super().clean()
        taken = data.get("outcome") == OutcomeReport.Outcome.ACTION_TAKEN
        day, time = data.get("action_date"), data.get("action_time")
        if taken:
            if day is None and "action_date" not in self.errors:
                self.add_error("action_date", "Enter the date the action was taken")
            if time is None and "action_time" not in self.errors:
                self.add_error("action_time", "Enter the time the action was taken")
            if day and time:
                data["action_taken_at"] = dt.datetime.combine(day, time, tzinfo=LONDON)
        elif day or time:
            self.add_error("action_date", "Give a date and time only when the action was taken")
        return data


OUTCOME_FLOW = "clearance-outcome"


def _outcome_consequence(clearance, outcome: str, taken_at: dt.datetime | None) -> dict:
    """What reporting this outcome does, said before it is stored: the same basis check the
    action makes (reads only)."""
    if outcome == OutcomeReport.Outcome.ACTION_TAKEN and taken_at is not None:
        valid, reason, alert = outcomes._basis(clearance, taken_at, active_policy())
        return {"valid": valid, "reason": reason, "alert": bool(alert)}
    if outcome == OutcomeReport.Outcome.NOT_YET:
        valid = outcomes.clear_state(clearance, timezone.now()) == "valid"
        reason = (
            "The clear still stands: you may act while it is valid."
            if valid
            else "There is no valid clear: ask for a new clearance before acting."
        )
        return {"valid": valid, "reason": reason, "alert": False}
    return {"valid": True, "reason": "The action will not go ahead.", "alert": False}


def clearance_outcome(request: AuthenticatedHttpRequest, clearance_id: uuid.UUID) -> HttpResponse:
    """IE reports what was done: question, check answers and confirmation (ADR 0044)."""
    clearance = own_clearance(request, clearance_id)
    page = reverse("protocol:clearance-outcome", kwargs={"clearance_id": clearance.public_id})

    def done() -> HttpResponse:
        report = clearance.outcomes.first()
        if report is None:
            return redirect("protocol:clearance", clearance_id=clearance.public_id)
        return render(
            request,
            "protocol/outcome_done.html",
            {
                "clearance": clearance,
                "report": report,
                "action": action_name(clearance.action_code),
            },
        )

    def validate(form: OutcomeForm) -> None:
        final = clearance.outcomes.exclude(outcome=OutcomeReport.Outcome.NOT_YET).first()
        if final is not None:
            form.add_error(
                "outcome",
                "This clearance's outcome was already reported: "
                + final.get_outcome_display().lower(),
            )
        taken_at = form.cleaned_data.get("action_taken_at") if form.is_valid() else None
        if taken_at is not None and taken_at > timezone.now() + dt.timedelta(minutes=5):
            form.add_error("action_date", "The action cannot have been taken in the future")

    def check(form: OutcomeForm, answers: str, change_url: str) -> HttpResponse:
        outcome = form.cleaned_data["outcome"]
        taken_at = form.cleaned_data.get("action_taken_at")
        return render(
            request,
            "protocol/outcome_check.html",
            {
                "clearance": clearance,
                "action": action_name(clearance.action_code),
                "outcome": OutcomeReport.Outcome(outcome).label,
                "taken_at": taken_at,
                "consequence": _outcome_consequence(clearance, outcome, taken_at),
                "answers": answers,
                "change_url": change_url,
            },
        )

    def act(form: OutcomeForm) -> None:
        actions.do_report_outcome(
            clearance,
            Actor.for_user(request.user),
            outcome=form.cleaned_data["outcome"],
            action_taken_at=form.cleaned_data.get("action_taken_at"),
        )

    def ask(form: OutcomeForm, posted: bool) -> HttpResponse:
        now = timezone.now()
        return render(
            request,
            "protocol/outcome_form.html",
            {
                "form": form,
                "clearance": clearance,
                "action": action_name(clearance.action_code),
                "state": outcomes.clear_state(clearance, now),
                "valid_until": outcomes.clear_expires_at(clearance)
                if clearance.decision == "clear"
                else None,
                "reports": list(clearance.outcomes.all()),
            },
        )

    return check_answers_flow(
        request,
        flow=OUTCOME_FLOW,
        record=clearance.public_id,
        page=page,
        make_form=OutcomeForm,
        validate=validate,
        check=check,
        act=act,
        question=ask,
        done=done,
    )


class NoticeGivenForm(forms.Form):
    given_on = GovukDateField(
        label="Date the end-of-protection notice was given",
        help_text="In person or through the support organisation. For example, 27/3/2026",
        error_messages={"required": "Enter the date the notice was given"},
    )


NOTICE_FLOW = "notice-given"


def _notice_problem(protection, given_on: dt.date) -> str | None:
    """What ``do_record_notice_handed_over`` would refuse, said before the check-answers page
    (reads only; the action checks again under its lock)."""
    if given_on > timezone.localdate():
        return "The date the notice was given must be today or in the past"
    if protection.status != "transition":
        return "Only a protection in transition has a notice"
    given = min(timezone.make_aware(dt.datetime.combine(given_on, dt.time(12))), timezone.now())
    if given < protection.status_changed_at - dt.timedelta(days=1):
        return "The notice cannot have been given before the transition began"
    return None


def protection_notice_given(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """A protocol officer records that the notice was handed over (no safe channel to send it):
    question, check answers and confirmation (ADR 0044), since the date starts the minimum
    period before the protection may be closed."""
    from safeshare.protocol.views import force_protection

    protection = force_protection(request, reference)
    page = reverse("protocol:protection-notice-given", kwargs={"reference": protection.reference})
    minimum = active_policy().protection.minimum_transition_days

    def done() -> HttpResponse:
        given = protection.transition_notice_at
        return render(
            request,
            "protocol/notice_given_done.html",
            {
                "protection": protection,
                "earliest": timezone.localtime(given).date() + dt.timedelta(days=minimum)
                if given
                else None,
                "minimum": minimum,
            },
        )

    def validate(form: NoticeGivenForm) -> None:
        problem = _notice_problem(protection, form.cleaned_data["given_on"])
        if problem:
            form.add_error("given_on", problem)

    def check(form: NoticeGivenForm, answers: str, change_url: str) -> HttpResponse:
        given_on = form.cleaned_data["given_on"]
        return render(
            request,
            "protocol/notice_given_check.html",
            {
                "protection": protection,
                "given_on": given_on,
                "earliest": given_on + dt.timedelta(days=minimum),
                "minimum": minimum,
                "answers": answers,
                "change_url": change_url,
            },
        )

    def act(form: NoticeGivenForm) -> None:
        actions.do_record_notice_handed_over(
            protection, Actor.for_user(request.user), given_on=form.cleaned_data["given_on"]
        )

    return check_answers_flow(
        request,
        flow=NOTICE_FLOW,
        record=protection.reference,
        page=page,
        make_form=NoticeGivenForm,
        validate=validate,
        check=check,
        act=act,
        question=lambda form, posted: render(
            request, "protocol/notice_given_form.html", {"form": form, "protection": protection}
        ),
        done=done,
    )
