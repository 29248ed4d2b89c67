"""A large import (10^5 rows, several hundred thousand blocking keys) on both backends.

A 10^6-row import takes longer than this suite may (on SQLite in memory, and on this machine
well over two minutes), so it is measured by bench/matching_db.py instead.
"""

from __future__ import annotations

import io
import random

import pytest

from safeshare.register.actions import do_import_register
from safeshare.register.csvfiles import IdentityCsv
from safeshare.register.models import RegisterEntry, RegisterKey
from safeshare.register.service import match_subject
from safeshare.register.storage import SIZE_KEY
from tests.register.conftest import HEADER

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

GIVEN = [
    f"{a}{b}"
    for a in ("Ana", "Bela", "Cira", "Dan", "Emi", "Faro", "Gul", "Hadi")
    for b in ("na", "ri", "lo", "mes", "tan", "ko", "vi", "sul", "der", "pa")
]
FAMILY = [
    f"{a}{b}"
    for a in ("Ko", "Ra", "Sen", "Tavi", "Ulo", "Vesh", "Wari", "Yen", "Zam")
    for b in ("bari", "dosi", "menko", "ravic", "tulla", "zeno", "kim", "panu", "lesh")
]
NATIONALITIES = ["PAK", "Bangladeshi", "RO", "Vietnam", "ALB", "Nigerian", "", "ER"]


def large_file(rows: int, seed: int = 5) -> bytes:
    rng = random.Random(seed)
    lines = [HEADER]
    for number in range(rows):
        dob = rng.choice(
            [
                f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                f"{rng.randint(1950, 2005)}",
                "",
            ]
        )
        passport = f"P{rng.randrange(10**8):08d}" if rng.random() < 0.3 else ""
        lines.append(
            f"L{number},{rng.choice(GIVEN)} {rng.choice(GIVEN)},{rng.choice(FAMILY)},,{dob},"
            f"{rng.choice('FM')},{rng.choice(NATIONALITIES)},{passport},"
        )
    return ("\n".join(lines) + "\n").encode()


def test_a_hundred_thousand_rows_are_imported_whole(force, importer):
    size = 100_000
    reader = IdentityCsv(io.BytesIO(large_file(size)))
    result = do_import_register(
        reader, force, importer, content_digest=lambda: reader.content_digest, workers=1
    )
    assert result.imported == size
    assert RegisterEntry.objects.count() == size
    assert RegisterKey.objects.get(key=SIZE_KEY).n == size
    last = RegisterEntry.objects.select_related("identity").get(external_id=f"L{size - 1}")
    identity = last.identity
    outcome, result = match_subject(
        "s", {**identity.as_fields(), "passport_number": identity.passport_number or None}
    )
    assert str(last.pk) in {c.identity_id for c in outcome.candidates}
    assert result.decision != "none"
