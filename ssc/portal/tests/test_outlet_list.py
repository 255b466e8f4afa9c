"""The outlet list page: filters (pinyin initials included), sorting, badges, pagination, empty states,
query count, and the export of exactly what is filtered."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.core import pinyin
from ssc.core.testing import make_outlet, make_user
from ssc.registry.choices import DistrictKind, InterconnectionMode, OrganisationKind, OutletStatus
from ssc.registry.models import District, Organisation, Outlet

pytestmark = pytest.mark.django_db
LIST = reverse("portal:outlet_list")
EXPORT = reverse("portal:outlet_export")


@pytest.fixture
def center(client, world):
    client.force_login(world.users[Role.CENTER_OFFICER])
    return world


def _codes(response) -> list[str]:
    return [o.code for o in response.context["outlets"]]


def _xlsx_rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(wb.active.values)


def _xlsx_rows_from(body: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(body), read_only=True).active.values)


def _more_outlets(world, n: int, start: int = 100) -> None:
    for i in range(start, start + n):
        make_outlet(
            f"OX-{i:04d}",
            f"中国建设银行重庆测试{i}号网点",
            bank=world.banks["B"],
            sub_branch=world.orgs["subB"],
            district=world.districts["B"],
            services=[world.services["apply"]],
        )


def test_pinyin_initials_are_what_the_search_relies_on():
    assert "gsyh" in pinyin.initials("中国工商银行重庆解放碑分理处")
    assert "jfb" in pinyin.initials("中国工商银行重庆解放碑分理处")


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("jfb", {"OA-001"}),
        ("JFB", {"OA-001"}),
        ("gsyh", {"OA-001", "OA-002"}),
        ("jiefangbei", {"OA-001"}),
        ("解放碑", {"OA-001"}),
        ("沙坪坝", {"OB-001", "OA-002"}),
        ("OB-001", {"OB-001"}),
        ("zzzz", set()),
    ],
)
def test_text_search_including_pinyin_initials(client, center, q, expected):
    response = client.get(LIST, {"q": q})
    assert response.status_code == 200
    assert set(_codes(response)) == expected


def test_search_stays_inside_the_scope(client, world):
    client.force_login(world.users[Role.DISTRICT_OFFICER])  # district A: outlet A only
    assert set(_codes(client.get(LIST, {"q": "gsyh"}))) == {"OA-001"}
    assert _codes(client.get(LIST, {"q": "沙坪坝"})) == []


def test_filters(client, center):
    w = center
    Outlet.objects.filter(pk=w.outlets["B"].pk).update(
        status=OutletStatus.UNDER_RECTIFICATION, interconnection_mode=InterconnectionMode.LEGACY
    )
    assert set(_codes(client.get(LIST, {"district": w.districts["B"].pk}))) == {"OB-001", "OA-002"}
    assert set(_codes(client.get(LIST, {"bank": w.banks["A"].pk}))) == {"OA-001", "OA-002"}
    assert _codes(client.get(LIST, {"status": OutletStatus.UNDER_RECTIFICATION})) == ["OB-001"]
    assert _codes(client.get(LIST, {"instant_issuance": "true"})) == ["OA-001"]
    assert set(_codes(client.get(LIST, {"instant_issuance": "false"}))) == {"OB-001", "OA-002"}
    assert set(_codes(client.get(LIST, {"service": "apply"}))) == {"OA-001", "OB-001"}
    assert _codes(client.get(LIST, {"interconnection_mode": "legacy"})) == ["OB-001"]
    combined = client.get(LIST, {"district": w.districts["B"].pk, "bank": w.banks["A"].pk, "q": "flc"})
    assert _codes(combined) == ["OA-002"]


def test_filter_labels_are_tied_to_inputs(client, center):
    html = client.get(LIST).content.decode()
    for name in ("q", "district", "bank", "status", "service", "instant_issuance", "interconnection_mode"):
        assert f'<label for="id_{name}"' in html
        assert f'id="id_{name}"' in html


def test_district_and_bank_users_get_no_pointless_filter(client, world):
    client.force_login(world.users[Role.DISTRICT_OFFICER])
    form = client.get(LIST).context["form"]
    assert "district" not in form.fields and "bank" in form.fields
    client.force_login(world.users[Role.BANK_HEAD_OFFICE])
    form = client.get(LIST).context["form"]
    assert "bank" not in form.fields and "district" in form.fields


def test_bad_filter_values_are_reported_not_a_500(client, center):
    response = client.get(LIST, {"status": "bogus", "district": "abc", "instant_issuance": "maybe", "page": "x"})
    assert response.status_code == 200
    form = response.context["form"]
    assert {"status", "district", "instant_issuance"} <= set(form.errors)
    assert len(_codes(response)) == 3  # invalid filters are ignored


def test_status_badges_have_colour_and_text(client, center):
    Outlet.objects.filter(pk=center.outlets["B"].pk).update(status=OutletStatus.UNDER_RECTIFICATION)
    html = client.get(LIST).content.decode()
    assert '<span class="badge green">合作中</span>' in html
    assert '<span class="badge amber">整改中</span>' in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("code", ["OA-001", "OA-002", "OB-001"]),
        ("-code", ["OB-001", "OA-002", "OA-001"]),
        ("district", ["OA-001", "OA-002", "OB-001"]),  # 500103 渝中区 before 500106 沙坪坝区
        ("-district", ["OB-001", "OA-002", "OA-001"]),
        ("name", ["OB-001", "OA-001", "OA-002"]),  # by pinyin: chongqing… < zhongguo…jiefangbei < …shapingba
        ("-name", ["OA-002", "OA-001", "OB-001"]),
        ("bogus", ["OA-001", "OA-002", "OB-001"]),  # unknown → default (district)
    ],
)
def test_sorting(client, center, sort, expected):
    b = center.outlets["B"]
    b.name = "重庆农村商业银行沙坪坝支行"
    b.save()
    response = client.get(LIST, {"sort": sort})
    assert _codes(response) == expected


def test_sort_headers_keep_filters_and_mark_the_current_column(client, center):
    html = client.get(LIST, {"q": "gsyh", "sort": "code", "page": "1"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert "?q=gsyh&amp;sort=-code" in html  # clicking again reverses, filters kept, back to page 1
    assert "?q=gsyh&amp;sort=name" in html


def test_pagination_with_total(client, center):
    _more_outlets(center, 57)  # 60 in all
    first = client.get(LIST, {"sort": "code"})
    assert first.context["page"].paginator.count == 60
    assert len(_codes(first)) == 50
    html = first.content.decode()
    assert "共 60 个网点" in html
    assert "第 1 / 2 页" in html
    assert "?sort=code&amp;page=2" in html
    second = client.get(LIST, {"sort": "code", "page": 2})
    assert len(_codes(second)) == 10
    assert not set(_codes(first)) & set(_codes(second))
    assert client.get(LIST, {"page": 99}).context["page"].number == 2  # out of range → last page


def test_empty_states(client, world):
    client.force_login(world.users[Role.CENTER_OFFICER])
    html = client.get(LIST, {"q": "zzzz"}).content.decode()
    assert "没有符合条件的网点" in html and "清除筛选条件" in html
    # A district without outlets.
    district = District.objects.create(code="500105", name="江北区", kind=DistrictKind.DISTRICT)
    agency = Organisation.objects.create(
        code="agency-500105", name="江北区社会保障卡管理机构", kind=OrganisationKind.DISTRICT_AGENCY, district=district
    )
    client.force_login(make_user("officer_c", Role.DISTRICT_OFFICER, agency))
    html = client.get(LIST).content.decode()
    assert "您的管辖范围内暂无网点" in html
    assert "共 0 个网点" in html


def test_query_count_does_not_grow_with_rows(client, center):
    client.get(LIST)  # warm-up
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    _more_outlets(center, 40)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(_codes(response)) == 43
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_export_is_exactly_what_is_filtered_in_the_same_order(client, center):
    w = center
    response = client.get(EXPORT, {"bank": w.banks["A"].pk, "sort": "-code"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    rows = _xlsx_rows(response)
    header = rows[0]
    assert header[:3] == ("网点编码", "网点名称", "银行")
    assert [r[0] for r in rows[1:]] == ["OA-002", "OA-001"]
    a = dict(zip(header, next(r for r in rows if r[0] == "OA-001"), strict=True))
    assert a["网点名称"] == "中国工商银行重庆解放碑分理处"
    assert a["所在区县"] == "渝中区"
    assert a["银行"] == "中国工商银行"
    assert a["所属一级支行"] == center.orgs["subA"].name
    assert a["服务项目"] == "申领、即时制卡、补换卡"
    assert a["状态"] == "合作中"
    assert a["互联方式"] == "金渝网"
    assert a["纬度"] == pytest.approx(29.5573)
    assert a["工作日营业时间"] == "09:00-17:00"


def test_export_has_the_import_layout_and_can_be_imported_again(client, center):
    """Every exported column is one the importer knows; re-importing only trips over the existing codes."""
    from ssc.registry.imports import COLUMNS, import_outlets

    response = client.get(EXPORT)
    body = b"".join(response.streaming_content)
    assert _xlsx_rows_from(body)[0] == tuple(c.header for c in COLUMNS)
    result = import_outlets(
        actor=center.users[Role.CENTER_OFFICER], fileobj=io.BytesIO(body), filename="x.xlsx", dry_run=True
    )
    assert result.total_rows == 3
    assert {e.message for e in result.errors} == {f"网点编码“{c}”已存在。" for c in ("OA-001", "OA-002", "OB-001")}


def test_export_follows_the_pinyin_search(client, center):
    rows = _xlsx_rows(client.get(EXPORT, {"q": "jfb"}))
    assert [r[0] for r in rows[1:]] == ["OA-001"]


def test_export_link_carries_the_current_filters(client, center):
    html = client.get(LIST, {"q": "gsyh", "status": "active", "page": "1"}).content.decode()
    assert f'href="{EXPORT}?q=gsyh&amp;status=active"' in html


def test_export_is_scoped(client, world):
    client.force_login(world.other[Role.DISTRICT_OFFICER])  # district B
    rows = _xlsx_rows(client.get(EXPORT, {"q": "gsyh"}))
    assert [r[0] for r in rows[1:]] == ["OA-002"]


def test_csv_export(client, center):
    response = client.get(EXPORT, {"format": "csv", "district": center.districts["A"].pk})
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][0] == "网点编码"
    assert [r[0] for r in rows[1:]] == ["OA-001"]


def test_export_neutralises_formulas(client, center):
    Outlet.objects.filter(pk=center.outlets["A"].pk).update(hours_note='=HYPERLINK("http://x","y")')
    rows = _xlsx_rows(client.get(EXPORT, {"q": "jfb"}))
    header = rows[0]
    cell = dict(zip(header, rows[1], strict=True))["营业时间说明"]
    assert cell == '=HYPERLINK("http://x","y")'  # read back as text, not a formula
    body = b"".join(client.get(EXPORT, {"q": "jfb", "format": "csv"}).streaming_content).decode()
    assert "'=HYPERLINK" in body


def test_export_is_audited(client, center):
    client.get(EXPORT, {"q": "jfb"})
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "outlet.export"
    assert event.actor_id == center.users[Role.CENTER_OFFICER].pk
    assert "jfb" in event.after_json


def test_export_query_count_does_not_grow_with_rows(client, center):
    b"".join(client.get(EXPORT).streaming_content)  # warm-up: first-use work (e.g. the audit chain head)
    with CaptureQueriesContext(connection) as few:
        b"".join(client.get(EXPORT).streaming_content)
    _more_outlets(center, 30)
    with CaptureQueriesContext(connection) as many:
        rows = _xlsx_rows(client.get(EXPORT))
    assert len(rows) == 34
    assert len(many) == len(few)
