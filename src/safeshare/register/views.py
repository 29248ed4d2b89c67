"""Pages for IE's background sweeps: upload a caseload, watch its progress, download results.

IE users see their own organisation's sweeps only; anything else is not found.
"""

from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from safeshare.accounts.actors import Actor
from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.people.models import Person
from safeshare.register import forms, jobs, sweeps
from safeshare.register.actions import RegisterError, do_start_sweep
from safeshare.register.csvfiles import describe_warnings
from safeshare.register.forms import LimitedUploadHandler, SweepUploadForm
from safeshare.register.models import Sweep

PER_PAGE = 50
REFRESH_SECONDS = 3


def own_sweep(request: AuthenticatedHttpRequest, sweep_id: uuid.UUID) -> Sweep:
    return get_object_or_404(Sweep, public_id=sweep_id, organisation=request.user.organisation)


def sweep_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    mine = Sweep.objects.filter(organisation=request.user.organisation).order_by("-created_at")
    page = Paginator(mine, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "register/sweep_list.html", {"page": page, "sweeps": page.object_list})


@csrf_exempt
def sweep_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a caseload. The size limit is enforced while the upload arrives (a handler set
    before the body is read, hence the CSRF check in ``_sweep_new`` instead)."""
    handler = None
    if request.method == "POST":
        handler = LimitedUploadHandler(forms.MAX_UPLOAD_BYTES, request=request)
        request.upload_handlers.insert(0, handler)
    return _sweep_new(request, handler)


@csrf_protect
def _sweep_new(
    request: AuthenticatedHttpRequest, handler: LimitedUploadHandler | None
) -> HttpResponse:
    if request.method == "POST":
        form = SweepUploadForm(
            request.POST, request.FILES, too_big=bool(handler and handler.too_big)
        )
        if form.is_valid():
            upload = form.cleaned_data["caseload"]
            try:
                sweep = do_start_sweep(upload, upload.name or "", Actor.for_user(request.user))
            except RegisterError as error:
                for message in error.messages:
                    form.add_error("caseload", message)
            else:
                jobs.start(sweep.pk)
                return redirect("matching:sweep", sweep_id=sweep.public_id)
    else:
        form = SweepUploadForm()
    return render(request, "register/sweep_form.html", {"form": form})


def sweep_detail(request: AuthenticatedHttpRequest, sweep_id: uuid.UUID) -> HttpResponse:
    sweep = own_sweep(request, sweep_id)
    # Nothing is written here (a GET): the worker queues again a sweep whose process stopped.
    working = sweep.status in (Sweep.Status.QUEUED, Sweep.Status.RUNNING)
    return render(
        request,
        "register/sweep_detail.html",
        {
            "sweep": sweep,
            "working": working,
            "refresh": REFRESH_SECONDS if working else None,
            "warning_lines": describe_warnings(sweep.warnings or {}),
        },
    )


def _matched_people(path) -> list:
    """The register's people a results file names (its ``register_id`` column)."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        ids = {row["register_id"] for row in csv.DictReader(handle) if row.get("register_id")}
    numbers = [int(value) for value in ids if value.isdigit()]
    if not numbers:
        return []
    return list(Person.objects.filter(identities__register_entry__pk__in=numbers).distinct())


def sweep_download(request: AuthenticatedHttpRequest, sweep_id: uuid.UUID) -> FileResponse:
    sweep = own_sweep(request, sweep_id)
    if sweep.status != Sweep.Status.DONE:
        raise Http404("The results are not ready.")
    path = sweeps.stored_path(sweep, results=True)
    if not path.is_file():
        raise Http404("The results file is missing.")
    do_record_personal_data_read(
        Actor.for_user(request.user),
        _matched_people(path),
        "sweep_results_download",
        unregistered=sweep.total_rows,
    )
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"sweep-{sweep.created_at:%Y-%m-%d-%H%M}-results.csv",
        content_type="text/csv; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response
