"""Termination pages: every role × every page (out of scope → 404, no business → 403), the outlet page's panel and
"发起退出" button, the initiate page with all eight grounds (unavailable ones disabled with the reason), every action
through the pages (validation beside the fields, confirmation before irreversible steps, close_accounts with its
checkboxes), the list's filters, sorting and its export."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ssc.accounts.choices import Role
from ssc.rectification.models import Rectification
from ssc.registry.models import Outlet, SystemAccount
from ssc.roster.models import RosterEntry
from ssc.terminations.models import Termination

from .conftest import ACCOUNTS, initiate, make_ground_available, pdf, put_in_state

pytestmark = pytest.mark.django_db

R = Role
NO_READ = {R.SECURITY_ADMIN, R.AUDIT_ADMIN, R.HOTLINE_OPERATOR}
CITYWIDE = {R.CENTER_OFFICER, R.CENTER_LEADER, R.REGULATOR, R.SYSTEM_ADMIN}


def _text(response) -> str:
    return html_lib.unescape(response.content.decode())


def _users(world):
    return [(u, True) for u in world.users.values()] + [(u, False) for u in world.other.values()]


def _outlet_b_case(world) -> Termination:
    from ssc.terminations import services

    from .conftest import at, initiate_data

    return services.initiate(
        actor=world.other[R.DISTRICT_OFFICER],
        outlet_id=world.outlets["B"].pk,
        data=initiate_data("8.1"),
        at=at("2026-10-08"),
    )


def test_every_role_every_page(client, world):
    a = initiate(world, "8.1")  # outlet A: district A, bank A
    b = _outlet_b_case(world)  # outlet B: district B, bank B
    for user, side_a in _users(world):
        role = user.role
        sees_a = side_a and role not in NO_READ
        sees_b = role in CITYWIDE or (not side_a and role not in NO_READ)
        client.force_login(user)
        lst = client.get(reverse("terminations:list"))
        if role in NO_READ:
            assert lst.status_code == 403, user.username
            assert client.get(reverse("terminations:detail", args=[a.pk])).status_code == 403
            assert client.get(reverse("terminations:export")).status_code == 403
            assert client.get(reverse("terminations:action", args=[a.pk, "decide"])).status_code == 403
            assert client.get(reverse("terminations:initiate", args=[world.outlets["AB"].pk])).status_code == 403
            continue
        assert lst.status_code == 200
        shown = {row["c"].pk for row in lst.context["rows"]}
        assert shown == {pk for pk, s in ((a.pk, sees_a), (b.pk, sees_b)) if s}, user.username
        export = client.get(reverse("terminations:export"), {"format": "csv"})
        assert export.status_code == 200
        body = b"".join(export.streaming_content).decode("utf-8-sig")
        assert len(list(csv.reader(io.StringIO(body)))) == 1 + len(shown)
        assert client.get(reverse("terminations:detail", args=[a.pk])).status_code == (200 if sees_a else 404)
        assert client.get(reverse("terminations:detail", args=[b.pk])).status_code == (200 if sees_b else 404)
        # decide on outlet A's case: district A's leader only; out of scope not disclosed.
        status = client.get(reverse("terminations:action", args=[a.pk, "decide"])).status_code
        if not sees_a:
            assert status == 404
        else:
            assert status == (200 if role == R.DISTRICT_LEADER else 403), (user.username, status)
        # Initiating on outlet AB (bank A, district B; no open termination).
        ab = world.outlets["AB"]
        status = client.get(reverse("terminations:initiate", args=[ab.pk])).status_code
        in_scope_ab = Outlet.objects.restrict(user).filter(pk=ab.pk).exists()
        if not in_scope_ab:
            assert status == 404, user.username
        elif role in (R.DISTRICT_OFFICER, R.BANK_HEAD_OFFICE, R.BANK_APPLICANT):
            assert status == 200, user.username
        else:
            assert status == 403, (user.username, status)


def test_unknown_action_and_initiate_through_the_action_url_are_404(client, world):
    case = initiate(world, "8.1")
    client.force_login(world.users[R.DISTRICT_OFFICER])
    assert client.get(reverse("terminations:action", args=[case.pk, "explode"])).status_code == 404
    assert client.get(reverse("terminations:action", args=[case.pk, "initiate"])).status_code == 404
    assert client.get(reverse("terminations:detail", args=[999999])).status_code == 404


# --- the outlet page ----------------------------------------------------------------------------------------


def test_outlet_page_panel_and_initiate_button(client, world):
    url = reverse("portal:outlet_detail", args=[world.outlets["A"].pk])
    initiate_url = reverse("terminations:initiate", args=[world.outlets["A"].pk])
    for role in (R.DISTRICT_OFFICER, R.BANK_HEAD_OFFICE, R.BANK_APPLICANT):
        client.force_login(world.users[role])
        html = _text(client.get(url))
        assert 'data-panel="terminations"' in html and "该网点没有解除合作记录" in html
        assert initiate_url in html, role
    for role in (R.DISTRICT_LEADER, R.CENTER_OFFICER, R.OUTLET_STAFF, R.REGULATOR):
        client.force_login(world.users[role])
        html = _text(client.get(url))
        assert 'data-panel="terminations"' in html
        assert initiate_url not in html, role
    # A hotline operator reads outlets to log tickets, not terminations.
    client.force_login(world.users[R.HOTLINE_OPERATOR])
    assert 'data-panel="terminations"' not in _text(client.get(url))
    # Once one is open: shown with its state, and no second "发起退出".
    case = initiate(world, "8.1")
    client.force_login(world.users[R.DISTRICT_OFFICER])
    html = _text(client.get(url))
    assert f'data-open-termination="{case.pk}"' in html
    assert f'data-termination="{case.pk}"' in html and "已发起" in html
    assert initiate_url not in html
    # And the initiate page itself sends to the open case.
    response = client.get(initiate_url)
    assert response.status_code == 302 and response["Location"] == reverse("terminations:detail", args=[case.pk])


# --- initiating ------------------------------------------------------------------------------------------------


def _ground_items(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-ground="([0-9.]+)" data-available="([01])"', html))


def test_initiate_page_lists_all_eight_grounds_with_unavailable_ones_disabled(client, world):
    make_ground_available(world, "8.3")
    client.force_login(world.users[R.DISTRICT_OFFICER])
    html = _text(client.get(reverse("terminations:initiate", args=[world.outlets["A"].pk])))
    items = _ground_items(html)
    assert set(items) == {"8.1", "8.2", "8.3", "8.4", "9.1", "9.2", "9.3", "9.4"}
    assert {g for g, ok in items.items() if ok == "0"} == {"9.3", "9.4"}
    assert "该网点没有经评估不符合要求的迁址" in html
    assert "期满未续签" in html
    assert re.search(r'value="9\.3" disabled', html) and not re.search(r'value="8\.3" disabled', html)
    # The record 8(3) will rest on is named and linked (the system links it; nobody types it).
    rect = Rectification.objects.get()
    assert f"整改 第 {rect.pk} 号（期限 2026-09-30，逾期未完成）" in html
    assert f'href="{reverse("rectification:detail", args=[rect.pk])}" data-evidence="8.3"' in html

    client.force_login(world.users[R.BANK_APPLICANT])
    html = _text(client.get(reverse("terminations:initiate", args=[world.outlets["A"].pk])))
    items = _ground_items(html)
    assert {g for g, ok in items.items() if ok == "1"} == {"9.2"}
    assert "您的角色不能依此情形发起解除合作。" in html


def test_initiate_through_the_page_validation_then_success(client, world):
    outlet = world.outlets["A"]
    url = reverse("terminations:initiate", args=[outlet.pk])
    client.force_login(world.users[R.BANK_HEAD_OFFICE])
    response = client.post(url, {"ground": "9.2", "reasons": ""})
    assert response.status_code == 200
    html = _text(response)
    assert re.search(r'class="form-row[^"]*has-error[^"]*" data-field="reasons"', html)
    assert Termination.objects.count() == 0
    # A ground this role may not use is refused beside the choice (the radio was disabled; the server decides).
    response = client.post(url, {"ground": "8.1", "reasons": "严重违约"})
    assert response.status_code == 403
    assert "您的角色不能依" in _text(response)
    assert Termination.objects.count() == 0
    response = client.post(
        url, {"ground": "9.2", "reasons": "总行调整网点布局，申请终止合作。", "evidence": [pdf("letter.pdf")]}
    )
    case = Termination.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("terminations:detail", args=[case.pk])
    assert (case.ground, case.state, case.initiator_side) == ("9.2", "initiated", "bank")
    html = _text(client.get(response["Location"]))
    assert "已对“" in html and "发起解除合作" in html  # the success message
    assert "证据材料 1" in html  # the documents panel


def test_initiate_an_unavailable_ground_is_refused_beside_the_form(client, world):
    client.force_login(world.users[R.DISTRICT_OFFICER])
    response = client.post(
        reverse("terminations:initiate", args=[world.outlets["A"].pk]), {"ground": "8.3", "reasons": "整改逾期"}
    )
    assert response.status_code == 409
    assert "该网点没有逾期未完成的整改" in _text(response)
    assert Termination.objects.count() == 0


# --- the case page and the actions ----------------------------------------------------------------------------


def _buttons(html: str) -> set[str]:
    block = re.search(r'<div class="actions case-actions".*?</div>', html, re.S)
    return set(re.findall(r'data-action="([a-z_]+)"', block.group(0))) if block else set()


def test_detail_shows_exactly_the_allowed_buttons(client, world, listed):
    case = initiate(world, "9.2")  # by the bank applicant
    url = reverse("terminations:detail", args=[case.pk])
    expected = {
        R.BANK_APPLICANT: {"cancel"},  # the initiator's organisation
        R.BANK_HEAD_OFFICE: set(),  # same side: may not agree with itself
        R.DISTRICT_OFFICER: {"counterparty_agree"},
        R.DISTRICT_LEADER: set(),  # 9(2): nothing to decide before the other side agrees
        R.CENTER_LEADER: set(),  # no consent on 9(2)
        R.REGULATOR: set(),
    }
    for role, buttons in expected.items():
        client.force_login(world.users[role])
        html = _text(client.get(url))
        assert _buttons(html) == buttons, role
        assert "一方申请终止且双方协商一致" in html
        assert "报中心备案后开始计算" in html


def test_a_9_2_exit_through_the_pages(client, world, listed):
    outlet = world.outlets["A"]
    case = initiate(world, "9.2", role=R.BANK_HEAD_OFFICE)
    detail = reverse("terminations:detail", args=[case.pk])

    def action(name):
        return reverse("terminations:action", args=[case.pk, name])

    # The district agrees: the date is checked beside its field.
    client.force_login(world.users[R.DISTRICT_OFFICER])
    response = client.post(action("counterparty_agree"), {"version": case.version, "statement": "同意"})
    assert response.status_code == 200 and 'data-field="agreed_on"' in _text(response)
    assert "has-error" in _text(response)
    response = client.post(
        action("counterparty_agree"), {"version": case.version, "agreed_on": "2026-10-09", "statement": "同意终止合作"}
    )
    assert response.status_code == 302 and response["Location"] == detail
    case.refresh_from_db()
    assert case.state == "agreed"

    # The leader decides: irreversible, so it asks for confirmation first; the document is required.
    client.force_login(world.users[R.DISTRICT_LEADER])
    page = _text(client.get(action("decide")))
    assert 'name="confirm"' in page and "不可撤销" in page
    response = client.post(
        action("decide"), {"version": case.version, "decided_on": "2026-10-10", "decision_document": pdf()}
    )
    assert response.status_code == 200 and "此操作不可撤销，请勾选确认后再提交。" in _text(response)
    response = client.post(action("decide"), {"version": case.version, "decided_on": "2026-10-10", "confirm": "yes"})
    assert response.status_code == 200
    assert re.search(r'class="form-row[^"]*has-error[^"]*" data-field="decision_document"', _text(response))
    response = client.post(
        action("decide"),
        {"version": case.version, "decided_on": "2026-10-10", "confirm": "yes", "decision_document": pdf()},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "decided"
    outlet.refresh_from_db()
    assert outlet.status == "active"  # still serving until filed

    # The officer files: the outlet turns terminating and leaves the public directory at once.
    client.force_login(world.users[R.DISTRICT_OFFICER])
    response = client.post(action("file_with_center"), {"version": case.version, "confirm": "yes"})
    assert response.status_code == 302
    case.refresh_from_db()
    outlet.refresh_from_db()
    assert (case.state, outlet.status) == ("filed", "terminating")
    assert RosterEntry.objects.get(outlet=outlet).hidden
    html = _text(client.get(detail))
    assert 'data-deadline="left"' in html or 'data-deadline="today"' in html
    assert "市社保卡服务中心关闭账户、移出名单（5个工作日）" in html

    # The center closes the accounts: the form lists every open account; all must be ticked.
    client.force_login(world.users[R.CENTER_OFFICER])
    page = _text(client.get(action("close_accounts")))
    for identifier in ACCOUNTS:
        assert f'name="accounts" value="{identifier}"' in page
    today = case.filed_on.isoformat()
    response = client.post(
        action("close_accounts"),
        {"version": case.version, "accounts": ACCOUNTS[:2], "closed_on": today, "confirm": "yes"},
    )
    assert response.status_code == 200
    html = _text(response)
    assert "尚未勾选：CQ-TM-0001" in html
    assert re.search(r'name="accounts" value="CQ-OP-0001" id="account-1" checked', html)  # ticks are kept
    assert not re.search(r'value="CQ-TM-0001" id="account-3" checked', html)
    assert SystemAccount.objects.filter(outlet=outlet, closed_on__isnull=True).count() == 3
    response = client.post(
        action("close_accounts"),
        {"version": case.version, "accounts": ACCOUNTS, "closed_on": today, "confirm": "yes"},
    )
    assert response.status_code == 302 and response["Location"] == detail
    case.refresh_from_db()
    outlet.refresh_from_db()
    assert (case.state, outlet.status) == ("closed", "terminated")
    assert not SystemAccount.objects.filter(outlet=outlet, closed_on__isnull=True).exists()
    assert not RosterEntry.objects.filter(outlet=outlet).exists()
    html = _text(client.get(detail))
    assert "已完成“关闭账户并移出名单”" in html
    for label in ("发起解除合作", "另一方同意终止", "作出解除合作决定", "报中心备案", "关闭账户并移出名单"):
        assert label in html
    assert "按期完成" in html  # the center met its deadline
    # The timeline says every recorded fact in words, with the ground's article: never a raw payload key.
    timeline = html.split('<ol class="timeline">')[1].split("</ol>")[0]
    for key in ("ground_article", "roster_hidden", "accounts_closed", "agreements_ended", ">ground<"):
        assert key not in timeline, key
    assert "第9条第(2)项" in timeline and "已隐藏该网点" in timeline
    assert "解除合作决定书" in html  # documents panel
    outlet_html = _text(client.get(reverse("portal:outlet_detail", args=[outlet.pk])))
    assert "已退出" in outlet_html


def test_an_action_the_state_no_longer_allows_redirects_with_a_message(client, world, listed):
    case = put_in_state(world, "decided")
    client.force_login(world.users[R.DISTRICT_LEADER])
    response = client.get(reverse("terminations:action", args=[case.pk, "decide"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("terminations:detail", args=[case.pk])


def test_related_records_on_the_case_page(client, world, listed):
    case = put_in_state(world, "initiated", ground="8.3")
    client.force_login(world.users[R.DISTRICT_OFFICER])
    html = _text(client.get(reverse("terminations:detail", args=[case.pk])))
    related = html.split('data-panel="related"')[1]
    assert f'href="{reverse("rectification:detail", args=[case.rectification_id])}"' in related
    assert "本案依据" in related
    for identifier in ACCOUNTS:
        assert identifier in related


# --- list, filters, export ----------------------------------------------------------------------------------


def test_list_filters_sort_and_export_exactly_what_is_filtered(client, world):
    a = initiate(world, "8.1")
    b = _outlet_b_case(world)
    client.force_login(world.users[R.CENTER_OFFICER])
    url = reverse("terminations:list")

    def shown(**params):
        return [row["c"].pk for row in client.get(url, params).context["rows"]]

    assert set(shown()) == {a.pk, b.pk}
    assert shown(district=world.districts["A"].pk) == [a.pk]
    assert shown(bank=world.banks["B"].pk) == [b.pk]
    assert shown(ground="8.1", state="initiated", sort="outlet") in ([a.pk, b.pk], [b.pk, a.pk])
    assert shown(state="closed") == []
    assert shown(q="jfb") == [a.pk]  # pinyin initials of 解放碑
    assert shown(initiated_from="2026-10-09") == []
    assert set(shown(initiated_from="2026-10-08", initiated_to="2026-10-08")) == {a.pk, b.pk}
    bad = client.get(url, {"initiated_from": "2026-10-09", "initiated_to": "2026-10-01"})
    assert "结束日期不能早于开始日期。" in _text(bad)
    empty = _text(client.get(url, {"state": "closed"}))
    assert "没有符合条件的解除合作。" in empty
    assert "共 0 件解除合作" in empty
    asc = shown(sort="district")
    assert asc == [a.pk, b.pk] and shown(sort="-district") == [b.pk, a.pk]

    response = client.get(reverse("terminations:export"), {"district": world.districts["A"].pk})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) == 2
    assert rows[1][0] == a.pk and rows[1][2] == world.outlets["A"].name


def test_list_empty_state_for_a_district_without_cases(client, world):
    client.force_login(world.users[R.DISTRICT_OFFICER])
    html = _text(client.get(reverse("terminations:list")))
    assert "您的管辖范围内暂无解除合作事项。" in html


def test_list_and_panel_query_counts_do_not_grow_with_rows(client, world, django_assert_max_num_queries):
    from ssc.registry.models import Outlet as OutletModel
    from ssc.terminations import services

    from .conftest import at, initiate_data

    initiate(world, "8.1")
    client.force_login(world.users[R.CENTER_OFFICER])
    url = reverse("terminations:list")
    client.get(url)  # warm the per-process caches
    with django_assert_max_num_queries(100) as small:
        assert client.get(url).status_code == 200
    for i in range(5):
        extra = OutletModel.objects.create(
            code=f"OA-1{i:02d}",
            name=f"中国工商银行重庆测试分理处{i}",
            bank=world.banks["A"],
            sub_branch=world.orgs["subA"],
            district=world.districts["A"],
            address=f"渝中区测试路{i}号",
            latitude=29.55,
            longitude=106.57,
            status="active",
        )
        services.initiate(
            actor=world.users[R.DISTRICT_OFFICER], outlet_id=extra.pk, data=initiate_data("8.1"), at=at("2026-10-08")
        )
    # Slack of 2 for per-process caches that re-check on a timer (the work calendar); five more rows with one query
    # each would still fail.
    with django_assert_max_num_queries(len(small.captured_queries) + 2):
        response = client.get(url)
    assert len(response.context["rows"]) == 6


def test_center_consent_and_cancel_through_the_pages(client, world, listed):
    # 9(1): the center's leader gives written consent (a document is required), then the district may decide.
    case = initiate(world, "9.1")
    consent = reverse("terminations:action", args=[case.pk, "center_consent"])
    client.force_login(world.users[R.CENTER_LEADER])
    response = client.post(consent, {"version": case.version, "consented_on": "2026-10-09"})
    assert response.status_code == 200
    assert re.search(r'class="form-row[^"]*has-error[^"]*" data-field="consent_document"', _text(response))
    response = client.post(
        consent, {"version": case.version, "consented_on": "2026-10-09", "consent_document": pdf("consent.pdf")}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "consented"
    client.force_login(world.users[R.DISTRICT_LEADER])
    assert "decide" in _buttons(_text(client.get(reverse("terminations:detail", args=[case.pk]))))

    # Cancel: by the initiating organisation only, with a reason, confirmed (irreversible).
    cancel = reverse("terminations:action", args=[case.pk, "cancel"])
    client.force_login(world.users[R.DISTRICT_OFFICER])
    assert client.get(cancel).status_code == 403  # not the initiator
    client.force_login(world.users[R.BANK_HEAD_OFFICE])
    response = client.post(cancel, {"version": case.version, "reason": "银行撤回申请"})
    assert response.status_code == 200 and "此操作不可撤销，请勾选确认后再提交。" in _text(response)
    response = client.post(cancel, {"version": case.version, "reason": "银行撤回申请", "confirm": "yes"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "cancelled"
    # A stale page (old version) is told what happened, not silently overwritten.
    response = client.post(cancel, {"version": case.version - 1, "reason": "再次撤销", "confirm": "yes"})
    assert response.status_code == 302
    # The outlet may be the subject of a new termination again.
    client.force_login(world.users[R.DISTRICT_OFFICER])
    html = _text(client.get(reverse("portal:outlet_detail", args=[world.outlets["A"].pk])))
    assert reverse("terminations:initiate", args=[world.outlets["A"].pk]) in html
