"""Pages for police and protocol officers: safe contact, protection letters, advice packs and
subject access exports, each reached from a protection reference.

Scoping is the protocol pages' (``protocol.views.force_protection``): a protection the user's
force opened or holds a case for; anything else is "not found".
"""

from __future__ import annotations

import base64
import uuid
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation

from safeshare.accounts.actors import Actor
from safeshare.accounts.read_audit import do_record_read
from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.advice import actions
from safeshare.advice.eligibility import first_responder_prompts
from safeshare.advice.factsio import facts_from_json
from safeshare.advice.forms import (
    NO,
    NOT_KNOWN,
    PACK_TASKS,
    YES,
    AdvicePackForm,
    ContactPreferenceForm,
    ExemptionForm,
    ExemptionReviewForm,
    ExemptionWithdrawForm,
    FactsForm,
    PackSectionForm,
    ProtectionLetterForm,
    SubjectAccessForm,
)
from safeshare.advice.languages import get_language
from safeshare.advice.models import (
    AdvicePack,
    Delivery,
    ProtectionLetter,
    SubjectAccessExemption,
)
from safeshare.advice.pack import build_pack_content
from safeshare.advice.sar import sar_pdf
from safeshare.advice.victim import no_store
from safeshare.advice.victim_views import victim_view_url
from safeshare.cases.forms import add_action_errors, posted_data
from safeshare.cases.models import Party
from safeshare.cases.modern_slavery import NrmConsent
from safeshare.idempotency.pages import (
    already_confirmed,
    check_url,
    confirm_once,
    done_url,
    read_step,
)
from safeshare.kernel.offences import OffenceCategory
from safeshare.kernel.roles import Role
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.ledger.keys import token_for_person
from safeshare.notifications.models import SubjectAccessRequest
from safeshare.people.models import Person
from safeshare.protocol.active import policy_title
from safeshare.protocol.models import Protection
from safeshare.protocol.references import ReferenceFormatError, normalise_reference
from safeshare.protocol.views import force_protection
from safeshare.web.check_answers import (
    answer_rows,
    read_answers,
    read_done,
    shown,
    sign_answers,
)


class FindProtectionForm(forms.Form):
    reference = forms.CharField(
        label="Protection reference",
        help_text="For example PR-7K3D-QX9M-2VHT-A",
        max_length=40,
        error_messages={"required": "Enter the protection reference"},
    )

    def clean_reference(self) -> str:
        try:
            return normalise_reference(self.cleaned_data["reference"])
        except ReferenceFormatError as error:
            raise forms.ValidationError(str(error)) from None


def _read(request: AuthenticatedHttpRequest, protection: Protection, purpose: str) -> None:
    do_record_personal_data_read(Actor.for_user(request.user), [protection.person], purpose)


def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FindProtectionForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        return redirect("advice:protection", reference=form.cleaned_data["reference"])
    return render(
        request, "advice/police/start.html", {"form": form}, status=400 if form.is_bound else 200
    )


def overview(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    protection = force_protection(request, reference)
    _read(request, protection, "advice_page")
    return render(
        request,
        "advice/police/overview.html",
        {
            "protection": protection,
            "identity": protection.person.primary_identity,
            "contact": actions.latest_contact_preference(protection.person),
            "letters": ProtectionLetter.objects.filter(protection=protection),
            "packs": AdvicePack.objects.filter(protection=protection),
            "is_police": request.user.role == Role.POLICE_OFFICER,
        },
    )


CONTACT_FLOW = "safe-contact"


def contact(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Safe contact and language: question, check answers and confirmation (ADR 0044)."""
    protection = force_protection(request, reference)
    page = reverse("advice:contact", kwargs={"reference": protection.reference})
    step = read_step(request, CONTACT_FLOW, protection.reference)
    if step.kind == "repeat":
        return redirect(step.location)
    if step.kind == "lost":
        return redirect(page)
    latest = actions.latest_contact_preference(protection.person)
    if step.kind == "done":
        _read(request, protection, "safe_contact_saved")
        return render(
            request,
            "advice/police/contact_done.html",
            {
                "protection": protection,
                "identity": protection.person.primary_identity,
                "latest": latest,
            },
        )
    initial = {}
    if latest is not None:
        initial = {
            "language": latest.language,
            "interpreter_needed": YES if latest.interpreter_needed else NO,
            "interpreter_language": latest.interpreter_language,
            "address_shared_with_perpetrator": latest.address_shared_with_perpetrator,
            "safe_channel": latest.safe_channel,
            "safe_postal_address": latest.safe_postal_address,
            "safe_phone": latest.safe_phone,
            "safe_email": latest.safe_email,
        }
    form = ContactPreferenceForm(step.data, initial=initial)
    if step.posted and form.is_valid():
        try:  # what the action would refuse, said before the check-answers page
            actions.check_contact_preference(
                language=form.cleaned_data["language"],
                interpreter_needed=form.cleaned_data["interpreter_needed"] == YES,
                interpreter_language=form.cleaned_data["interpreter_language"],
                safe_channel=form.cleaned_data["safe_channel"],
                address_shared_with_perpetrator=form.cleaned_data[
                    "address_shared_with_perpetrator"
                ],
                safe_postal_address=form.cleaned_data["safe_postal_address"],
                safe_phone=form.cleaned_data["safe_phone"],
                safe_email=form.cleaned_data["safe_email"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
    if step.posted and form.is_valid():
        data = form.cleaned_data
        if step.kind == "check":
            answers, change_url = check_url(page, request, CONTACT_FLOW, protection.reference)
            _read(request, protection, "safe_contact_check")
            rows = answer_rows(form, before=initial if latest is not None else None)
            return render(
                request,
                "advice/police/contact_check.html",
                {
                    "protection": protection,
                    "identity": protection.person.primary_identity,
                    "rows": rows,
                    "first": latest is None,
                    "changed": [row for row in rows if row.get("changed")],
                    "answers": answers,
                    "change_url": change_url,
                },
            )

        def save() -> str:
            actions.do_record_contact_preference(
                protection.person,
                Actor.for_user(request.user),
                language=data["language"],
                interpreter_needed=data["interpreter_needed"] == YES,
                interpreter_language=data["interpreter_language"],
                safe_channel=data["safe_channel"],
                address_shared_with_perpetrator=data["address_shared_with_perpetrator"],
                safe_postal_address=data["safe_postal_address"],
                safe_phone=data["safe_phone"],
                safe_email=data["safe_email"],
            )
            return done_url(page, request, CONTACT_FLOW, protection.reference, {})

        try:
            return redirect(confirm_once(str(request.user.pk), step.nonce, save))
        except ValidationError as error:
            add_action_errors(form, error)
    elif not step.posted:
        _read(request, protection, "safe_contact_page")
    return render(
        request,
        "advice/police/contact_form.html",
        {"form": form, "protection": protection, "identity": protection.person.primary_identity},
        status=400 if step.posted and form.errors else 200,
    )


def issue_letter(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    protection = force_protection(request, reference)
    contact_preference = actions.latest_contact_preference(protection.person)
    initial = {"language": actions.language_for_person(protection.person)}
    form = ProtectionLetterForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            issued = actions.do_issue_protection_letter(
                protection,
                Actor.for_user(request.user),
                language=form.cleaned_data["language"],
                delivery=form.cleaned_data["delivery"],
                view_url=victim_view_url(request),
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            response = render(
                request,
                "advice/police/letter_issued.html",
                {
                    "protection": protection,
                    "letter": issued.letter,
                    "passcode": issued.passcode,
                    "pdf_data": base64.b64encode(issued.pdf).decode("ascii"),
                    "pdf_name": f"protection-letter-{protection.reference}.pdf",
                    "language": get_language(issued.letter.language),
                },
            )
            return no_store(response)
    if request.method != "POST":
        _read(request, protection, "letter_form")
    return render(
        request,
        "advice/police/letter_form.html",
        {
            "form": form,
            "protection": protection,
            "identity": protection.person.primary_identity,
            "contact": contact_preference,
            "post_refusal": _post_refusal(protection),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _post_refusal(protection: Protection) -> str:
    try:
        actions.safe_postal_address(protection.person)
    except ValidationError as error:
        return error.messages[0]
    return ""


def _initial_facts(protection: Protection) -> dict[str, object]:
    return {**_facts_before(protection), **_modern_slavery_from_cases(protection)}


def _modern_slavery_from_cases(protection: Protection) -> dict[str, object]:
    """The case is the source of the trafficking indicators and the person's answer on an NRM
    referral (R27): what the officer recorded when they added the person."""
    parties = list(
        Party.objects.filter(person=protection.person_id).exclude(trafficking_indicators=[])
    )
    if not parties:
        return {}
    facts: dict[str, object] = {"trafficking_indicators": YES}
    answers = {p.nrm_consent for p in parties} & {NrmConsent.GIVEN, NrmConsent.REFUSED}
    if len(answers) == 1:
        facts["consents_to_nrm_referral"] = YES if answers == {NrmConsent.GIVEN} else NO
    return facts


def _facts_before(protection: Protection) -> dict[str, object]:
    latest = AdvicePack.objects.filter(protection=protection).first()
    if latest is not None:
        return FactsForm.initial_from(facts_from_json(latest.facts))
    initial: dict[str, object] = {"first_responder_is_public_authority": YES}
    offences = {
        link.case.offence_category
        for link in protection.links.select_related("case")
        if link.case.offence_category != OffenceCategory.OTHER
    }
    if len(offences) == 1:
        initial["offence_category"] = offences.pop()
    return initial


PACK_FLOW = "advice-pack"
PACK_SLUGS = tuple(slug for slug, _ in PACK_TASKS)
COMPLETED = "_completed"


def _section_keys(data: QueryDict, names: tuple[str, ...]) -> list[str]:
    """The posted keys of a section's fields (a date's day, month and year boxes too)."""
    return [key for key in data if any(key == n or key.startswith(f"{n}-") for n in names)]


def _pack_channel_problem(protection: Protection, channel: str) -> str | None:
    """Post and email need safe details on record: said on the section, not after confirm."""
    try:
        if channel == Delivery.POSTED:
            actions.safe_postal_address(protection.person)
        elif channel == Delivery.EMAILED:
            actions.safe_email_address(protection.person)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def _pack_rows(form: AdvicePackForm, token: str, page: str) -> list[dict[str, object]]:
    """The check-answers page: each section's answers, with a Change link to its page."""
    children = form.cleaned_data.get("has_children") == YES
    sections: list[dict[str, object]] = []
    for (slug, title), (_, names) in zip(PACK_TASKS, AdvicePackForm.SECTIONS, strict=True):
        rows = []
        for name in names:
            if name.startswith("child_") and not children:
                continue
            value = form.cleaned_data.get(name)
            if name.startswith("child_") and value in (None, "", NOT_KNOWN):
                continue
            field = form.fields[name]
            rows.append({"name": name, "label": str(field.label), "value": shown(field, value)})
        change = f"{page}?{urlencode({'section': slug, 'answers': token})}"
        sections.append({"slug": slug, "title": title, "rows": rows, "change": change})
    return sections


def issue_pack(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """The advice pack as a task list of short question pages, then check answers, then the
    confirmation (ADR 0044). The answers so far travel sealed between the pages; nothing is
    stored until the officer presses "Issue the advice pack"."""
    protection = force_protection(request, reference)
    page = reverse("advice:issue-pack", kwargs={"reference": protection.reference})
    record = protection.reference
    posted = request.method == "POST"
    query = request.POST if posted else request.GET
    if not posted and "done" in request.GET:
        done = read_done(request, PACK_FLOW, record, request.GET.get("done"))
        pack = (
            AdvicePack.objects.filter(protection=protection, public_id=str(done["pack"])).first()
            if done and done.get("pack")
            else None
        )
        if pack is None:
            return redirect(page)
        _read(request, protection, "advice_pack_page")
        return render(
            request, "advice/police/pack_done.html", {"protection": protection, "pack": pack}
        )
    kept = read_answers(request, PACK_FLOW, record, query.get("answers"))
    answers = kept[0] if kept else QueryDict()
    completed = [slug for slug in PACK_SLUGS if slug in answers.getlist(COMPLETED)]
    initial = {
        **_initial_facts(protection),
        "language": actions.language_for_person(protection.person),
    }
    context: dict[str, object] = {
        "protection": protection,
        "identity": protection.person.primary_identity,
        "post_refusal": _post_refusal(protection),
    }
    section = query.get("section")
    if section in PACK_SLUGS and "confirm" not in query:
        names = PackSectionForm.names(section)
        if posted:
            form = PackSectionForm(request.POST, initial=initial, section=section)
            if form.is_valid() and "channel" in form.fields:
                problem = _pack_channel_problem(protection, form.cleaned_data["channel"])
                if problem:
                    form.add_error("channel", problem)
            if form.is_valid():
                merged = answers.copy()
                for key in _section_keys(merged, names):
                    del merged[key]
                for key in _section_keys(request.POST, names):
                    merged.setlist(key, request.POST.getlist(key))
                merged.setlist(COMPLETED, [*completed, section])
                token = sign_answers(request, PACK_FLOW, record, merged)
                return redirect(f"{page}?{urlencode({'answers': token})}")
        else:
            bound = answers if section in completed else None
            form = PackSectionForm(bound, initial=initial, section=section)
            _read(request, protection, "advice_pack_form")
        index = PACK_SLUGS.index(section)
        return render(
            request,
            "advice/police/pack_section.html",
            {
                **context,
                "form": form,
                "section": section,
                "title": PACK_TASKS[index][1],
                "number": index + 1,
                "total": len(PACK_TASKS),
                "answers": query.get("answers", "") if kept else "",
                "back": f"{page}?{urlencode({'answers': query.get('answers', '')})}"
                if kept
                else page,
            },
            status=400 if posted else 200,
        )
    if posted and "confirm" in request.POST:
        if kept is None:
            return redirect(page)
        first = already_confirmed(str(request.user.pk), kept[1])
        if first is not None:
            return redirect(first)
    whole: AdvicePackForm | None = AdvicePackForm(answers, initial=initial) if posted else None
    missing = [title for slug, title in PACK_TASKS if slug not in completed]
    if whole is not None and missing:
        whole.add_error(None, "Complete every section: " + ", ".join(missing).lower())
    if whole is not None and whole.is_valid():
        data = whole.cleaned_data
        if "confirm" in request.POST:

            def issue() -> str:
                pack = actions.do_issue_advice_pack(
                    protection,
                    Actor.for_user(request.user),
                    facts=whole.facts,
                    language=data["language"],
                    channel=data["channel"],
                    view_url=victim_view_url(request),
                )
                return done_url(page, request, PACK_FLOW, record, {"pack": str(pack.public_id)})

            try:
                return redirect(confirm_once(str(request.user.pk), kept[1], issue))  # type: ignore[index]
            except ValidationError as error:
                add_action_errors(whole, error)
        else:
            token = sign_answers(request, PACK_FLOW, record, answers)
            _read(request, protection, "advice_pack_form")
            return render(
                request,
                "advice/police/pack_check.html",
                {**context, "sections": _pack_rows(whole, token, page), "answers": token},
            )
    token = query.get("answers", "") if kept else ""
    if not posted:
        _read(request, protection, "advice_pack_form")
    kept_token = {"answers": token} if token else {}
    tasks = [
        {
            "slug": slug,
            "title": title,
            "done": slug in completed,
            "href": f"{page}?{urlencode({'section': slug, **kept_token})}",
        }
        for slug, title in PACK_TASKS
    ]
    return render(
        request,
        "advice/police/pack_form.html",
        {
            **context,
            "form": whole,
            "tasks": tasks,
            "completed": len(completed),
            "total": len(PACK_TASKS),
            "answers": token,
        },
        status=400 if whole is not None and whole.errors else 200,
    )


def _pack(protection: Protection, pack_id: uuid.UUID) -> AdvicePack:
    pack = AdvicePack.objects.filter(protection=protection, public_id=pack_id).first()
    if pack is None:
        raise Http404("No advice pack")
    return pack


def pack_detail(
    request: AuthenticatedHttpRequest, reference: str, pack_id: uuid.UUID
) -> HttpResponse:
    protection = force_protection(request, reference)
    pack = _pack(protection, pack_id)
    facts = facts_from_json(pack.facts)
    _read(request, protection, "advice_pack_page")
    with translation.override("en"):
        content = build_pack_content(
            protection, facts, pack.advice_date, view_url=victim_view_url(request)
        )
    return render(
        request,
        "advice/police/pack_detail.html",
        {
            "protection": protection,
            "pack": pack,
            "policy_title": policy_title(pack.policy_id) or "the policy then in force",
            "content": content,
            "prompts": first_responder_prompts(facts, on=pack.advice_date),
            "language": get_language(pack.language),
        },
    )


def pack_pdf(
    request: AuthenticatedHttpRequest, reference: str, pack_id: uuid.UUID
) -> HttpResponse:
    protection = force_protection(request, reference)
    pack = _pack(protection, pack_id)
    _read(request, protection, "advice_pack_pdf")
    response = HttpResponse(bytes(pack.pdf), content_type="application/pdf")
    name = f"advice-pack-{protection.reference}-{pack.language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return no_store(response)


# --- Subject access --------------------------------------------------------------------------


def force_person(request: AuthenticatedHttpRequest, person_id: uuid.UUID) -> Person:
    """A person in one of the user's force's cases, or with a protection it opened."""
    organisation = request.user.organisation
    person = Person.objects.filter(public_id=person_id).first()
    if person is None:
        raise Http404("No such person")
    in_case = Party.objects.filter(person=person, case__force=organisation).exists()
    protected = (
        Protection.objects.filter(person=person)
        .filter(Q(opened_by=organisation) | Q(cases__force=organisation))
        .exists()
    )
    if not (in_case or protected):
        raise Http404("No such person")
    return person


def subject_access(request: AuthenticatedHttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = force_person(request, person_id)
    waiting = list(
        SubjectAccessRequest.objects.filter(
            person=person, force=request.user.organisation, answer__isnull=True
        )
        .select_related("requested_by_org")
        .order_by("created_at", "id")
    )
    form = SubjectAccessForm(
        posted_data(request), waiting=waiting, initial={"answers": request.GET.get("request", "")}
    )
    if request.method == "POST" and form.is_valid():
        actor = Actor.for_user(request.user)
        try:
            result = actions.do_export_subject_access(
                person, actor, answers=form.cleaned_data.get("answers")
            )
        except ValidationError as error:
            add_action_errors(form, error)
            return _subject_access_page(request, person, form)
        # The export has its own ledger entry (sar_export); the read audit records it too.
        do_record_read(actor, [token_for_person(person.public_id)], "subject_access_export")
        stamp = timezone.localtime(result.export.created_at).strftime("%Y%m%d-%H%M")
        if form.cleaned_data["format"] == "json":
            response = HttpResponse(result.json_bytes, content_type="application/json")
            name = f"subject-access-{person.public_id}-{stamp}.json"
        else:
            pdf = sar_pdf(result.data, language=actions.language_for_person(person))
            response = HttpResponse(pdf, content_type="application/pdf")
            name = f"subject-access-{person.public_id}-{stamp}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return no_store(response)
    return _subject_access_page(request, person, form)


def _subject_access_page(
    request: AuthenticatedHttpRequest, person: Person, form: SubjectAccessForm
) -> HttpResponse:
    protections = Protection.objects.filter(person=person)
    do_record_personal_data_read(Actor.for_user(request.user), [person], "subject_access_page")
    answered = SubjectAccessRequest.objects.filter(
        person=person, force=request.user.organisation, answer__isnull=False
    ).select_related("requested_by_org", "answer")
    return render(
        request,
        "advice/police/subject_access.html",
        {
            "form": form,
            "person": person,
            "identity": person.primary_identity,
            "protections": protections,
            "answered": answered[:10],
            "pdf_language": get_language(actions.language_for_person(person)),
            "back": reverse("advice:protection", kwargs={"reference": protections[0].reference})
            if protections
            else reverse("web:home"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Subject access exemptions (R21, N7) -----------------------------------------------------


def _exemption_page(request: AuthenticatedHttpRequest, person: Person, form, status: int = 200):
    exemptions = SubjectAccessExemption.objects.filter(person=person).order_by(
        "withdrawn_at", "review_on", "id"
    )
    return render(
        request,
        "advice/police/exemptions.html",
        {
            "form": form,
            "person": person,
            "identity": person.primary_identity,
            "exemptions": exemptions,
            "today": timezone.localdate(),
            "review_form": ExemptionReviewForm(),
            "withdraw_form": ExemptionWithdrawForm(),
        },
        status=status,
    )


def subject_access_exemptions(
    request: AuthenticatedHttpRequest, person_id: uuid.UUID
) -> HttpResponse:
    """Record, review and withdraw exemptions, item by item; each change is a ledger entry.

    One page: a POST with ``action`` ``review`` or ``withdraw`` and the ``exemption`` it is
    about changes that exemption; any other POST records a new one."""
    person = force_person(request, person_id)
    action = request.POST.get("action", "record") if request.method == "POST" else "record"
    if action in ("review", "withdraw"):
        return _change_exemption(request, person, action)
    form = ExemptionForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_exemption(
                person,
                Actor.for_user(request.user),
                item_kind=form.cleaned_data["item_kind"],
                item_id=form.cleaned_data["item_id"],
                basis=form.cleaned_data["basis"],
                risk_assessment=form.cleaned_data["risk_assessment"],
                review_on=form.cleaned_data["review_on"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Exemption recorded. The item is left out of exports.")
            return redirect("advice:subject-access-exemptions", person_id=person.public_id)
    if request.method == "GET":
        do_record_personal_data_read(Actor.for_user(request.user), [person], "exemptions_page")
    return _exemption_page(request, person, form, 400 if form.is_bound and form.errors else 200)


def _change_exemption(
    request: AuthenticatedHttpRequest, person: Person, action: str
) -> HttpResponse:
    exemption = SubjectAccessExemption.objects.filter(
        pk=int(request.POST["exemption"]) if request.POST.get("exemption", "").isdigit() else 0,
        person=person,
    ).first()
    if exemption is None:
        raise Http404("No such exemption.")
    actor = Actor.for_user(request.user)
    form: forms.Form
    if action == "review":
        form = ExemptionReviewForm(request.POST)
        done = "Review recorded. The item stays withheld."
    else:
        form = ExemptionWithdrawForm(request.POST)
        done = "Exemption withdrawn. The next export includes the item."
    if form.is_valid():
        try:
            if action == "review":
                actions.do_review_exemption(
                    exemption,
                    actor,
                    review_on=form.cleaned_data["review_on"],
                    reasons=form.cleaned_data["reasons"],
                )
            else:
                actions.do_withdraw_exemption(
                    exemption, actor, reasons=form.cleaned_data["reasons"]
                )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("advice:subject-access-exemptions", person_id=person.public_id)
    return _exemption_page(request, person, form, 400)
