from __future__ import annotations

import pytest

from ssc.workcalendar import services


@pytest.fixture(autouse=True)
def _fresh_engine(request):
    """Each test starts and ends with an empty in-process calendar cache: a test's rolled-back writes must
    not leak into the next test through the compiled table."""
    services.invalidate()
    yield
    services.invalidate()


@pytest.fixture
def calendar_seeded(db):
    from ssc.workcalendar.testing import ensure_seeded

    ensure_seeded()


@pytest.fixture
def center(world):
    from ssc.accounts.choices import Role

    return world.users[Role.CENTER_OFFICER]
