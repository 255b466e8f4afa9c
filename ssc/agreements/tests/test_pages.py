"""Agreement pages: list, Art 9(4) list, agreement page, renew through the generic action page, register, framework
agreements, the outlet page's panel — each per role (403 for roles without business, 404 outside the scope)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from ssc.accounts.choices import Role
from ssc.agreements.models import Agreement
from ssc.notifications.models import Notification
from ssc.workflow import inbox

from .conftest import pdf, register

R = Role
pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _buttons(html: str) -> set[str]:
    m = re.search(r'<div class="actions case-actions".*?</div>', html, re.S)
    return set(re.findall(r'data-action="([a-z_]+)"', m.group(0))) if m else set()


@pytest.fixture
def pair(world):
    return {"A": register(world, "A"), "AB": register(world, "AB", number="沙社卡合〔2020〕3号", end="2025-12-31")}


PAGES = ["agreements:list", "agreements:expired", "agreements:framework_list"]


def test_pages_per_role(client, world, pair):
    for user in [*world.users.values(), *world.other.values()]:
        _login(client, user)
        for name in PAGES:
            resp = client.get(reverse(name))
            expected = 403 if user.role in (R.HOTLINE_OPERATOR, R.SECURITY_ADMIN, R.AUDIT_ADMIN) else 200
            assert resp.status_code == expected, (name, user.username)
        for key, a in pair.items():
            resp = client.get(reverse("agreements:detail", args=[a.pk]))
            if user.role in (R.HOTLINE_OPERATOR, R.SECURITY_ADMIN, R.AUDIT_ADMIN):
                assert resp.status_code == 403
                continue
            visible = Agreement.objects.restrict(user).filter(pk=a.pk).exists()
            assert resp.status_code == (200 if visible else 404), (key, user.username)
    client.logout()
    assert client.get(reverse("agreements:list")).status_code == 302


def test_list_scoped_filters_and_export(client, world, pair):
    _login(client, world.users[R.DISTRICT_OFFICER])
    resp = client.get(reverse("agreements:list"))
    assert [a.pk for a in resp.context["agreements"]] == [pair["A"].pk]
    assert "district" not in resp.context["form"].fields
    _login(client, world.users[R.CENTER_LEADER])
    url = reverse("agreements:list")
    assert resp.status_code == 200
    assert client.get(url, {"status": "expired"}).context["page"].paginator.count == 1
    assert client.get(url, {"expiring_within_days": "30"}).context["page"].paginator.count == 1  # ends 2026-12-31
    export = client.get(reverse("agreements:export"), {"status": "in_force"})
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "协议编号" and [r[0] for r in rows[1:]] == [pair["A"].number]


def test_expired_list_is_the_art_9_4_list(client, world, pair):
    _login(client, world.other[R.DISTRICT_LEADER])
    resp = client.get(reverse("agreements:expired"))
    assert [a.pk for a in resp.context["agreements"]] == [pair["AB"].pk]
    assert "第9条第(4)项" in resp.content.decode()
    _login(client, world.users[R.DISTRICT_OFFICER])
    assert list(client.get(reverse("agreements:expired")).context["agreements"]) == []
    export = client.get(reverse("agreements:expired"), {"format": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_agreement_page_buttons_and_flag(client, world, pair):
    _login(client, world.users[R.DISTRICT_OFFICER])
    html = client.get(reverse("agreements:detail", args=[pair["A"].pk])).content.decode()
    assert _buttons(html) == {"renew"} and pair["A"].number in html and "还有" in html
    _login(client, world.users[R.DISTRICT_LEADER])
    assert _buttons(client.get(reverse("agreements:detail", args=[pair["A"].pk])).content.decode()) == set()
    _login(client, world.other[R.DISTRICT_OFFICER])
    html = client.get(reverse("agreements:detail", args=[pair["AB"].pk])).content.decode()
    assert 'data-flag="art-9-4"' in html and _buttons(html) == {"renew"}


def test_renew_through_the_page(client, world, pair):
    a = pair["A"]
    _login(client, world.users[R.DISTRICT_OFFICER])
    url = reverse("agreements:action", args=[a.pk, "renew"])
    page = client.get(url)
    assert page.status_code == 200 and 'type="date"' in page.content.decode()
    data = {"version": a.version, "number": "渝中社卡合〔2026〕99号", "signed_on": "2026-11-30"}
    bad = client.post(url, {**data, "term_start": "2027-03-01", "term_end": "2029-12-31", "signed_copy": pdf()})
    assert bad.status_code == 200 and "到期次日（2027-01-01）" in bad.content.decode()
    resp = client.post(url, {**data, "term_start": "2027-01-01", "term_end": "2029-12-31", "signed_copy": pdf()})
    assert resp.status_code == 302 and resp["Location"] == reverse("agreements:detail", args=[a.pk])
    new = Agreement.objects.get(renews=a)
    html = client.get(resp["Location"]).content.decode()
    assert new.number in html and _buttons(html) == set()
    assert Notification.objects.filter(user=world.users[R.BANK_APPLICANT], kind="agreement.renew").exists()
    _login(client, world.users[R.BANK_APPLICANT])
    assert client.get(url).status_code == 403
    _login(client, world.other[R.DISTRICT_OFFICER])
    assert client.get(url).status_code == 404


def test_register_page(client, world):
    _login(client, world.users[R.DISTRICT_OFFICER])
    url = reverse("agreements:register")
    page = client.get(url, {"outlet": world.outlets["A"].pk})
    choices = [o.pk for o in page.context["form"].fields["outlet"].queryset]
    assert choices == [world.outlets["A"].pk]  # district A's cooperating outlets without an agreement
    data = {"outlet": world.outlets["A"].pk, "number": "渝中社卡合〔2023〕7号", "signed_on": "2023-07-01"}
    resp = client.post(url, {**data, "term_start": "2023-07-01", "term_end": "2023-06-30"})
    assert resp.status_code == 200 and "须晚于" in resp.content.decode()
    resp = client.post(url, {**data, "term_start": "2023-07-01", "term_end": "2028-06-30", "signed_copy": pdf()})
    a = Agreement.objects.get(number="渝中社卡合〔2023〕7号")
    assert resp.status_code == 302 and a.document_id
    resp = client.post(url, {**data, "number": "other", "term_start": "2023-07-01", "term_end": "2028-06-30"})
    assert resp.status_code == 200 and resp.context["form"].errors["outlet"]  # no longer offered
    for role in (R.DISTRICT_LEADER, R.CENTER_OFFICER, R.BANK_APPLICANT):
        _login(client, world.users[role])
        assert client.get(url).status_code == 403


def test_framework_pages(client, world):
    _login(client, world.users[R.CENTER_OFFICER])
    page = client.get(reverse("agreements:framework_list"))
    assert {b.code for b in page.context["banks_without"]} == {"icbc", "ccb"}
    url = reverse("agreements:framework_create")
    data = {
        "bank": world.banks["A"].pk,
        "bank_organisation": world.orgs["branchA"].pk,
        "number": "人社框架〔2025〕1号",
        "signed_on": "2025-03-01",
        "term_start": "2025-03-01",
        "term_end": "2030-02-28",
        "liability_clauses": "网点违约造成损失的，由银行承担责任。",
    }
    assert "document" in client.post(url, data).context["form"].errors
    resp = client.post(url, {**data, "document": pdf("fw.pdf")})
    assert resp.status_code == 302
    detail = client.get(resp["Location"]).content.decode()
    assert "网点违约造成损失的" in detail and "SM3" in detail
    fa_id = int(resp["Location"].rstrip("/").split("/")[-1])
    download = client.get(reverse("agreements:framework_download", args=[fa_id]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    _login(client, world.other[R.BANK_HEAD_OFFICE])  # bank B: not its framework agreement
    assert client.get(reverse("agreements:framework_detail", args=[fa_id])).status_code == 404
    assert client.get(reverse("agreements:framework_download", args=[fa_id])).status_code == 404
    assert client.get(url).status_code == 403
    # The outlet page shows its bank's framework agreement and its agreements.
    register(world, "A")
    _login(client, world.users[R.OUTLET_STAFF])
    html = client.get(reverse("portal:outlet_detail", args=[world.outlets["A"].pk])).content.decode()
    assert 'data-panel="agreements"' in html and "人社框架〔2025〕1号" in html and "渝中社卡合〔2024〕1号" in html
    _login(client, world.users[R.HOTLINE_OPERATOR])
    html = client.get(reverse("portal:outlet_detail", args=[world.outlets["A"].pk])).content.decode()
    assert 'data-panel="agreements"' not in html


def test_inbox_lists_renewals_only_near_the_end(world):
    today = timezone.localdate()
    near = register(world, "A", end=(today + timedelta(days=40)).isoformat())
    far = register(world, "AB", number="far", end=(today + timedelta(days=400)).isoformat())
    officer_a, officer_b = world.users[R.DISTRICT_OFFICER], world.other[R.DISTRICT_OFFICER]
    items = [i for i in inbox.inbox_items(officer_a) if i.case_type == "agreement"]
    assert [i.case.pk for i in items] == [near.pk] and items[0].task == "续签协议"
    assert [i for i in inbox.inbox_items(officer_b) if i.case_type == "agreement"] == []
    Agreement.objects.filter(pk=far.pk).update(term_end=today - timedelta(days=1))
    assert [i.case.pk for i in inbox.inbox_items(officer_b) if i.case_type == "agreement"] == [far.pk]
