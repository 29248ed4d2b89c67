"""A register import attaches each protection to the case its row names (crime reference and
offence category), so the case holds it open as any case does."""

from __future__ import annotations

import pytest

from safeshare.cases.models import Case, Party
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.active import active_policy
from safeshare.protocol.models import Protection, ProtectionCase
from safeshare.register.models import RegisterEntry
from tests.register.conftest import HEADER, counts
from tests.register.test_import import import_text, refused

pytestmark = pytest.mark.django_db

WITH_CASES = f"""{HEADER},crime_reference,offence_category
C1,Fatema,Begum,,1991-03-14,F,BGD,,,20/1001/26,domestic_abuse
C2,Ali,Khan,,1980,M,PK,,,20/1001/26,domestic_abuse
C3,Maria,Ionescu,,1988-07-02,F,RO,,,20/777/26,modern slavery trafficking
C4,Tran,Thi Lan,,1995-11,F,VN,,,,
"""


def protection_of(external_id: str) -> Protection:
    return (
        RegisterEntry.objects.select_related("protection").get(external_id=external_id).protection
    )


def test_each_protection_is_attached_to_the_case_its_row_names(force, importer):
    from safeshare.cases.actions import do_create_case

    existing = do_create_case(importer, crime_reference="20/777/26", offence_category="other")
    result = import_text(WITH_CASES, force, importer)
    assert (result.imported, result.attached, result.new_cases) == (4, 3, 1)
    shared = Case.objects.get(force=force, crime_reference="20/1001/26")
    assert shared.offence_category == "domestic_abuse"
    assert Party.objects.filter(case=shared, role="victim").count() == 2
    assert set(Case.objects.filter(force=force).values_list("crime_reference", flat=True)) == {
        "20/1001/26",
        "20/777/26",
    }
    assert Party.objects.filter(case=existing).count() == 1  # the force's own case is used
    for external_id, case in (("C1", shared), ("C2", shared), ("C3", existing)):
        protection = protection_of(external_id)
        assert ProtectionCase.objects.filter(protection=protection, case=case).exists()
        assert protection.status == "active"
        assert protection.status_reasons[0].startswith(f"Held open by case {case.public_id}")
    assert not ProtectionCase.objects.filter(protection=protection_of("C4")).exists()


def test_a_recompute_keeps_an_attached_protection_active(force, importer):
    import_text(WITH_CASES, force, importer)
    protection = protection_of("C1")
    assert not protocol_actions.refresh_protection(protection, importer, active_policy())
    assert protection.status == "active"


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ("20/1/26,", "row 2: offence_category is empty"),
        (",domestic_abuse", "row 2: crime_reference is empty"),
        ("20/1/26,parking", "row 2: offence_category ‘parking’ must be one of"),
        ("x" * 41 + ",other", "row 2: crime_reference must be 40 characters or fewer"),
    ],
)
def test_a_case_column_that_cannot_be_used_stores_nothing(force, importer, cells, message):
    before = counts()
    text = f"{HEADER},crime_reference,offence_category\nC1,Fatema,Begum,,1991,F,BGD,,,{cells}\n"
    assert message.lower() in refused(text, force, importer).lower()
    assert counts() == before
    assert not Case.objects.exists()


def test_the_command_reports_the_attached_protections(force, tmp_path):
    import io

    from django.core.management import call_command

    path = tmp_path / "wmp.csv"
    path.write_text(WITH_CASES, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "register", "import", str(path), "--org", "WMP", "--quiet", "--workers", "0", stdout=out
    )
    assert "3 protections attached to the case their row named (2 cases recorded new)." in (
        out.getvalue()
    )
