"""What every benchmark in ``bench/`` shares: Django set up on a temporary database, and the result table.

``setup_django(tag)`` points Django at a fresh database of its own:

- SQLite (default, ``DATABASE_URL`` unset): a file in a new temporary folder, which is also ``SSC_DATA_DIR``
  (uploaded documents); migrated here;
- PostgreSQL (``DATABASE_URL`` set): a scratch database ``test_<name>_<tag>`` next to the one the URL names,
  created (any left-over of that name is dropped first) and migrated by Django's test-database machinery.

It returns a ``BenchDb`` with a label for the table, the vendor, the temporary folder, the environment a
subprocess (e.g. granian) needs to reach the same database, and ``teardown()`` which drops the scratch
database (unless ``keep``) and removes the temporary folder.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class BenchDb:
    label: str
    vendor: str
    tmp: str
    env: dict[str, str] = field(default_factory=dict)
    teardown: Callable[[], None] = lambda: None


def setup_django(
    tag: str,
    *,
    keep: bool = False,
    sqlite_only: bool = False,
    apps: Sequence[str] = (),
    seed_calendar: bool = False,
) -> BenchDb:
    """Set Django up on a fresh database for benchmark ``tag`` (see the module docstring).

    ``keep``: PostgreSQL only, keep (and reuse) the scratch database; ``sqlite_only``: ignore ``DATABASE_URL``;
    ``apps``: migrate only these apps (SQLite); ``seed_calendar``: load the working-day calendar the tests use.
    """
    tmp = tempfile.mkdtemp(prefix=f"ssc-bench-{tag}-")
    if sqlite_only:
        os.environ.pop("DATABASE_URL", None)
    os.environ["SSC_DATA_DIR"] = tmp  # the SQLite file and uploaded documents
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SSC_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    import django
    from django.conf import settings

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    env = {"SSC_DATA_DIR": tmp}
    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"test_{connection.settings_dict['NAME']}_{tag}"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep, serialize=False)
        s = settings.DATABASES["default"]
        auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"

        def teardown() -> None:
            if not keep:
                _drop_scratch(connection, settings.DATABASES["default"]["NAME"])
            shutil.rmtree(tmp, ignore_errors=True)

    else:
        for app in apps or [""]:
            call_command("migrate", *([app] if app else []), verbosity=0)

        def teardown() -> None:
            shutil.rmtree(tmp, ignore_errors=True)

    if seed_calendar:
        from ssc.workcalendar.testing import ensure_seeded

        ensure_seeded()
    label = f"{connection.vendor} ({connection.settings_dict['NAME']})"
    return BenchDb(label=label, vendor=connection.vendor, tmp=tmp, env=env, teardown=teardown)


def _drop_scratch(connection: Any, original_name: str) -> None:
    """Drop the scratch PostgreSQL database; a server the benchmark started may still be closing its sessions,
    so a refusal ("being accessed by other users") is retried for a while."""
    from django.db import OperationalError

    for attempt in range(30):
        try:
            connection.creation.destroy_test_db(original_name, verbosity=0)
            return
        except OperationalError:
            if attempt == 29:
                raise
            time.sleep(1)


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


HEADER = ("metric", "value", "floor", "ratio", "target", "pass")


def print_table(
    title: str, rows: Iterable[Sequence[object]], notes: Iterable[str] = (), header: Sequence[str] = HEADER
) -> None:
    """The title, notes, then the rows in aligned columns under ``header``."""
    rows = [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(str(r[i])) for r in [tuple(header), *rows]) for i in range(len(header))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(title)
    for n in notes:
        print(n)
    print(line.format(*header))
    print(line.format(*["-" * w for w in widths]))
    for r in rows:
        print(line.format(*r))
