"""Oversight pages: statistics with charts, alerts, the policy comparison and the ledger.

Only oversight analysts can open them (``accounts/permissions.py``). Nothing here reads a
person's name, identity, case reference or narrative: every figure comes from
``statistics.py`` or ``comparison_tables.py`` after disclosure control, and alerts carry
references and codes only.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.accounts.permissions import may_see_single_events, single_event_roles
from safeshare.cases.models import Party
from safeshare.idempotency.pages import done_url
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.models import LedgerEntry
from safeshare.oversight import history, ledger_view
from safeshare.oversight.actions import do_acknowledge_alert
from safeshare.oversight.charts import bar_chart
from safeshare.oversight.comparison_tables import comparison_tables
from safeshare.oversight.exports import ODS_MIMETYPE, neutralise, tables_to_csv, tables_to_ods
from safeshare.oversight.forms import AlertsFilterForm, ComparisonForm, FiltersForm
from safeshare.oversight.models import Alert, LedgerCheck, WebhookDelivery
from safeshare.oversight.statistics import STATISTICS, Context, Filters, available_years
from safeshare.oversight.tables import PublishedTable
from safeshare.oversight.webhooks import webhook_url
from safeshare.protocol.active import active_policy, policy_by_id
from safeshare.protocol.models import Clearance
from safeshare.web.check_answers import read_done

ALERTS_PER_PAGE = 50
SMALL_HISTORY = 20_000
"""Up to this many parties and clearances, a comparison is replayed when the page opens."""


def _filters_form(request: HttpRequest, context: Context, by_force: bool = True) -> FiltersForm:
    return FiltersForm(
        request.GET if "year" in request.GET else None,
        years=available_years(),
        forces=context.forces,
        with_force_and_offence=by_force,
    )


def _with_charts(tables: list[PublishedTable]) -> list[dict[str, object]]:
    return [
        {"table": table, "chart": mark_safe(bar_chart(table))}  # noqa: S308 (escaped in charts)
        for table in tables
    ]


def dashboard(request: HttpRequest) -> HttpResponse:
    context = Context()
    form = _filters_form(request, context)
    filters = form.filters()
    results = [spec.build(filters, context) for spec in STATISTICS.values()]
    # The overview is a page of disclosure-controlled figures: it names no single event and
    # counts none (a list or a count of alerts would undo a suppressed count of overrides).
    # Those who may see single events get a link to the alerts list, and whether any wait.
    single_events = may_see_single_events(getattr(request.user, "role", ""))
    unread = single_events and Alert.objects.filter(acknowledged_at__isnull=True).exists()
    return render(
        request,
        "oversight/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "year_query": urlencode({"year": filters.year}),
            "results": results,
            "statistics": STATISTICS,
            "unread_alerts": unread,
            "single_events": single_events,
            "single_event_roles": single_event_roles(),
            "ledger_check": ledger_view.latest_check(),
            "as_at": context.oldest,
        },
    )


def _statistic_result(request: HttpRequest):
    slug = request.GET.get("name", "referrals")
    spec = STATISTICS.get(slug)
    if spec is None:
        raise Http404("There is no such statistic.")
    context = Context()
    form = _filters_form(request, context, spec.by_force_and_offence)
    filters = form.filters()
    result = spec.build(filters, context)
    result.as_at = context.oldest
    return spec, form, filters, result


def statistic(request: HttpRequest) -> HttpResponse:
    spec, form, filters, result = _statistic_result(request)
    return render(
        request,
        "oversight/statistic.html",
        {
            "spec": spec,
            "form": form,
            "filters": filters,
            "result": result,
            "items": _with_charts(result.tables),
            "query_string": urlencode({"name": spec.slug, **filters.as_query()}),
            "year_query": urlencode({"year": filters.year}),
            "statistics": STATISTICS,
        },
    )


def _preamble(title: str, filters: Filters) -> list[str]:
    scope = [f"Year: {filters.year}"]
    if filters.force:
        scope.append(f"Police force: {filters.force}")
    if filters.offence:
        scope.append(f"Offence: {filters.offence}")
    return [
        f"SafeShare oversight statistics: {title}",
        "; ".join(scope),
        f"Produced {timezone.localtime():%d %B %Y %H:%M}",
    ]


def download(request: HttpRequest) -> HttpResponse:
    spec, _, filters, result = _statistic_result(request)
    tables = result.tables
    preamble = _preamble(result.title, filters)
    if result.no_data:
        preamble.append(result.no_data)
    name = f"safeshare-{spec.slug}-{filters.year}"
    if request.GET.get("format") == "ods":
        response = HttpResponse(tables_to_ods(tables, preamble), content_type=ODS_MIMETYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.ods"'
        return response
    response = HttpResponse(tables_to_csv(tables, preamble), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


# --- Alerts -----------------------------------------------------------------------------------


def _alerts_csv(alerts) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        ["Alert", "Raised", "What happened", "Summary", "Organisation", "Acknowledged"]
    )
    for alert in alerts:
        writer.writerow(
            [
                alert.pk,
                timezone.localtime(alert.created_at).strftime("%Y-%m-%d %H:%M"),
                neutralise(alert.get_kind_display()),
                neutralise(alert.summary),
                neutralise(alert.organisation_code),
                "yes" if alert.acknowledged_at else "no",
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="safeshare-alerts.csv"'
    return response


def alerts(request: HttpRequest) -> HttpResponse:
    """The alerts list, filtered by a GET form (what to show, the month raised). A month typed
    wrongly gives the GOV.UK error summary and lists nothing, with status 400."""
    form = AlertsFilterForm(request.GET)
    valid = form.is_valid()
    shown = form.shown()
    month = form.cleaned_data.get("month") if valid else None
    queryset = Alert.objects.order_by("-created_at")
    if shown == "unacknowledged":
        queryset = queryset.filter(acknowledged_at__isnull=True)
    if month:
        start = timezone.make_aware(datetime(month.year, month.month, 1))
        following = timezone.make_aware(
            datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
        )
        queryset = queryset.filter(created_at__gte=start, created_at__lt=following)
    query = urlencode({"show": shown, **({"month": month.strftime("%Y-%m")} if month else {})})
    if valid and request.GET.get("format") == "csv":
        return _alerts_csv(queryset)
    page = Paginator(queryset if valid else Alert.objects.none(), ALERTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    names = dict(
        Organisation.objects.filter(
            code__in={alert.organisation_code for alert in page}
        ).values_list("code", "name")
    )
    deliveries = {}
    if webhook_url():
        ids = [alert.pk for alert in page]
        for delivery in WebhookDelivery.objects.filter(alert_id__in=ids).order_by("created_at"):
            deliveries[delivery.alert_id] = delivery
    return render(
        request,
        "oversight/alerts.html",
        {
            "form": form,
            "page": page,
            "rows": [
                (
                    alert,
                    deliveries.get(alert.pk),
                    names.get(alert.organisation_code, alert.organisation_code),
                )
                for alert in page
            ],
            "shown": shown,
            "month": month,
            "query": query,
            "webhook": bool(webhook_url()),
            "unread": Alert.objects.filter(acknowledged_at__isnull=True).count(),
            "single_event_roles": single_event_roles(),
        },
        status=200 if valid else 400,
    )


ACKNOWLEDGE_FLOW = "oversight-alert-acknowledge"


@require_http_methods(["GET", "POST"])
def acknowledge_alert(request: HttpRequest) -> HttpResponse:
    """Acknowledge an alert (a POST), then its confirmation: the same address with ``?done=``,
    drawn from the database on a GET (ADR 0044). Acknowledging changes nothing for anyone but
    the alert, so it needs no check-answers page."""
    page = reverse("oversight:alert-acknowledge")
    if request.method == "GET":
        note = read_done(request, ACKNOWLEDGE_FLOW, "alerts", request.GET.get("done"))
        noted = (note or {}).get("alert")
        done = (
            Alert.objects.filter(pk=noted, acknowledged_at__isnull=False).first()
            if isinstance(noted, int)
            else None
        )
        if done is None:
            return redirect("oversight:alerts")
        return render(
            request,
            "oversight/alert_acknowledged.html",
            {
                "alert": done,
                "unread": Alert.objects.filter(acknowledged_at__isnull=True).count(),
            },
        )
    try:
        alert_id = int(request.POST.get("alert", ""))
    except ValueError as error:
        raise Http404("There is no such alert.") from error
    alert = get_object_or_404(Alert, pk=alert_id)
    try:
        do_acknowledge_alert(alert, Actor.for_user(request.user))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('oversight:alerts')}#alert-{alert.pk}")
    return redirect(done_url(page, request, ACKNOWLEDGE_FLOW, "alerts", {"alert": alert.pk}))


# --- Policy comparison ------------------------------------------------------------------------


def _history_size() -> int:
    return Party.objects.count() + Clearance.objects.count()


def _default_pair() -> tuple[str, str]:
    a = active_policy().id
    return a, "firewall" if a != "firewall" else "mvp-2021"


def _comparison_view(policy_a: str, policy_b: str) -> dict[str, Any]:
    """The comparison to show: a stored run that is still current, else a fresh replay when
    the history is small, else the latest stored run marked as out of date."""
    marker = history.history_marker()
    stored = history.latest_run(policy_a, policy_b)
    if stored is not None and stored.history_marker == marker:
        return {
            "summary": stored.summary,
            "as_at": stored.as_at,
            "stored": stored,
            "current": True,
        }
    if _history_size() <= SMALL_HISTORY:
        summary, recorded = history.comparison_summary(
            policy_by_id(policy_a), policy_by_id(policy_b)
        )
        return {
            "summary": summary,
            "as_at": recorded.as_at,
            "stored": None,
            "current": True,
        }
    if stored is not None:
        return {
            "summary": stored.summary,
            "as_at": stored.as_at,
            "stored": stored,
            "current": False,
        }
    return {"summary": None, "as_at": None, "stored": None, "current": False}


@require_http_methods(["GET", "POST"])
def comparison(request: HttpRequest) -> HttpResponse:
    a, b = _default_pair()
    if request.method == "POST":
        form = ComparisonForm(request.POST)
        if form.is_valid() and _history_size() > SMALL_HISTORY:
            messages.error(
                request,
                "The history is too large to replay while you wait. It is replayed on a "
                "schedule: ask your administrator to add this pair of policies.",
            )
            return redirect(reverse("oversight:comparison") + "?" + urlencode(form.cleaned_data))
        if form.is_valid():
            run = history.run_comparison(
                Actor.for_user(request.user),
                form.cleaned_data["policy_a"],
                form.cleaned_data["policy_b"],
            )
            messages.success(request, f"Comparison replayed in {run.duration_ms / 1000:.1f} s")
            query = urlencode({"policy_a": run.policy_a, "policy_b": run.policy_b})
            return redirect(reverse("oversight:comparison") + "?" + query)
    else:
        form = ComparisonForm(
            request.GET if "policy_a" in request.GET else {"policy_a": a, "policy_b": b}
        )
    view: dict[str, Any] = {"summary": None}
    policies = None
    if form.is_valid():
        a, b = form.cleaned_data["policy_a"], form.cleaned_data["policy_b"]
        view = _comparison_view(a, b)
        policies = (policy_by_id(a), policy_by_id(b))
    tables = []
    if view.get("summary"):
        # The page names the two policies by title above; the tables call them A and B.
        tables = comparison_tables(view["summary"], "policy A", "policy B")
    return render(
        request,
        "oversight/comparison.html",
        {
            "form": form,
            "view": view,
            "policies": policies,
            "items": _with_charts(tables),
            "recorded": (view.get("summary") or {}).get("recorded"),
        },
    )


# --- Ledger -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def ledger(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        check: LedgerCheck | None = ledger_view.check_now(Actor.for_user(request.user))
        if check is not None and check.ok:
            messages.success(request, f"The ledger was checked: {check.size:,} entries verified")
        elif check is not None:
            messages.error(request, "The ledger check found a problem")
        return redirect("oversight:ledger")
    check = ledger_view.latest_check()
    if check is None and ledger_view.small_enough():
        check = ledger_view.check_unsaved(Actor.for_user(request.user))
    return render(
        request,
        "oversight/ledger.html",
        {
            "checkpoint": ledger_view.latest_checkpoint(),
            "check": check,
        },
    )


# --- Retention --------------------------------------------------------------------------------

RETENTION_KINDS = {
    "cleared_clearance_subjects": "IE's details of the subject of a clear that can no longer "
    "be acted on",
    "idempotency_records": "Stored answers to repeated API requests",
    "notifications": "The address and words of notices to victims, once sent",
    "sweep_files": "IE's caseload files and their results, once the sweep has finished",
    "webhook_deliveries": "Messages sent to forces' and IE units' systems",
    "ended_protections": "Protections a person closed, with the names, dates of birth, "
    "documents and contact details that only they kept",
}


@require_GET
def retention(request: HttpRequest) -> HttpResponse:
    """The retention schedule (R23) of the policy in force, and the last runs from the ledger."""
    policy = active_policy()
    days = policy.retention.days()
    runs = []
    entries = LedgerEntry.objects.filter(kind=EntryKind.RETENTION_RUN.value).order_by("-id")
    for entry in entries[:20]:
        payload = entry.draft.get("payload", {})
        runs.append(
            {
                "at": entry.created_at,
                "count": payload.get("count", 0),
                "kinds": [RETENTION_KINDS.get(name, name) for name in payload.get("fields", [])],
                "policy": f"{entry.draft.get('policy_id', '')} "
                f"({str(entry.draft.get('policy_version', ''))[:12]})",
            }
        )
    return render(
        request,
        "oversight/retention.html",
        {
            "policy": policy,
            "schedule": [(RETENTION_KINDS.get(name, name), n) for name, n in days.items()],
            "runs": runs,
        },
    )


@require_POST
def ledger_export(request: HttpRequest) -> FileResponse:
    archive = ledger_view.export_zip_file()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        archive,
        as_attachment=True,
        filename=f"safeshare-ledger-export-{stamp}.zip",
        content_type="application/zip",
    )
