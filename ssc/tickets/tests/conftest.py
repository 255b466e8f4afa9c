"""Fixtures for ticket and problem report tests: valid payloads, a second hotline, cases put in any state."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ssc.accounts.choices import Role
from ssc.core.testing import make_user
from ssc.registry.choices import OrganisationKind
from ssc.registry.models import Organisation
from ssc.tickets import services

TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PHONE = "13812341234"
MASKED = "138****1234"
CALLER = "张三丰"


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    y, m, d = (int(x) for x in day.split("-"))
    return datetime(y, m, d, hour, minute, tzinfo=TZ)


def log_data(world, **overrides):
    """A valid ``log`` payload: a 12345 complaint against outlet A (SCENARIOS B.1)."""
    data = {
        "outlet": world.outlets["A"].pk,
        "channel": "12345",
        "category": "complaint",
        "content": "网点拒绝为来电人即时制卡。",
        "caller_name": CALLER,
        "caller_contact": PHONE,
        "received_at": "2026-05-11T09:30:00+08:00",
    }
    data.update(overrides)
    return data


# Valid payloads of the later actions (data only; none carries files).
ACTION_DATA = {
    "answer": {"answer": "已联系来电人致歉，并于次日为其即时制卡。"},
    "reopen": {"reason": "来电人表示仍未办理。"},
    "close": {"satisfaction": 4, "note": "回访满意"},
    "reply": {"reply": "已联系技术支持，明日上门处理。"},
}


@pytest.fixture
def hotline2(world):
    """An operator of another hotline (12333): outside the scope of tickets the 12345 hotline logged."""
    org = Organisation.objects.create(code="hotline-12333", name="12333人社服务热线", kind=OrganisationKind.HOTLINE)
    return make_user("hotline_12333", Role.HOTLINE_OPERATOR, org)


@pytest.fixture
def colleague(world):
    """A second operator of the same 12345 hotline."""
    return make_user("hotline_operator_a2", Role.HOTLINE_OPERATOR, world.orgs["hotline"])


def log(world, day: str = "2026-05-11", **overrides):
    """A ticket logged by the 12345 operator, received and logged on ``day``."""
    data = log_data(world, received_at=f"{day}T09:30:00+08:00", **overrides)
    return services.ticket_log(actor=world.users[Role.HOTLINE_OPERATOR], data=data, at=at(day, 10))


def ticket_in_state(world, state: str):
    """A ticket of outlet A in ``state`` (open, answered or closed), through the service layer."""
    ticket = log(world)
    if state in ("answered", "closed"):
        ticket = services.perform_ticket(
            ticket.pk, "answer", actor=world.users[Role.OUTLET_STAFF], data=ACTION_DATA["answer"], at=at("2026-05-12")
        )
    if state == "closed":
        ticket = services.perform_ticket(
            ticket.pk, "close", actor=world.users[Role.HOTLINE_OPERATOR], data=ACTION_DATA["close"], at=at("2026-05-13")
        )
    return ticket


def report(world, files=None, day: str = "2026-05-12"):
    return services.problem_report_create(
        actor=world.users[Role.OUTLET_STAFF],
        data={"title": "读卡器无法读取社保卡", "description": "自5月11日起两台读卡器均报错，已重启无效。"},
        files=files,
        at=at(day),
    )


def report_in_state(world, state: str):
    r = report(world)
    if state == "replied":
        r = services.perform_problem_report(
            r.pk, "reply", actor=world.users[Role.DISTRICT_OFFICER], data=ACTION_DATA["reply"], at=at("2026-05-13")
        )
    return r
