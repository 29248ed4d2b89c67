"""The identity record the service exchanges with the matcher, and its prepared form."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field

from safeshare.matching.blocking import blocking_keys
from safeshare.matching.fields import (
    PartialDate,
    format_date,
    normalise_address,
    normalise_document,
    normalise_nationality,
    normalise_postcode,
    normalise_sex,
    parse_canonical_date,
    parse_date_of_birth,
)
from safeshare.matching.names import name_readings
from safeshare.matching.normalise import has_han

__all__ = ["IdentityRecord", "PreparedIdentity", "prepare"]

PREPARED_FORMAT = 1


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    """One identity as a source system records it (police register row or IE subject).

    ``aliases`` are full names, each an identity in its own right. ``date_of_birth`` is
    ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ``nationality`` may be an alpha-3 or alpha-2 code,
    a country name, an adjective or free text.
    """

    given_names: str = ""
    family_name: str = ""
    aliases: tuple[str, ...] = ()
    date_of_birth: str | None = None
    sex: str | None = None
    nationality: str | None = None
    passport_number: str | None = None
    home_office_reference: str | None = None
    address: str | None = None
    postcode: str | None = None


@dataclass(frozen=True, slots=True)
class PreparedIdentity:
    """An identity normalised once: what comparisons and blocking read, never raw text.

    ``names`` holds the canonical tokens of the primary name first, then of its other
    readings (``names.name_readings``), then of each alias and its readings; ``han_readings``
    marks the Wade–Giles and Cantonese readings of Han characters, which are compared only
    with names of an identity that has none (see ``compare.compare_names``).
    ``date_of_birth`` is ``(year, month, day)`` with 0 for unknown parts.
    """

    names: tuple[tuple[str, ...], ...]
    #: Bit ``k`` is set when ``names[k]`` is another reading of a name in Han characters
    #: (Wade–Giles, Cantonese), not a name as written.
    han_readings: int = 0
    date_of_birth: PartialDate = (0, 0, 0)
    sex: str = ""
    nationality: str = ""
    passport_number: str = ""
    home_office_reference: str = ""
    postcode: str = ""
    address: str = ""
    keys: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def has_date_of_birth(self) -> bool:
        return self.date_of_birth[0] != 0

    @property
    def has_full_date_of_birth(self) -> bool:
        _, month, day = self.date_of_birth
        return bool(month and day) and not (month == 1 and day == 1)

    @property
    def has_document(self) -> bool:
        return bool(self.passport_number or self.home_office_reference)

    def to_json(self) -> str:
        """Compact JSON for storage next to the register row (keys included)."""
        doc: dict[str, object] = {"f": PREPARED_FORMAT, "n": [list(n) for n in self.names]}
        for short, value in (
            ("d", format_date(self.date_of_birth)),
            ("s", self.sex),
            ("c", self.nationality),
            ("p", self.passport_number),
            ("h", self.home_office_reference),
            ("pc", self.postcode),
            ("a", self.address),
        ):
            if value:
                doc[short] = value
        if self.han_readings:
            doc["r"] = self.han_readings
        doc["k"] = sorted(self.keys)
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes, *, with_keys: bool = True) -> PreparedIdentity:
        """Read ``to_json``'s form back. Candidates for scoring need no blocking keys
        (``with_keys=False``): leaving them out makes the identity quicker to read and about
        half the size in a cache."""
        doc = json.loads(text)
        if doc.get("f") != PREPARED_FORMAT:
            msg = f"unsupported prepared identity format {doc.get('f')!r}"
            raise ValueError(msg)
        intern = sys.intern
        return cls(
            names=tuple([tuple(map(intern, n)) for n in doc["n"]]),
            han_readings=doc.get("r", 0),
            date_of_birth=parse_canonical_date(doc.get("d")),
            sex=doc.get("s", ""),
            nationality=doc.get("c", ""),
            passport_number=doc.get("p", ""),
            home_office_reference=doc.get("h", ""),
            postcode=doc.get("pc", ""),
            address=doc.get("a", ""),
            keys=frozenset(doc.get("k", ())) if with_keys else frozenset(),
        )


def prepare(record: IdentityRecord) -> PreparedIdentity:
    """Normalise every field of ``record`` once and attach its blocking keys."""
    names: list[tuple[str, ...]] = []
    han_readings = 0
    for parts in ((record.given_names, record.family_name), *((a,) for a in record.aliases)):
        readings = name_readings(*parts)  # the name as written comes first
        han = len(readings) > 1 and any(part and has_han(part) for part in parts)
        for k, tokens in enumerate(readings):
            if tokens not in names:
                if han and k:
                    han_readings |= 1 << len(names)
                names.append(tokens)
    prepared = PreparedIdentity(
        names=tuple(names),
        han_readings=han_readings,
        date_of_birth=parse_date_of_birth(record.date_of_birth),
        sex=normalise_sex(record.sex),
        nationality=normalise_nationality(record.nationality),
        passport_number=normalise_document(record.passport_number),
        home_office_reference=normalise_document(record.home_office_reference),
        postcode=normalise_postcode(record.postcode),
        address=normalise_address(record.address),
    )
    return _with_keys(prepared, blocking_keys(prepared))


def _with_keys(prepared: PreparedIdentity, keys: frozenset[str]) -> PreparedIdentity:
    object.__setattr__(prepared, "keys", keys)
    return prepared
