"""Fixtures for rectification tests: issuing through the service, walking a case to a state, small documents."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from ssc.accounts.choices import Role
from ssc.deadlines import services as deadlines
from ssc.rectification import services
from ssc.rectification.models import Rectification

TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ISSUED_ON = "2026-06-30"  # scenario B: due 2026-09-30


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ)


def issue(world, issued_on: str = ISSUED_ON, outlet: str = "A", **data) -> Rectification:
    officer = world.users[Role.DISTRICT_OFFICER] if outlet == "A" else world.other[Role.DISTRICT_OFFICER]
    payload = {"items": ["公示投诉电话", "维修即时制卡设备"], "issued_on": issued_on, "source": "evaluation", **data}
    return services.issue(actor=officer, outlet_id=world.outlets[outlet].pk, data=payload, at=at(issued_on))


# Valid payloads of the later actions (as JSON the API accepts, and the services too).
PAYLOADS = {
    "submit_report": {"report": "已在大厅公示投诉电话，设备已维修"},
    "reject_report": {"reasons": "缺少维修记录"},
    "verify": {"verified_on": "2026-08-03", "note": "经现场复核已整改"},
}
ACTOR = {"submit_report": Role.OUTLET_STAFF, "reject_report": Role.DISTRICT_OFFICER, "verify": Role.DISTRICT_OFFICER}


def act(world, case, action: str, day: str = "2026-07-20") -> Rectification:
    return services.perform(case.pk, action, actor=world.users[ACTOR[action]], data=PAYLOADS[action], at=at(day))


def put_in_state(world, state: str) -> Rectification:
    """A rectification of outlet A in ``state``, through the services (and the sweep for ``overdue``)."""
    case = issue(world)
    if state == "open":
        return case
    if state == "overdue":
        deadlines.sweep(today=date(2026, 10, 1))
        return Rectification.objects.get(pk=case.pk)
    case = act(world, case, "submit_report")
    if state == "report_submitted":
        return case
    if state == "report_rejected":
        return act(world, case, "reject_report")
    if state == "closed":
        return act(world, case, "verify", "2026-08-03")
    raise AssertionError(state)
