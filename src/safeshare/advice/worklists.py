"""Staff worklists and search (MOJ case-working patterns: sub navigation, filters, sortable
tables, badges, pagination, CSV where staff expect it).

- Protocol officers: holds by age against their target, with escalation when it passes
  (``protocol.outcomes.escalate_overdue_holds``, run by the worker); protections in transition
  with the notice's state and the earliest close date; subject access exemptions due for
  review; notices not sent (``notifications:list``).
- Police officers: their force's cases, filtered by stage, offence and officer.
- Search by protection reference, crime reference, or name and date of birth, for police and
  protocol officers only; every search that shows people is audited as a personal-data read.

Every list is scoped to the signed-in officer's force. These pages sit with advice because they
read protections, notices and subject access exemptions together.
"""

from __future__ import annotations

import csv
import datetime as dt

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.advice.models import SubjectAccessExemption
from safeshare.cases.lifecycle import CaseState
from safeshare.cases.models import OFFENCE_LABELS, Case, CaseEvent
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.notifications.models import Notification, SubjectAccessRequest
from safeshare.people.models import Person
from safeshare.protocol.active import active_policy
from safeshare.protocol.models import Protection, Review
from safeshare.protocol.outcomes import earliest_close, hold_due_at, hold_state
from safeshare.protocol.references import ReferenceFormatError, normalise_reference
from safeshare.protocol.views import action_name

PER_PAGE = 25
EXEMPTION_REVIEW_WINDOW_DAYS = 30
HOLD_TAGS = {
    "overdue": ("Overdue", "govuk-tag--red"),
    "due_soon": ("Due soon", "govuk-tag--orange"),
    "within_target": ("Within target", "govuk-tag--green"),
}
SUB_NAVIGATION = (
    ("holds", "Holds", "worklists:holds"),
    ("transitions", "In transition", "worklists:transitions"),
    ("exemptions", "Exemptions due for review", "worklists:exemptions"),
    ("subject_access", "Subject access requests", "worklists:subject-access-requests"),
    ("notices", "Notices not sent", "notifications:list"),
)


def _organisation(request: HttpRequest) -> Organisation:
    """The signed-in officer's force (the page table lets only staff roles in)."""
    return request.user.organisation  # type: ignore[union-attr,return-value]


def _context(current: str, **values: object) -> dict[str, object]:
    return {"sub_navigation": SUB_NAVIGATION, "current": current, **values}


def _choice(request: HttpRequest, name: str, allowed, default: str) -> str:
    value = request.GET.get(name, default)
    return value if value in allowed else default


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _force_protections(request: HttpRequest):
    organisation = _organisation(request)
    return Protection.objects.filter(Q(opened_by=organisation) | Q(cases__force=organisation))


# --- Protocol officers -------------------------------------------------------------------------


def holds(request: HttpRequest) -> HttpResponse:
    """Possible matches waiting for a decision, oldest first, against the target time."""
    now = timezone.now()
    organisation = _organisation(request)
    shown = _choice(request, "show", {"open", "overdue", "all"}, "open")
    order = _choice(request, "sort", {"oldest", "newest"}, "oldest")
    reviews = (
        Review.objects.filter(
            Q(candidates__opened_by=organisation) | Q(candidates__cases__force=organisation)
        )
        .distinct()
        .select_related("clearance", "clearance__requested_by")
    )
    if shown in ("open", "overdue"):
        reviews = reviews.filter(status=Review.Status.OPEN)
    if shown == "overdue":
        target = dt.timedelta(hours=settings.SAFESHARE_HOLD_TARGET_HOURS)
        reviews = reviews.filter(created_at__lte=now - target)
    reviews = reviews.order_by("-created_at" if order == "newest" else "created_at")
    if request.GET.get("format") == "csv":
        return _holds_csv(reviews, now)
    page = Paginator(reviews, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for review in page.object_list:
        state = hold_state(review, now) if review.status == Review.Status.OPEN else ""
        label, tag = HOLD_TAGS.get(state, ("Decided", "govuk-tag--grey"))
        rows.append(
            {
                "review": review,
                "action": action_name(review.clearance.action_code),
                "age_hours": int((now - review.created_at).total_seconds() // 3600),
                "due": hold_due_at(review),
                "label": label,
                "tag": tag,
            }
        )
    return render(
        request,
        "worklists/holds.html",
        _context(
            "holds",
            page=page,
            rows=rows,
            shown=shown,
            order=order,
            target_hours=settings.SAFESHARE_HOLD_TARGET_HOURS,
            query=_query_without_page(request),
        ),
    )


def _holds_csv(reviews, now: dt.datetime) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="holds.csv"'
    writer = csv.writer(response)
    writer.writerow(["review", "clearance", "action", "asked", "due", "state"])
    for review in reviews[:5000]:
        state = hold_state(review, now) if review.status == Review.Status.OPEN else "decided"
        writer.writerow(
            [
                review.reference,
                review.clearance.public_id,
                review.clearance.action_code,
                timezone.localtime(review.created_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(hold_due_at(review)).strftime("%Y-%m-%d %H:%M"),
                state,
            ]
        )
    return response


def transitions(request: HttpRequest) -> HttpResponse:
    """Protections in transition, with the end-of-protection notice's state and the earliest
    date each may be closed."""
    policy = active_policy()
    order = _choice(request, "sort", {"earliest", "longest"}, "earliest")
    protections = (
        _force_protections(request)
        .filter(status="transition")
        .distinct()
        .order_by("status_changed_at" if order == "longest" else "transition_notice_at", "id")
    )
    page = Paginator(protections, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for protection in page.object_list:
        notice = (
            Notification.objects.filter(
                protection_reference=protection.reference,
                event="transition_notice",
                representative__isnull=True,
            )
            .order_by("-created_at")
            .first()
        )
        if protection.transition_notice_at:
            state, tag = "Delivered", "govuk-tag--green"
        elif notice is None:
            state, tag = "No notice", "govuk-tag--red"
        elif notice.status in ("failed", "returned", "withheld"):
            state, tag = notice.get_status_display(), "govuk-tag--red"
        else:
            state, tag = notice.get_status_display(), "govuk-tag--blue"
        rows.append(
            {
                "protection": protection,
                "state": state,
                "tag": tag,
                "notice_date": protection.transition_notice_at,
                "earliest": earliest_close(protection, policy),
            }
        )
    return render(
        request,
        "worklists/transitions.html",
        _context("transitions", page=page, rows=rows, order=order,
                 query=_query_without_page(request)),
    )  # fmt: skip


def exemptions(request: HttpRequest) -> HttpResponse:
    """Subject access exemptions the force decided, due for review within 30 days or overdue."""
    today = timezone.localdate()
    shown = _choice(request, "show", {"due", "all"}, "due")
    items = SubjectAccessExemption.objects.filter(
        decided_by_org=_organisation(request), withdrawn_at__isnull=True
    ).order_by("review_on", "id")
    if shown == "due":
        items = items.filter(
            review_on__lte=today + dt.timedelta(days=EXEMPTION_REVIEW_WINDOW_DAYS)
        )
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "exemption": item,
            "overdue": item.review_on < today,
            "days": (item.review_on - today).days,
        }
        for item in page.object_list
    ]
    return render(
        request,
        "worklists/exemptions.html",
        _context("exemptions", page=page, rows=rows, shown=shown,
                 window=EXEMPTION_REVIEW_WINDOW_DAYS, query=_query_without_page(request)),
    )  # fmt: skip


def subject_access_requests(request: HttpRequest) -> HttpResponse:
    """Subject access requests advocates made to the force on a person's behalf. A request
    waits until the export made for it is recorded (``SubjectAccessExport.answers``); an export
    made for another reason leaves it waiting. Audited: the list names protections."""
    organisation = _organisation(request)
    shown = _choice(request, "show", {"waiting", "all"}, "waiting")
    items = (
        SubjectAccessRequest.objects.filter(force=organisation)
        .select_related("person", "requested_by_org", "answer")
        .order_by("created_at", "id")
    )
    if shown == "waiting":
        items = items.filter(answer__isnull=True)
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    do_record_personal_data_read(
        Actor.for_user(request.user), [item.person for item in listed], "sar_requests_list"
    )
    return render(
        request,
        "worklists/subject_access_requests.html",
        _context("subject_access", page=page, rows=listed, shown=shown,
                 query=_query_without_page(request)),
    )  # fmt: skip


# --- Police officers ---------------------------------------------------------------------------


def cases(request: HttpRequest) -> HttpResponse:
    """The force's cases, filtered by stage, offence and officer, sorted, with CSV."""
    actor = Actor.for_user(request.user)
    stage = _choice(request, "stage", {"", *[s.value for s in CaseState]}, "")
    offence = _choice(request, "offence", {"", *[o.value for o in OFFENCE_LABELS]}, "")
    officer = _choice(request, "officer", {"", "me"}, "")
    order = _choice(request, "sort", {"newest", "oldest", "reference"}, "newest")
    found = Case.objects.filter(force=_organisation(request))
    if stage:
        found = found.filter(state=stage)
    if offence:
        found = found.filter(offence_category=offence)
    if officer == "me":
        # Case events record who recorded them as "<name>, <force>" (cases/actions.py).
        label = f"{actor.label}, {actor.organisation.name}"
        mine = CaseEvent.objects.filter(recorded_by=label).values("case_id")
        found = found.filter(pk__in=mine)
    found = found.order_by(
        {"newest": "-created_at", "oldest": "created_at", "reference": "crime_reference"}[order]
    )
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="cases.csv"'
        writer = csv.writer(response)
        writer.writerow(["crime reference", "offence", "stage", "recorded"])
        for case in found[:5000]:
            writer.writerow(
                [
                    case.crime_reference,
                    case.get_offence_category_display(),
                    case.get_state_display(),
                    timezone.localtime(case.created_at).strftime("%Y-%m-%d"),
                ]
            )
        return response
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "worklists/cases.html",
        {
            "page": page,
            "stage": stage,
            "offence": offence,
            "officer": officer,
            "order": order,
            "stages": [(s.value, s.label) for s in CaseState],
            "offences": [(o.value, label) for o, label in OFFENCE_LABELS.items()],
            "query": _query_without_page(request),
        },
    )


# --- Search ------------------------------------------------------------------------------------


def search(request: HttpRequest) -> HttpResponse:
    """Find a protection or case of the force by protection reference, crime reference, or name
    and date of birth. A search that shows people is audited as a personal-data read."""
    query = (request.GET.get("q") or "").strip()
    dob = (request.GET.get("dob") or "").strip()
    errors: dict[str, str] = {}
    protections: list[Protection] = []
    cases_found: list[Case] = []
    people: list[Person] = []
    if "q" in request.GET:
        if not query:
            errors["q"] = "Enter a protection reference, a crime reference or a name"
        elif len(query) > 200:
            errors["q"] = "The search must be 200 characters or fewer"
        if dob and not _dob_ok(dob):
            errors["dob"] = "Enter a date of birth like 1991-03-27, or a year like 1991"
    if query and not errors:
        own_protections = _force_protections(request).distinct().select_related("person")
        try:
            reference = normalise_reference(query)
        except ReferenceFormatError:
            reference = ""
        if reference:
            protections = list(own_protections.filter(reference=reference))
        cases_found = list(
            Case.objects.filter(force=_organisation(request), crime_reference__iexact=query)[:20]
        )
        if not protections and not cases_found:
            protections = _by_name(own_protections, query, dob)
        people = [p.person for p in protections]
        for case in cases_found:
            people.extend(party.person for party in case.parties.select_related("person"))
    do_record_personal_data_read(Actor.for_user(request.user), people, "staff_search")
    status = 400 if errors else 200
    return render(
        request,
        "worklists/search.html",
        {
            "q": query,
            "dob": dob,
            "errors": errors,
            "searched": "q" in request.GET and not errors,
            "protections": protections,
            "cases": cases_found,
        },
        status=status,
    )


def _dob_ok(value: str) -> bool:
    if len(value) == 4 and value.isdigit():
        return True
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _by_name(own_protections, query: str, dob: str) -> list[Protection]:
    words = [w for w in query.split() if w]
    matches = Q()
    for word in words:
        matches &= Q(person__identities__given_names__icontains=word) | Q(
            person__identities__family_name__icontains=word
        )
    found = own_protections.filter(matches)
    if dob:
        found = found.filter(person__identities__date_of_birth__startswith=dob)
    return list(found.distinct()[:50])
