"""Reading identity CSV files (register imports and caseloads to screen), strictly.

Both files have the same columns: ``id, given_names, family_name, aliases, dob, sex,
nationality, passport_no, ho_ref`` and optionally ``address, postcode``. The reader streams
the bytes, checks they are UTF-8 (a byte order mark is allowed), parses the CSV strictly and
validates every row. A problem with the file as a whole (encoding, quoting, header) raises
``FileProblem``; a row that cannot be used (no usable name, a date that cannot be a date of
birth, a bad id) is yielded as a ``RowProblem`` so that the caller can stop or, when asked to,
skip it. Row numbers count the header as row 1, as a spreadsheet does.

Unusual is not invalid: a value the matcher can live without never refuses a row. A
nationality SafeShare does not recognise is kept as given; a sex it does not recognise is
stored as unknown; a document number, address or postcode that is too long or holds control
characters is left out. Each is a warning on the row (``IdentityRow.warnings``, kinds in
``WARNINGS``), counted by kind in the import, screen and sweep reports.

No Django here: the command, the web upload and the background sweep all use this module.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from safeshare.cases.lifecycle import OffenceCategory
from safeshare.matching.record import IdentityRecord
from safeshare.people.identity import (
    MAX_NAME,
    clean_name,
    resolve_nationality,
    validate_date_of_birth,
)

REQUIRED_COLUMNS = (
    "id",
    "given_names",
    "family_name",
    "aliases",
    "dob",
    "sex",
    "nationality",
    "passport_no",
    "ho_ref",
)
OPTIONAL_COLUMNS = ("address", "postcode", "crime_reference", "offence_category")
COLUMNS_TEXT = f"{', '.join(REQUIRED_COLUMNS)} (and optionally {', '.join(OPTIONAL_COLUMNS)})"
REJECT_COLUMNS = ("row", "reason")
OUTPUT_COLUMNS = ("query_id", "register_id", "decision", "score")

MAX_ID = 64
MAX_DOCUMENT = 30
MAX_ADDRESS = 300
MAX_POSTCODE = 16
MAX_ALIASES = 20
MAX_NATIONALITY = 100
MAX_CRIME_REFERENCE = 40
OFFENCE_CATEGORIES = tuple(category.value for category in OffenceCategory)

WARNINGS = {
    "nationality_not_recognised": "nationality not recognised: kept as given",
    "nationality_shortened": "nationality longer than 100 characters: kept shortened",
    "sex_not_recognised": "sex not recognised: stored as unknown",
    "passport_no_left_out": "passport_no too long or not text: left out",
    "ho_ref_left_out": "ho_ref too long or not text: left out",
    "address_left_out": "address too long or not text: left out",
    "postcode_left_out": "postcode too long or not text: left out",
}
"""The kinds of warning a row can carry, and how a report describes each."""
CHUNK_BYTES = 1 << 20
BOM = codecs.BOM_UTF8
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:-]{0,63}")
_SEX = {
    "": "",
    "f": "female",
    "female": "female",
    "w": "female",
    "woman": "female",
    "m": "male",
    "male": "male",
    "man": "male",
    "x": "other",
    "o": "other",
    "other": "other",
    "u": "unknown",
    "unknown": "unknown",
    "not known": "unknown",
}


class FileProblem(ValueError):
    """The file as a whole cannot be read: nothing from it may be used."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One row that cannot be used, why, and its values as read (for a reject file)."""

    row: int
    reason: str
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"Row {self.row}: {self.reason}"


@dataclass(frozen=True, slots=True)
class IdentityRow:
    """One usable row: canonical values (``sex`` a ``people.identity.Sex`` value or '',
    ``nationality`` an alpha-3 code or '', ``nationality_text`` the nationality as given when it
    has no code) and the kinds of warning it raised (keys of ``WARNINGS``)."""

    row: int
    id: str
    given_names: str
    family_name: str
    aliases: tuple[str, ...]
    dob: str
    sex: str
    nationality: str
    passport_no: str
    ho_ref: str
    address: str = ""
    postcode: str = ""
    nationality_text: str = ""
    #: The force's case that holds the protection open, and its kind of offence (both or
    #: neither); without them the import itself is the protection's holding reason.
    crime_reference: str = ""
    offence_category: str = ""
    warnings: tuple[str, ...] = ()
    raw: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def record(self) -> IdentityRecord:
        """The matcher's view of the row (as ``service.record_from_fields`` builds it)."""
        return IdentityRecord(
            given_names=self.given_names,
            family_name=self.family_name,
            aliases=self.aliases,
            date_of_birth=self.dob or None,
            sex=self.sex or None,
            nationality=self.nationality or self.nationality_text or None,
            passport_number=self.passport_no or None,
            home_office_reference=self.ho_ref or None,
            address=self.address or None,
            postcode=self.postcode or None,
        )


# --- Bytes to lines --------------------------------------------------------------------------


class _Lines:
    """UTF-8 lines from a binary stream, with the SHA-256 and count of the bytes read."""

    def __init__(
        self,
        stream: BinaryIO | Iterable[bytes],
        chunk_bytes: int = CHUNK_BYTES,
        copy_to: BinaryIO | None = None,
    ):
        self._stream = stream
        self._chunk_bytes = chunk_bytes
        self._copy_to = copy_to
        self.digest = hashlib.sha256()
        self.bytes_read = 0
        self._newlines = 0

    def _chunks(self) -> Iterator[bytes]:
        read = getattr(self._stream, "read", None)
        if read is None:
            yield from self._stream
            return
        while chunk := read(self._chunk_bytes):
            yield chunk

    def __iter__(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        carry = ""
        first = True
        for chunk in self._chunks():
            offset = self.bytes_read
            self.digest.update(chunk)
            if self._copy_to is not None:
                self._copy_to.write(chunk)
            self.bytes_read += len(chunk)
            body = chunk
            if first:
                first = False
                if chunk.startswith(BOM):
                    body = chunk[len(BOM) :]
                    offset += len(BOM)
            pending = len(decoder.getstate()[0])
            try:
                text = decoder.decode(body)
            except UnicodeDecodeError as error:
                self._encoding_problem(body, offset - pending + error.start, error.start - pending)
            self._newlines += chunk.count(b"\n")
            parts = (carry + text).split("\n")
            carry = parts.pop()
            for part in parts:
                yield part + "\n"
        try:
            tail = decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            self._encoding_problem(b"", self.bytes_read, 0, at_end=True)
        if carry or tail:
            yield carry + tail

    def _encoding_problem(
        self, body: bytes, position: int, index: int, *, at_end: bool = False
    ) -> None:
        line = self._newlines + body[: max(index, 0)].count(b"\n") + 1
        where = "ends in the middle of a character" if at_end else f"has a byte at {position}"
        raise FileProblem(
            f"The file is not UTF-8 text: it {where} (line {line}) that is not UTF-8. "
            "Save it as ‘CSV UTF-8’ and try again."
        )


# --- Rows ------------------------------------------------------------------------------------


class IdentityCsv:
    """Stream an identity CSV file: ``for item in IdentityCsv(stream)`` gives ``IdentityRow``
    or ``RowProblem`` items; ``FileProblem`` stops the iteration. ``copy_to`` receives every
    byte read (to keep exactly the file that was checked)."""

    def __init__(
        self,
        stream: BinaryIO | Iterable[bytes],
        *,
        chunk_bytes: int = CHUNK_BYTES,
        copy_to: BinaryIO | None = None,
    ) -> None:
        self._lines = _Lines(stream, chunk_bytes, copy_to)
        self.header: tuple[str, ...] = ()
        self.index: dict[str, int] = {}
        self.width = 0
        self.rows_read = 0

    @property
    def bytes_read(self) -> int:
        return self._lines.bytes_read

    @property
    def content_digest(self) -> str:
        """SHA-256 of the bytes read so far (all of them once iteration has finished)."""
        return self._lines.digest.hexdigest()

    def __iter__(self) -> Iterator[IdentityRow | RowProblem]:
        for row, values in self.raw():
            yield validate_row(values, self.index, row, self.width)

    def raw(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, values) of each data row, unchecked; the header is checked first and
        sets ``index`` and ``width`` for ``validate_row``."""
        reader = csv.reader(self._lines, strict=True)
        record = 0
        try:
            for values in reader:
                record += 1
                if record == 1:
                    self.header = tuple(values)
                    self.index = header_index(values)
                    self.width = len(values)
                    continue
                if not "".join(values).strip():
                    continue  # a blank line, or one of empty cells
                self.rows_read += 1
                yield record, values
        except csv.Error as error:
            raise FileProblem(
                f"The file is not well-formed CSV near line {reader.line_num}: {error}. Check "
                "for a quotation mark that is not closed."
            ) from error
        if record == 0:
            raise FileProblem(
                f"The file is empty. The first row must name the columns {COLUMNS_TEXT}."
            )


def header_index(values: list[str]) -> dict[str, int]:
    """Column positions from the header row, or ``FileProblem`` naming the expected columns."""
    names = [value.strip().lower() for value in values]
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    unknown = [name or "(blank)" for name in names if name not in known]
    repeated = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        problems.append("it is missing " + ", ".join(missing))
    if unknown:
        problems.append("it has columns SafeShare does not know: " + ", ".join(unknown))
    if repeated:
        problems.append("it names a column twice: " + ", ".join(repeated))
    if problems:
        raise FileProblem(
            f"The first row must name the columns {COLUMNS_TEXT}, but "
            + "; and ".join(problems)
            + "."
        )
    return {name: position for position, name in enumerate(names)}


def _name(value: str, column: str) -> str:
    """``people.identity.clean_name``, with a fast path for plain printable ASCII."""
    if value.isascii() and value.isprintable():
        value = " ".join(value.split())
        if len(value) > MAX_NAME:
            raise ValueError(f"{column} must be {MAX_NAME} characters or fewer")
        return value
    return clean_name(value, column)


def _text(value: str, column: str, limit: int) -> str:
    if not value:
        return value
    if not value.isprintable() and any(ord(ch) < 32 and ch != "\t" for ch in value):
        raise ValueError(f"{column} must not contain control characters")
    value = " ".join(value.split())
    if len(value) > limit:
        raise ValueError(f"{column} must be {limit} characters or fewer")
    return value


def validate_row(
    values: list[str], index: dict[str, int], row: int, width: int
) -> IdentityRow | RowProblem:
    """One data row, checked strictly: an ``IdentityRow`` or the first ``RowProblem``."""
    raw = tuple(values)
    if len(values) != width:
        return RowProblem(
            row, f"it has {len(values)} values but the header names {width} columns", raw
        )

    def get(name: str) -> str:
        position = index.get(name)
        return values[position].strip() if position is not None else ""

    try:
        identifier = get("id")
        if not identifier:
            raise ValueError("id is empty: every row needs its own id")
        if not _ID.fullmatch(identifier):
            raise ValueError(
                f"id ‘{identifier[:70]}’ must be up to {MAX_ID} letters, digits and . _ / : - "
                "and start with a letter or digit"
            )
        given = _name(get("given_names"), "given_names")
        family = _name(get("family_name"), "family_name")
        aliases_text = get("aliases")
        aliases = (
            tuple(a for a in (_name(part, "aliases") for part in aliases_text.split(";")) if a)
            if aliases_text
            else ()
        )
        if len(aliases) > MAX_ALIASES:
            raise ValueError(f"aliases must list {MAX_ALIASES} names or fewer")
        if not (given or family):
            raise ValueError("give a given name or a family name")
        if not any(ch.isalpha() for ch in given + family + "".join(aliases)):
            raise ValueError("the names have no letters: give a name the person is known by")
        dob_text = get("dob")
        try:
            dob = validate_date_of_birth(dob_text)
        except ValueError as error:
            raise ValueError(
                f"dob ‘{dob_text[:20]}’ cannot be used: {_lower_first(str(error))}"
            ) from error
        warnings: list[str] = []
        sex_text = get("sex")
        sex = _SEX.get(" ".join(sex_text.lower().split()))
        if sex is None:
            sex = "unknown"
            warnings.append("sex_not_recognised")
        nationality, nationality_text = _nationality(get("nationality"), warnings)
        passport = _optional(get("passport_no"), "passport_no", MAX_DOCUMENT, warnings)
        ho_ref = _optional(get("ho_ref"), "ho_ref", MAX_DOCUMENT, warnings)
        address = _optional(get("address"), "address", MAX_ADDRESS, warnings)
        postcode = _optional(get("postcode"), "postcode", MAX_POSTCODE, warnings)
        crime_reference, offence = _case(get("crime_reference"), get("offence_category"))
    except ValueError as error:
        return RowProblem(row, str(error), raw)
    return IdentityRow(
        row=row,
        id=identifier,
        given_names=given,
        family_name=family,
        aliases=aliases,
        dob=dob,
        sex=sex,
        nationality=nationality,
        passport_no=passport,
        ho_ref=ho_ref,
        address=address,
        postcode=postcode,
        nationality_text=nationality_text,
        crime_reference=crime_reference,
        offence_category=offence,
        warnings=tuple(warnings),
        raw=raw,
    )


def _case(reference: str, offence: str) -> tuple[str, str]:
    """The case to attach the protection to: a crime reference and an offence category, both
    or neither (a case cannot be recorded without its kind of offence)."""
    reference = _text(reference, "crime_reference", MAX_CRIME_REFERENCE).upper()
    offence = " ".join(offence.lower().split()).replace(" ", "_")
    if not reference and not offence:
        return "", ""
    if not reference:
        raise ValueError("crime_reference is empty: give it with offence_category, or neither")
    if not offence:
        raise ValueError("offence_category is empty: give it with crime_reference, or neither")
    if offence not in OFFENCE_CATEGORIES:
        raise ValueError(
            f"offence_category ‘{offence[:40]}’ must be one of {', '.join(OFFENCE_CATEGORIES)}"
        )
    return reference, offence


def _nationality(text: str, warnings: list[str]) -> tuple[str, str]:
    """(alpha-3 or ICAO code, or ''; the text as given when it has no code). Never refused:
    text SafeShare does not recognise is kept (and still compared as text by the matcher)."""
    if not text:
        return "", ""
    cleaned = "".join(ch for ch in text if ch.isprintable())
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        return "", ""
    if len(cleaned) > MAX_NATIONALITY:
        cleaned = cleaned[:MAX_NATIONALITY].rstrip()
        warnings.append("nationality_shortened")
    code, unresolved = resolve_nationality(cleaned)
    if code:
        return code, ""
    warnings.append("nationality_not_recognised")
    return "", unresolved or cleaned


def _optional(value: str, column: str, limit: int, warnings: list[str]) -> str:
    """A value the matcher can do without: left out, with a warning, when it cannot be kept."""
    try:
        return _text(value, column, limit)
    except ValueError:
        warnings.append(f"{column}_left_out")
        return ""


def count_warnings(counts: dict[str, int], row: IdentityRow) -> None:
    for kind in row.warnings:
        counts[kind] = counts.get(kind, 0) + 1


def describe_warnings(counts: dict[str, int]) -> list[str]:
    """``["12 rows: nationality not recognised: kept as given", …]``, commonest first."""
    return [
        f"{n:,} {'row' if n == 1 else 'rows'}: {WARNINGS.get(kind, kind)}"
        for kind, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# --- Writing ---------------------------------------------------------------------------------


def write_rejects(handle: TextIO, header: Iterable[str], problems: Iterable[RowProblem]) -> int:
    """A reject file: the row number, the reason and the row's values as read."""
    writer = csv.writer(handle)
    writer.writerow([*REJECT_COLUMNS, *header])
    count = 0
    for problem in problems:
        writer.writerow([problem.row, problem.reason, *(safe_cell(v) for v in problem.values)])
        count += 1
    return count


def safe_cell(value: str) -> str:
    """Neutralise a spreadsheet formula in a value echoed back from an uploaded file."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
