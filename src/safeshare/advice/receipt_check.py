"""A public page where anyone (the victim, an advocate, a solicitor, a court) checks a receipt.

The receipt is the JSON file a victim downloads from "What has been shared about you". It is
checked against this service's own published log keys, never the keys inside the file, and
the answer is a plain yes or no with what the receipt proves. Nothing is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from safeshare.advice import ledger_link
from safeshare.advice.disclosures import RECEIPT_BUNDLE_FORMAT, describe_entry
from safeshare.advice.languages import in_english
from safeshare.advice.victim import public_victim_page
from safeshare.advice.victim_views import render
from safeshare.cases.forms import posted_data
from safeshare.ledger.entries import EntryError, parse_canonical_json
from safeshare.ledger.receipts import ReceiptError, check_receipt, receipt_from_json

MAX_RECEIPT_BYTES = 256 * 1024

# What went wrong, in words, by the start of the checker's own (technical) reason.
PLAIN_REASONS = (
    (
        "checkpoint",
        _("It was not signed with this service's log key, so it did not come from here."),
    ),
    ("entry:", _("The record inside it has been changed or damaged.")),
    ("the entry's index", _("The record inside it is not the one the receipt was made for.")),
    ("the entry does not match", _("The record inside it has been changed since it was made.")),
    ("the inclusion proof", _("Its proof does not lead to the log that this service signed.")),
    ("the opening", _("It does not show that the record is about the person it was given to.")),
)
NOT_A_RECEIPT = _("It is not a SafeShare receipt, or it has been changed.")


class ReceiptCheckForm(forms.Form):
    receipt = forms.CharField(
        label=_("Paste the receipt"),
        help_text=_("Open the receipt file (it ends in .json) and copy all of it here."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )
    receipt_file = forms.FileField(label=_("Or upload the receipt file"), required=False)

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        text = (cleaned.get("receipt") or "").strip()
        upload = cleaned.get("receipt_file")
        if upload is not None:
            if upload.size > MAX_RECEIPT_BYTES:
                raise ValidationError(
                    {
                        "receipt_file": _(
                            "The file must be smaller than 256 KB. A receipt is small."
                        )
                    }
                )
            try:
                text = upload.read().decode("utf-8").strip()
            except UnicodeDecodeError:
                raise ValidationError(
                    {"receipt_file": _("The file must be the receipt SafeShare gave you (JSON)")}
                ) from None
        if not text:
            raise ValidationError({"receipt": _("Paste the receipt, or choose the receipt file")})
        try:
            bundle = json.loads(text)
        except ValueError:
            bundle = None
        if not isinstance(bundle, dict) or "entry" not in bundle or "receipt" not in bundle:
            field_name = "receipt_file" if upload is not None else "receipt"
            raise ValidationError(
                {
                    field_name: _(
                        "This is not a SafeShare receipt. A receipt is the file from "
                        "“What has been shared about you”, and starts with {"
                    )
                }
            )
        cleaned["bundle"] = bundle
        return cleaned


@dataclass
class ReceiptResult:
    holds: bool
    reason: str = ""
    detail: str = ""
    title: str = ""
    by: str = ""
    when: datetime | None = None
    index: int | None = None
    log_size: int | None = None
    about_holder: bool = False
    details: list[str] = field(default_factory=list)
    other_keys: bool = False


def check_bundle(bundle: dict) -> ReceiptResult:
    """Check a receipt bundle against this service's log keys, in words."""
    keys = ledger_link.verifier_keys()
    other_keys = sorted(bundle.get("verifier_keys") or []) not in ([], sorted(keys))
    try:
        if bundle.get("format") not in (None, RECEIPT_BUNDLE_FORMAT):
            raise ReceiptError("entry: unknown receipt format")
        receipt = receipt_from_json(json.dumps(bundle["receipt"]))
        entry_bytes = str(bundle["entry"]).encode("utf-8")
        checkpoint = check_receipt(receipt, entry_bytes, keys)
        fields = parse_canonical_json(entry_bytes)
    except (ReceiptError, EntryError, TypeError, ValueError, KeyError) as error:
        technical = str(error)
        reason = str(
            next(
                (plain for start, plain in PLAIN_REASONS if technical.startswith(start)),
                NOT_A_RECEIPT,
            )
        )
        return ReceiptResult(holds=False, reason=reason, detail=technical, other_keys=other_keys)
    assert isinstance(fields, dict)
    title, by, details = describe_entry(fields)
    timestamp = fields.get("timestamp")
    return ReceiptResult(
        holds=True,
        title=title,
        by=by,
        when=parse_datetime(str(timestamp)) if timestamp else None,
        index=receipt.index,
        log_size=checkpoint.size,
        about_holder=bool(receipt.openings),
        details=details,
        other_keys=other_keys,
    )


@public_victim_page
def check_a_receipt(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: the answer. Open to everyone; nothing is stored. In the language
    the victim chose, with the English beside a translation not yet reviewed (ADR 0046)."""
    form = ReceiptCheckForm(posted_data(request), request.FILES or None)
    context: dict[str, object] = {"form": form, "result": None}
    if request.method == "POST" and form.is_valid():
        bundle = form.cleaned_data["bundle"]
        context["result"] = check_bundle(bundle)
        context["english_context"] = in_english(lambda: {"result": check_bundle(bundle)})
        # "Check another receipt" starts empty: the receipt just checked is not shown again.
        context["form"] = ReceiptCheckForm()
    return render(request, "advice/receipt_check.html", context)
