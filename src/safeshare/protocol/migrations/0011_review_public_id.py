"""Reviews get a public id, whose first eight characters are their short reference (ADR 0047).

The field is added empty, each existing review is given its own id (drawn again while its
short reference is taken), and only then made unique, with its short reference: a default of
``uuid.uuid4`` on the added field would give every existing row the same id and fail the unique
index."""

import uuid

from django.db import migrations, models
from django.db.models.functions import Cast, Left


def fill_public_ids(apps, schema_editor):
    Review = apps.get_model("protocol", "Review")
    taken: set[str] = set()
    for review in Review.objects.filter(public_id__isnull=True).order_by("pk").iterator():
        candidate = uuid.uuid4()
        while candidate.hex[:8] in taken:
            candidate = uuid.uuid4()
        taken.add(candidate.hex[:8])
        review.public_id = candidate
        review.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("protocol", "0010_merge"),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="review",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.UniqueConstraint(
                Left(Cast("public_id", output_field=models.CharField()), 8),
                name="protocol_review_reference_unique",
            ),
        ),
    ]
