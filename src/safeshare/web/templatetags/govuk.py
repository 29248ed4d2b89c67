"""Template tags for GOV.UK Design System components (loaded in every template)."""

from __future__ import annotations

import datetime as dt

from django import forms, template

from safeshare.kernel import long_dates
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
    """A date as people write it in the page's language: ``14 March 1991`` in English; a date
    known in part as ``March 1991`` or ``1991`` (a date of birth is stored as ``1991-03-14``,
    ``1991-03`` or ``1991``). Anything else is shown as it is (``kernel/long_dates.py``)."""
    return long_dates.date_in_words(value)


@register.filter
def long_date(value: object) -> str:
    """A date, or the local day of a date and time, in full in the page's language:
    ``14 February 1992``, ``1992年2月14日``, ``14 de febrero de 1992``."""
    if isinstance(value, dt.date):
        return long_dates.long_date(value)
    return "" if value is None else str(value)


@register.filter
def long_date_time(value: object) -> str:
    """A date and time (local) in the page's language: ``14 February 1992, 09:30``."""
    if isinstance(value, dt.datetime):
        return long_dates.long_date_time(value)
    return long_date(value)


@register.filter
def for_people(value: object) -> str:
    """Text without the requirement references engineers use ("(R33)", "(R13, N5)")."""
    return _for_people(str(value))
