"""Project-wide pytest fixtures."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

# Every test runs on a pinned, ticking clock starting at this instant. Deadlines computed from "now" need the
# working-day calendar of the years they reach; the seeded calendar ends with 2026 (the center enters later years),
# so without the pin a test that acts "today" would start failing in late December 2026. Mark a test
# ``@pytest.mark.real_clock`` to run it on the machine's clock.
PINNED_NOW = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _pinned_clock(request):
    if request.node.get_closest_marker("real_clock"):
        yield
        return
    with time_machine.travel(PINNED_NOW, tick=True):
        yield


@pytest.fixture
def world(db):
    """The small test world of ``ssc.core.testing`` (every role, two districts, two banks)."""
    from ssc.core.testing import build_world

    return build_world()


@pytest.fixture(autouse=True)
def _audit_triggers_for_flush(request):
    """Transactional tests end with a flush (DELETE/TRUNCATE of every table); the append-only trigger
    would refuse it. Such tests drop the trigger at teardown, and every test re-installs it at set-up,
    so the trigger is always in force while a test runs."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    uses_live_server = "live_server" in request.fixturenames or "transactional_db" in request.fixturenames
    if marker is None and not uses_live_server and "db" not in request.fixturenames:
        yield
        return
    from django.db import connection

    from ssc.audit.triggers import TRIGGERS
    from ssc.core import triggers

    global _FLUSHED
    if _FLUSHED:
        # Outside any test transaction, so the re-seeded rows survive the next test's rollback.
        with request.getfixturevalue("django_db_blocker").unblock():
            _reseed()
        _FLUSHED = False
    request.getfixturevalue("transactional_db" if (transactional or uses_live_server) else "db")
    triggers.install(connection, TRIGGERS)
    from ssc.workcalendar import services as calendar

    calendar.invalidate()  # a calendar edit rolled back by an earlier test must not linger in the cache
    yield
    if transactional or uses_live_server:
        triggers.uninstall(connection, TRIGGERS)
        _FLUSHED = True


_FLUSHED = False


def _reseed() -> None:
    """Put back what data migrations seed (the flush of a transactional test empties every table)."""
    from ssc.admission.models import DEFAULT_READINESS_CHECKLIST, DEFAULT_SITE_CHECKLIST, Checklist
    from ssc.workcalendar.testing import ensure_seeded

    ensure_seeded()
    from ssc.evaluations.services import ensure_default_indicator_set

    ensure_default_indicator_set()
    Checklist.objects.get_or_create(kind="site_verification", version=1, defaults={"items": DEFAULT_SITE_CHECKLIST})
    Checklist.objects.get_or_create(kind="readiness", version=1, defaults={"items": DEFAULT_READINESS_CHECKLIST})


def pytest_configure(config):
    from django.conf import settings

    # CI sets SSC_REQUIRE_BROWSER=1: the browser tests must run there, never be skipped for want of Chromium.
    if os.environ.get("SSC_REQUIRE_BROWSER") == "1":
        import importlib.util

        if not Path("/usr/bin/chromium").exists() or importlib.util.find_spec("playwright") is None:
            raise pytest.UsageError("SSC_REQUIRE_BROWSER=1 but /usr/bin/chromium or playwright is missing")

    # Hashing cost is irrelevant to what the tests check; the production hasher stays PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded test documents go to a scratch folder, never into the working tree's var/media.
    import tempfile

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="ssc-test-media-")
