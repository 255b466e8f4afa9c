"""A bigram posting table for the public directory search (ssc.directory.search).

``roster_entry_bigram(gram, outlet_id)``: every distinct two-character substring of a roster entry's name and of
its address (never across the two), primary key ``(gram, outlet_id)``. A two-character search term (渝中, 支行)
cannot use a trigram index (pg_trgm, SQLite's FTS5 trigram table) and used to scan every entry; it is now one
index range of this table. Kept in step by triggers on ``roster_rosterentry`` (insert, delete, update of
outlet_id/name/address), on both databases; filled from the existing entries here.

SQLite: the grams are of ``lower(…)`` (ASCII only, as SQLite's ``LIKE`` compares), the positions come from a
small table of integers ``roster_entry_bigram_pos`` (triggers cannot use recursive CTEs). PostgreSQL: the grams
as stored (``LIKE`` is case-sensitive there), from ``generate_series`` in a PL/pgSQL trigger function.
NOTE (as for 0002's FTS triggers): a later migration that makes Django rebuild ``roster_rosterentry`` on SQLite
drops these triggers and must create them again (``SQLITE_TRIGGERS``); ssc.directory's tests check the sync.
"""

from django.db import migrations

MAX_POS = 2000  # longer than any name (100) or address (200) the registry accepts

SQLITE_GRAMS = """SELECT substr(lower({r}.name), i, 2), {r}.outlet_id FROM roster_entry_bigram_pos
        WHERE i < length({r}.name)
    UNION SELECT substr(lower({r}.address), i, 2), {r}.outlet_id FROM roster_entry_bigram_pos
        WHERE i < length({r}.address)"""
SQLITE_TABLES = (
    "CREATE TABLE IF NOT EXISTS roster_entry_bigram_pos (i INTEGER PRIMARY KEY)",
    """CREATE TABLE IF NOT EXISTS roster_entry_bigram (
        gram TEXT NOT NULL, outlet_id INTEGER NOT NULL, PRIMARY KEY (gram, outlet_id)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS roster_entry_bigram_outlet ON roster_entry_bigram (outlet_id)",
)
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER IF NOT EXISTS roster_entry_bigram_ai AFTER INSERT ON roster_rosterentry BEGIN
        INSERT OR IGNORE INTO roster_entry_bigram (gram, outlet_id) {SQLITE_GRAMS.format(r="new")};
    END""",
    """CREATE TRIGGER IF NOT EXISTS roster_entry_bigram_ad AFTER DELETE ON roster_rosterentry BEGIN
        DELETE FROM roster_entry_bigram WHERE outlet_id = old.outlet_id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS roster_entry_bigram_au AFTER UPDATE OF outlet_id, name, address
        ON roster_rosterentry BEGIN
        DELETE FROM roster_entry_bigram WHERE outlet_id = old.outlet_id;
        INSERT OR IGNORE INTO roster_entry_bigram (gram, outlet_id) {SQLITE_GRAMS.format(r="new")};
    END""",  # noqa: S608 - constant SQL
)

PG_GRAMS = """SELECT substr({r}.name, i, 2), {r}.outlet_id FROM generate_series(1, char_length({r}.name) - 1) i
        UNION SELECT substr({r}.address, i, 2), {r}.outlet_id
        FROM generate_series(1, char_length({r}.address) - 1) i"""
PG_SQL = (
    """CREATE TABLE IF NOT EXISTS roster_entry_bigram (
        gram text NOT NULL, outlet_id bigint NOT NULL, PRIMARY KEY (gram, outlet_id))""",
    "CREATE INDEX IF NOT EXISTS roster_entry_bigram_outlet ON roster_entry_bigram (outlet_id)",
    f"""CREATE OR REPLACE FUNCTION roster_entry_bigram_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM roster_entry_bigram WHERE outlet_id = OLD.outlet_id;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            INSERT INTO roster_entry_bigram (gram, outlet_id) {PG_GRAMS.format(r="NEW")}
            ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END $$""",  # noqa: S608 - constant SQL
    "DROP TRIGGER IF EXISTS roster_entry_bigram_sync ON roster_rosterentry",
    """CREATE TRIGGER roster_entry_bigram_sync AFTER INSERT OR DELETE OR UPDATE OF outlet_id, name, address
        ON roster_rosterentry FOR EACH ROW EXECUTE FUNCTION roster_entry_bigram_sync()""",
)


def _forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for sql in SQLITE_TABLES:
            schema_editor.execute(sql)
        schema_editor.execute(
            "INSERT OR IGNORE INTO roster_entry_bigram_pos (i) "
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) SELECT i FROM n",
            [MAX_POS],
        )
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)
        schema_editor.execute(
            "INSERT OR IGNORE INTO roster_entry_bigram (gram, outlet_id) "
            + SQLITE_GRAMS.format(r="e").replace(
                "roster_entry_bigram_pos", "roster_entry_bigram_pos, roster_rosterentry e"
            )
        )
    elif vendor == "postgresql":
        for sql in PG_SQL:
            schema_editor.execute(sql)
        schema_editor.execute(
            "INSERT INTO roster_entry_bigram (gram, outlet_id) SELECT substr(e.name, i, 2), e.outlet_id "
            "FROM roster_rosterentry e, generate_series(1, char_length(e.name) - 1) i "
            "UNION SELECT substr(e.address, i, 2), e.outlet_id "
            "FROM roster_rosterentry e, generate_series(1, char_length(e.address) - 1) i "
            "ON CONFLICT DO NOTHING"
        )


def _backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS roster_entry_bigram_{name}")
        schema_editor.execute("DROP TABLE IF EXISTS roster_entry_bigram")
        schema_editor.execute("DROP TABLE IF EXISTS roster_entry_bigram_pos")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS roster_entry_bigram_sync ON roster_rosterentry")
        schema_editor.execute("DROP FUNCTION IF EXISTS roster_entry_bigram_sync()")
        schema_editor.execute("DROP TABLE IF EXISTS roster_entry_bigram")


class Migration(migrations.Migration):
    dependencies = [
        ("roster", "0003_covering_outlet_id"),
    ]

    operations = [
        migrations.RunPython(_forwards, _backwards, elidable=False),
    ]
