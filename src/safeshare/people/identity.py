"""Validation of identity fields, shared by every form, API endpoint and importer.

Field names are the service's canonical ones: given_names, family_name, aliases, date_of_birth
(``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), sex, nationality, passport_number,
home_office_reference.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from safeshare.matching.fields import normalise_nationality

DATE_OF_BIRTH = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
MAX_NAME = 200
_INVISIBLE = {"Cf", "Cc", "Cs", "Co", "Cn"}


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


def clean_name(value: str, field: str) -> str:
    """NFC-normalise a name, drop invisible characters, collapse spaces; refuse control codes."""
    text = unicodedata.normalize("NFC", value)
    if any(unicodedata.category(ch) == "Cc" for ch in text if ch not in "\t"):
        raise ValueError(f"{field} must not contain control characters")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)
    text = " ".join(text.split())
    if len(text) > MAX_NAME:
        raise ValueError(f"{field} must be {MAX_NAME} characters or fewer")
    return text


def validate_date_of_birth(value: str | None, *, today: dt.date | None = None) -> str:
    """Check a full or partial date of birth; return it unchanged or '' when empty."""
    if value is None or not value.strip():
        return ""
    value = value.strip()
    match = DATE_OF_BIRTH.match(value)
    if not match:
        raise ValueError(
            "Date of birth must be YYYY, YYYY-MM or YYYY-MM-DD, for example 1990-04-23"
        )
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None  # the pattern requires a year
    today = today or dt.date.today()
    if year < 1900 or year > today.year:
        raise ValueError(f"Date of birth year must be between 1900 and {today.year}")
    if month is not None and not 1 <= month <= 12:
        raise ValueError("Date of birth month must be between 01 and 12")
    if day is not None:
        try:
            born = dt.date(year, month, day)  # type: ignore[arg-type]
        except ValueError as error:
            raise ValueError("Date of birth must be a real date") from error
        if born > today:
            raise ValueError("Date of birth must be in the past")
    return value


def resolve_nationality(value: str | None) -> tuple[str, str]:
    """(ISO 3166 alpha-3 code or '', the text as given when it could not be resolved)."""
    if value is None or not value.strip():
        return "", ""
    text = " ".join(value.split())
    code = normalise_nationality(text)
    if code and len(code) == 3 and code.isalpha() and code.isupper():
        return code, ""
    return "", text[:100]


class IdentityIn(BaseModel):
    """One identity of a person, as given by a caller."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    given_names: str = Field(default="", max_length=MAX_NAME)
    family_name: str = Field(default="", max_length=MAX_NAME)
    aliases: list[str] = Field(default_factory=list, max_length=20)
    date_of_birth: str | None = Field(default=None, examples=["1990-04-23", "1990-04", "1990"])
    sex: Sex | None = None
    nationality: str | None = Field(
        default=None,
        examples=["BGD", "Bangladeshi", "XXA", "Kurdish", "stateless"],
        description="A code, country or nationality, or free text: never refused. Kept as given "
        "(up to 100 characters) when SafeShare does not recognise it.",
    )
    passport_number: str | None = Field(default=None, max_length=30)
    home_office_reference: str | None = Field(default=None, max_length=30)

    @field_validator("given_names", "family_name")
    @classmethod
    def _names(cls, value: str, info) -> str:
        return clean_name(value, info.field_name.replace("_", " ").capitalize())

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, value: list[str]) -> list[str]:
        cleaned = [clean_name(alias, "Alias") for alias in value]
        return [alias for alias in cleaned if alias]

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, value: str | None) -> str | None:
        return validate_date_of_birth(value) or None

    @field_validator("nationality")
    @classmethod
    def _nationality(cls, value: str | None) -> str | None:
        """Never refused (a value the matcher can live without): control characters are
        dropped, spaces collapsed and text beyond 100 characters cut off."""
        if value is None:
            return None
        text = " ".join("".join(ch for ch in value if ch.isprintable()).split())
        return text[:100].rstrip() or None

    @field_validator("passport_number", "home_office_reference")
    @classmethod
    def _document(cls, value: str | None) -> str | None:
        if value is None:
            return None
        cleaned = re.sub(r"[\s-]", "", value).upper()
        if cleaned and not re.fullmatch(r"[A-Z0-9/]{3,30}", cleaned):
            raise ValueError("Use only letters, numbers and /")
        return cleaned or None

    def _requires_name(self) -> bool:
        return True

    @model_validator(mode="after")
    def _some_name(self) -> IdentityIn:
        if self._requires_name() and not (self.given_names or self.family_name):
            raise ValueError("Give at least a given name or a family name")
        return self
