"""Fixtures for agreement tests: an agreement of outlet A (district A, bank A) recorded through the service."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ssc.accounts.choices import Role
from ssc.agreements import services

TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "agreement.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def at(day: str, hour: int = 10) -> datetime:
    y, m, d = (int(x) for x in day.split("-"))
    return datetime(y, m, d, hour, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def register(
    world, outlet_key="A", *, number="渝中社卡合〔2024〕1号", start="2024-01-01", end="2026-12-31", at_day=None
):
    """Record an agreement of ``outlet_key`` by the district officer of its district."""
    outlet = world.outlets[outlet_key]
    officer = (
        world.users[Role.DISTRICT_OFFICER]
        if outlet.district_id == world.districts["A"].pk
        else world.other[Role.DISTRICT_OFFICER]
    )
    return services.agreement_register(
        actor=officer,
        outlet_id=outlet.pk,
        data={"number": number, "signed_on": start, "term_start": start, "term_end": end},
        files={"signed_copy": pdf()},
        at=at(at_day) if at_day else None,
    )


def renew_payload(number="渝中社卡合〔2026〕88号", signed="2026-11-20", start="2027-01-01", end="2029-12-31"):
    return {"number": number, "signed_on": signed, "term_start": start, "term_end": end}


@pytest.fixture
def agreement(world):
    """SCENARIOS D: outlet A's agreement ends on 2026-12-31."""
    return register(world)
