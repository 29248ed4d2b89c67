"""The oversight page of reads of personal data per user, and its CSV download."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from safeshare.oversight.charts import bar_chart
from safeshare.oversight.read_patterns import (
    FLAG_LABELS,
    MIN_OUT_OF_HOURS,
    MIN_PEOPLE,
    MIN_READS,
    OUT_OF_HOURS_SHARE,
    PEER_FACTOR,
)
from safeshare.oversight.reads import ReadsFilterForm, build_report


def reads(request: HttpRequest) -> HttpResponse:
    form = ReadsFilterForm(request.GET)
    report = None
    if form.is_valid():
        data = form.cleaned_data
        report = build_report(data["date_from"], data["date_to"], data["organisation"] or "")
        if request.GET.get("format") == "csv":
            response = HttpResponse(report.csv(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="safeshare-reads-{report.date_from}-{report.date_to}.csv"'
            )
            return response
    table = report.table() if report else None
    return render(
        request,
        "oversight/reads.html",
        {
            "form": form,
            "report": report,
            "table": table,
            "chart": mark_safe(bar_chart(table, column=0)) if table and table.rows else "",  # noqa: S308  (escaped SVG)
            "flag_labels": FLAG_LABELS,
            "rules": {
                "peer_factor": PEER_FACTOR,
                "min_reads": MIN_READS,
                "min_people": MIN_PEOPLE,
                "min_out_of_hours": MIN_OUT_OF_HOURS,
                "share": round(OUT_OF_HOURS_SHARE * 100),
            },
            "query": request.GET.urlencode(),
        },
        status=200 if form.is_valid() else 400,
    )
