"""Admission pages: list, case page per role, the generic action page through scenario A, create, download."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.admission import services
from ssc.admission.models import Application
from ssc.audit.models import AuditEvent
from ssc.documents.models import Document, DocumentKind
from ssc.registry.models import Outlet
from ssc.workflow.models import CaseEvent

from .conftest import PDF, PNG, SITE_CODES, pdf, walk

R = Role
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _login(client, user):
    client.force_login(user)
    return client


def _detail(app):
    return reverse("admission:application_detail", args=[app.pk])


def _action(app, action):
    return reverse("admission:application_action", args=[app.pk, action])


def _buttons(html: str) -> set[str]:
    """The action buttons of a case page (the ``case-actions`` group only)."""
    m = re.search(r'<div class="actions case-actions".*?</div>', html, re.S)
    return set(re.findall(r'data-action="([a-z_]+)"', m.group(0))) if m else set()


def _state(app) -> str:
    return Application.objects.get(pk=app.pk).state


@pytest.fixture
def submitted(world, draft):
    return walk(world, draft, until="record_site_verification")


# --- list, export, scope -----------------------------------------------------------------------------------


def test_list_shows_scope_with_state_badge(client, world, draft):
    response = _login(client, world.users[R.DISTRICT_OFFICER]).get(reverse("admission:application_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert world.outlets["A"].name in html
    assert 'class="badge grey" data-state="draft">草稿<' in html
    other = _login(client, world.other[R.DISTRICT_OFFICER]).get(reverse("admission:application_list"))
    assert world.outlets["A"].name not in other.content.decode()
    assert other.context["page"].paginator.count == 0


def test_list_filters_and_export(client, world, draft, submitted):
    _login(client, world.users[R.CENTER_OFFICER])
    url = reverse("admission:application_list")
    assert client.get(url, {"state": "submitted"}).context["page"].paginator.count == 1
    assert client.get(url, {"state": "active"}).context["page"].paginator.count == 0
    assert client.get(url, {"district": world.districts["B"].pk}).context["page"].paginator.count == 0
    assert client.get(url, {"bank": world.banks["A"].pk}).context["page"].paginator.count == 1
    assert client.get(url, {"q": "jfb"}).context["page"].paginator.count == 1  # pinyin initials of 解放碑
    assert client.get(url, {"outlet": world.outlets["A"].pk}).context["page"].paginator.count == 1
    assert client.get(url, {"outlet": world.outlets["B"].pk}).context["page"].paginator.count == 0
    bad = client.get(url, {"state": "nonsense"})
    assert bad.status_code == 200 and "state" in bad.context["form"].errors
    export = client.get(reverse("admission:application_export"), {"state": "submitted"})
    assert export.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][2] == "网点名称" and len(rows) == 2 and rows[1][6] == "已提交"
    assert AuditEvent.objects.filter(action="application.export").exists()


def test_admin_duties_cannot_read_cases(client, world, draft):
    for role in (R.SECURITY_ADMIN, R.AUDIT_ADMIN):
        c = _login(client, world.users[role])
        assert c.get(reverse("admission:application_list")).status_code == 403
        assert c.get(_detail(draft)).status_code == 403


def test_anonymous_goes_to_login(client, draft):
    response = client.get(_detail(draft))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- case page: buttons per role, scope ----------------------------------------------------------------------

DRAFT_BUTTONS = {R.BANK_APPLICANT: {"submit", "withdraw"}}
SUBMITTED_BUTTONS = {R.BANK_APPLICANT: {"withdraw"}, R.DISTRICT_OFFICER: {"return", "record_site_verification"}}
READERS = [r for r in Role if r not in (R.SECURITY_ADMIN, R.AUDIT_ADMIN)]


@pytest.mark.parametrize("role", READERS)
def test_draft_buttons_per_role(client, world, draft, role):
    response = _login(client, world.users[role]).get(_detail(draft))
    assert response.status_code == 200
    assert _buttons(response.content.decode()) == DRAFT_BUTTONS.get(role, set())


@pytest.mark.parametrize("role", READERS)
def test_submitted_buttons_per_role(client, world, submitted, role):
    response = _login(client, world.users[role]).get(_detail(submitted))
    assert response.status_code == 200
    assert _buttons(response.content.decode()) == SUBMITTED_BUTTONS.get(role, set())


@pytest.mark.parametrize("role", [R.DISTRICT_OFFICER, R.DISTRICT_LEADER, R.BANK_APPLICANT, R.OUTLET_STAFF])
def test_out_of_scope_is_404(client, world, submitted, role):
    c = _login(client, world.other[role])
    assert c.get(_detail(submitted)).status_code == 404
    assert c.get(_action(submitted, "record_site_verification")).status_code == 404
    assert c.post(_action(submitted, "withdraw"), {"reason": "x", "version": 1, "confirm": "yes"}).status_code == 404
    assert _state(submitted) == "submitted"


def test_action_page_role_and_state_checks(client, world, submitted):
    c = _login(client, world.users[R.CENTER_OFFICER])
    assert c.get(_action(submitted, "record_site_verification")).status_code == 403
    assert c.get(_action(submitted, "no_such_action")).status_code == 404
    c = _login(client, world.users[R.DISTRICT_LEADER])
    response = c.get(_action(submitted, "decide"))  # right role, wrong state
    assert response.status_code == 302 and response["Location"] == _detail(submitted)
    assert "不允许" in client.get(_detail(submitted)).content.decode()


def test_case_page_shows_header_timeline_documents(client, world, submitted):
    response = _login(client, world.users[R.DISTRICT_OFFICER]).get(_detail(submitted))
    html = response.content.decode()
    assert "已提交" in html and "当前环节无法定期限" in html
    assert "第7条第(1)项" in html  # the article of the submit step
    assert "提交申请" in html and "bank_applicant_a" in html and world.orgs["subA"].name in html
    assert world.orgs["branchA"].name in html and "2026-02-26" in html
    doc = Document.objects.get(case_type="application", case_id=submitted.pk, kind=DocumentKind.CONSENT_LETTER)
    v = doc.versions.get()
    assert reverse("documents:download", args=[doc.pk, 1]) in html
    assert v.sm3 in html and "consent.pdf" in html


# --- actions through the page (scenario A) ---------------------------------------------------------------


def test_submit_through_page_with_consent_letter(client, world, draft):
    c = _login(client, world.users[R.BANK_APPLICANT])
    page = c.get(_action(draft, "submit"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="version" value="1"' in html and 'type="file"' in html and "第7条第(1)项" in html
    assert 'type="date"' in html
    data = {
        "version": draft.version,
        "consent_organisation": world.orgs["branchA"].pk,
        "consent_date": "2026-02-26",
        "consent_letter": SimpleUploadedFile("同意函.pdf", PDF, content_type="application/pdf"),
    }
    response = c.post(_action(draft, "submit"), data)
    assert response.status_code == 302 and response["Location"] == _detail(draft)
    assert _state(draft) == "submitted"
    assert CaseEvent.objects.filter(case_id=draft.pk, action="submit", actor=world.users[R.BANK_APPLICANT]).exists()
    doc = Document.objects.get(case_type="application", case_id=draft.pk, kind=DocumentKind.CONSENT_LETTER)
    assert doc.versions.get().original_name == "同意函.pdf"
    follow = c.get(response["Location"])
    assert "已完成“提交申请”，当前状态：已提交。" in follow.content.decode()


def test_submit_errors_beside_fields(client, world, draft):
    c = _login(client, world.users[R.BANK_APPLICANT])
    response = c.post(
        _action(draft, "submit"),
        {
            "version": draft.version,
            "consent_organisation": world.orgs["branchB"].pk,  # another bank's branch
            "consent_date": "2999-01-01",
            "consent_letter": SimpleUploadedFile("fake.pdf", b"not a pdf at all", content_type="application/pdf"),
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"consent_organisation", "consent_date", "consent_letter"}
    html = response.content.decode()
    assert 'id="id_consent_date_errors"' in html and "日期不能晚于今天" in html
    assert _state(draft) == "draft"


def test_precondition_failure_is_a_message_not_a_500(client, world, draft):
    Outlet.objects.filter(pk=draft.outlet_id).update(complaint_phone="")
    c = _login(client, world.users[R.BANK_APPLICANT])
    response = c.post(
        _action(draft, "submit"),
        {
            "version": draft.version,
            "consent_organisation": world.orgs["branchA"].pk,
            "consent_date": "2026-02-26",
            "consent_letter": pdf(),
        },
    )
    assert response.status_code == 409
    assert "网点信息不完整" in response.content.decode() and "投诉电话" in response.content.decode()
    assert _state(draft) == "draft"
    assert not Document.objects.filter(case_id=draft.pk).exists()  # rolled back with the step


def _site_data(version, **over):
    data = {
        "version": version,
        "visited_on": "2026-03-05",
        "inspectors": "王敏\n李强",
        "conclusion": "passed",
        "report": pdf("report.pdf"),
        "photos": [SimpleUploadedFile("p1.png", PNG, content_type="image/png")],
    }
    data.update({f"checklist.{code}": "yes" for code in SITE_CODES})
    data.update(over)
    return data


def test_site_verification_through_page_with_checklist(client, world, submitted):
    c = _login(client, world.users[R.DISTRICT_OFFICER])
    html = c.get(_action(submitted, "record_site_verification")).content.decode()
    for code in SITE_CODES:
        assert f'name="checklist.{code}" value="yes"' in html and f'name="checklist.{code}" value="no"' in html
    assert 'name="checklist"' not in html  # the raw field is replaced by the radios
    assert "第7条第(2)项" in html
    response = c.post(_action(submitted, "record_site_verification"), _site_data(submitted.version))
    assert response.status_code == 302
    app = Application.objects.get(pk=submitted.pk)
    assert app.state == "site_verified"
    assert app.facts["record_site_verification"]["checklist"] == dict.fromkeys(SITE_CODES, True)
    assert app.facts["record_site_verification"]["inspectors"] == ["王敏", "李强"]
    kinds = set(
        Document.objects.filter(case_id=app.pk, action="record_site_verification").values_list("kind", flat=True)
    )
    assert kinds == {DocumentKind.SITE_REPORT, DocumentKind.PHOTO}
    page = c.get(_detail(app)).content.decode()
    assert "8 / 8 项符合" in page and "王敏；李强" in page


def test_site_verification_missing_answer_and_one_inspector(client, world, submitted):
    c = _login(client, world.users[R.DISTRICT_OFFICER])
    data = _site_data(submitted.version, inspectors="王敏")
    del data["checklist.security"]
    data["checklist.network"] = "no"
    response = c.post(_action(submitted, "record_site_verification"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "inspectors" in errors and "checklist" in errors
    html = response.content.decode()
    assert "以下检查项未填写" in html and 'id="checklist_errors"' in html
    # what was answered stays answered
    assert 'name="checklist.network" value="no" checked' in html
    assert 'name="checklist.premises" value="yes" checked' in html
    assert _state(submitted) == "submitted"


def test_decide_requires_confirmation_then_approves(client, world, draft):
    app = walk(world, draft, until="decide")
    assert app.state == "site_verified"
    c = _login(client, world.users[R.DISTRICT_LEADER])
    html = c.get(_action(app, "decide")).content.decode()
    assert 'name="confirm"' in html and "不可撤销" in html
    data = {
        "version": app.version,
        "meeting_date": "2026-03-09",
        "attendees": "甲\n乙\n丙\n丁\n戊",
        "decision": "approved",
        "reasons": "符合条件",
        "minutes": pdf("minutes.pdf"),
    }
    response = c.post(_action(app, "decide"), data)
    assert response.status_code == 200
    assert "请勾选确认" in response.content.decode()
    assert _state(app) == "site_verified"
    data["minutes"] = pdf("minutes.pdf")
    data["confirm"] = "yes"
    response = c.post(_action(app, "decide"), data)
    assert response.status_code == 302
    assert _state(app) == "approved"
    assert Document.objects.filter(case_id=app.pk, kind=DocumentKind.MINUTES).count() == 1


def test_stale_version_gives_a_message(client, world, submitted):
    c = _login(client, world.users[R.DISTRICT_OFFICER])
    stale = submitted.version
    # Another officer returns the case first.
    services.perform(submitted.pk, "return", actor=world.users[R.DISTRICT_OFFICER], data={"reasons": "补充坐标"})
    response = c.post(_action(submitted, "record_site_verification"), _site_data(stale))
    assert response.status_code == 302 and response["Location"] == _detail(submitted)
    html = c.get(response["Location"]).content.decode()
    assert "数据已被他人修改" in html and "已退回" in html
    assert _state(submitted) == "returned"


def test_stale_version_same_state_rerenders_with_current_version(client, world, draft):
    app = walk(world, draft, until="apply_go_live")  # preparing: update_preparation keeps the state
    c = _login(client, world.users[R.OUTLET_STAFF])
    data = {"version": app.version - 1, "interconnection_mode": "jinyu", "hardware_done": "on"}
    response = c.post(_action(app, "update_preparation"), data)
    assert response.status_code == 412
    html = response.content.decode()
    assert "数据已被他人修改" in html and f'name="version" value="{app.version}"' in html
    data["version"] = app.version
    assert c.post(_action(app, "update_preparation"), data).status_code == 302


def test_whole_scenario_ends_active_with_roster_link(client, world, draft):
    app = walk(world, draft)
    html = _login(client, world.users[R.DISTRICT_OFFICER]).get(_detail(app)).content.decode()
    assert "已开通" in html and "CQ-OP-0001" in html and "渝中社卡合〔2026〕12号" in html
    assert reverse("roster:version_detail", args=[1]) in html
    assert "按期完成" in html and "第7条第(5)项" in html
    assert _buttons(html) == set()


def test_no_form_action_through_page(client, world, draft):
    app = walk(world, draft, until="file_with_center")
    c = _login(client, world.users[R.DISTRICT_OFFICER])
    assert c.post(_action(app, "file_with_center"), {"version": app.version, "note": ""}).status_code == 302
    assert _state(app) == "filed"


# --- create ------------------------------------------------------------------------------------------------


def test_create_for_existing_outlet(client, world):
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="withdrawn")
    c = _login(client, world.users[R.BANK_APPLICANT])
    page = c.get(reverse("admission:application_create"))
    assert page.status_code == 200
    assert list(page.context["existing"].fields["outlet"].queryset) == [world.outlets["A"]]  # not active AB
    response = c.post(
        reverse("admission:application_create"), {"mode": "existing", "existing-outlet": world.outlets["A"].pk}
    )
    app = Application.objects.get(outlet=world.outlets["A"])
    assert response.status_code == 302 and response["Location"] == _detail(app)
    assert app.state == "draft"


def test_create_rejects_active_outlet(client, world):
    c = _login(client, world.users[R.BANK_APPLICANT])
    response = c.post(
        reverse("admission:application_create"), {"mode": "existing", "existing-outlet": world.outlets["AB"].pk}
    )
    assert response.status_code == 200 and "outlet" in response.context["existing"].errors
    assert not Application.objects.exists()


NEW_OUTLET = {
    "mode": "new",
    "new-name": "中国工商银行重庆解放碑二分理处",
    "new-code": "OA-100",
    "new-address": "渝中区民族路188号",
    "new-latitude": "29.5573",
    "new-longitude": "106.5770",
    "new-weekday_hours": "09:00-17:00",
    "new-weekend_hours": "09:00-12:00",
    "new-consultation_phone": "023-63000011",
    "new-complaint_phone": "023-63000012",
    "new-interconnection_mode": "jinyu",
    "new-services": ["apply", "instant_issuance", "replacement"],
}


def test_create_new_outlet(client, world):
    c = _login(client, world.users[R.BANK_APPLICANT])
    page = c.get(reverse("admission:application_create")).content.decode()
    assert 'value="jinyu" selected' in page  # Jinyu Net by default (Art 6(2))
    response = c.post(reverse("admission:application_create"), {**NEW_OUTLET, "new-district": world.districts["A"].pk})
    assert response.status_code == 302
    outlet = Outlet.objects.get(code="OA-100")
    assert outlet.sub_branch == world.orgs["subA"] and outlet.bank == world.banks["A"] and outlet.instant_issuance
    assert outlet.status == "applying"
    assert Application.objects.get(outlet=outlet).state == "draft"


def test_create_new_outlet_errors_beside_fields(client, world):
    c = _login(client, world.users[R.BANK_APPLICANT])
    data = {**NEW_OUTLET, "new-district": world.districts["A"].pk, "new-latitude": "10", "new-code": "OA-001"}
    data["new-services"] = ["apply", "bogus"]
    response = c.post(reverse("admission:application_create"), data)
    assert response.status_code == 200
    errors = response.context["new"].errors
    assert {"latitude", "code", "services"} <= set(errors)
    assert 'id="id_new-latitude_errors"' in response.content.decode()
    assert not Outlet.objects.filter(name=NEW_OUTLET["new-name"]).exists()


@pytest.mark.parametrize("role", [R.DISTRICT_OFFICER, R.CENTER_OFFICER, R.OUTLET_STAFF])
def test_create_is_for_applicants_only(client, world, role):
    assert _login(client, world.users[role]).get(reverse("admission:application_create")).status_code == 403


# --- documents ---------------------------------------------------------------------------------------------


def test_download_scoped_and_audited(client, world, submitted):
    doc = Document.objects.get(case_type="application", case_id=submitted.pk, kind=DocumentKind.CONSENT_LETTER)
    url = reverse("documents:download", args=[doc.pk, 1])
    c = _login(client, world.users[R.DISTRICT_OFFICER])
    before = AuditEvent.objects.filter(action="document.download").count()
    response = c.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    ev = AuditEvent.objects.filter(action="document.download").order_by("-seq").first()
    assert AuditEvent.objects.filter(action="document.download").count() == before + 1
    assert ev.actor_id == world.users[R.DISTRICT_OFFICER].pk and ev.object_id == str(doc.pk)
    assert c.get(reverse("documents:download", args=[doc.pk, 2])).status_code == 404
    for other in (world.other[R.DISTRICT_OFFICER], world.other[R.BANK_APPLICANT]):
        assert _login(client, other).get(url).status_code == 404
    assert AuditEvent.objects.filter(action="document.download").count() == before + 1
    client.logout()
    assert client.get(url).status_code == 302
