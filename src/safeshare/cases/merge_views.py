"""The merge page (R24): a person's possible duplicates in the force's cases, found by the
matcher; asking for a merge with a reason; and a second officer's approval.

Views are thin: the form validates, ``do_request_merge`` or ``do_approve_merge`` changes state
(the second-person rule is the action's), the page redirects (POST-redirect-GET).
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import User
from safeshare.cases import actions
from safeshare.cases.duplicates import possible_duplicates
from safeshare.cases.forms import add_action_errors
from safeshare.cases.models import PersonMerge
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.people.models import Person


class MergeRequestForm(forms.Form):
    merge_with = forms.ChoiceField(
        label="Which person is the same as this one?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the person who is the same as this one",
            "invalid_choice": "Select a person from the list",
        },
    )
    reason = forms.CharField(
        label="Why are they the same person?",
        help_text="For example, the same passport number in both cases. Another officer "
        "checks this before the records are joined.",
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why they are the same person",
            "min_length": "Say why they are the same person, in at least 10 characters",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def __init__(self, *args, candidates: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["merge_with"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = candidates


def _label(person: Person) -> str:
    identity = person.primary_identity
    if identity is None:
        return "Name not recorded"
    born = f", born {identity.date_of_birth}" if identity.date_of_birth else ""
    return f"{identity.full_name}{born}"


def person_duplicates(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # the page table lets only signed-in officers here
    organisation = user.organisation
    person = get_object_or_404(actions.people_in_force(organisation), public_id=person_id)
    actor = Actor.for_user(user)
    found = possible_duplicates(person, organisation)
    candidates = [
        (str(d.person.public_id), f"{_label(d.person)} ({d.probability:.0%} likely)")
        for d in found
    ]
    posted = request.POST if request.method == "POST" else None
    action = posted.get("action") if posted else None
    form = MergeRequestForm(posted if action == "request" else None, candidates=candidates)
    approval_errors: list[str] = []
    if action == "request" and form.is_valid():
        other = actions.people_in_force(organisation).get(
            public_id=form.cleaned_data["merge_with"]
        )
        try:
            actions.do_request_merge(
                actor, keep=person, merge=other, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Merge asked for. Another officer must approve it.")
            return redirect("cases:person-duplicates", person_id=person.public_id)
    elif action == "approve" and posted is not None:
        wanted = _uuid(posted.get("merge", ""))
        merge = (
            PersonMerge.objects.filter(
                public_id=wanted,
                force=organisation,
                keep=person,
                status=PersonMerge.Status.PENDING,
            ).first()
            if wanted is not None
            else None
        )
        if merge is None:
            approval_errors.append("This merge is no longer waiting for approval")
        else:
            try:
                actions.do_approve_merge(actor, merge)
            except ValidationError as error:
                approval_errors.extend(error.messages)
            else:
                messages.success(request, "The two records are now one person.")
                return redirect("cases:person-duplicates", person_id=person.public_id)
    pending = list(
        PersonMerge.objects.filter(
            force=organisation, keep=person, status=PersonMerge.Status.PENDING
        ).select_related("merge")
    )
    do_record_personal_data_read(
        actor,
        [person, *(d.person for d in found), *(m.merge for m in pending)],
        "person_duplicates_page",
    )
    return render(
        request,
        "cases/person_duplicates.html",
        {
            "person": person,
            "label": _label(person),
            "found": found,
            "form": form if found else None,
            "pending": [
                {"merge": m, "label": _label(m.merge), "mine": m.requester_key == actor.identifier}
                for m in pending
            ],
            "approval_errors": approval_errors,
        },
        status=400 if approval_errors else 200,
    )


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
