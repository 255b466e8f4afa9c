"""Fixtures for inspection tests: recording through the service, walking an inspection to a state, small files."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ssc.accounts.choices import Role
from ssc.core.testing import make_user
from ssc.inspections import services
from ssc.inspections.models import Inspection

TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ)


def record_payload(world, *, requests_action: bool = True, **extra) -> dict:
    data = {
        "inspected_on": "2026-10-20",
        "scope": "社保卡即时制卡服务及投诉电话公示情况现场检查",
        "outlets": [world.outlets["A"].code],
        "findings": "大厅未公示投诉电话；即时制卡设备故障未报修",
        "requests_action": requests_action,
        "requested_action": "督促网点限期整改并反馈" if requests_action else "",
    }
    data.update(extra)
    return data


def record(world, *, by=Role.REGULATOR, requests_action: bool = True, files=None, **extra) -> Inspection:
    actor = world.users[by] if isinstance(by, str) else by
    data = record_payload(world, requests_action=requests_action, **extra)
    return services.record(actor=actor, data=data, files=files, at=at("2026-10-20"))


PAYLOADS = {
    "respond": {"response": "已下达整改通知，网点已公示投诉电话并报修设备"},
    "close": {"note": "反馈情况属实，予以办结"},
}


def put_in_state(world, state: str) -> Inspection:
    """An inspection of outlet A (district A) recorded by the HRSS regulator, in ``state``."""
    if state == "recorded":
        return record(world, requests_action=False)
    case = record(world)
    if state == "action_requested":
        return case
    case = services.perform(
        case.pk, "respond", actor=world.users[Role.DISTRICT_OFFICER], data=PAYLOADS["respond"], at=at("2026-10-27")
    )
    if state == "responded":
        return case
    if state == "closed":
        return services.perform(
            case.pk, "close", actor=world.users[Role.REGULATOR], data=PAYLOADS["close"], at=at("2026-10-30")
        )
    raise AssertionError(state)


@pytest.fixture
def nfra_regulator(world):
    """A regulator of the other inspecting organisation (金融监管总局重庆监管局)."""
    return make_user("regulator_nfra", Role.REGULATOR, world.orgs["nfra"])
