"""Fixtures for admission tests: small valid documents and a helper walking an application forward."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ssc.accounts.choices import Role
from ssc.admission import services

TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def at(day: str, hour: int = 10) -> datetime:
    y, m, d = (int(x) for x in day.split("-"))
    return datetime(y, m, d, hour, tzinfo=TZ)


SITE_CODES = ["premises", "accessibility", "security", "network", "equipment_space", "staff", "hours", "disclosure"]
SITE_CHECKLIST = dict.fromkeys(SITE_CODES, True)
READINESS_CHECKLIST = dict.fromkeys(["integration", "hardware", "training", "signage", "security"], True)


def payloads(world):
    """Valid payloads for every action, in order (scenario A of SCENARIOS.md)."""
    return [
        (
            "submit",
            Role.BANK_APPLICANT,
            "2026-03-02",
            {"consent_organisation": world.orgs["branchA"].pk, "consent_date": "2026-02-26"},
            {"consent_letter": pdf("consent.pdf")},
        ),
        (
            "record_site_verification",
            Role.DISTRICT_OFFICER,
            "2026-03-05",
            {
                "visited_on": "2026-03-05",
                "inspectors": ["王敏", "李强"],
                "checklist": SITE_CHECKLIST,
                "conclusion": "passed",
            },
            {"report": pdf("report.pdf")},
        ),
        (
            "decide",
            Role.DISTRICT_LEADER,
            "2026-03-10",
            {
                "meeting_date": "2026-03-09",
                "attendees": ["甲", "乙", "丙", "丁", "戊"],
                "decision": "approved",
                "reasons": "符合条件",
            },
            {"minutes": pdf("minutes.pdf")},
        ),
        ("file_with_center", Role.DISTRICT_OFFICER, "2026-03-10", {}, None),
        ("acknowledge_filing", Role.CENTER_OFFICER, "2026-03-11", {"filing_number": "渝社卡备〔2026〕001号"}, None),
        ("notify_outlet", Role.DISTRICT_OFFICER, "2026-03-12", {}, None),
        (
            "sign_agreement",
            Role.DISTRICT_OFFICER,
            "2026-03-16",
            {
                "agreement_number": "渝中社卡合〔2026〕12号",
                "signed_on": "2026-03-16",
                "term_start": "2026-03-16",
                "term_end": "2029-03-15",
            },
            {"signed_copy": pdf("agreement.pdf")},
        ),
        (
            "update_preparation",
            Role.OUTLET_STAFF,
            "2026-03-20",
            {
                "system_integration_done": True,
                "interconnection_mode": "jinyu",
                "integration_tested_on": "2026-03-19",
                "hardware_done": True,
                "trained_staff": ["张三,2026-03-20", "李四,2026-03-20", "王五,2026-03-20"],
            },
            None,
        ),
        ("apply_go_live", Role.OUTLET_STAFF, "2026-03-23", {}, None),
        (
            "inspect_readiness",
            Role.DISTRICT_OFFICER,
            "2026-03-27",
            {"inspected_on": "2026-03-27", "result": "readiness_passed", "checklist": READINESS_CHECKLIST},
            None,
        ),
        ("request_system_opening", Role.DISTRICT_OFFICER, "2026-03-27", {}, None),
        (
            "open_accounts",
            Role.CENTER_OFFICER,
            "2026-04-01",
            {
                "accounts": [
                    {"account_type": "operator", "identifier": "CQ-OP-0001", "holder": "张三"},
                    {"account_type": "operator", "identifier": "CQ-OP-0002", "holder": "李四"},
                    {"account_type": "terminal", "identifier": "CQ-TM-0001", "holder": ""},
                ]
            },
            None,
        ),
    ]


@pytest.fixture
def draft(world):
    """A draft application for outlet A (moved back to applying) by the bank applicant of sub-branch A."""
    from ssc.registry.models import Outlet

    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="applying")
    return services.application_create(actor=world.users[Role.BANK_APPLICANT], outlet_id=world.outlets["A"].pk)


def walk(world, app, until: str | None = None):
    """Perform the scenario's actions in order up to (not including) ``until``."""
    for action, role, day, data, files in payloads(world):
        if action == until:
            break
        app = services.perform(app.pk, action, actor=world.users[role], data=data, files=files, at=at(day))
    return app
