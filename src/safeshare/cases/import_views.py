"""The upload page of a force's records-system feed (``cases.feeds``): the same checks and
report as ``safeshare cases import``, all or nothing."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safeshare.accounts.actors import Actor
from safeshare.cases import feeds

MAX_BYTES = 10 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Feed file",
        help_text="CSV or JSON Lines (.jsonl), one row per event, up to 10 MB.",
        error_messages={"required": "Choose a file to import"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".jsonl", ".ndjson")):
            raise forms.ValidationError("The file must be a CSV or JSON Lines file")
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file must be smaller than 10 MB")
        try:
            self.text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file must be UTF-8 text") from None
        self.format = "csv" if name.endswith(".csv") else "jsonl"
        return upload


def import_feed(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = feeds.import_feed(Actor.for_user(request.user), form.text, form.format)
    status = 400 if (form.is_bound and form.errors) or (report and report.problems) else 200
    return render(
        request,
        "cases/import.html",
        {"form": form, "report": report, "problems": report.problems[:200] if report else []},
        status=status,
    )
