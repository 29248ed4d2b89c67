"""On PostgreSQL, compare blocking keys byte by byte and drop the pattern index Django adds to
text primary keys (its creation is deferred to the end of 0004, hence a migration of its own)."""

from django.db import migrations


def tune_key_column(apps, schema_editor):
    """On PostgreSQL: compare keys byte by byte ("C" collation) and drop the extra
    ``text_pattern_ops`` index Django adds to text primary keys (nothing searches by prefix)."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    table = "matching_registerkey"
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
        for name, info in constraints.items():
            if info.get("index") and not info.get("primary_key") and name.endswith("_like"):
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        cursor.execute(f'ALTER TABLE {table} ALTER COLUMN "key" TYPE text COLLATE "C"')


class Migration(migrations.Migration):
    dependencies = [("matching", "0004_register_storage")]

    operations = [migrations.RunPython(tune_key_column, migrations.RunPython.noop)]
