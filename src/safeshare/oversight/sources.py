"""Where statistics read facts that other apps record, behind one named function each.

**Advice issued** (for the time from protection to advice). The advice app records each advice
pack it issues (``AdvicePack``: the protection, the time issued) together with an
``advice_issued`` entry on the transparency log, in one transaction. Oversight reads the first
pack issued for each protection with one SQL aggregate. Where the advice app is not installed,
it falls back to the ledger's keyed tables: the first ``advice_issued`` entry whose subject is
the protected person (found by the keyed token, never through the public log). Until any advice
exists the statistic says "no data yet".
"""

from __future__ import annotations

from datetime import datetime

from django.apps import apps
from django.db.models import Max, Min

from safeshare.ledger.entries import EntryKind
from safeshare.ledger.keys import token_for_person
from safeshare.ledger.models import LedgerEntry, LedgerSubject

ADVICE_ENTRY_KIND = EntryKind.ADVICE_ISSUED.value


def _advice_pack_model():
    """The advice app's ``AdvicePack`` model, or ``None`` when the app is not installed."""
    if not apps.is_installed("safeshare.advice"):
        return None
    try:
        return apps.get_model("advice", "AdvicePack")
    except LookupError:
        return None


def advice_source() -> str:
    """``advice_packs`` or ``ledger``: where advice issued is read from."""
    return "advice_packs" if _advice_pack_model() is not None else "ledger"


def advice_records_exist() -> bool:
    """Whether any advice has been recorded as issued."""
    model = _advice_pack_model()
    if model is not None:
        return model.objects.exists()
    return LedgerEntry.objects.filter(kind=ADVICE_ENTRY_KIND).exists()


def advice_marker() -> str:
    """Changes whenever advice is issued (records are only ever added)."""
    model = _advice_pack_model()
    if model is not None:
        values = model.objects.order_by().aggregate(last=Max("pk"))
    else:
        entries = LedgerEntry.objects.filter(kind=ADVICE_ENTRY_KIND).order_by()
        values = entries.aggregate(last=Max("pk"))
    return str(values["last"])


def first_advice_by_protection(protections) -> dict[int, datetime]:
    """The first time advice was issued for each protection in the queryset ``protections``
    (by protection id); empty if no advice was ever issued."""
    if not advice_records_exist():
        return {}
    model = _advice_pack_model()
    if model is not None:
        rows = (
            model.objects.filter(protection__in=protections.values("pk"))
            .values("protection_id")
            .annotate(first=Min("issued_at"))
            .order_by()
        )
        return {row["protection_id"]: row["first"] for row in rows}
    return _first_advice_from_ledger(protections)


def _first_advice_from_ledger(protections) -> dict[int, datetime]:
    rows = (
        LedgerSubject.objects.filter(entry__kind=ADVICE_ENTRY_KIND, field="subjects")
        .values("token")
        .annotate(first=Min("entry__created_at"))
        .order_by()
    )
    first_by_token = {row["token"]: row["first"] for row in rows}
    out = {}
    for pk, person_id in protections.values_list("pk", "person__public_id").iterator(
        chunk_size=10000
    ):
        first = first_by_token.get(token_for_person(person_id))
        if first is not None:
            out[pk] = first
    return out
