"""Bulk import of outlets: all rows or none, every problem reported with its row and column."""

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from openpyxl import Workbook, load_workbook

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.core.errors import NotAllowed
from ssc.registry import imports
from ssc.registry.choices import InterconnectionMode, OutletStatus
from ssc.registry.imports import EXPORT_HEADERS, RowError, import_outlets, template_xlsx
from ssc.registry.models import Outlet

pytestmark = pytest.mark.django_db

HEADERS = EXPORT_HEADERS  # 网点编码 … 状态, the template's order


def row(code="N-001", **over):
    values = {
        "网点编码": code,
        "网点名称": f"中国工商银行重庆{code}分理处",
        "银行": "中国工商银行",
        "所属一级支行": "中国工商银行重庆渝中区支行",
        "所在区县": "渝中区",
        "地址": "重庆市渝中区民族路177号",
        "纬度": 29.5575,
        "经度": 106.5772,
        "工作日营业时间": "09:00-17:00",
        "周末营业时间": "",
        "营业时间说明": "",
        "咨询电话": "023-63000011",
        "投诉电话": 95588,
        "服务项目": "申领、即时制卡、补换卡",
        "互联方式": "金渝网",
        "计划迁移金渝网日期": "",
        "状态": "",
    }
    values.update(over)
    return [values[h] for h in HEADERS]


def xlsx(rows, headers=HEADERS):
    wb = Workbook()  # the normal (shared strings) writer, as Excel saves files
    ws = wb.active
    ws.title = "网点"
    ws.append(list(headers))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows, headers=HEADERS, encoding="utf-8-sig"):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def run(actor, data, filename="outlets.xlsx", **kw):
    return import_outlets(actor=actor, fileobj=io.BytesIO(data), filename=filename, **kw)


def test_good_xlsx_creates_outlets_with_services_and_one_audit_event(world):
    officer = world.users[Role.CENTER_OFFICER]
    before = AuditEvent.objects.count()
    rows = [
        row("N-001"),
        row(
            "N-002",
            网点名称="中国工商银行重庆沙坪坝三峡广场分理处",
            所在区县="500106",
            所属一级支行="icbc-sub-A",
            服务项目="apply, replacement",
            互联方式="原社银直连",
            计划迁移金渝网日期=dt.datetime(2026, 9, 30),
            工作日营业时间="9:00–17:30",
            周末营业时间="休息",
            状态="合作中",
        ),
    ]
    result = run(officer, xlsx(rows))
    assert result == imports.ImportResult(created=2, errors=[], total_rows=2, codes=["N-001", "N-002"])
    a = Outlet.objects.get(code="N-001")
    assert a.bank == world.banks["A"] and a.sub_branch == world.orgs["subA"] and a.district == world.districts["A"]
    assert (a.latitude, a.longitude) == (29.5575, 106.5772)
    assert a.complaint_phone == "95588"  # typed as a number in Excel
    assert a.status == OutletStatus.APPLYING
    assert a.instant_issuance
    assert set(a.services.values_list("code", flat=True)) == {"apply", "instant_issuance", "replacement"}
    expected = Outlet(name=a.name)
    expected.refresh_search_fields()
    assert (a.name_pinyin, a.name_initials) == (expected.name_pinyin, expected.name_initials)
    b = Outlet.objects.get(code="N-002")
    assert b.district == world.districts["B"]
    assert b.interconnection_mode == InterconnectionMode.LEGACY
    assert b.jinyu_migration_planned_on == dt.date(2026, 9, 30)
    assert (b.weekday_hours, b.weekend_hours) == ("09:00-17:30", "")
    assert b.status == OutletStatus.ACTIVE
    assert not b.instant_issuance
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [e.action for e in events] == ["outlet.import"]
    assert events[0].after["count"] == 2 and events[0].after["codes"] == ["N-001", "N-002"]
    assert events[0].actor_username == officer.username


def test_good_csv_in_utf8_utf8_bom_and_gbk(world):
    officer = world.users[Role.CENTER_OFFICER]
    for i, encoding in enumerate(["utf-8-sig", "utf-8", "gbk"]):
        data = csv_bytes([row(f"C{i}-1"), row(f"C{i}-2")], encoding=encoding)
        result = run(officer, data, filename="outlets.csv")
        assert result.errors == [] and result.created == 2, encoding
        assert Outlet.objects.get(code=f"C{i}-1").name == f"中国工商银行重庆C{i}-1分理处"


def test_bad_rows_are_all_reported_and_nothing_is_imported(world):
    officer = world.users[Role.CENTER_OFFICER]
    rows = [
        row("B-001"),  # row 2: fine
        row("B-002", 纬度=91),  # row 3
        row("B-003", 银行="不存在银行"),  # row 4
        row("B-004", 所属一级支行="中国建设银行重庆沙坪坝区支行"),  # row 5: another bank's sub-branch
        row("B-001"),  # row 6: duplicate of row 2
        row("B-006", 咨询电话="电话abc"),  # row 7
        row("B-007", 网点名称=""),  # row 8
        row("OA-001"),  # row 9: already in the registry
        row("B-009", 纬度="北纬29度"),  # row 10
        row("B-010", 服务项目="申领、做饭"),  # row 11
        row("B-011", 纬度=106.5, 经度=29.5),  # row 12: swapped
    ]
    before_outlets, before_events = Outlet.objects.count(), AuditEvent.objects.count()
    result = run(officer, xlsx(rows))
    assert result.created == 0 and result.total_rows == len(rows)
    got = {(e.row, e.column) for e in result.errors}
    assert got == {
        (3, "纬度"),
        (4, "银行"),
        (5, "所属一级支行"),
        (6, "网点编码"),
        (7, "咨询电话"),
        (8, "网点名称"),
        (9, "网点编码"),
        (10, "纬度"),
        (11, "服务项目"),
        (12, "纬度"),
        (12, "经度"),
    }
    by = {(e.row, e.column): e.message for e in result.errors}
    assert "28.10" in by[(3, "纬度")]
    assert "不存在银行" in by[(4, "银行")]
    assert "不属于中国工商银行" in by[(5, "所属一级支行")]
    assert "第 2 行" in by[(6, "网点编码")]
    assert "已存在" in by[(9, "网点编码")]
    assert "做饭" in by[(11, "服务项目")]
    assert "填反" in by[(12, "纬度")]
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)
    assert Outlet.objects.count() == before_outlets
    assert AuditEvent.objects.count() == before_events


def test_district_officer_may_import_only_its_own_district(world):
    officer = world.users[Role.DISTRICT_OFFICER]  # 渝中区
    rows = [row("D-001"), row("D-002", 所在区县="沙坪坝区")]
    result = run(officer, xlsx(rows))
    assert result.created == 0
    assert result.errors == [RowError(3, "所在区县", "您只能导入本区县（渝中区）的网点。")]
    assert not Outlet.objects.filter(code__startswith="D-").exists()
    # Reported together with the row's other problems, not only once they are fixed.
    result = run(officer, xlsx([row("D-003", 所在区县="沙坪坝区", 咨询电话="x")]))
    assert {(e.row, e.column) for e in result.errors} == {(2, "所在区县"), (2, "咨询电话")}
    assert run(officer, xlsx(rows[:1])).created == 1


def test_bank_applicant_may_import_only_its_sub_branch(world):
    applicant = world.other[Role.BANK_APPLICANT]  # 中国建设银行 sub-branch B
    rows = [
        row("E-001", 银行="中国建设银行", 所属一级支行="中国建设银行重庆沙坪坝区支行"),
        row("E-002"),
    ]
    result = run(applicant, xlsx(rows))
    assert [(e.row, e.column) for e in result.errors] == [(3, "所属一级支行")]


def test_only_the_center_sets_a_status_other_than_applying(world):
    rows = [row("S-001", 状态="合作中")]
    result = run(world.users[Role.DISTRICT_OFFICER], xlsx(rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "状态")]
    result = run(world.users[Role.CENTER_OFFICER], xlsx([row("S-002", 状态="unknown")]))
    assert [(e.row, e.column) for e in result.errors] == [(2, "状态")]


def test_roles_that_may_not_register_outlets_are_refused(world):
    for role in (Role.REGULATOR, Role.DISTRICT_LEADER, Role.HOTLINE_OPERATOR, Role.AUDIT_ADMIN):
        with pytest.raises(NotAllowed):
            run(world.users[role], xlsx([row()]))


@pytest.mark.parametrize(
    ("data", "filename", "fragment"),
    [
        (bytes(range(256)) * 20, "outlets.csv", "二进制"),
        (b"\x89PNG\r\n\x1a\n" + b"\x01\x02" * 500, "outlets.csv", "二进制"),
        (b"not a workbook at all", "outlets.xlsx", "不是有效的 Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "outlets.xls", ".xls"),
        (b"PK\x03\x04" + b"\x00" * 100, "outlets.csv", ".xlsx"),
        (b"code,name\n", "outlets.pdf", "仅支持"),
        (b"", "outlets.csv", "为空"),
    ],
)
def test_files_of_the_wrong_kind_are_refused_clearly(world, data, filename, fragment):
    result = run(world.users[Role.CENTER_OFFICER], data, filename=filename)
    assert result.created == 0 and len(result.errors) == 1
    error = result.errors[0]
    assert error.row == 0 and fragment in error.message


def test_a_zip_that_is_not_a_workbook_is_refused(world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    result = run(world.users[Role.CENTER_OFFICER], buf.getvalue(), filename="outlets.xlsx")
    assert result.errors[0].row == 0 and "Excel" in result.errors[0].message


def test_header_problems_are_reported_on_the_header_row(world):
    headers = [h for h in HEADERS if h != "纬度"] + ["颜色"]
    rows = [[v for h, v in zip(HEADERS, row(), strict=True) if h != "纬度"] + ["红"]]
    result = run(world.users[Role.CENTER_OFFICER], xlsx(rows, headers=headers))
    assert {(e.row, e.column) for e in result.errors} == {(1, "纬度"), (1, "颜色")}
    assert result.created == 0


def test_headers_may_carry_marks_and_ignored_columns(world):
    headers = ["序号", *[h + "*" if h == "网点编码" else h for h in HEADERS], "备注"]
    result = run(world.users[Role.CENTER_OFFICER], xlsx([[1, *row("H-001"), "说明"]], headers=headers))
    assert result.errors == [] and result.created == 1


def test_empty_rows_are_skipped_and_row_numbers_stay_spreadsheet_rows(world):
    empty = [None] * len(HEADERS)
    result = run(world.users[Role.CENTER_OFFICER], xlsx([row("R-001"), empty, empty, row("R-004", 银行="无此行")]))
    assert result.total_rows == 2
    assert [(e.row, e.column) for e in result.errors] == [(5, "银行")]


def test_header_only_and_template_have_no_data_rows(world):
    result = run(world.users[Role.CENTER_OFFICER], template_xlsx())
    assert [e.row for e in result.errors] == [0] and "没有数据行" in result.errors[0].message


def test_template_lists_the_columns_and_reference_values(world):
    wb = load_workbook(io.BytesIO(template_xlsx()))
    assert wb.sheetnames == ["网点", "填写说明", "参考值"]
    header = [c.value for c in wb["网点"][1]]
    assert header[0] == "网点编码*" and header[-1] == "状态"
    refs = [c.value for c in wb["参考值"]["A"]]
    assert "中国工商银行" in refs
    # Filled in, the template imports.
    ws = wb["网点"]
    ws.append(row("T-001"))
    out = io.BytesIO()
    wb.save(out)
    assert run(world.users[Role.CENTER_OFFICER], out.getvalue()).created == 1


def test_dry_run_creates_nothing(world):
    result = run(world.users[Role.CENTER_OFFICER], xlsx([row("Y-001")]), dry_run=True)
    assert result.errors == [] and result.created == 0 and result.codes == ["Y-001"]
    assert not Outlet.objects.filter(code="Y-001").exists()


def test_too_many_rows(world, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    result = run(world.users[Role.CENTER_OFFICER], xlsx([row("M-1"), row("M-2"), row("M-3")]))
    assert result.errors[0].row == 0 and "最多" in result.errors[0].message


def test_a_conflict_while_writing_rolls_everything_back(world, monkeypatch):
    def boom(*args, **kwargs):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(Outlet.objects, "bulk_create", boom)
    result = run(world.users[Role.CENTER_OFFICER], xlsx([row("X-001")]))
    assert result.created == 0 and result.errors[0].row == 0 and "冲突" in result.errors[0].message
    assert not Outlet.objects.filter(code="X-001").exists()


def test_export_then_import_round_trip(world):
    data = imports.export_outlets(Outlet.objects.filter(code="OA-001"), "csv")
    text = data.decode("utf-8-sig").replace("OA-001", "RT-001")
    result = run(world.users[Role.CENTER_OFFICER], text.encode(), filename="export.csv")
    assert result.errors == [] and result.created == 1
    old, new = Outlet.objects.get(code="OA-001"), Outlet.objects.get(code="RT-001")
    for f in ("name", "bank_id", "sub_branch_id", "district_id", "address", "latitude", "longitude", "status"):
        assert getattr(old, f) == getattr(new, f), f
    assert set(old.services.values_list("code", flat=True)) == set(new.services.values_list("code", flat=True))
    xlsx_data = imports.export_outlets(Outlet.objects.all(), "xlsx")
    assert load_workbook(io.BytesIO(xlsx_data)).active.max_row == Outlet.objects.count() + 1


@pytest.mark.parametrize(
    "name",
    [
        "中国工商银行重庆解放碑分理处",
        "重庆农村商业银行长寿支行营业部",
        "ABC 第2储蓄所",
        "重庆银行（两江）",
        "",
        "中国银行重庆行政中心支行",
        "招商银行重庆长江一路支行",
        "重庆三峡银行万州银行卡中心",
        "中国建设银行重庆沙坪坝重庆大学支行",
    ],
)
def test_fast_search_fields_match_the_model(name):
    o = Outlet(name=name)
    o.refresh_search_fields()
    assert imports.search_fields(name) == (o.name_pinyin, o.name_initials)
    assert imports.search_fields(name) == (o.name_pinyin, o.name_initials)  # from the word cache


def test_fast_search_fields_match_the_model_for_every_generated_name():
    import random

    from ssc.registry import reference as ref

    rng = random.Random(3)
    names = set()
    for area in ref.AREAS.values():
        for place in area.places:
            for prefix in ("中国工商银行重庆", "重庆农村商业银行", "中国邮政储蓄银行重庆", "兴业银行重庆"):
                names.add(f"{prefix}{place}{rng.choice(['支行', '分理处', '储蓄所', '支行营业部', '大街分理处'])}")
    for name in names:
        o = Outlet(name=name)
        o.refresh_search_fields()
        assert imports.search_fields(name) == (o.name_pinyin, o.name_initials), name


def test_fast_reader_agrees_with_openpyxl():
    wb = Workbook()
    ws = wb.active
    ws.append(["文本", "整数", "小数", "日期", "布尔", None, "空后"])
    ws.append(["重庆", 95588, 29.5575, dt.date(2026, 3, 16), True, None, "x"])
    ws.append([])
    ws.append([None, None, None, None, None, None, None])
    ws["B5"] = "=1+1"  # a formula without a cached value
    ws["E6"] = "只有E列"
    ws["A7"] = dt.datetime(2026, 12, 31, 0, 0)
    ws["B7"] = dt.datetime(2026, 3, 16, 14, 30)
    ws["C7"] = dt.time(9, 0)
    ws["D7"] = dt.date(1900, 1, 15)
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    ws["A8"] = CellRichText([TextBlock(InlineFont(b=True), "富"), "文本"])
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()

    fast = dict(imports._FastXlsx(data).rows())
    slow_wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    slow = {}
    for r, values in enumerate(slow_wb.active.iter_rows(values_only=True), start=1):
        if any(v not in (None, "") for v in values):
            slow[r] = list(values)
    assert set(fast) == set(slow) == {1, 2, 6, 7, 8}

    def norm(values):
        values = [v.date() if isinstance(v, dt.datetime) and v.time() == dt.time() else v for v in values]
        while values and values[-1] is None:
            values.pop()
        return values

    for r in fast:
        assert norm(fast[r]) == norm(slow[r]), r


def test_command_reports_errors_and_exits_non_zero(world, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row("K-001", 纬度="x")]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_outlets", str(bad), "--as", world.users[Role.CENTER_OFFICER].username, stderr=err)
    assert "2\t纬度\t" in err.getvalue()
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([row("K-002")]))
    out = io.StringIO()
    call_command("import_outlets", str(good), stdout=out)
    assert "新增网点 1 个" in out.getvalue()
    assert AuditEvent.objects.filter(action="outlet.import").latest("seq").source == "command"
    with pytest.raises(CommandError, match="无权"):
        call_command("import_outlets", str(good), "--as", world.users[Role.REGULATOR].username)


def test_export_command(world, tmp_path):
    out = io.StringIO()
    call_command("export_outlets", "--format", "csv", "--district", "渝中区", stdout=out)
    lines = out.getvalue().lstrip("\ufeff").splitlines()
    assert lines[0].startswith("网点编码,网点名称") and len(lines) == 2 and "OA-001" in lines[1]
    target = tmp_path / "o.xlsx"
    call_command(
        "export_outlets", "--format", "xlsx", "-o", str(target), "--as", "district_officer_b", stderr=io.StringIO()
    )
    codes = [r[0] for r in load_workbook(target).active.iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == ["OA-002", "OB-001"]
