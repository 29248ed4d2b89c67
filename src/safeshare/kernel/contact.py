"""A contact point: whom to call about a protection, and when (ADR 0053).

Each organisation sets one (team, telephone, email, opening hours, out-of-hours route); the
protocol custodian's national contact point comes from the settings. Pages show it as a summary
list; places that need a string (the API's ``contact_point``, the ledger, a protection's record)
take its one line: team, telephone and hours.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

#: Digits, spaces, a leading +, brackets and hyphens: "0121 626 5000", "+44 (0)20 7946 0000".
TELEPHONE = re.compile(r"^\+?[0-9 ()\-]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: The longest one-line rendering: a protection's ``contact_point`` holds 200 characters.
ONE_LINE_LIMIT = 200
LIMITS = {"team": 200, "telephone": 30, "email": 254, "hours": 200, "out_of_hours": 300}
LABELS = {
    "team": "Team name",
    "telephone": "Telephone",
    "email": "Email address",
    "hours": "Opening hours",
    "out_of_hours": "Out of hours",
}


@dataclass(frozen=True)
class ContactPoint:
    team: str = ""
    telephone: str = ""
    email: str = ""
    hours: str = ""
    out_of_hours: str = ""

    def __bool__(self) -> bool:
        return bool(self.team or self.telephone)

    def one_line(self, limit: int = ONE_LINE_LIMIT) -> str:
        """Team, telephone and hours: "WMP protocol desk, 0121 626 5000 (Monday to Friday…)".

        At most ``limit`` characters (what a protection records): the hours go first, then the
        end of the team name, never the telephone number."""
        line = ", ".join(part for part in (self.team, self.telephone) if part)
        if self.hours and len(line) + len(self.hours) + 3 <= limit:
            line += f" ({self.hours})"
        if len(line) > limit:
            tail = f", {self.telephone}" if self.telephone else ""
            line = self.team[: limit - len(tail) - 1].rstrip() + "…" + tail
        return line

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def contact_problems(contact: ContactPoint) -> dict[str, str]:
    """What is wrong with ``contact``, field by field, in GOV.UK error-message style."""
    problems: dict[str, str] = {}
    for field, limit in LIMITS.items():
        value = getattr(contact, field)
        if len(value) > limit:
            problems[field] = f"{LABELS[field]} must be {limit} characters or fewer"
    if contact.telephone and "telephone" not in problems:
        digits = sum(ch.isdigit() for ch in contact.telephone)
        if not TELEPHONE.fullmatch(contact.telephone) or not 3 <= digits <= 15:
            problems["telephone"] = (
                "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
            )
    if contact.email and "email" not in problems and not EMAIL.fullmatch(contact.email):
        problems["email"] = (
            "Enter an email address in the correct format, like name@example.police.uk"
        )
    if not contact.team and any(
        (contact.telephone, contact.email, contact.hours, contact.out_of_hours)
    ):
        problems["team"] = "Enter the team name"
    return problems
