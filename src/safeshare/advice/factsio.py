"""Facts to JSON and back, so that the facts behind an advice pack are stored exactly (R26)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from enum import Enum
from typing import Any

from safeshare.advice.eligibility import Child, Facts


def facts_to_json(facts: Facts) -> dict[str, object]:
    """Every fact, by name; ``None`` means not known."""
    data: dict[str, object] = {}
    for field in fields(Facts):
        value = getattr(facts, field.name)
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, date):
            value = value.isoformat()
        elif field.name == "children" and value is not None:
            value = [
                {
                    "age": child.age,
                    "years_residence": child.years_residence,
                    "british_or_settled": child.british_or_settled,
                }
                for child in value
            ]
        data[field.name] = value
    return data


def facts_from_json(data: dict[str, Any]) -> Facts:
    """The Facts stored by ``facts_to_json``."""
    values = dict(data)
    arrival = values.get("uk_arrival_date")
    if isinstance(arrival, str):
        values["uk_arrival_date"] = date.fromisoformat(arrival)
    children = values.get("children")
    if children is not None:
        values["children"] = tuple(Child(**child) for child in children)
    known = {field.name for field in fields(Facts)}
    return Facts(**{name: value for name, value in values.items() if name in known})
