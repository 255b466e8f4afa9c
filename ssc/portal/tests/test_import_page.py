"""The bulk import page. The page's own behaviour (upload checks, the error report, all-or-nothing message,
the success count) is tested against a stand-in for ``ssc.registry.imports``; ``test_import_page_real``
runs the real importer end to end."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ssc.accounts.choices import Role

pytestmark = pytest.mark.django_db
URL = reverse("portal:outlet_import")


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0


@pytest.fixture
def importer(monkeypatch):
    """A stand-in importer that records its calls and returns ``importer.result``."""
    fake = types.ModuleType("ssc.registry.imports")
    fake.calls = []
    fake.result = ImportResult(created=0)

    def import_outlets(*, actor, fileobj, filename):
        fake.calls.append({"actor": actor, "filename": filename, "content": fileobj.read()})
        return fake.result

    fake.import_outlets = import_outlets
    fake.template_xlsx = lambda: b"PK-template-bytes"
    monkeypatch.setitem(sys.modules, "ssc.registry.imports", fake)
    return fake


@pytest.fixture
def officer(client, world):
    user = world.users[Role.DISTRICT_OFFICER]
    client.force_login(user)
    return user


def _upload(name="outlets.xlsx", content=b"data"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_page_offers_the_template_and_a_labelled_file_input(client, officer):
    html = client.get(URL).content.decode()
    assert reverse("portal:outlet_import_template") in html
    assert "下载导入模板" in html
    assert '<label for="id_file"' in html
    assert 'accept=".xlsx,.csv"' in html
    assert 'enctype="multipart/form-data"' in html


def test_template_download(client, officer, importer):
    response = client.get(reverse("portal:outlet_import_template"))
    assert response.status_code == 200
    assert response.content == b"PK-template-bytes"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]


def test_template_download_is_for_importers_only(client, world, importer):
    client.force_login(world.users[Role.REGULATOR])
    assert client.get(reverse("portal:outlet_import_template")).status_code == 403


def test_success_shows_how_many_were_created(client, officer, importer):
    importer.result = ImportResult(created=12, errors=[], total_rows=12)
    response = client.post(URL, {"file": _upload(content=b"xlsx-bytes")}, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "导入成功：共 12 行，新建 12 个网点" in response.content.decode()
    (call,) = importer.calls
    assert call["actor"] == officer
    assert call["filename"] == "outlets.xlsx"
    assert call["content"] == b"xlsx-bytes"


def test_errors_are_reported_row_by_row_and_nothing_is_imported(client, officer, importer):
    importer.result = ImportResult(
        created=0,
        total_rows=3,
        errors=[
            RowError(2, "纬度", "纬度须在 28.10 至 32.25 之间。"),
            RowError(4, "网点编码", "网点编码已存在：OA-001"),
        ],
    )
    response = client.post(URL, {"file": _upload("outlets.csv")})
    assert response.status_code == 200
    html = response.content.decode()
    assert "未导入：文件中有错误" in html
    assert "共 3 行数据，发现 2 处错误，没有导入任何网点" in html
    assert '<td class="num">2</td><td>纬度</td><td>纬度须在 28.10 至 32.25 之间。</td>' in html
    assert "网点编码已存在：OA-001" in html
    assert "导入成功" not in html


def test_a_long_error_report_is_cut_but_the_total_is_stated(client, officer, importer):
    errors = [RowError(i + 2, "网点名称", "不能为空。") for i in range(1500)]
    importer.result = ImportResult(created=0, errors=errors, total_rows=1500)
    html = client.post(URL, {"file": _upload()}).content.decode()
    assert "发现 1500 处错误" in html
    assert "以下列出前 1000 处" in html
    assert html.count("<td>不能为空。</td>") == 1000


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("outlets.xls", b"x"), "只能导入 .xlsx 或 .csv 文件"),
        (SimpleUploadedFile("outlets.pdf", b"x"), "只能导入 .xlsx 或 .csv 文件"),
        (SimpleUploadedFile("outlets.csv", b""), "文件是空的"),
    ],
)
def test_bad_uploads_are_refused_before_the_importer(client, officer, importer, upload, message):
    response = client.post(URL, {"file": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert importer.calls == []


def test_missing_file(client, officer, importer):
    response = client.post(URL, {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert importer.calls == []


def test_too_large_file(client, officer, importer, settings):
    settings.DOCUMENT_MAX_BYTES = 10
    response = client.post(URL, {"file": _upload(content=b"x" * 11)})
    assert "文件过大" in response.content.decode()
    assert importer.calls == []


def test_roles_without_import_cannot_post(client, world, importer):
    for role in (Role.BANK_APPLICANT, Role.REGULATOR, Role.DISTRICT_LEADER, Role.SECURITY_ADMIN):
        client.force_login(world.users[role])
        assert client.post(URL, {"file": _upload()}).status_code == 403
    assert importer.calls == []
