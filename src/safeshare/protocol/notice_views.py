"""Worklists of notices: what did not reach a person and why, protections waiting on their
end-of-protection notice, and messages for staff."""

from __future__ import annotations

import csv
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import ApiTokenBinding
from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.cases.forms import add_action_errors
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.notifications import actions
from safeshare.notifications.models import Notification, StaffNotice, SubjectAccessRequest
from safeshare.protocol.notice_forms import ReachSettingsForm
from safeshare.protocol.views import force_protection

PER_PAGE = 25
NOT_REACHED = (
    Notification.Status.WITHHELD,
    Notification.Status.FAILED,
    Notification.Status.RETURNED,
)
FILTERS = {
    "not_sent": "Not sent",
    "waiting": "Waiting in the queue",
    "sent": "Sent or delivered",
    "all": "All",
}
STATUS_TAGS = {
    "queued": "govuk-tag--blue",
    "sent": "govuk-tag--light-blue",
    "delivered": "govuk-tag--green",
    "failed": "govuk-tag--red",
    "returned": "govuk-tag--red",
    "withheld": "govuk-tag--orange",
}
EVENT_LABELS = {
    "protection_opened": "Protection opened",
    "transition_notice": "End-of-protection notice",
    "protection_ended": "Protection ended",
    "protection_reactivated": "Protection active again",
    "case_update": "Case update",
    "advice_pack_ready": "Advice ready",
    "override_approved": "Override approved",
}


def _force_notices(request: AuthenticatedHttpRequest):
    """Notices about protections the officer's force opened or holds a case for."""
    from safeshare.protocol.models import Protection

    organisation = request.user.organisation
    references = Protection.objects.filter(
        Q(opened_by=organisation) | Q(cases__force=organisation)
    ).values("reference")
    return Notification.objects.filter(
        Q(organisation=organisation) | Q(protection_reference__in=references)
    ).distinct()


def _filtered(request: AuthenticatedHttpRequest, shown: str):
    notices = _force_notices(request)
    if shown == "not_sent":
        return notices.filter(
            Q(status__in=NOT_REACHED) | Q(status=Notification.Status.QUEUED, attempts__gt=0),
            resolved_at__isnull=True,
        )
    if shown == "waiting":
        return notices.filter(status=Notification.Status.QUEUED)
    if shown == "sent":
        return notices.filter(status__in=[Notification.Status.SENT, Notification.Status.DELIVERED])
    return notices


def _ordered(request: AuthenticatedHttpRequest, notices):
    order = request.GET.get("sort", "oldest")
    return (order, notices.order_by("-created_at" if order == "newest" else "created_at"))


def notice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    shown = request.GET.get("show", "not_sent")
    if shown not in FILTERS:
        shown = "not_sent"
    order, notices = _ordered(request, _filtered(request, shown))
    if request.GET.get("format") == "csv":
        return _csv(notices)
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "notice": n,
            "event": EVENT_LABELS.get(n.event, n.event),
            "tag": STATUS_TAGS.get(n.status, ""),
            "why": n.withheld_reason or n.last_error,
        }
        for n in page.object_list
    ]
    return render(
        request,
        "notifications/notice_list.html",
        {
            "page": page,
            "rows": rows,
            "shown": shown,
            "order": order,
            "filters": FILTERS,
            "transition": _transition_rows(request),
        },
    )


def _csv(notices) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="notices.csv"'
    writer = csv.writer(response)
    writer.writerow(["protection", "notice", "channel", "status", "reason", "created", "sent"])
    for n in notices[:5000]:
        writer.writerow(
            [
                n.protection_reference,
                EVENT_LABELS.get(n.event, n.event),
                n.get_channel_display(),
                n.get_status_display(),
                n.withheld_reason or n.last_error,
                timezone.localtime(n.created_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(n.sent_at).strftime("%Y-%m-%d %H:%M") if n.sent_at else "",
            ]
        )
    return response


def _transition_rows(request: AuthenticatedHttpRequest) -> list[dict]:
    from safeshare.protocol.active import active_policy
    from safeshare.protocol.models import Protection
    from safeshare.protocol.outcomes import earliest_close

    organisation = request.user.organisation
    policy = active_policy()
    protections = (
        Protection.objects.filter(status="transition")
        .filter(Q(opened_by=organisation) | Q(cases__force=organisation))
        .distinct()
        .order_by("status_changed_at")[:100]
    )
    rows = []
    for protection in protections:
        notice = (
            Notification.objects.filter(
                protection_reference=protection.reference, event="transition_notice"
            )
            .order_by("-created_at")
            .first()
        )
        if protection.transition_notice_at:
            state, tag = "Delivered", "govuk-tag--green"
        elif notice is None:
            state, tag = "No notice", "govuk-tag--red"
        else:
            state = notice.get_status_display()
            tag = STATUS_TAGS.get(notice.status, "")
        rows.append(
            {
                "protection": protection,
                "state": state,
                "tag": tag,
                "earliest": earliest_close(protection, policy),
            }
        )
    return rows


@require_POST
def notice_resolve(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A protocol officer gave a notice another way; the notice's id is posted."""
    try:
        notice_id = uuid.UUID(request.POST.get("notice", ""))
    except ValueError as error:
        raise Http404("No such notice") from error
    notice = get_object_or_404(_force_notices(request), public_id=notice_id)
    actions.do_resolve_failed(notice, Actor.for_user(request.user))
    return redirect("notifications:list")


def staff_notices(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Messages for the signed-in person: to their organisation and role, or to them, including
    those about what they asked through an API token that acts for them (or a system they own)."""
    user = request.user
    tokens = ApiTokenBinding.objects.filter(Q(person=user) | Q(system_owner=user)).values_list(
        "token_id", flat=True
    )
    keys = [Actor.for_user(user).identifier, *(f"token:{pk}" for pk in tokens)]
    notices = StaffNotice.objects.filter(organisation=user.organisation, role=user.role).filter(
        Q(recipient_key="") | Q(recipient_key__in=keys)
    )
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/staff_notices.html",
        {"page": page, "rows": _with_request_state(list(page.object_list))},
    )


def _with_request_state(notices: list[StaffNotice]) -> list[dict]:
    """Each message, and for an advocate's subject access request the request itself: a task
    until the export made for it is recorded, then when and by whom it was answered."""
    from urllib.parse import parse_qs, urlsplit

    asked: dict[StaffNotice, str] = {}
    for notice in notices:
        if notice.kind == "subject_access_requested":
            values = parse_qs(urlsplit(notice.link).query).get("request", [""])
            asked[notice] = values[0]
    ids = []
    for value in asked.values():
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    requests = {
        str(item.public_id): item
        for item in SubjectAccessRequest.objects.filter(public_id__in=ids).select_related("answer")
    }
    return [{"notice": n, "request": requests.get(asked.get(n, ""))} for n in notices]


REACH_BY = {"email": "email", "sms": "text message", "letter": "letter"}


def reach_settings(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """How and when notices may safely reach the protected person (R28, R29): channel and
    address, whether the channel is unsafe now, safe hours, language and case updates. The same
    settings as ``POST /protections/{reference}/contact-settings``; each change adds a row."""
    protection = force_protection(request, reference)
    person = protection.person
    current = actions.latest_settings(person)
    form = ReachSettingsForm(
        request.POST if request.method == "POST" else None,
        initial=ReachSettingsForm.initial_from(current),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_contact_settings(
                person, Actor.for_user(request.user), **form.action_values()
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            reach = actions.reach_for(person)
            if reach.withheld:
                messages.warning(request, f"Saved. Notices will not be sent: {reach.withheld}")
            else:
                messages.success(request, "Saved. Notices will go the way you recorded.")
            return redirect("notifications:reach", reference=protection.reference)
    do_record_personal_data_read(Actor.for_user(request.user), [person], "notice_settings_page")
    reach = actions.reach_for(person)
    return render(
        request,
        "notifications/reach_settings.html",
        {
            "form": form,
            "protection": protection,
            "identity": person.primary_identity,
            "current": current,
            "reach": reach,
            "reach_by": REACH_BY.get(reach.channel, ""),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
