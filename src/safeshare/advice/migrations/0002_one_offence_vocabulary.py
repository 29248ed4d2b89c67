"""Advice packs record the offence in the one vocabulary of ``kernel.offences``.

Two values were spelt differently in the advice facts: ``modern_slavery_or_trafficking`` is now
``modern_slavery_trafficking`` and ``sexual_violence`` is now ``sexual_offences``, as cases have
always stored them. Nothing else in a pack changes; the reverse migration restores the old
spellings.
"""

from django.db import migrations

RENAMED = {
    "modern_slavery_or_trafficking": "modern_slavery_trafficking",
    "sexual_violence": "sexual_offences",
}


def _rename(apps, mapping):
    AdvicePack = apps.get_model("advice", "AdvicePack")
    for pack in AdvicePack.objects.only("pk", "facts").iterator():
        facts = pack.facts or {}
        value = facts.get("offence_category")
        if value in mapping:
            facts["offence_category"] = mapping[value]
            AdvicePack.objects.filter(pk=pack.pk).update(facts=facts)


def forwards(apps, schema_editor):
    _rename(apps, RENAMED)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [("advice", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
