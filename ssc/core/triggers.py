"""Database triggers, written once for SQLite and PostgreSQL.

Django has no trigger API; these helpers emit the vendor's SQL from one description so that the rules
the database must keep (the audit log is append-only; an outlet's sub-branch is of the same bank) hold
even for writes that bypass the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    events: tuple[str, ...]  # "INSERT", "UPDATE", "DELETE"
    message: str
    # A SQL boolean over NEW/OLD: the row is refused when it is true. None: always refused.
    when: str | None = None

    def sqlite_create(self) -> list[str]:
        stmts = []
        for ev in self.events:
            cond = f" WHEN {self.when}" if self.when else ""
            stmts.append(
                f"CREATE TRIGGER IF NOT EXISTS {self.name}_{ev.lower()} BEFORE {ev} ON {self.table} "
                f"FOR EACH ROW{cond} BEGIN SELECT RAISE(ABORT, '{self.message}'); END;"
            )
        return stmts

    def sqlite_drop(self) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS {self.name}_{ev.lower()};" for ev in self.events]

    def postgresql_create(self) -> list[str]:
        body = f"RAISE EXCEPTION '{self.message}' USING ERRCODE = 'integrity_constraint_violation';"
        if self.when:
            body = f"IF {self.when} THEN {body} END IF;"
        returns = "RETURN OLD;" if self.events == ("DELETE",) else "RETURN COALESCE(NEW, OLD);"
        stmts = [
            f"CREATE OR REPLACE FUNCTION {self.name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} {returns} END; $$;",
            f"DROP TRIGGER IF EXISTS {self.name} ON {self.table};",
            f"CREATE TRIGGER {self.name} BEFORE {' OR '.join(self.events)} ON {self.table} "
            f"FOR EACH ROW EXECUTE FUNCTION {self.name}_fn();",
        ]
        return stmts

    def postgresql_drop(self) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS {self.name} ON {self.table};"]

    def create_sql(self, vendor: str) -> list[str]:
        return self.postgresql_create() if vendor == "postgresql" else self.sqlite_create()

    def drop_sql(self, vendor: str) -> list[str]:
        return self.postgresql_drop() if vendor == "postgresql" else self.sqlite_drop()


def install(connection: Any, triggers: list[Trigger]) -> None:
    with connection.cursor() as cursor:
        for t in triggers:
            for sql in t.create_sql(connection.vendor):
                cursor.execute(sql)


def uninstall(connection: Any, triggers: list[Trigger]) -> None:
    with connection.cursor() as cursor:
        for t in triggers:
            for sql in t.drop_sql(connection.vendor):
                cursor.execute(sql)


def migration_operations(triggers: list[Trigger]) -> Any:
    """A ``RunPython`` operation installing ``triggers`` (and removing them on reverse)."""
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        install(schema_editor.connection, triggers)

    def backward(apps: Any, schema_editor: Any) -> None:
        uninstall(schema_editor.connection, triggers)

    return migrations.RunPython(forward, backward)
