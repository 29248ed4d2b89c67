"""Administration page: a referring organisation's data-sharing agreements, set up once and
chosen by name in each referral (``referrals.agreements`` does the work; the command calls the
same functions)."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from safeshare.accounts.actors import Actor
from safeshare.accounts.administration import is_operator
from safeshare.accounts.models import Organisation
from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.referrals import agreements
from safeshare.referrals.models import DataSharingAgreement


def _text(label: str, longest: int, hint: str = "", width: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=longest,
        widget=forms.TextInput(attrs={"class": width} if width else {}),
        error_messages={
            "required": f"Enter the {label[0].lower()}{label[1:]}"
            if not label[:2].isupper()
            else f"Enter the {label}",
            "max_length": f"{label} must be {longest} characters or fewer",
        },
    )


class AgreementForm(forms.Form):
    name = _text(
        "Name",
        120,
        "What officers choose in a referral, for example Home Office data-sharing agreement 2026.",
    )
    controller = _text("Data controller", 200, "Who decides why and how the data is used.")
    regime = forms.ChoiceField(
        label="Data protection regime",
        choices=list(agreements.REGIME_LABELS.items()),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the data protection regime",
            "invalid_choice": "Select the data protection regime from the list",
        },
    )
    lawful_basis = _text("Lawful basis", 200, "For example, public task: UK GDPR Article 6(1)(e).")
    gateway = _text("Legal gateway", 200, "The law that allows the data to be shared.")
    reference = _text(
        "Agreement reference", 100, "For example, DSA-2026-014.", "govuk-input--width-20"
    )
    dpia_version = _text(
        "DPIA version",
        40,
        "The version of the data protection impact assessment, for example 3.1.",
        "govuk-input--width-10",
    )


def _forces(actor: Actor):
    """The organisations whose agreements the actor manages: those that refer."""
    forces = Organisation.objects.filter(
        kind__in=[kind.value for kind in agreements.AGREEMENT_KINDS], deactivated_at__isnull=True
    )
    return forces if is_operator(actor) else forces.filter(pk=actor.organisation.pk)


def agreements_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The force's agreements; set one up; stop one being chosen."""
    actor = Actor.for_user(request.user)
    forces = _forces(actor)
    chosen = request.POST.get("org") or request.GET.get("org")
    organisation = get_object_or_404(forces, code=chosen) if chosen else forces.first()
    action = request.POST.get("action") if request.method == "POST" else None
    form = AgreementForm(request.POST if action == "create" else None)
    if organisation is not None:
        back = f"{request.path}?org={organisation.code}"
    if action is not None:
        if organisation is None or action not in ("create", "deactivate"):
            raise Http404("No such action.")
        if action == "create" and form.is_valid():
            try:
                created = agreements.do_create_agreement(actor, organisation, **form.cleaned_data)
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(name if name in form.fields else None, problem)
            else:
                messages.success(request, f"{created.name} can now be chosen in referrals")
                return redirect(back)
        elif action == "deactivate":
            try:
                key = uuid.UUID(request.POST.get("agreement", ""))
            except ValueError:
                raise Http404("No such agreement.") from None
            agreement = get_object_or_404(
                DataSharingAgreement.objects.filter(organisation=organisation), public_id=key
            )
            try:
                agreements.do_deactivate_agreement(actor, agreement)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"{agreement.name} can no longer be chosen")
            return redirect(back)
    listed = (
        list(DataSharingAgreement.objects.filter(organisation=organisation))
        if organisation is not None
        else []
    )
    return render(
        request,
        "referrals/agreements.html",
        {
            "organisation": organisation,
            "organisations": forces,
            "agreements": listed,
            "regimes": agreements.REGIME_LABELS,
            "form": form,
        },
        status=400 if form.errors else 200,
    )
