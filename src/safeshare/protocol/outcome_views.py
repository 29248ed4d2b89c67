"""IE's page to report what was done after a clearance (the API does the same)."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.cases.forms import GovukDateField, add_action_errors, posted_data
from safeshare.protocol import actions, outcomes
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


def clearance_outcome(request: AuthenticatedHttpRequest, clearance_id: uuid.UUID) -> HttpResponse:
    clearance = own_clearance(request, clearance_id)
    form = OutcomeForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            report = actions.do_report_outcome(
                clearance,
                Actor.for_user(request.user),
                outcome=form.cleaned_data["outcome"],
                action_taken_at=form.cleaned_data.get("action_taken_at"),
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            if report.alerted:
                messages.warning(request, f"Reported. {report.basis_reason} Oversight was told.")
            else:
                messages.success(request, f"Reported: {report.get_outcome_display().lower()}")
            return redirect("protocol:clearance", clearance_id=clearance.public_id)
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


class NoticeGivenForm(forms.Form):
    given_on = GovukDateField(
        label="Date the end-of-protection notice was given",
        help_text="In person or through the support organisation. For example, 27/3/2026",
        error_messages={"required": "Enter the date the notice was given"},
    )


def protection_notice_given(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """A protocol officer records that the notice was handed over (no safe channel to send it)."""
    from safeshare.protocol.views import force_protection

    protection = force_protection(request, reference)
    form = NoticeGivenForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_notice_handed_over(
                protection, Actor.for_user(request.user), given_on=form.cleaned_data["given_on"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Date the notice was given recorded")
            return redirect("protocol:protection", reference=protection.reference)
    return render(
        request, "protocol/notice_given_form.html", {"form": form, "protection": protection}
    )
