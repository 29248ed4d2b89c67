"""The victim's own pages under ``/my-protection/``: sign in with the reference and passcode on
the letter, then see the protection, what was shared, with receipts, and the advice pack."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render as django_render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safeshare.advice import actions, conf, ledger_link
from safeshare.advice.disclosures import (
    disclosures_for,
    group_rows,
    is_routine,
    read_days,
    receipt_bundle,
    record_summary,
)
from safeshare.advice.factsio import facts_from_json
from safeshare.advice.forms import VictimSignInForm
from safeshare.advice.languages import all_languages, current_language, get_language, in_english
from safeshare.advice.models import AdvicePack
from safeshare.advice.pack import build_pack_content, helplines, protection_summary
from safeshare.advice.passcodes import client_key, passcode_matches, reference_key
from safeshare.advice.victim import (
    client_address,
    no_store,
    public_victim_page,
    sign_in_victim,
    sign_out_victim,
    victim_page,
    victim_protection,
)
from safeshare.kernel.long_dates import long_date
from safeshare.notifications.models import SubjectAccessRequest
from safeshare.protocol.models import Protection
from safeshare.protocol.outcomes import approved_overrides

VICTIM_PREFIX = "/my-protection/"


def render(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    """Render a victim page with what the victim base template needs."""
    context = {"language": current_language(), "victim_languages": all_languages(), **context}
    return django_render(request, template, context, status=status)


def victim_view_url(request: HttpRequest | None = None) -> str:
    """The address of the victim's sign-in page, for letters and packs."""
    if request is not None and not getattr(settings, "SAFESHARE_PUBLIC_URL", None):
        return request.build_absolute_uri(reverse("advice:victim-sign-in"))
    return conf.public_url() + reverse("advice:victim-sign-in")


def _locked_message() -> str:
    return _(
        "You have tried too many times. For your safety, wait %(minutes)s minutes before you "
        "try again. If you have lost your letter, ask the police for a new one."
    ) % {"minutes": conf.victim_lockout_minutes()}


def _client_limited_message() -> str:
    return _(
        "There have been too many tries from this internet connection. Wait %(minutes)s minutes "
        "before you try again."
    ) % {"minutes": conf.client_window_minutes()}


def _wrong_message() -> str:
    return _(
        "The reference or passcode is not right. Check your letter and try again. Use the most "
        "recent letter the police gave you."
    )


@public_victim_page
def sign_in(request: HttpRequest) -> HttpResponse:
    if victim_protection(request) is not None:
        return redirect("advice:victim-protection")
    form = VictimSignInForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            reference = form.cleaned_data["reference"]
            ref_key = reference_key(reference)
            ip_key = client_key(client_address(request))
            block = actions.victim_sign_in_block(ref_key, ip_key)
            if block.client_limited:
                form.add_error(None, _client_limited_message())
                status = 429
            elif block.reference_locked:
                form.add_error(None, _locked_message())
                status = 429
            else:
                protection = Protection.objects.filter(reference=reference).first()
                letter = actions.current_letter(protection) if protection else None
                encoded = letter.passcode_hash if letter else None
                if (
                    protection
                    and letter
                    and passcode_matches(form.cleaned_data["passcode"], encoded)
                ):
                    actions.do_clear_victim_sign_in_failures(ref_key)
                    sign_in_victim(request, protection, letter)
                    return redirect("advice:victim-protection")
                block = actions.do_record_victim_sign_in_failure(ref_key, ip_key)
                if block.client_limited:
                    form.add_error(None, _client_limited_message())
                    status = 429
                elif block.reference_locked:
                    form.add_error(None, _locked_message())
                    status = 429
                else:
                    form.add_error(None, _wrong_message())
    return render(request, "advice/victim/sign_in.html", {"form": form}, status=status)


def _victim_context(request: HttpRequest, current: str) -> dict[str, object]:
    protection: Protection = request.victim_protection  # type: ignore[attr-defined]
    return {
        "victim_signed_in": True,
        "victim_section": current,
        "summary": protection_summary(protection),
        "language": current_language(),
        "english_context": in_english(
            lambda: {"summary": protection_summary(protection), "helplines": helplines()}
        ),
    }


@victim_page
def protection_status(request: HttpRequest) -> HttpResponse:
    context = _victim_context(request, "protection")
    context["helplines"] = helplines()
    context["has_pack"] = AdvicePack.objects.filter(
        protection=request.victim_protection  # type: ignore[attr-defined]
    ).exists()

    context["overrides"] = approved_overrides(request.victim_protection)  # type: ignore[attr-defined]
    context["advocate_asked"] = SubjectAccessRequest.objects.filter(
        person=request.victim_protection.person  # type: ignore[attr-defined]
    ).exists()
    return render(request, "advice/victim/protection.html", context)


SHARED_PAGE_SIZE = 20
"""Important entries on one page of the victim's record; routine reads are folded, not paged."""


def _record_context(protection: Protection, page_number: str | None) -> dict[str, object]:
    """The victim's record: a summary, one page of important entries grouped by kind, and the
    routine reads folded into one line a day (``advice.disclosures``)."""
    rows, keys = disclosures_for(protection.person)
    important = [row for row in rows if not is_routine(row)]
    page = Paginator(important, SHARED_PAGE_SIZE).get_page(page_number)
    return {
        "record": record_summary(rows),
        "groups": group_rows(list(page.object_list)),
        "read_days": read_days(rows),
        "page": page,
        "held_by": protection.opened_by.name,
        "verifier_keys": keys,
    }


@victim_page
def shared(request: HttpRequest) -> HttpResponse:
    protection: Protection = request.victim_protection  # type: ignore[attr-defined]
    page_number = request.GET.get("page")
    context = _victim_context(request, "shared")
    context.update(_record_context(protection, page_number))
    context.update(
        {
            "protected_since": protection.opened_at,
            "receipts_available": True,
        }
    )
    context["english_context"] = {
        **cast(dict[str, object], context["english_context"]),
        **in_english(lambda: _record_context(protection, page_number)),
    }
    return render(request, "advice/victim/shared.html", context)


@victim_page
def receipt(request: HttpRequest, entry_id: int) -> HttpResponse:
    protection: Protection = request.victim_protection  # type: ignore[attr-defined]
    for entry, found in ledger_link.receipts_for_person(protection.person):
        if entry.pk == entry_id and found is not None:
            body = receipt_bundle(entry, found, ledger_link.verifier_keys())
            response = HttpResponse(body, content_type="application/json; charset=utf-8")
            name = f"safeshare-receipt-{entry.index}.json"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    raise Http404("No receipt")


@victim_page
def advice(request: HttpRequest) -> HttpResponse:
    protection: Protection = request.victim_protection  # type: ignore[attr-defined]
    packs = list(AdvicePack.objects.filter(protection=protection).order_by("-issued_at", "-id"))
    context = _victim_context(request, "advice")
    context["packs"] = packs
    if packs:
        latest = packs[0]
        context["pack"] = build_pack_content(
            protection,
            facts_from_json(latest.facts),
            latest.advice_date,
            view_url=victim_view_url(request),
        )
        context["latest"] = latest
        context["english_context"] = {
            **cast(dict[str, object], context["english_context"]),
            **in_english(
                lambda: {
                    "pack": build_pack_content(
                        protection,
                        facts_from_json(latest.facts),
                        latest.advice_date,
                        view_url=victim_view_url(request),
                    )
                }
            ),
        }
        context["pack_downloads"] = [
            {
                "url": reverse("advice:victim-advice-pdf", kwargs={"pack_id": item.public_id}),
                "label": _("Download the advice pack given on %(date)s, in %(language)s (PDF)")
                % {
                    "date": long_date(item.advice_date),
                    "language": get_language(item.language).name,
                },
            }
            for item in packs
        ]
    return render(request, "advice/victim/advice.html", context)


@victim_page
def advice_pdf(request: HttpRequest, pack_id) -> HttpResponse:
    protection: Protection = request.victim_protection  # type: ignore[attr-defined]
    pack = AdvicePack.objects.filter(protection=protection, public_id=pack_id).first()
    if pack is None:
        raise Http404("No pack")
    response = HttpResponse(bytes(pack.pdf), content_type="application/pdf")
    name = f"advice-pack-{pack.advice_date:%Y-%m-%d}-{pack.language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    sign_out_victim(request)
    response = no_store(redirect("advice:victim-sign-in"))
    response["Clear-Site-Data"] = '"cache"'
    return response


def leave(request: HttpRequest) -> HttpResponse:
    """Exit this page: end the victim's session at once and go to a neutral website."""
    sign_out_victim(request)
    response = no_store(redirect(conf.exit_page_url()))
    response["Clear-Site-Data"] = '"cache"'
    response["Referrer-Policy"] = "no-referrer"
    return response


def choose_language(request: HttpRequest, code: str) -> HttpResponse:
    """Switch the victim's pages to another language and go back to the same page."""
    codes = {language.code for language in all_languages()}
    if code not in codes:
        raise Http404("No such language")
    next_url = request.GET.get("next", "")
    if not (
        (next_url.startswith(VICTIM_PREFIX) or next_url == reverse("advice:check-receipt"))
        and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
    ):
        next_url = reverse("advice:victim-sign-in")
    response = no_store(redirect(next_url))
    # A cookie for the visit only (LANGUAGE_COOKIE_AGE is None): nothing lasting on the device.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )
    return response
