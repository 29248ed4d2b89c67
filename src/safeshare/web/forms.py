"""One form-rendering layer: Django forms drawn as GOV.UK Design System components.

Every form in SafeShare renders through this renderer, so that errors always reach the GOV.UK
error summary at the top of the page and the field error message beside the field.
"""

from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting

from safeshare.kernel.dates import (  # noqa: F401  (re-exported: forms import them from here)
    DATE_PARTS,
    MONTH_PARTS,
    GovukDateField,
    GovukDateInput,
    GovukMonthField,
    date_parts_problem,
    month_parts_problem,
    split_date,
)

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
        return bound_field.field.widget.id_for_label(auto_id)
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
