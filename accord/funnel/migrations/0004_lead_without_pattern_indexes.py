"""Drop the two ``varchar_pattern_ops`` indexes PostgreSQL got for the lead's unique email and
external id.

Django adds such an index beside every unique or indexed text column so that ``LIKE 'abc%'``
can use an index. Accord never searches leads by prefix: lookups by email and external id are
exact (the unique indexes serve them) and the lead search is ``icontains``, which no B-tree
serves. Every rewrite of a lead row, as when rescoring a million leads after a scoring-model
change, paid for updating both. SQLite never had them.
"""

from typing import Any

from django.db import migrations

COLUMNS = ["email", "external_id"]


def _names(schema_editor: Any) -> list[str]:
    return [
        schema_editor._create_index_name("funnel_lead", [column], suffix="_like")
        for column in COLUMNS
    ]


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _names(schema_editor):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, name in zip(COLUMNS, _names(schema_editor), strict=True):
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON funnel_lead ("{column}" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("funnel", "0003_default_pipeline")]

    operations = [migrations.RunPython(drop, restore)]
