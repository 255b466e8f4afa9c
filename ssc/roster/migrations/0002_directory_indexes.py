"""Indexes for the public directory search (ssc.directory.search).

Everywhere: covering B-tree indexes that a ``LIKE '%…%'`` scan reads instead of the wide rows, in listing order,
and a (latitude, longitude) index for the ``near`` bounding box.

PostgreSQL only: the pg_trgm extension and GIN trigram indexes on the searched columns, so ``LIKE '%…%'`` is an
index search. SQLite only: ``roster_entry_fts``, an FTS5 table with the trigram tokenizer over name and address
(external content: the entry table itself, rowid = outlet id), kept in step by triggers. NOTE: when a later
migration makes Django rebuild ``roster_rosterentry`` on SQLite (most ALTERs do), the triggers are dropped with
the old table and must be created again (``FTS_TRIGGERS`` below); ssc.directory's tests check the sync.
Each part is a no-op on the other database.
"""

from django.db import migrations, models

TRGM_COLUMNS = ("name", "address", "name_initials", "name_pinyin")


def _trgm_forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for col in TRGM_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS roster_entry_{col}_trgm ON roster_rosterentry USING gin ({col} gin_trgm_ops)"
        )


def _trgm_backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for col in TRGM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS roster_entry_{col}_trgm")


FTS_TABLE = """CREATE VIRTUAL TABLE IF NOT EXISTS roster_entry_fts USING fts5(
    name, address, content='roster_rosterentry', content_rowid='outlet_id', tokenize='trigram')"""
FTS_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS roster_entry_fts_ai AFTER INSERT ON roster_rosterentry BEGIN
        INSERT INTO roster_entry_fts(rowid, name, address) VALUES (new.outlet_id, new.name, new.address);
    END""",
    """CREATE TRIGGER IF NOT EXISTS roster_entry_fts_ad AFTER DELETE ON roster_rosterentry BEGIN
        INSERT INTO roster_entry_fts(roster_entry_fts, rowid, name, address)
            VALUES ('delete', old.outlet_id, old.name, old.address);
    END""",
    """CREATE TRIGGER IF NOT EXISTS roster_entry_fts_au AFTER UPDATE OF outlet_id, name, address
        ON roster_rosterentry BEGIN
        INSERT INTO roster_entry_fts(roster_entry_fts, rowid, name, address)
            VALUES ('delete', old.outlet_id, old.name, old.address);
        INSERT INTO roster_entry_fts(rowid, name, address) VALUES (new.outlet_id, new.name, new.address);
    END""",
)


def _fts_forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(FTS_TABLE)
    for sql in FTS_TRIGGERS:
        schema_editor.execute(sql)
    schema_editor.execute("INSERT INTO roster_entry_fts(roster_entry_fts) VALUES ('rebuild')")


def _fts_backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in ("ai", "ad", "au"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS roster_entry_fts_{name}")
    schema_editor.execute("DROP TABLE IF EXISTS roster_entry_fts")


class Migration(migrations.Migration):
    dependencies = [
        ("roster", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="rosterentry",
            index=models.Index(fields=["name_pinyin", "name_initials", "hidden"], name="roster_entry_pinyin_ix"),
        ),
        migrations.AddIndex(
            model_name="rosterentry",
            index=models.Index(fields=["name", "address", "hidden", "name_pinyin"], name="roster_entry_text_ix"),
        ),
        migrations.AddIndex(
            model_name="rosterentry",
            index=models.Index(fields=["latitude", "longitude"], name="roster_entry_geo_ix"),
        ),
        migrations.AddIndex(
            model_name="rosterentry",
            index=models.Index(fields=["outlet_id", "hidden", "name_pinyin"], name="roster_entry_id_ix"),
        ),
        migrations.RunPython(_trgm_forwards, _trgm_backwards, elidable=False),
        migrations.RunPython(_fts_forwards, _fts_backwards, elidable=False),
    ]
