"""The GOV.UK date input as a Django form field: day, month and year boxes (or month and year),
with the pattern's error messages.

It lives in the kernel so that every layer's forms may use it: the account pages sit below the
web layer and may not import it, yet their dates are typed the same way. The widget names its
template, ``web/forms/date_input.html``; templates are found by name when the form is drawn, by
the one form renderer (``web/forms.py``), so this is no import of the web layer.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

DATE_PARTS = ("day", "month", "year")
MONTH_PARTS = ("month", "year")


def split_date(value: object) -> list[str]:
    """Day, month and year of a value to show in a date input, as typed or as stored.

    A stored date, a partial ISO date (``1992``, ``1992-02``, ``1992-02-14``), a date typed as
    ``14/2/1992``, or the three parts a form posted. Anything else is shown in the year box as
    it was typed, so the person can see and correct it."""
    if isinstance(value, (list, tuple)):
        parts = [str(part or "") for part in value][:3]
        return parts + [""] * (3 - len(parts))
    if isinstance(value, dt.date):
        return [str(value.day), str(value.month), str(value.year)]
    text = str(value or "").strip()
    if not text:
        return ["", "", ""]
    iso = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text)
    if iso:
        year, month, day = iso.groups()
        return [str(int(day)) if day else "", str(int(month)) if month else "", year]
    typed = re.fullmatch(r"(\d{1,2})[/ .-](\d{1,2})[/ .-](\d{4})", text)
    if typed:
        return list(typed.groups())
    return ["", "", text]


def split_month(value: object) -> list[str]:
    """Month and year of a value to show in a month-and-year input: a stored date, ``2026-03``,
    ``3/2026``, or the two parts a form posted. Anything else goes in the year box as typed."""
    if isinstance(value, (list, tuple)):
        parts = [str(part or "") for part in value][:2]
        return parts + [""] * (2 - len(parts))
    if isinstance(value, dt.date):
        return [str(value.month), str(value.year)]
    text = str(value or "").strip()
    if not text:
        return ["", ""]
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if iso:
        return [str(int(iso.group(2))), iso.group(1)]
    typed = re.fullmatch(r"(\d{1,2})[/ .-](\d{4})", text)
    if typed:
        return [str(int(typed.group(1))), typed.group(2)]
    return ["", text]


class GovukDateInput(forms.Widget):
    """The GOV.UK date input: day, month and year boxes, posted as ``NAME-day``, ``NAME-month``
    and ``NAME-year`` (or month and year only, with ``parts=MONTH_PARTS``). A single value
    posted as ``NAME`` (``14/2/1992`` or ``1992-02-14``, as scripts and older pages send) is
    taken as it is, so both reach the same field."""

    template_name = "web/forms/date_input.html"

    def __init__(self, attrs=None, parts: tuple[str, ...] = DATE_PARTS) -> None:
        super().__init__(attrs)
        self.parts = parts

    def value_from_datadict(self, data, files, name):
        if name in data:
            return data.get(name)
        return [str(data.get(f"{name}-{part}", "")).strip() for part in self.parts]

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data and all(f"{name}-{part}" not in data for part in self.parts)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}-{self.parts[0]}" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        error = "govuk-input--error" in context["widget"]["attrs"].get("class", "")
        labels = {"day": gettext("Day"), "month": gettext("Month"), "year": gettext("Year")}
        typed = split_date(value) if self.parts == DATE_PARTS else split_month(value)
        context["widget"]["parts"] = [
            {
                "name": f"{name}-{part}",
                "id": f"{base_id}-{part}",
                "label": labels[part],
                "value": shown,
                "width": 4 if part == "year" else 2,
                "error": error,
            }
            for part, shown in zip(self.parts, typed, strict=True)
        ]
        return context


def date_parts_problem(label: str, parts: list[str], *, partial: bool) -> str | None:
    """What is wrong with a typed day, month and year, in the GOV.UK pattern's words, or None.

    ``partial`` allows a year alone or a month and year (a date of birth known only in part)."""
    day, month, year = parts
    if not year:
        return f"{label} must include a year"
    if not partial:
        missing = [name for name, typed in (("day", day), ("month", month)) if not typed]
        if missing:
            return f"{label} must include a {' and '.join(missing)}"
    elif day and not month:
        return f"{label} must include a month"
    if not all(typed.isdigit() for typed in parts if typed):
        return f"{label} must be a real date"
    if len(year) != 4:
        return "Year must include 4 numbers"
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return f"{label} must be a real date"
    return None


def month_parts_problem(label: str, parts: list[str]) -> str | None:
    """What is wrong with a typed month and year, in the GOV.UK pattern's words, or None."""
    month, year = parts
    missing = [name for name, typed in (("month", month), ("year", year)) if not typed]
    if missing:
        return f"{label} must include a {' and '.join(missing)}"
    if not month.isdigit() or not 1 <= int(month) <= 12:
        return "Month must be a number between 1 and 12"
    if not year.isdigit() or len(year) != 4:
        return "Year must include 4 numbers"
    if int(year) < dt.MINYEAR:
        return f"{label} must be a real date"
    return None


class GovukDateField(forms.Field):
    """A date typed in the GOV.UK date input (day, month and year boxes), with the pattern's
    error messages. A date posted as one value (``27/3/2026`` or ``2026-03-27``) is also taken.

    ``partial`` allows a year alone, or a month and year, for a date known only in part (a date
    of birth); the value is then the partial ISO text (``1991``, ``1991-03`` or ``1991-03-14``)
    rather than a ``date``."""

    widget = GovukDateInput

    def __init__(self, *, partial: bool = False, error_label: str = "", **kwargs) -> None:
        self.partial = partial
        super().__init__(**kwargs)
        self.error_label = error_label or self.short_label()
        self.error_messages["required"] = (
            f"Enter {self.error_label[:1].lower()}{self.error_label[1:]}"
        )

    def to_python(self, value: object) -> dt.date | str | None:
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            parts = split_date(text)
        else:
            parts = split_date(value)
            if not any(parts):
                return None
        problem = date_parts_problem(self.error_label, parts, partial=self.partial)
        if problem:
            raise ValidationError(problem, code="invalid")
        day, month, year = parts
        if self.partial:
            return "-".join(
                [year] + ([month.zfill(2)] if month else []) + ([day.zfill(2)] if day else [])
            )
        return dt.date(int(year), int(month), int(day))

    def short_label(self) -> str:
        label = str(self.label or "").removesuffix(" (optional)")
        if not label or label.endswith("?"):
            return "The date"
        return label[:1].upper() + label[1:]


class GovukMonthField(GovukDateField):
    """A month typed in the GOV.UK date input's month and year boxes (for example a filter by
    month). Its value is the first day of that month. ``2026-03`` or ``3/2026`` posted as one
    value is also taken."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", GovukDateInput(parts=MONTH_PARTS))
        super().__init__(**kwargs)

    def to_python(self, value: object) -> dt.date | None:
        if isinstance(value, dt.date):
            return value.replace(day=1)
        parts = split_month(value)
        if not any(parts):
            return None
        problem = month_parts_problem(self.error_label, parts)
        if problem:
            raise ValidationError(problem, code="invalid")
        return dt.date(int(parts[1]), int(parts[0]), 1)
