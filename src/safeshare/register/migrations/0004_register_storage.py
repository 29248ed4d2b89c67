"""Register storage for 10^6 identities: one row per blocking key with a packed posting list,
prepared identities as compact text, imports and sweeps (docs/adr/0005-register-storage.md)."""

import json
import sys
import uuid
from array import array

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

SIZE_KEY = "#"


def _text(value):
    """The prepared JSON as text: earlier rows held it as a JSON string inside JSON."""
    while isinstance(value, str) and value.startswith('"'):
        value = json.loads(value)
    if isinstance(value, dict):
        value = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return value


def unwrap_prepared(apps, schema_editor):
    entry_model = apps.get_model("matching", "RegisterEntry")
    for entry in entry_model.objects.only("id", "prepared").iterator(chunk_size=2000):
        fixed = _text(entry.prepared)
        if fixed != entry.prepared:
            entry_model.objects.filter(pk=entry.pk).update(prepared=fixed)


def rebuild_postings(apps, schema_editor):
    entry_model = apps.get_model("matching", "RegisterEntry")
    key_model = apps.get_model("matching", "RegisterKey")
    postings: dict[str, array] = {}
    size = 0
    for entry_id, prepared in entry_model.objects.values_list("id", "prepared").iterator(
        chunk_size=2000
    ):
        size += 1
        for key in json.loads(prepared).get("k", ()):
            postings.setdefault(key, array("q")).append(entry_id)
    rows = []
    for key, ids in sorted(postings.items()):
        if sys.byteorder != "little":
            ids.byteswap()
        rows.append(key_model(key=key, n=len(ids), ids=ids.tobytes()))
    rows.append(key_model(key=SIZE_KEY, n=size, ids=b""))
    key_model.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0003_initial"),
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.DeleteModel(name="RegisterKey"),
        migrations.AlterField(
            model_name="registerentry",
            name="prepared",
            field=models.TextField(help_text="PreparedIdentity.to_json(): compact JSON."),
        ),
        migrations.RunPython(unwrap_prepared, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="registerentry",
            name="external_id",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddConstraint(
            model_name="registerentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("external_id", ""), _negated=True),
                fields=("source", "external_id"),
                name="register_entry_external_id_unique",
            ),
        ),
        migrations.CreateModel(
            name="RegisterKey",
            fields=[
                ("key", models.TextField(primary_key=True, serialize=False)),
                ("n", models.IntegerField()),
                ("ids", models.BinaryField()),
            ],
        ),
        migrations.RunPython(rebuild_postings, migrations.RunPython.noop),
        migrations.CreateModel(
            name="RegisterImport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("imported_by", models.CharField(max_length=200)),
                ("count", models.PositiveIntegerField()),
                ("rejected", models.PositiveIntegerField(default=0)),
                (
                    "content_digest",
                    models.CharField(help_text="SHA-256 of the file.", max_length=64),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                    ),
                ),
            ],
            options={"ordering": ["-created_at"]},
        ),
        migrations.CreateModel(
            name="Sweep",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("requester", models.CharField(max_length=200)),
                ("role", models.CharField(max_length=32)),
                (
                    "upload_name",
                    models.CharField(
                        help_text="The uploaded file's name, shown only; never used as a path.",
                        max_length=100,
                    ),
                ),
                (
                    "stored_name",
                    models.CharField(help_text="Generated name under var/sweeps/.", max_length=64),
                ),
                ("content_digest", models.CharField(max_length=64)),
                ("size_bytes", models.PositiveBigIntegerField()),
                ("total_rows", models.PositiveIntegerField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Waiting to start"),
                            ("running", "Running"),
                            ("done", "Finished"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                    ),
                ),
                ("processed_rows", models.PositiveIntegerField(default=0)),
                ("blocked_count", models.PositiveIntegerField(default=0)),
                ("hold_count", models.PositiveIntegerField(default=0)),
                ("clear_count", models.PositiveIntegerField(default=0)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("error", models.TextField(blank=True)),
                ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["status"], name="sweep_status_idx")],
            },
        ),
    ]
