"""End to end in headless Chromium (scenario A, steps 1–2): the bank applicant starts an application for its
outlet and submits it with the consent letter; the district officer finds it in the inbox and records the site
verification with the center's checklist. Screenshots of the action forms and the case page at 1366×768 go to
/tmp for a human look.
"""

from __future__ import annotations

import re

import pytest

from ._support import BROWSER_TESTS, PDF, SCREENSHOTS
from ._support import log_in as _log_in

pytestmark = BROWSER_TESTS


@pytest.fixture
def e2e_world(transactional_db, live_server, settings, tmp_path):
    from ssc.admission.models import DEFAULT_READINESS_CHECKLIST, DEFAULT_SITE_CHECKLIST, Checklist
    from ssc.core.testing import build_world
    from ssc.registry.models import Outlet

    settings.MEDIA_ROOT = tmp_path / "media"
    # A flush by an earlier transactional test removes the checklists the data migration made.
    Checklist.objects.get_or_create(kind="site_verification", version=1, defaults={"items": DEFAULT_SITE_CHECKLIST})
    Checklist.objects.get_or_create(kind="readiness", version=1, defaults={"items": DEFAULT_READINESS_CHECKLIST})
    world = build_world()
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="applying")  # not yet cooperating
    return world


def _log_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def _shot(page, name):
    page.screenshot(path=str(SCREENSHOTS / name), full_page=False)
    page.screenshot(path=str(SCREENSHOTS / name.replace(".png", "_full.png")), full_page=True)


def test_applicant_submits_and_district_records_site_verification(live_server, e2e_world, page):
    from playwright.sync_api import expect

    from ssc.accounts.choices import Role
    from ssc.admission.models import Application
    from ssc.documents.models import Document

    base = live_server.url
    outlet = e2e_world.outlets["A"]
    applicant = e2e_world.users[Role.BANK_APPLICANT]
    officer = e2e_world.users[Role.DISTRICT_OFFICER]

    # 1. The applicant starts the application for its registered outlet.
    _log_in(page, base, applicant)
    page.goto(f"{base}/applications/new/")
    _shot(page, "ssc_admission_create.png")
    page.locator("#id_existing-outlet").select_option(value=str(outlet.pk))
    page.get_by_role("button", name="创建申请", exact=True).click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    app = Application.objects.get(outlet=outlet)
    assert page.locator(".case-status .badge").inner_text() == "草稿"
    assert page.get_by_text("已创建").is_visible()

    # ... and submits it with the consent letter of its Chongqing branch (Art 7(1)).
    page.locator(".case-actions").get_by_role("link", name="提交申请").click()
    page.wait_for_url(f"{base}/applications/{app.pk}/actions/submit/")
    assert page.get_by_text("第7条第(1)项").is_visible()
    page.get_by_label("同意的总行/重庆分行").select_option(label=e2e_world.orgs["branchA"].name)
    page.get_by_label("同意日期").fill("2026-02-26")
    page.get_by_label("同意函").set_input_files(
        files=[{"name": "consent.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    _shot(page, "ssc_admission_submit_form.png")
    page.get_by_role("button", name=re.compile("提交申请")).click()
    page.wait_for_url(f"{base}/applications/{app.pk}/")
    assert page.locator(".case-status .badge").inner_text() == "已提交"
    assert page.get_by_text("已完成“提交申请”，当前状态：已提交。").is_visible()
    assert page.locator(".timeline").get_by_role("link", name="总行/分行同意函").is_visible()
    assert page.locator(".case-actions").get_by_role("link", name="撤回申请").is_visible()
    assert Application.objects.get(pk=app.pk).state == "submitted"
    assert Document.objects.filter(case_type="application", case_id=app.pk, kind="consent_letter").count() == 1
    _log_out(page)

    # 2. The district officer finds it in the inbox and records the site verification (Art 7(2)).
    _log_in(page, base, officer)
    page.goto(f"{base}/applications/inbox/")
    _shot(page, "ssc_admission_inbox.png")
    page.get_by_role("link", name=outlet.name).click()
    page.wait_for_url(f"{base}/applications/{app.pk}/")
    page.locator(".case-actions").get_by_role("link", name="记录现场核实").click()
    page.wait_for_url(f"{base}/applications/{app.pk}/actions/record_site_verification/")
    assert page.get_by_text("第7条第(2)项").is_visible()

    # Submitting without the checklist answers keeps the case where it is and says what is missing.
    page.get_by_label("核实日期").fill("2026-03-05")
    page.get_by_label("核实人员（每行一人，至少两人）").fill("王敏\n李强")
    page.get_by_role("button", name=re.compile("记录现场核实")).click()
    expect(page.get_by_text("以下检查项未填写")).to_be_visible()
    assert Application.objects.get(pk=app.pk).state == "submitted"

    radios = page.locator('input[type=radio][value="yes"][name^="checklist."]')
    assert radios.count() == 8
    for i in range(radios.count()):
        radios.nth(i).check()
    page.get_by_label("核实结论").select_option("passed")
    page.get_by_label("核实报告").set_input_files(
        files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    _shot(page, "ssc_admission_site_verification_form.png")
    page.get_by_role("button", name=re.compile("记录现场核实")).click()
    page.wait_for_url(f"{base}/applications/{app.pk}/")
    assert page.locator(".case-status .badge").inner_text() == "已现场核实"
    assert page.get_by_text("8 / 8 项符合").is_visible()
    assert page.locator(".case-actions").count() == 0  # the district leader decides next, not the officer
    _shot(page, "ssc_admission_case_page.png")
    assert Application.objects.get(pk=app.pk).state == "site_verified"
