"""How two values of an identity compare, in words a protocol officer reads: "Same", "Similar"
or "Different" (pure; no Django).

The possible-match page puts Immigration Enforcement's subject beside each protected identity,
field by field, and says of each field whether they agree, so that the officer sees at a glance
what the matcher saw. These words describe; the matcher's own scoring decides the hold.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz


class Agreement(enum.StrEnum):
    SAME = "same"
    SIMILAR = "similar"
    DIFFERENT = "different"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return AGREEMENT_LABELS[self]


AGREEMENT_LABELS = {
    Agreement.SAME: "Same",
    Agreement.SIMILAR: "Similar",
    Agreement.DIFFERENT: "Different",
    Agreement.MISSING: "Cannot compare",
}

NAME_FIELDS = frozenset({"given_names", "family_name", "aliases"})
SIMILAR_NAME = 80.0  # rapidfuzz token-set ratio, 0–100


def folded(value: str) -> str:
    """Case, accents, punctuation and spacing removed: ``Fátima  O'Neil`` → ``fatima oneil``."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    kept = "".join(c for c in decomposed if c.isalnum() or c.isspace())
    return " ".join(kept.split())


def compare_names(ours: Iterable[str], theirs: Iterable[str]) -> Agreement:
    """The best agreement between any of one side's names and any of the other's."""
    left = [folded(name) for name in ours if folded(name)]
    right = [folded(name) for name in theirs if folded(name)]
    if not left or not right:
        return Agreement.MISSING
    if set(left) & set(right):
        return Agreement.SAME
    best = max(fuzz.token_set_ratio(a, b) for a in left for b in right)
    return Agreement.SIMILAR if best >= SIMILAR_NAME else Agreement.DIFFERENT


def compare_dates_of_birth(ours: str, theirs: str) -> Agreement:
    """Dates known in part (``1991``, ``1991-03``, ``1991-03-14``) agree as far as both go:
    ``1991`` and ``1991-03-14`` are similar, not the same; a different year or month differs."""
    if not ours or not theirs:
        return Agreement.MISSING
    if ours == theirs:
        return Agreement.SAME
    shared = min(len(ours), len(theirs))
    if ours[:shared] == theirs[:shared]:
        return Agreement.SIMILAR
    # One digit typed wrongly, or day and month swapped, still looks like the same date.
    if len(ours) == len(theirs) == 10:
        swapped = f"{theirs[:4]}-{theirs[8:10]}-{theirs[5:7]}"
        typo = sum(a != b for a, b in zip(ours, theirs, strict=True)) == 1
        if ours == swapped or typo:
            return Agreement.SIMILAR
    return Agreement.DIFFERENT


def compare_codes(ours: str, theirs: str) -> Agreement:
    """Documents and codes: the same after folding, else one character out is similar."""
    left, right = folded(ours).replace(" ", ""), folded(theirs).replace(" ", "")
    if not left or not right:
        return Agreement.MISSING
    if left == right:
        return Agreement.SAME
    if fuzz.ratio(left, right) >= 85:
        return Agreement.SIMILAR
    return Agreement.DIFFERENT


def compare_field(name: str, ours: object, theirs: object) -> Agreement:
    """One identity field of a protected person against the same field of IE's subject."""
    if name in NAME_FIELDS:
        return compare_names(as_names(ours), as_names(theirs))
    left, right = str(ours or "").strip(), str(theirs or "").strip()
    if name == "date_of_birth":
        return compare_dates_of_birth(left, right)
    if name in {"passport_number", "home_office_reference"}:
        return compare_codes(left, right)
    if not left or not right or "unknown" in (left.casefold(), right.casefold()):
        return Agreement.MISSING
    return Agreement.SAME if folded(left) == folded(right) else Agreement.DIFFERENT


def as_names(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return [str(value)]


RANK = (Agreement.SAME, Agreement.SIMILAR, Agreement.DIFFERENT, Agreement.MISSING)


def best(agreements: Iterable[Agreement]) -> Agreement:
    """The closest agreement of several (a person recorded under more than one identity)."""
    return min(agreements, key=RANK.index, default=Agreement.MISSING)


def hold_sentence(agreements: dict[str, Agreement], labels: dict[str, str]) -> str:
    """Why this person is a possible match, in one sentence, from the fields' agreement:
    "The date of birth is the same and the family name is similar, but the given names are
    different." """
    found = {
        kind: [labels[name].lower() for name, a in agreements.items() if a is kind]
        for kind in (Agreement.SAME, Agreement.SIMILAR, Agreement.DIFFERENT)
    }
    parts = [
        _clause(found[Agreement.SAME], "the same"),
        _clause(found[Agreement.SIMILAR], "similar"),
    ]
    parts = [part for part in parts if part]
    if not parts:
        return "None of the details given agree. The matcher's working below says why it held."
    sentence = join_words(parts)
    if found[Agreement.DIFFERENT]:
        sentence += ", but " + _clause(found[Agreement.DIFFERENT], "different")
    return sentence[0].upper() + sentence[1:] + "."


def _clause(fields: list[str], adjective: str) -> str:
    """ "the family name is similar", "the given names and the sex are different"."""
    if not fields:
        return ""
    plural = len(fields) > 1 or fields[0].endswith("names")
    verb = "are" if plural else "is"
    return f"{join_words([f'the {field}' for field in fields])} {verb} {adjective}"


def join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
