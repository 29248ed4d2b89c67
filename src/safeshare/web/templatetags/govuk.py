"""Template tags for GOV.UK Design System components (loaded in every template)."""

from __future__ import annotations

import datetime as dt
import re

from django import forms, template
from django.utils.dates import MONTHS

from safeshare.kernel.wording import for_people as _for_people
from safeshare.web.forms import described_by, error_summary_items, widget_classes
from safeshare.web.strict_input import mark_form_refused

register = template.Library()


@register.inclusion_tag("web/forms/error_summary.html", takes_context=True)
def govuk_error_summary(context, *forms_to_check: forms.BaseForm) -> dict:
    """The GOV.UK error summary for one or more forms; renders nothing when there is no error.
    A summary with errors marks the request, so that the refused form is answered 400."""
    items: list[dict[str, str]] = []
    for form in forms_to_check:
        if form is not None and form.is_bound and form.errors:
            items.extend(error_summary_items(form))
    if items:
        mark_form_refused(context.get("request"))
    return {"items": items}


@register.simple_tag
def govuk_widget(bound_field: forms.BoundField) -> str:
    """Render a field's widget with GOV.UK classes and accessible descriptions."""
    attrs: dict[str, str | bool] = {"class": widget_classes(bound_field)}
    description = described_by(bound_field)
    if description:
        attrs["aria-describedby"] = description
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_group_widget(bound_field: forms.BoundField) -> bool:
    """Radios and checkbox groups are drawn as a fieldset."""
    return bound_field.widget_type in {"radioselect", "checkboxselectmultiple"}


@register.filter
def date_in_words(value: object) -> str:
    """A date as people write it: ``14 March 1991``; a date known in part as ``March 1991`` or
    ``1991`` (a date of birth is stored as ``1991-03-14``, ``1991-03`` or ``1991``). Anything
    else is shown as it is."""
    if isinstance(value, dt.date):
        return f"{value.day} {MONTHS[value.month]} {value.year}"
    text = str(value or "")
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not match:
        return text
    year, month, day = match.groups()
    if month and not 1 <= int(month) <= 12:
        return text
    words = [str(int(day))] if day else []
    words += [str(MONTHS[int(month)])] if month else []
    return " ".join([*words, year])


@register.filter
def for_people(value: object) -> str:
    """Text without the requirement references engineers use ("(R33)", "(R13, N5)")."""
    return _for_people(str(value))
