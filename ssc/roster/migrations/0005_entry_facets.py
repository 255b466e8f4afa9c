"""Facet counts of the visible roster entries, for the public directory's result counts (ssc.directory.search).

``roster_entry_facet(service, district_id, bank_id, instant_issuance, n)``: how many visible (not hidden) entries
have that district, bank and instant-issuance flag — in total (``service = ''``) and per card service they offer.
A search without text terms (district, bank, service, instant issuance, ``near``) then counts its matches by
summing a few of these rows instead of reading every matching entry: at 100,000 outlets, ``COUNT(*)`` with a
service filter read the whole table (~130 ms on SQLite), the facet sum reads at most a few thousand small rows.

Kept in step by triggers on ``roster_rosterentry`` (insert, delete, update of the counted columns), on both
databases, in the same transaction as the change; filled from the existing entries here. A service list is
``|code|code|``: SQLite splits it with the position table of migration 0004 (triggers cannot use recursive CTEs),
PostgreSQL with ``string_to_array``. ``ssc.roster.facets.check`` recomputes the counts from the entries (tests).
NOTE (as for 0002 and 0004): a later migration that makes Django rebuild ``roster_rosterentry`` on SQLite drops
these triggers and must create them again (``SQLITE_TRIGGERS``).
"""

from django.db import migrations

# The distinct facet keys of row ``{r}`` — '' (all) and each service it offers.
SQLITE_KEYS = """SELECT '' AS service UNION SELECT substr({r}.services, i + 1,
            instr(substr({r}.services, i + 1), '|') - 1) FROM roster_entry_bigram_pos
        WHERE i < length({r}.services) AND substr({r}.services, i, 1) = '|'
            AND substr({r}.services, i + 1, 1) <> '|'"""
SQLITE_INC = f"""INSERT INTO roster_entry_facet (service, district_id, bank_id, instant_issuance, n)
        SELECT service, new.district_id, new.bank_id, new.instant_issuance, 1 FROM ({SQLITE_KEYS.format(r="new")})
        WHERE NOT new.hidden
        ON CONFLICT (service, district_id, bank_id, instant_issuance) DO UPDATE SET n = n + 1;"""
SQLITE_DEC = f"""UPDATE roster_entry_facet SET n = n - 1 WHERE NOT old.hidden AND district_id = old.district_id
        AND bank_id = old.bank_id AND instant_issuance = old.instant_issuance
        AND service IN ({SQLITE_KEYS.format(r="old")});"""
SQLITE_TABLE = """CREATE TABLE IF NOT EXISTS roster_entry_facet (
        service TEXT NOT NULL, district_id INTEGER NOT NULL, bank_id INTEGER NOT NULL,
        instant_issuance BOOL NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (service, district_id, bank_id, instant_issuance)) WITHOUT ROWID"""
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER IF NOT EXISTS roster_entry_facet_ai AFTER INSERT ON roster_rosterentry BEGIN
        {SQLITE_INC}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS roster_entry_facet_ad AFTER DELETE ON roster_rosterentry BEGIN
        {SQLITE_DEC}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS roster_entry_facet_au
        AFTER UPDATE OF hidden, district_id, bank_id, instant_issuance, services ON roster_rosterentry BEGIN
        {SQLITE_DEC}
        {SQLITE_INC}
    END""",
)

PG_KEYS = """SELECT '' AS service UNION SELECT s FROM unnest(string_to_array({r}.services, '|')) s WHERE s <> ''"""
PG_SQL = (
    """CREATE TABLE IF NOT EXISTS roster_entry_facet (
        service text NOT NULL, district_id bigint NOT NULL, bank_id bigint NOT NULL,
        instant_issuance boolean NOT NULL, n integer NOT NULL,
        PRIMARY KEY (service, district_id, bank_id, instant_issuance))""",
    f"""CREATE OR REPLACE FUNCTION roster_entry_facet_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.hidden THEN
            UPDATE roster_entry_facet SET n = n - 1 WHERE district_id = OLD.district_id
                AND bank_id = OLD.bank_id AND instant_issuance = OLD.instant_issuance
                AND service IN ({PG_KEYS.format(r="OLD")});
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') AND NOT NEW.hidden THEN
            INSERT INTO roster_entry_facet (service, district_id, bank_id, instant_issuance, n)
            SELECT k.service, NEW.district_id, NEW.bank_id, NEW.instant_issuance, 1 FROM ({PG_KEYS.format(r="NEW")}) k
            ON CONFLICT (service, district_id, bank_id, instant_issuance)
            DO UPDATE SET n = roster_entry_facet.n + 1;
        END IF;
        RETURN NULL;
    END $$""",  # noqa: S608 - constant SQL
    "DROP TRIGGER IF EXISTS roster_entry_facet_sync ON roster_rosterentry",
    """CREATE TRIGGER roster_entry_facet_sync
        AFTER INSERT OR DELETE OR UPDATE OF hidden, district_id, bank_id, instant_issuance, services
        ON roster_rosterentry FOR EACH ROW EXECUTE FUNCTION roster_entry_facet_sync()""",
)

# Fill from the existing entries (both databases: the keys per entry, then grouped).
FILL = {
    "sqlite": """INSERT INTO roster_entry_facet (service, district_id, bank_id, instant_issuance, n)
        SELECT k.service, e.district_id, e.bank_id, e.instant_issuance, COUNT(*) FROM roster_rosterentry e JOIN (
            SELECT outlet_id, '' AS service FROM roster_rosterentry
            UNION SELECT e2.outlet_id, substr(e2.services, p.i + 1, instr(substr(e2.services, p.i + 1), '|') - 1)
            FROM roster_rosterentry e2 JOIN roster_entry_bigram_pos p ON p.i < length(e2.services)
            WHERE substr(e2.services, p.i, 1) = '|' AND substr(e2.services, p.i + 1, 1) <> '|'
        ) k ON k.outlet_id = e.outlet_id
        WHERE NOT e.hidden GROUP BY k.service, e.district_id, e.bank_id, e.instant_issuance""",
    "postgresql": """INSERT INTO roster_entry_facet (service, district_id, bank_id, instant_issuance, n)
        SELECT k.service, e.district_id, e.bank_id, e.instant_issuance, COUNT(*) FROM roster_rosterentry e,
        LATERAL (SELECT '' AS service UNION SELECT s FROM unnest(string_to_array(e.services, '|')) s
            WHERE s <> '') k
        WHERE NOT e.hidden GROUP BY k.service, e.district_id, e.bank_id, e.instant_issuance""",
}


def _forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_TABLE)
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)
    elif vendor == "postgresql":
        for sql in PG_SQL:
            schema_editor.execute(sql)
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
        return
    schema_editor.execute(FILL[vendor])


def _backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS roster_entry_facet_{name}")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS roster_entry_facet_sync ON roster_rosterentry")
        schema_editor.execute("DROP FUNCTION IF EXISTS roster_entry_facet_sync()")
    schema_editor.execute("DROP TABLE IF EXISTS roster_entry_facet")


class Migration(migrations.Migration):
    dependencies = [
        ("roster", "0004_entry_bigrams"),
    ]

    operations = [
        migrations.RunPython(_forwards, _backwards, elidable=False),
    ]
