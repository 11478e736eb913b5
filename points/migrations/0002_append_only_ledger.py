"""On PostgreSQL, the database itself refuses to update or delete a ledger entry."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION points_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'points ledger entries are append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER points_entry_append_only
    BEFORE UPDATE OR DELETE ON points_entry
    FOR EACH ROW EXECUTE FUNCTION points_entry_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS points_entry_append_only ON points_entry;
DROP FUNCTION IF EXISTS points_entry_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
