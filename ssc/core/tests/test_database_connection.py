"""Database connections outlive a request (on SQLite as on PostgreSQL), without a per-thread file mapping on SQLite.

Opening a SQLite connection parses the whole schema (~250 tables, indexes and triggers) and starts with a cold page
cache: about 3 ms per request when every request opened its own (P2 of PERFORMANCE.md, uncached).
"""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection


def _get(path: str) -> tuple[str, bytes]:
    """One request through the real WSGI handler (``django.test.Client`` would keep connections open anyway)."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.input": BytesIO(),
        "wsgi.url_scheme": "http",
        "wsgi.errors": BytesIO(),
    }
    status: list[str] = []
    result = WSGIHandler()(environ, lambda s, h, exc_info=None: status.append(s))
    try:
        body = b"".join(result)
    finally:
        result.close()  # sends request_finished, as every WSGI server does
    return status[0], body


@pytest.mark.django_db(transaction=True)
def test_a_request_keeps_its_database_connection_for_the_next():
    status, body = _get("/readyz")
    assert status.startswith("200") and connection.vendor.encode() in body
    raw = connection.connection
    assert raw is not None  # the request's connection is still open after the response was closed
    status, _ = _get("/readyz")
    assert status.startswith("200")
    assert connection.connection is raw  # and the next request used it again


@pytest.mark.django_db
def test_sqlite_connections_map_no_file():
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite setting: PostgreSQL keeps no file mapping in the worker")
    with connection.cursor() as cursor:
        # A mapping per persistent connection would count the database file once per thread in the worker's RSS.
        assert cursor.execute("PRAGMA mmap_size").fetchone()[0] == 0
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
