"""Identity matching for clearances: normalise, block, score and decide (no Django).

Typical use::

    from safeshare.matching import IdentityRecord, InMemoryRegister, Matcher, prepare

    register = InMemoryRegister()
    register.add(42, IdentityRecord("Fatema", "Begum", date_of_birth="1990-03-04"))
    subject = IdentityRecord("Mst Fatimma", "Begom", date_of_birth="1990")
    result = Matcher().match(subject, register)
    result.decision, result.clearance, result.explain()

See docs/matching.md for the design, the interface and the benchmark.
"""

from safeshare.matching.blocking import blocking_keys, query_keys
from safeshare.matching.fields import (
    NATIONALITY_NOT_STATED,
    NATIONALITY_UNKNOWN,
    classify_nationality,
)
from safeshare.matching.matcher import (
    CLEARANCE,
    EVIDENCE_FIELDS,
    CandidateScore,
    Decision,
    FieldComparison,
    Matcher,
    MatchResult,
)
from safeshare.matching.model import MatchModel, Thresholds, load_model
from safeshare.matching.record import IdentityRecord, PreparedIdentity, prepare
from safeshare.matching.register import CandidateSource, InMemoryRegister

__all__ = [
    "CLEARANCE",
    "EVIDENCE_FIELDS",
    "NATIONALITY_NOT_STATED",
    "NATIONALITY_UNKNOWN",
    "CandidateScore",
    "CandidateSource",
    "Decision",
    "FieldComparison",
    "IdentityRecord",
    "InMemoryRegister",
    "MatchModel",
    "MatchResult",
    "Matcher",
    "PreparedIdentity",
    "Thresholds",
    "blocking_keys",
    "classify_nationality",
    "load_model",
    "prepare",
    "query_keys",
]
