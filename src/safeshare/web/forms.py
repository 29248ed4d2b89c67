"""One form-rendering layer: Django forms drawn as GOV.UK Design System components.

Every form in SafeShare renders through this renderer, so that errors always reach the GOV.UK
error summary at the top of the page and the field error message beside the field.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext

GROUP_WIDGETS = {"radioselect", "checkboxselectmultiple"}


class GovukFormRenderer(TemplatesSetting):
    """Renders forms and fields with the GOV.UK templates in ``web/forms/``."""

    form_template_name = "web/forms/form.html"
    field_template_name = "web/forms/field.html"


def field_anchor(bound_field: forms.BoundField) -> str:
    """The id the error summary links to: the first input of a group, else the field itself."""
    auto_id = bound_field.auto_id or f"id_{bound_field.html_name}"
    if bound_field.widget_type in GROUP_WIDGETS:
        return f"{auto_id}_0"
    if bound_field.widget_type == "govukdate":
        return f"{auto_id}-day"
    return auto_id


def error_summary_items(form: forms.BaseForm) -> list[dict[str, str]]:
    """The error summary's list: non-field errors first, then each field's first error in order."""
    items: list[dict[str, str]] = []
    first_field = next(iter(form.visible_fields()), None)
    for message in form.non_field_errors():
        href = f"#{field_anchor(first_field)}" if first_field else "#main-content"
        items.append({"text": str(message), "href": href})
    for bound_field in form:
        if bound_field.errors:
            items.append(
                {"text": str(bound_field.errors[0]), "href": f"#{field_anchor(bound_field)}"}
            )
    return items


def widget_classes(bound_field: forms.BoundField) -> str:
    """GOV.UK classes for a field's widget, with the error modifier when the field has errors."""
    widget_type = bound_field.widget_type
    has_errors = bool(bound_field.errors)
    if widget_type == "textarea":
        base, error = "govuk-textarea", "govuk-textarea--error"
    elif widget_type in {"select", "nullbooleanselect", "selectmultiple"}:
        base, error = "govuk-select", "govuk-select--error"
    elif widget_type in {"clearablefile", "file"}:
        base, error = "govuk-file-upload", "govuk-file-upload--error"
    elif widget_type == "checkbox":
        base, error = "govuk-checkboxes__input", ""
    else:
        base, error = "govuk-input", "govuk-input--error"
    extra = bound_field.field.widget.attrs.get("class", "")
    return " ".join(part for part in (base, error if has_errors else "", extra) if part)


def described_by(bound_field: forms.BoundField) -> str:
    """The ids of the hint and error message, for aria-describedby."""
    auto_id = bound_field.auto_id
    ids = []
    if bound_field.help_text:
        ids.append(f"{auto_id}-hint")
    if bound_field.errors:
        ids.append(f"{auto_id}-error")
    return " ".join(ids)


DATE_PARTS = ("day", "month", "year")


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


class GovukDateInput(forms.Widget):
    """The GOV.UK date input: day, month and year boxes, posted as ``NAME-day``, ``NAME-month``
    and ``NAME-year``. A single value posted as ``NAME`` (``14/2/1992`` or ``1992-02-14``, as
    scripts and older pages send) is taken as it is, so both reach the same field."""

    template_name = "web/forms/date_input.html"

    def value_from_datadict(self, data, files, name):
        if name in data:
            return data.get(name)
        return [str(data.get(f"{name}-{part}", "")).strip() for part in DATE_PARTS]

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data and all(f"{name}-{part}" not in data for part in DATE_PARTS)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}-day" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        error = "govuk-input--error" in context["widget"]["attrs"].get("class", "")
        labels = {"day": gettext("Day"), "month": gettext("Month"), "year": gettext("Year")}
        context["widget"]["parts"] = [
            {
                "name": f"{name}-{part}",
                "id": f"{base_id}-{part}",
                "label": labels[part],
                "value": typed,
                "width": 4 if part == "year" else 2,
                "error": error,
            }
            for part, typed in zip(DATE_PARTS, split_date(value), strict=True)
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
