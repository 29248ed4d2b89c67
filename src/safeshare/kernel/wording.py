"""What people read, without the codes engineers use.

Decision reasons name the requirement they come from, such as "(R33)" or "(R13, N5)": useful in
the API, the ledger and the code, meaningless to a police officer or a caseworker. Pages show
them through ``for_people``, which drops those references and leaves the sentence. A record's
UUID becomes its short reference, the first eight characters in capitals, as the clearance page
shows it.
"""

from __future__ import annotations

import re

REQUIREMENT = re.compile(r"(?:R(?:3[0-4]|[12]\d|[1-9])[a-z]?|N[1-7])")
_BRACKETED = re.compile(r"\s*\(([^()]*)\)")
UUID = re.compile(
    r"\b([0-9a-fA-F]{8})-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
)


def short_reference(record_id: object) -> str:
    """The short reference people read for a record known by a UUID."""
    return str(record_id).replace("-", "")[:8].upper()


def _without_codes(match: re.Match[str]) -> str:
    parts = [part.strip() for part in match.group(1).split(",")]
    kept = [part for part in parts if not REQUIREMENT.fullmatch(part)]
    if len(kept) == len(parts):
        return match.group(0)
    if not kept:
        return ""
    space = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip())]
    return f"{space}({', '.join(kept)})"


def for_people(text: str) -> str:
    """``text`` without bracketed requirement references ("Refused (R33)." becomes "Refused.")
    and with each UUID shortened to its short reference."""
    text = _BRACKETED.sub(_without_codes, str(text))
    return UUID.sub(lambda match: match.group(1).upper(), text)
