"""On PostgreSQL, exclusion constraints make double booking impossible in the database.

SQLite has no exclusion constraints; there the booking service's serialised write path
(``BEGIN IMMEDIATE``) with an overlap check inside the transaction does the same job.
"""

from django.db import migrations

from meetings.db import CREATE_SQL, DROP_SQL


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CREATE_SQL:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP_SQL:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
