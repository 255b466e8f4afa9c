"""Fixtures for relocation tests: valid payloads and a reported move of outlet A (district A, bank A)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ssc.accounts.choices import Role
from ssc.relocations import services

TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW_ADDRESS = "渝中区民族路188号环球金融中心1层"


def pdf(name: str = "lease.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def at(day: str, hour: int = 10) -> datetime:
    y, m, d = (int(x) for x in day.split("-"))
    return datetime(y, m, d, hour, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def report_data(world, outlet_key="A", **extra):
    outlet = world.outlets[outlet_key]
    return {
        "new_address": NEW_ADDRESS,
        "new_district": outlet.district_id,
        "new_latitude": 29.5601,
        "new_longitude": 106.5802,
        "planned_move_on": "2026-12-20",
        "reason": "原址租约到期",
        **extra,
    }


def assess_data(result="compliant", **extra):
    data = {"assessed_on": "2026-11-30", "result": result, "findings": "新址交通便利，设有无障碍通道。"}
    if result == "non_compliant":
        data["findings"] = "新址位于三楼且无电梯，不符合便民服务要求。"
    return {**data, **extra}


@pytest.fixture
def reported(world):
    """Outlet A's move, reported by its staff on 2026-11-25."""
    return services.relocation_report(
        actor=world.users[Role.OUTLET_STAFF],
        data=report_data(world),
        files={"documents": [pdf()]},
        at=at("2026-11-25"),
    )
