"""The kinds of crime SafeShare records, one vocabulary for cases, protections, referrals,
advice and statistics (R3). Labels are for each page to choose; the values are stored."""

from __future__ import annotations

from enum import StrEnum


class OffenceCategory(StrEnum):
    """The kind of crime a case is about, or that a victim suffered."""

    DOMESTIC_ABUSE = "domestic_abuse"
    MODERN_SLAVERY_TRAFFICKING = "modern_slavery_trafficking"
    SEXUAL_OFFENCES = "sexual_offences"
    VIOLENCE_AGAINST_THE_PERSON = "violence_against_the_person"
    LABOUR_EXPLOITATION = "labour_exploitation"
    FORCED_MARRIAGE_OR_HONOUR_ABUSE = "forced_marriage_or_honour_abuse"
    HATE_CRIME = "hate_crime"
    OTHER = "other"
