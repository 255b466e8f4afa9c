"""The import page end to end with the real importer (``ssc.registry.imports``)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.registry.imports import COLUMNS
from ssc.registry.models import Outlet

pytestmark = pytest.mark.django_db
URL = reverse("portal:outlet_import")
HEADERS = [c.header for c in COLUMNS]


def _row(world, code, *, district="渝中区", lat="29.56", **over):
    values = {
        "网点编码": code,
        "网点名称": f"中国工商银行重庆{code}分理处",
        "银行": "中国工商银行",
        "所属一级支行": world.orgs["subA"].name,
        "所在区县": district,
        "地址": "重庆市渝中区民族路177号",
        "纬度": lat,
        "经度": "106.58",
        "工作日营业时间": "09:00-17:00",
        "服务项目": "申领、即时制卡",
    }
    values.update(over)
    return [values.get(h, "") for h in HEADERS]


def _csv(rows) -> SimpleUploadedFile:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile("outlets.csv", buf.getvalue().encode("utf-8-sig"), content_type="text/csv")


@pytest.fixture
def officer(client, world):
    client.force_login(world.users[Role.DISTRICT_OFFICER])  # district A (渝中区)
    return world


def test_template_has_the_importers_header(client, officer):
    response = client.get(reverse("portal:outlet_import_template"))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    header = [c.value for c in wb.worksheets[0][1]]
    assert [h.rstrip("*") for h in header] == HEADERS


def test_valid_csv_creates_outlets_and_says_how_many(client, officer):
    upload = _csv([_row(officer, "NEW-001"), _row(officer, "NEW-002")])
    response = client.post(URL, {"file": upload}, follow=True)
    assert "导入成功：共 2 行，新建 2 个网点" in response.content.decode()
    created = Outlet.objects.get(code="NEW-001")
    assert created.district == officer.districts["A"] and created.instant_issuance
    # …and the officer finds it in the list by pinyin initials straight away.
    listing = client.get(reverse("portal:outlet_list"), {"q": "zggsyhcq"})
    assert {"NEW-001", "NEW-002"} <= {o.code for o in listing.context["outlets"]}


def test_valid_xlsx_from_the_template(client, officer):
    wb = openpyxl.load_workbook(io.BytesIO(client.get(reverse("portal:outlet_import_template")).content))
    wb.worksheets[0].append(_row(officer, "NEW-XLSX", lat=29.56))
    buf = io.BytesIO()
    wb.save(buf)
    upload = SimpleUploadedFile("outlets.xlsx", buf.getvalue())
    response = client.post(URL, {"file": upload}, follow=True)
    assert "新建 1 个网点" in response.content.decode()
    assert Outlet.objects.filter(code="NEW-XLSX").exists()


def test_one_bad_row_imports_nothing_and_the_report_names_row_and_column(client, officer):
    upload = _csv([_row(officer, "NEW-001"), _row(officer, "NEW-002", lat="45.0"), _row(officer, "OA-001")])
    response = client.post(URL, {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "未导入：文件中有错误" in html
    assert "没有导入任何网点" in html
    errors = {(e.row, e.column) for e in response.context["errors"]}
    assert (3, "纬度") in errors  # row 3 of the sheet (the header is row 1)
    assert (4, "网点编码") in errors  # OA-001 exists already
    assert not Outlet.objects.filter(code__startswith="NEW-").exists()


def test_a_district_officer_cannot_import_into_another_district(client, officer):
    response = client.post(URL, {"file": _csv([_row(officer, "NEW-B", district="沙坪坝区")])})
    (error,) = response.context["errors"]
    assert error.row == 2 and "本区县" in error.message
    assert not Outlet.objects.filter(code="NEW-B").exists()


def test_a_damaged_file_is_reported_for_the_whole_file(client, officer):
    upload = SimpleUploadedFile("outlets.xlsx", b"PK\x03\x04 this is not a workbook")
    response = client.post(URL, {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "整个文件" in html
    assert "不是有效的 Excel 工作簿" in html
