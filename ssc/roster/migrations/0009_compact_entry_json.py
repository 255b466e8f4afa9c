"""Roster entries' ``data`` stored compactly (UTF-8 hanzi, no spaces): the public API splices it as it is.

The field change is state only: on SQLite a real ``AlterField`` would rebuild the table and lose the triggers of
migrations 0002–0006, and no column changes. Entries written before are re-encoded on SQLite (on PostgreSQL
``jsonb`` keeps no text: its output is the same either way). Updating ``data`` fires none of the triggers.
"""

import json

from django.db import migrations, models

import ssc.roster.models

BATCH = 2_000


def recode(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    table = apps.get_model("roster", "RosterEntry")._meta.db_table
    with schema_editor.connection.cursor() as cur:
        last = 0
        while True:
            cur.execute(
                f"SELECT outlet_id, data FROM {table} WHERE outlet_id > %s ORDER BY outlet_id LIMIT %s",  # noqa: S608
                [last, BATCH],
            )
            rows = cur.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            compact = [
                (json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")), pk) for pk, text in rows
            ]
            changed = [(new, pk) for (new, pk), (_, old) in zip(compact, rows, strict=True) if new != old]
            if changed:
                cur.executemany(f"UPDATE {table} SET data = %s WHERE outlet_id = %s", changed)  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("roster", "0008_filter_covering_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="rosterentry",
                    name="data",
                    field=models.JSONField(encoder=ssc.roster.models.CompactJSONEncoder, verbose_name="公开信息"),
                ),
            ],
        ),
        migrations.RunPython(recode, migrations.RunPython.noop, elidable=True),
    ]
