"""The IE caseworker's worklist: clearances waiting for a decision, clears suspended, and clears
about to expire (MOJ sub navigation, filters, sorting, pagination, CSV).

IE sees here only what it was told (R18): every list, filter, count and CSV column is built
from the answer as IE was shown it (``ie_decision``, ``ie_message``, ``ie_contact_point``,
``ie_protection_reference``) and the clearance's own status, never from the decision behind it,
the reasons, the match or the reviews. Under a firewall (``ie_detail = "custodian"``) a hold is
shown to IE as the same "do not act" answer as a block, so no hold is ever listed as waiting.
"""

from __future__ import annotations

import csv
import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.advice.worklists import PER_PAGE, _choice, _query_without_page
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.people.models import Person
from safeshare.protocol.active import active_policy
from safeshare.protocol.clearance import ClearanceOutcome
from safeshare.protocol.enforcement import enforcement_actions
from safeshare.protocol.models import Clearance, OutcomeReport
from safeshare.protocol.views import action_name

EXPIRY_WINDOWS = {"6": 6, "24": 24, "48": 48}
DEFAULT_EXPIRY_WINDOW = "24"
LISTS = {
    "waiting": "Waiting for a decision",
    "suspended": "Suspended",
    "expiring": "About to expire",
}
SORTS = {"oldest": "Oldest first", "newest": "Newest first"}


def _shown_decision(value: str) -> Q:
    """Clearances IE was shown ``value`` (older rows kept the decision itself)."""
    return Q(ie_decision=value) | Q(ie_decision="", decision=value)


def ie_lists(organisation, now: dt.datetime, window_hours: int) -> dict[str, QuerySet]:
    """The three lists for an IE organisation, each from what IE was told alone."""
    own = Clearance.objects.filter(requested_by=organisation)
    hours = active_policy().clearance.clear_valid_hours
    finished = OutcomeReport.objects.filter(clearance=OuterRef("pk")).exclude(
        outcome=OutcomeReport.Outcome.NOT_YET
    )
    expiring = (
        own.filter(_shown_decision(ClearanceOutcome.CLEAR.value))
        .filter(status=Clearance.Status.DECIDED)
        .filter(
            decided_at__gt=now - dt.timedelta(hours=hours),
            decided_at__lte=now - dt.timedelta(hours=hours) + dt.timedelta(hours=window_hours),
        )
        .exclude(Exists(finished))
    )
    return {
        "waiting": own.filter(_shown_decision(ClearanceOutcome.HOLD.value)).filter(
            status=Clearance.Status.DECIDED
        ),
        "suspended": own.filter(status=Clearance.Status.SUSPENDED),
        "expiring": expiring,
    }


def _subject_name(subject: dict) -> str:
    name = " ".join(str(subject.get(k) or "") for k in ("given_names", "family_name")).strip()
    return name or "Name not given"


def clearances(request: HttpRequest) -> HttpResponse:
    """One of the three lists (``show``), filtered by action and by who asked, sorted."""
    now = timezone.now()
    actor = Actor.for_user(request.user)
    shown = _choice(request, "show", set(LISTS), "waiting")
    window_key = _choice(request, "within", set(EXPIRY_WINDOWS), DEFAULT_EXPIRY_WINDOW)
    codes = {a.code: a.name for a in enforcement_actions().actions}
    action = _choice(request, "action", {"", *codes}, "")
    asked_by = _choice(request, "asked_by", {"", "me"}, "")
    order = _choice(request, "sort", set(SORTS), "oldest")
    lists = ie_lists(actor.organisation, now, EXPIRY_WINDOWS[window_key])
    counts = {key: found.count() for key, found in lists.items()}
    found = lists[shown]
    if action:
        found = found.filter(action_code=action)
    if asked_by == "me":
        found = found.filter(requester_key=actor.identifier)
    if shown == "expiring":
        found = found.order_by("decided_at" if order == "oldest" else "-decided_at", "id")
    else:
        found = found.order_by("created_at" if order == "oldest" else "-created_at", "id")
    hours = active_policy().clearance.clear_valid_hours
    if request.GET.get("format") == "csv":
        return _csv(request, actor, shown, list(found[:5000]), now, hours)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    rows = [_row(clearance, now, hours) for clearance in listed]
    _audit(actor, listed)
    return render(
        request,
        "worklists/clearances.html",
        {
            "sub_navigation": [(key, label, counts[key]) for key, label in LISTS.items()],
            "current": shown,
            "title": LISTS[shown],
            "page": page,
            "rows": rows,
            "actions": sorted(codes.items(), key=lambda item: item[1]),
            "action": action,
            "asked_by": asked_by,
            "order": order,
            "sorts": SORTS,
            "within": window_key,
            "windows": EXPIRY_WINDOWS,
            "valid_hours": hours,
            "query": _query_without_page(request),
        },
    )


def _row(clearance: Clearance, now: dt.datetime, hours: int) -> dict[str, object]:
    expires = clearance.decided_at + dt.timedelta(hours=hours)
    return {
        "clearance": clearance,
        "subject": _subject_name(clearance.subject),
        "action": action_name(clearance.action_code),
        "waiting_hours": int((now - clearance.created_at).total_seconds() // 3600),
        "expires": expires,
        "hours_left": max(0, int((expires - now).total_seconds() // 3600)),
    }


def _audit(actor: Actor, shown: list[Clearance]) -> None:
    """The list shows the subjects IE asked about: a personal-data read, as "Your clearances"."""
    people = list(Person.objects.filter(protections__clearances__in=shown).distinct())
    linked = set(
        Clearance.objects.filter(
            pk__in=[c.pk for c in shown], protections__isnull=False
        ).values_list("pk", flat=True)
    )
    do_record_personal_data_read(
        actor,
        people,
        "ie_worklist",
        unregistered=sum(1 for clearance in shown if clearance.pk not in linked),
    )


def _csv(
    request: HttpRequest,
    actor: Actor,
    shown: str,
    found: list[Clearance],
    now: dt.datetime,
    hours: int,
) -> HttpResponse:
    """The list as CSV: the answer IE was given for each clearance, and no name."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="clearances-{shown}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["clearance", "asked", "action", "decision", "status", "expires", "message", "contact"]
    )
    for clearance in found:
        row = _row(clearance, now, hours)
        writer.writerow(
            [
                clearance.public_id,
                timezone.localtime(clearance.created_at).strftime("%Y-%m-%d %H:%M"),
                clearance.action_code,
                clearance.ie_decision or clearance.decision,
                clearance.status,
                timezone.localtime(row["expires"]).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]
                if shown == "expiring"
                else "",
                clearance.ie_message,
                clearance.ie_contact_point,
            ]
        )
    _audit(actor, found)
    return response
