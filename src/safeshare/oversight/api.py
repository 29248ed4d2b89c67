"""API for oversight bodies: the same disclosure-controlled figures as the pages, alerts, the
policy comparison and the ledger's status. Oversight analysts' tokens only; never personal data.

A suppressed figure is ``null`` in ``values`` (shown as ``[c]`` on the pages and downloads).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from safeshare.api_kit import ApiProblem, require_scope
from safeshare.kernel.roles import Role, Scope
from safeshare.oversight import history, ledger_view
from safeshare.oversight.comparison_tables import comparison_tables
from safeshare.oversight.models import Alert
from safeshare.oversight.statistics import (
    OFFENCES,
    STATISTICS,
    Context,
    Filters,
    available_years,
)
from safeshare.protocol.policy import available_policies

router = Router(tags=["Oversight"])


class TableRowOut(Schema):
    label: str
    code: str | None
    values: list[int | None] = Field(description="One per column; null where suppressed.")


class TableOut(Schema):
    id: str
    title: str
    row_heading: str
    columns: list[str]
    rows: list[TableRowOut]
    total: TableRowOut | None
    notes: list[str]


class StatisticOut(Schema):
    id: str
    title: str
    description: str
    year: int
    force: str | None
    offence: str | None
    no_data: str | None
    scope_note: str | None
    facts: dict[str, str]
    tables: list[TableOut]


class StatisticSummaryOut(Schema):
    id: str
    title: str
    description: str
    force_and_offence_filters: bool


class StatisticsIndexOut(Schema):
    years: list[int]
    statistics: list[StatisticSummaryOut]


class StatisticQuery(Schema):
    year: int | None = Field(default=None, description="A calendar year; default this year.")
    force: str | None = Field(default=None, description="A police force code, e.g. WMP.")
    offence: str | None = Field(default=None, description="An offence category code.")


class AlertOut(Schema):
    id: int
    kind: str
    kind_label: str
    summary: str
    organisation_code: str | None
    references: dict[str, str | int]
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None


class ComparisonOut(Schema):
    policy_a: str
    policy_b: str
    as_at: dt.datetime | None
    current: bool
    tables: list[TableOut]


class LedgerStatusOut(Schema):
    available: bool
    checkpoint: str | None
    checked_at: dt.datetime | None
    ok: bool | None
    size: int | None
    first_problem: str | None


def _oversight(request: HttpRequest, scope: Scope = Scope.STATISTICS_READ) -> None:
    require_scope(request, scope, Role.OVERSIGHT_ANALYST)


@router.get(
    "/oversight/statistics",
    response=StatisticsIndexOut,
    summary="The statistics and the years they cover",
)
def statistics_index(request):
    _oversight(request)
    return {
        "years": available_years(),
        "statistics": [
            {
                "id": s.slug,
                "title": s.title,
                "description": s.description,
                "force_and_offence_filters": s.by_force_and_offence,
            }
            for s in STATISTICS.values()
        ],
    }


@router.get(
    "/oversight/statistics/{statistic_id}",
    response=StatisticOut,
    summary="One statistic's disclosure-controlled tables",
)
def statistic(request, statistic_id: str, query: Query[StatisticQuery]):
    _oversight(request)
    spec = STATISTICS.get(statistic_id)
    if spec is None:
        raise ApiProblem(404, "not_found", "There is no such statistic.")
    context = Context()
    years = available_years()
    year = query.year or years[0]
    problems = {}
    if year not in years:
        problems["year"] = f"Choose a year from {years[-1]} to {years[0]}."
    force = query.force or ""
    if force and force not in {code for _, code, _ in context.forces}:
        problems["force"] = "Not a police force code."
    offence = query.offence or ""
    if offence and offence not in {o.value for o in OFFENCES}:
        problems["offence"] = "Not an offence category."
    if problems:
        raise ApiProblem(422, "validation_error", "Some filters are not valid.", problems)
    if not spec.by_force_and_offence:
        force = offence = ""
    result = spec.build(Filters(year, force, offence), context)
    return {
        "id": spec.slug,
        "title": result.title,
        "description": result.description,
        "year": year,
        "force": force or None,
        "offence": offence or None,
        "no_data": result.no_data or None,
        "scope_note": result.scope_note or None,
        "facts": dict(result.facts),
        "tables": [table.as_json() for table in result.tables],
    }


@router.get("/oversight/alerts", response=list[AlertOut], summary="Alerts, newest first")
def alerts(request, since: dt.datetime | None = None, limit: int = 100):
    _oversight(request)
    queryset = Alert.objects.order_by("-created_at")
    if since is not None:
        queryset = queryset.filter(created_at__gt=since)
    return [
        {
            "id": a.pk,
            "kind": a.kind,
            "kind_label": a.get_kind_display(),
            "summary": a.summary,
            "organisation_code": a.organisation_code or None,
            "references": {k: v for k, v in a.details.items() if isinstance(v, str | int)},
            "created_at": a.created_at,
            "acknowledged_at": a.acknowledged_at,
        }
        for a in queryset[: max(1, min(limit, 1000))]
    ]


@router.get(
    "/oversight/comparison", response=ComparisonOut, summary="The latest stored policy comparison"
)
def comparison(request, policy_a: str, policy_b: str):
    _oversight(request)
    known = set(available_policies())
    if policy_a not in known or policy_b not in known or policy_a == policy_b:
        raise ApiProblem(422, "validation_error", "Name two different shipped policies.")
    run = history.latest_run(policy_a, policy_b)
    if run is None:
        raise ApiProblem(
            404,
            "not_found",
            "No comparison of these policies has been run yet. Run it on the policy comparison "
            "page or with: safeshare oversight compare POLICY_A POLICY_B",
        )
    return {
        "policy_a": policy_a,
        "policy_b": policy_b,
        "as_at": run.as_at,
        "current": run.history_marker == history.history_marker(),
        "tables": [t.as_json() for t in comparison_tables(run.summary, policy_a, policy_b)],
    }


@router.get(
    "/oversight/ledger",
    response=LedgerStatusOut,
    summary="The ledger's latest checkpoint and verification",
)
def ledger(request):
    _oversight(request, Scope.LEDGER_READ)
    checkpoint = ledger_view.latest_checkpoint()
    check = ledger_view.latest_check()
    return {
        "available": True,
        "checkpoint": checkpoint.text if checkpoint else None,
        "checked_at": check.checked_at if check else None,
        "ok": check.ok if check else None,
        "size": check.size if check else None,
        "first_problem": (check.first_problem or None) if check else None,
    }
