"""Advocates of support organisations, with the person's consent (least privilege).

- Staff (the force's police and protocol officers) record and withdraw a person's consent on
  the protection's "Advocates" page; the person can do the same on their own pages.
- An advocate sees only the people whose active consent names their organisation (or them):
  the protection's status, and, as the consent says, the notices sent and the advice. Without
  consent, nothing: another person's page is not found. Every advocate read is audited.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.advice.advocate_forms import (
    AdvocateConsentForm,
    SubjectAccessAskForm,
    VictimAdvocateConsentForm,
)
from safeshare.advice.documents import render_pdf
from safeshare.advice.languages import in_english
from safeshare.advice.models import AdvicePack, ProtectionLetter
from safeshare.advice.pack import build_letter_content, protection_summary
from safeshare.advice.texts import ADVOCATE_STATUS_MEANINGS
from safeshare.advice.victim import victim_page
from safeshare.advice.victim_views import render as victim_render
from safeshare.advice.victim_views import victim_view_url
from safeshare.idempotency.pages import check_url, confirm_once, done_url, read_step
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.notifications import actions as notices
from safeshare.notifications.models import AdvocateConsent, Notification, SubjectAccessRequest
from safeshare.protocol.models import Protection
from safeshare.protocol.outcomes import approved_overrides
from safeshare.protocol.views import force_protection

EVENT_LABELS = {
    "protection_opened": "Protection opened",
    "transition_notice": "End-of-protection notice",
    "protection_ended": "Protection ended",
    "protection_reactivated": "Protection active again",
    "case_update": "Case update",
    "advice_pack_ready": "Advice ready",
    "override_approved": "Important change: contact the police",
}


# --- The advocate's own pages ------------------------------------------------------------------


def _protection_for(consent: AdvocateConsent) -> Protection | None:
    return (
        Protection.objects.filter(reference=consent.protection_reference)
        .select_related("person")
        .first()
    )


def people(request: HttpRequest) -> HttpResponse:
    """The people who consented that this advocate (or their organisation) may see them."""
    consents = list(
        notices.consents_for_advocate(request.user)
        .select_related("person")
        .order_by("protection_reference")
    )
    protections = {
        p.reference: p
        for p in Protection.objects.filter(
            reference__in=[c.protection_reference for c in consents]
        )
    }
    rows = []
    for consent in consents:
        protection = protections.get(consent.protection_reference)
        if protection is None:
            continue
        rows.append({"consent": consent, "summary": protection_summary(protection)})
    do_record_personal_data_read(
        Actor.for_user(request.user), [c.person for c in consents], "advocate_people"
    )
    return render(request, "advocates/people.html", {"rows": rows})


def person(request: HttpRequest, consent_id) -> HttpResponse:
    """One person's protection, and what they consented to share, for their advocate."""
    consent = notices.consents_for_advocate(request.user).filter(public_id=consent_id).first()
    protection = _protection_for(consent) if consent is not None else None
    if consent is None or protection is None:
        raise Http404("No person has consented to you seeing this.")
    summary = protection_summary(protection)
    context: dict[str, object] = {
        "consent": consent,
        "summary": summary,
        "status_meaning": ADVOCATE_STATUS_MEANINGS[summary.status],
        "overrides": approved_overrides(protection),
    }
    if consent.share_notices:
        context["notices"] = [
            {"notice": n, "event": EVENT_LABELS.get(n.event, n.event)}
            for n in Notification.objects.filter(
                person=protection.person, representative__isnull=True
            ).order_by("-created_at")[:50]
        ]
    if consent.share_advice:
        context["packs"] = list(
            AdvicePack.objects.filter(protection=protection).order_by("-issued_at", "-id")
        )
    context["letter"] = _latest_letter(protection)
    context["requests"] = SubjectAccessRequest.objects.filter(consent=consent).select_related(
        "answer"
    )[:10]
    do_record_personal_data_read(Actor.for_user(request.user), [consent.person], "advocate_person")
    return render(request, "advocates/person.html", context)


def _consented(request: HttpRequest, consent_id) -> tuple[AdvocateConsent, Protection]:
    consent = notices.consents_for_advocate(request.user).filter(public_id=consent_id).first()
    protection = _protection_for(consent) if consent is not None else None
    if consent is None or protection is None:
        raise Http404("No person has consented to you seeing this.")
    return consent, protection


def _latest_letter(protection: Protection) -> ProtectionLetter | None:
    return ProtectionLetter.objects.filter(protection=protection, replaced_at__isnull=True).first()


def letter_pdf(request: HttpRequest, consent_id) -> HttpResponse:
    """A copy of the person's protection letter, in its language, as it stands today. Every
    consent lets the advocate see the protection's status, and the copy says no more: it has
    no passcode slip, no postal address and no name."""
    consent, protection = _consented(request, consent_id)
    letter = _latest_letter(protection)
    if letter is None:
        raise Http404("No protection letter has been issued.")

    def letter_content() -> dict[str, object]:
        content = build_letter_content(
            protection,
            passcode="",
            view_url=victim_view_url(request),
            issued_on=timezone.localdate(),
        )
        content.person_name = ""
        return {"letter": content, "language": content.language}

    with translation.override(letter.language):
        context = {**letter_content(), "english_context": in_english(letter_content)}
    pdf = render_pdf("advice/pdf/letter_copy.html", context, language=letter.language)
    do_record_personal_data_read(Actor.for_user(request.user), [consent.person], "advocate_letter")
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"protection-letter-{protection.reference}-copy.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


SUBJECT_ACCESS_FLOW = "advocate-subject-access"


def subject_access(request: HttpRequest, consent_id) -> HttpResponse:
    """Ask, on the person's behalf, that the force make their subject access export: question,
    check answers and confirmation (ADR 0044). The export goes to the person through their
    safe contact, not to the advocate."""
    consent, protection = _consented(request, consent_id)
    actor = Actor.for_user(request.user)
    page = reverse("advocates:subject-access", kwargs={"consent_id": consent.public_id})
    record = str(consent.public_id)
    step = read_step(request, SUBJECT_ACCESS_FLOW, record)
    if step.kind == "repeat":
        return redirect(step.location)
    if step.kind == "lost":
        return redirect(page)
    do_record_personal_data_read(actor, [consent.person], "advocate_subject_access")
    if step.kind == "done":
        sent = (
            SubjectAccessRequest.objects.filter(
                consent=consent, public_id__in=_uuid_or_none(str((step.done or {}).get("id")))
            )
            .select_related("force")
            .first()
        )
        if sent is None:
            return redirect(page)
        return render(
            request, "advocates/subject_access_done.html", {"consent": consent, "sent": sent}
        )
    form = SubjectAccessAskForm(step.data)
    error = ""
    if step.posted and form.is_valid():
        if step.kind == "check":
            answers, change_url = check_url(page, request, SUBJECT_ACCESS_FLOW, record)
            return render(
                request,
                "advocates/subject_access_check.html",
                {
                    "consent": consent,
                    "force": protection.opened_by,
                    "answers": answers,
                    "change_url": change_url,
                },
            )

        def send() -> str:
            sent = notices.do_request_subject_access(
                consent,
                actor,
                force=protection.opened_by,
                person_link=reverse(
                    "advice:subject-access", kwargs={"person_id": consent.person.public_id}
                ),
            )
            return done_url(
                page, request, SUBJECT_ACCESS_FLOW, record, {"id": str(sent.public_id)}
            )

        try:
            return redirect(confirm_once(str(request.user.pk), step.nonce, send))
        except ValidationError as problem:
            error = problem.messages[0]
    return render(
        request,
        "advocates/subject_access.html",
        {
            "consent": consent,
            "form": form,
            "error": error,
            "requests": SubjectAccessRequest.objects.filter(consent=consent).select_related(
                "answer"
            )[:10],
        },
        status=400 if step.posted else 200,
    )


def pack_pdf(request: HttpRequest, consent_id, pack_id) -> HttpResponse:
    """The person's advice pack, when they consented to share their advice."""
    consent = (
        notices.consents_for_advocate(request.user)
        .filter(public_id=consent_id, share_advice=True)
        .first()
    )
    protection = _protection_for(consent) if consent is not None else None
    pack = (
        AdvicePack.objects.filter(protection=protection, public_id=pack_id).first()
        if protection is not None
        else None
    )
    if consent is None or pack is None:
        raise Http404("No advice pack you may see.")
    do_record_personal_data_read(Actor.for_user(request.user), [consent.person], "advocate_pack")
    response = HttpResponse(bytes(pack.pdf), content_type="application/pdf")
    name = f"advice-pack-{pack.advice_date:%Y-%m-%d}-{pack.language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Recording consent: staff on the person's behalf -------------------------------------------


def _record(form: AdvocateConsentForm, protection: Protection, **who: object) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        notices.do_record_advocate_consent(
            protection.person,
            reference=protection.reference,
            organisation=data["organisation"],
            advocate=data["advocate"],
            share_notices=data["share_notices"],
            share_advice=data["share_advice"],
            notice_channel=data["notice_channel"],
            notice_address=data["notice_address"],
            valid_until=data["valid_until"],
            **who,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return False
    return True


def protection_consents(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    protection = force_protection(request, reference)
    form = AdvocateConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        organisation: Organisation | None = request.user.organisation
        if _record(
            form,
            protection,
            recorded_by=Actor.for_user(request.user).label,
            recorded_by_org=organisation,
        ):
            return redirect("advocates:protection-consents", reference=protection.reference)
    consents = AdvocateConsent.objects.filter(
        protection_reference=protection.reference
    ).select_related("organisation", "advocate")
    do_record_personal_data_read(
        Actor.for_user(request.user), [protection.person], "advocate_consents"
    )
    return render(
        request,
        "advocates/protection_consents.html",
        {"protection": protection, "form": form, "consents": consents},
        status=400 if request.method == "POST" else 200,
    )


def withdraw(request: AuthenticatedHttpRequest, reference: str, consent_id) -> HttpResponse:
    protection = force_protection(request, reference)  # another force's: not found, first
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    consent = AdvocateConsent.objects.filter(
        protection_reference=protection.reference, public_id=consent_id
    ).first()
    if consent is None:
        raise Http404("No such consent.")
    notices.do_withdraw_advocate_consent(consent, withdrawn_by=Actor.for_user(request.user).label)
    return redirect("advocates:protection-consents", reference=protection.reference)


# --- Recording consent: the person themselves ---------------------------------------------------


@victim_page
def victim_consents(request: HttpRequest) -> HttpResponse:
    protection: Protection = request.victim_protection  # type: ignore[attr-defined]
    status = 200
    form: AdvocateConsentForm = VictimAdvocateConsentForm(None)
    if request.method == "POST":
        withdraw_id = request.POST.get("withdraw", "")
        if withdraw_id:
            consent = AdvocateConsent.objects.filter(
                protection_reference=protection.reference, public_id__in=_uuid_or_none(withdraw_id)
            ).first()
            if consent is None:
                raise Http404("No such consent.")
            notices.do_withdraw_advocate_consent(consent, withdrawn_by="The person themselves")
            return redirect("advocates:victim-consents")
        form = VictimAdvocateConsentForm(request.POST)
        if _record(
            form,
            protection,
            recorded_by="The person themselves",
            recorded_by_org=None,
            given_by_person=True,
        ):
            return redirect("advocates:victim-consents")
        status = 400
    consents = notices.active_consents().filter(protection_reference=protection.reference)
    return victim_render(
        request,
        "advocates/victim_consents.html",
        {
            "form": form,
            "consents": consents.select_related("organisation", "advocate"),
            "asked": asked_for_person(protection),
            "victim_signed_in": True,
            "victim_section": "advocates",
            "summary": protection_summary(protection),
        },
        status=status,
    )


def asked_for_person(protection: Protection) -> list[SubjectAccessRequest]:
    """What advocates asked for on the person's behalf, newest first, with what happened to it:
    shown to the person on their own pages, even after they withdrew the consent."""
    return list(
        SubjectAccessRequest.objects.filter(person=protection.person)
        .select_related("requested_by_org", "answer")
        .order_by("-created_at", "-id")[:10]
    )


def _uuid_or_none(value: str) -> list[str]:
    import uuid

    try:
        return [str(uuid.UUID(value))]
    except ValueError:
        return []
