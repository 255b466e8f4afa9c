"""Bulk import and export of outlets (网点批量导入/导出) in Excel (.xlsx) and CSV.

The interface other parts of the platform code against::

    import_outlets(*, actor, fileobj, filename, dry_run=False) -> ImportResult
    template_xlsx() -> bytes
    export_rows(queryset) / export_outlets(queryset, fmt) -> bytes

Import is all-or-nothing: every row is validated (the model's ``full_clean``, look-ups of bank, sub-branch,
district and services, duplicate codes within the file and against the registry, and the actor's scope);
if any row is invalid nothing is created and every problem is reported with its spreadsheet row number
(1-based, the header is row 1) and column header. Problems with the file itself (type, encoding, header)
are reported on row 0 (or on the header row when they concern a column). Bad rows never raise; an actor
who may not register outlets at all gets ``NotAllowed``.

Valid files are written in one transaction with ``bulk_create`` (outlets, then their services through the
M2M table) and one audit event for the whole import.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Field, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ssc.audit import services as audit
from ssc.core import pinyin
from ssc.core.errors import NotAllowed
from ssc.core.scoping import ALL, NONE

from .choices import InterconnectionMode, OrganisationKind, OutletStatus
from .models import CQ_LAT, CQ_LNG, INSTANT_ISSUANCE_CODE, Bank, CardService, District, Organisation, Outlet

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
BATCH = 1000


@dataclass
class RowError:
    """One problem: spreadsheet row (1-based incl. header; 0 = the file as a whole), column header, message."""

    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0
    codes: list[str] = field(default_factory=list)  # codes of the outlets created (or that would be, dry run)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    help: Any  # lazy translation
    example: Any


# The headers are the file format's contract: Chinese in every interface language (only the help is translated).
COLUMNS: list[Column] = [
    Column("code", "网点编码", True, gettext_lazy("全市唯一，最长 30 位"), "ICBC-500103-0099"),
    Column("name", "网点名称", True, gettext_lazy("网点全称"), "中国工商银行重庆解放碑分理处"),
    Column("bank", "银行", True, gettext_lazy("银行全称、简称或代码"), "中国工商银行"),
    Column(
        "sub_branch",
        "所属一级支行",
        True,
        gettext_lazy("一级支行全称或机构代码，须属于该银行"),
        "中国工商银行重庆渝中支行",
    ),
    Column("district", "所在区县", True, gettext_lazy("区县或功能区名称，或 6 位代码"), "渝中区"),
    Column("address", "地址", True, gettext_lazy("详细地址"), "重庆市渝中区民族路177号"),
    Column("latitude", "纬度", True, gettext_lazy("GCJ-02 坐标（高德/腾讯地图），28.10–32.25"), 29.557),
    Column("longitude", "经度", True, gettext_lazy("GCJ-02 坐标，105.25–110.25"), 106.577),
    Column("weekday_hours", "工作日营业时间", False, gettext_lazy("HH:MM-HH:MM；不营业留空"), "09:00-17:00"),
    Column("weekend_hours", "周末营业时间", False, gettext_lazy("HH:MM-HH:MM；不营业留空"), "09:00-12:00"),
    Column("hours_note", "营业时间说明", False, gettext_lazy("可选"), "法定节假日营业时间另行公告"),
    Column("consultation_phone", "咨询电话", False, gettext_lazy("如 023-63000001"), "023-63000001"),
    Column("complaint_phone", "投诉电话", False, gettext_lazy("如 023-63000002 或 95588"), "95588"),
    Column(
        "services",
        "服务项目",
        False,
        gettext_lazy("名称或代码，用顿号或逗号分隔"),
        "申领、即时制卡、补换卡、挂失、激活",
    ),
    Column("interconnection_mode", "互联方式", False, gettext_lazy("金渝网 或 原社银直连；留空为金渝网"), "金渝网"),
    Column("jinyu_migration_planned_on", "计划迁移金渝网日期", False, gettext_lazy("YYYY-MM-DD，原社银直连时填写"), ""),
    Column("status", "状态", False, gettext_lazy("留空为“申请中”；其他状态仅市社保卡服务中心可导入"), "申请中"),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
IGNORED_HEADERS = frozenset({"序号", "备注"})
HEADER_ALIASES = {"营业时间(工作日)": "weekday_hours", "营业时间(周末)": "weekend_hours", "区县": "district"}
# Model field → column, for messages from ``full_clean``.
FIELD_COLUMN = {c.key: c.header for c in COLUMNS}
TEXT_FIELDS = (
    "code",
    "name",
    "address",
    "weekday_hours",
    "weekend_hours",
    "hours_note",
    "consultation_phone",
    "complaint_phone",
)


class FileRejected(Exception):
    """The file as a whole cannot be read; the message says why."""


# --- reading files ------------------------------------------------------------------------------------
def _read_all(fileobj: Any) -> bytes:
    if hasattr(fileobj, "seek"):
        with contextlib.suppress(OSError, ValueError):
            fileobj.seek(0)
    data = fileobj.read(MAX_BYTES + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise FileRejected(_("文件超过 %(mb)d MB，请拆分后分批导入。") % {"mb": MAX_BYTES // (1024 * 1024)})
    if not data.strip():
        raise FileRejected(_("文件为空。"))
    return data


def _is_xlsx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def _sniff(data: bytes, filename: str) -> str:
    """``xlsx`` or ``csv`` from the content, which must agree with the file name's extension."""
    ext = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if data.startswith(b"\xd0\xcf\x11\xe0") or ext == "xls":
        raise FileRejected(_("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入。"))
    if ext in ("xlsx", "xlsm"):
        if not _is_xlsx(data):
            raise FileRejected(_("文件扩展名为 .xlsx，但内容不是有效的 Excel 工作簿。"))
        return "xlsx"
    if ext in ("csv", "txt"):
        if data.startswith(b"PK\x03\x04"):
            raise FileRejected(
                _("文件扩展名为 .csv，但内容是压缩包或 Excel 工作簿；如为 Excel 文件请使用 .xlsx 扩展名。")
            )
        return "csv"
    raise FileRejected(_("仅支持 Excel（.xlsx）和 CSV（.csv）文件。"))


# Control bytes never occur inside UTF-8 or GB18030 multi-byte characters: their presence means binary data.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _decode_csv(data: bytes) -> str:
    if _CONTROL_BYTES.search(data[:1_000_000]):
        raise FileRejected(_("文件不是文本格式的 CSV（含有二进制内容），请检查是否选错了文件。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(_("无法识别 CSV 文件的编码，请以 UTF-8 或 GBK 编码保存为 CSV。"))


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _decode_csv(data)
    sample = text[:4096]
    delimiter = ","
    first_line = sample.splitlines()[0] if sample else ""
    if first_line.count("\t") > first_line.count(",") and first_line.count("\t") >= 3:
        delimiter = "\t"
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)
    except csv.Error as exc:
        raise FileRejected(_("CSV 文件格式有误：%(e)s") % {"e": exc}) from exc


def _xlsx_rows(data: bytes) -> Iterable[tuple[int, Sequence[Any]]]:
    """The first worksheet's rows with their spreadsheet row numbers.

    A small streaming reader over the sheet's XML does the work (about 3× faster than openpyxl, which
    matters at 10,000 rows); a workbook it does not understand is read with openpyxl instead."""
    try:
        return _FastXlsx(data).rows()
    except _Unsupported:
        return _openpyxl_rows(data)


def _openpyxl_rows(data: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise FileRejected(_("无法读取 Excel 文件，文件可能已损坏。")) from exc
    try:
        ws = wb.worksheets[0]  # the template's data sheet comes first
        ws.reset_dimensions()  # some writers store a wrong sheet size; read every cell
        yield from enumerate(ws.iter_rows(values_only=True), start=1)
    except FileRejected:
        raise
    except Exception as exc:
        raise FileRejected(_("无法读取 Excel 文件，文件可能已损坏。")) from exc
    finally:
        wb.close()


class _Unsupported(Exception):
    """The fast reader met a workbook structure it does not handle; openpyxl reads it."""


_REL_NS = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)
# Built-in number formats that show dates (incl. the CJK ones 27–36 and 50–58).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_QUOTED_OR_BRACKETED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_INT_TEXT = re.compile(r"^-?\d{1,15}$")
_MAX_XML_BYTES = 400 * 1024 * 1024  # uncompressed sheet size: refuse zip bombs


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _FastXlsx:
    """Reads cell values (text, numbers, booleans, dates) of an .xlsx workbook's first sheet."""

    def __init__(self, data: bytes):
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            self.names = set(self.zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise _Unsupported from exc

    def _parse(self, name: str) -> Any:
        from xml.etree.ElementTree import fromstring

        info = self.zf.getinfo(name)
        if info.file_size > _MAX_XML_BYTES:
            raise FileRejected(_("Excel 文件解压后过大，请拆分后分批导入。"))
        return fromstring(self.zf.read(name))  # noqa: S314

    def rows(self) -> list[tuple[int, list[Any]]]:
        from xml.etree.ElementTree import ParseError

        try:
            sheet = self._first_sheet()
            self.strings = self._shared_strings()
            self.date_styles = self._date_styles()
            return self._sheet_rows(sheet)
        except (KeyError, ValueError, IndexError, ParseError, zipfile.BadZipFile, OSError) as exc:
            raise _Unsupported from exc

    def _first_sheet(self) -> str:
        wb = self._parse("xl/workbook.xml")
        self.epoch = dt.date(1899, 12, 30)
        for el in wb.iter():
            name = _local(el.tag)
            if name == "workbookPr" and el.get("date1904") in ("1", "true"):
                self.epoch = dt.date(1904, 1, 1)
            if name == "sheet":
                rid = next((el.get(k) for k in _REL_NS if el.get(k)), None)
                break
        else:
            raise _Unsupported
        rels = self._parse("xl/_rels/workbook.xml.rels")
        for rel in rels.iter():
            if _local(rel.tag) == "Relationship" and rel.get("Id") == rid:
                target = rel.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else "xl/" + target
                if path not in self.names:
                    raise _Unsupported
                return path
        raise _Unsupported

    def _shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.names:
            return []
        out = []
        for si in self._parse("xl/sharedStrings.xml"):
            parts = []
            for child in si:  # <t>, or rich-text runs <r><t>; phonetic guides <rPh> are not part of the value
                name = _local(child.tag)
                if name == "t":
                    parts.append(child.text or "")
                elif name == "r":
                    parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
            out.append("".join(parts))
        return out

    def _date_styles(self) -> set[int]:
        if "xl/styles.xml" not in self.names:
            return set()
        styles = self._parse("xl/styles.xml")
        custom: dict[int, str] = {}
        xfs: list[int] = []
        for el in styles:
            name = _local(el.tag)
            if name == "numFmts":
                for f in el:
                    custom[int(f.get("numFmtId", "0"))] = f.get("formatCode", "")
            elif name == "cellXfs":
                xfs = [int(xf.get("numFmtId", "0")) for xf in el]
        dates = set()
        for i, fmt_id in enumerate(xfs):
            if fmt_id in custom:
                code = _QUOTED_OR_BRACKETED.sub("", custom[fmt_id]).lower()
                if any(ch in code for ch in "ymdh"):
                    dates.add(i)
            elif fmt_id in _DATE_FORMAT_IDS:
                dates.add(i)
        return dates

    def _value(self, c: Any) -> Any:
        t = c.get("t", "n")
        if t == "inlineStr":
            return "".join(x.text or "" for x in c.iter() if _local(x.tag) == "t")
        v = None
        for child in c:
            if _local(child.tag) == "v":
                v = child.text
                break
        if v is None:
            return None
        if t == "s":
            return self.strings[int(v)]
        if t == "b":
            return v.strip() in ("1", "true")
        if t in ("str", "e", "d"):
            return v
        number: int | float = int(v) if _INT_TEXT.match(v) else float(v)
        if int(c.get("s", "0")) in self.date_styles:
            return self._date(float(number))
        return number

    def _date(self, days: float) -> dt.date | dt.datetime | dt.time:
        """An Excel serial date: whole days since the epoch, the fraction is the time of day."""
        whole = int(days)
        seconds = round((days - whole) * 86400)
        if whole == 0 and seconds:
            return dt.time(seconds // 3600 % 24, seconds // 60 % 60, seconds % 60)
        if self.epoch.year == 1899 and whole < 60:  # Excel counts a 1900-02-29 that never was
            whole += 1
        day = self.epoch + dt.timedelta(days=whole)
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds) if seconds else day

    def _sheet_rows(self, path: str) -> list[tuple[int, list[Any]]]:
        from xml.etree.ElementTree import iterparse

        if self.zf.getinfo(path).file_size > _MAX_XML_BYTES:
            raise FileRejected(_("Excel 文件解压后过大，请拆分后分批导入。"))
        out: list[tuple[int, list[Any]]] = []
        row_no = 0
        non_empty = 0
        with self.zf.open(path) as fh:
            for _event, el in iterparse(fh):  # noqa: S314
                if _local(el.tag) != "row":
                    continue
                row_no = int(el.get("r") or row_no + 1)
                values: list[Any] = []
                for c in el:
                    if _local(c.tag) != "c":
                        continue
                    ref = c.get("r")
                    if ref:
                        col = 0
                        for ch in ref:
                            if "A" <= ch <= "Z":
                                col = col * 26 + ord(ch) - 64
                            else:
                                break
                        if col > len(values) + 1:
                            values.extend([None] * (col - 1 - len(values)))
                    values.append(self._value(c))
                el.clear()
                if any(v not in (None, "") for v in values):
                    out.append((row_no, values))
                    non_empty += 1
                    if non_empty > MAX_ROWS + 1:
                        break
        return out


def _cell_text(value: Any) -> str:
    """A cell as text: numbers typed into Excel (phone numbers, codes) lose no digits and gain no ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M" if not value.second else "%H:%M:%S")
    text = str(value).replace("\u3000", " ").replace("\xa0", " ").strip()
    # Exports neutralise formulas with a leading apostrophe; take it off again.
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text


# --- header -------------------------------------------------------------------------------------------
def _normalise_header(text: str) -> str:
    text = re.sub(r"\s+", "", text)
    text = text.replace("（", "(").replace("）", ")")
    text = re.sub(r"\((必填|选填|可选|GCJ-02|gcj-02)\)$", "", text)
    return text.rstrip("*＊")


def _verbose_name(name: str) -> str:
    model_field = Outlet._meta.get_field(name)
    assert isinstance(model_field, Field)  # the outlet's own column, not a reverse relation
    return str(model_field.verbose_name)


def _header_lookup() -> dict[str, str]:
    """Accepted headers: the template's, the field names, the model's labels (in the active language)."""
    lookup: dict[str, str] = {}
    for c in COLUMNS:
        lookup[_normalise_header(c.header)] = c.key
        lookup[c.key] = c.key
        lookup.setdefault(_normalise_header(_verbose_name(c.key)), c.key)
    for alias, key in HEADER_ALIASES.items():
        lookup[_normalise_header(alias)] = key
    return lookup


def _map_header(row_no: int, cells: Sequence[Any], errors: list[RowError]) -> dict[str, int]:
    lookup = _header_lookup()
    positions: dict[str, int] = {}
    for idx, raw in enumerate(cells):
        text = _cell_text(raw)
        if not text:
            continue
        norm = _normalise_header(text)
        if norm in IGNORED_HEADERS:
            continue
        key = lookup.get(norm) or lookup.get(norm.lower())
        if key is None:
            errors.append(RowError(row_no, text, _("无法识别的列“%(h)s”；请使用导入模板中的列名。") % {"h": text}))
        elif key in positions:
            errors.append(RowError(row_no, text, _("列“%(h)s”重复出现。") % {"h": COLUMN_BY_KEY[key].header}))
        else:
            positions[key] = idx
    for c in COLUMNS:
        if c.required and c.key not in positions:
            errors.append(RowError(row_no, c.header, _("缺少必填列“%(h)s”。") % {"h": c.header}))
    return positions


# --- look-ups -----------------------------------------------------------------------------------------
def _norm(text: str) -> str:
    return "".join(text.split()).lower()


class Lookups:
    """Everything a row refers to, loaded once per import."""

    def __init__(self) -> None:
        self.banks: dict[str, Bank] = {}
        for b in Bank.objects.all():
            for key in (b.code, b.name, b.short_name):
                if key:
                    self.banks.setdefault(_norm(key), b)
        self.districts: dict[str, District] = {}
        for d in District.objects.all():
            self.districts[_norm(d.code)] = d
            self.districts[_norm(d.name)] = d
        for d in District.objects.all():  # 渝中 for 渝中区, where unambiguous
            short = d.name[:-1] if len(d.name) > 2 and d.name[-1] in "区县" else ""
            if short:
                self.districts.setdefault(_norm(short), d)
        self.sub_by_code: dict[str, Organisation] = {}
        self.sub_by_name: dict[str, list[Organisation]] = {}
        for o in Organisation.objects.filter(kind=OrganisationKind.SUB_BRANCH, is_active=True):
            self.sub_by_code[_norm(o.code)] = o
            self.sub_by_name.setdefault(_norm(o.name), []).append(o)
        self.other_orgs = {
            _norm(n): k
            for n, k in Organisation.objects.exclude(kind=OrganisationKind.SUB_BRANCH).values_list("name", "kind")
        }
        self.services: dict[str, CardService] = {}
        for s in CardService.objects.all():
            self.services[_norm(s.code)] = s
            self.services[_norm(s.name)] = s
        self.modes = {_norm(v): v for v in InterconnectionMode.values}
        self.modes.update({_norm(str(label)): v for v, label in InterconnectionMode.choices})
        self.modes.update({"金渝": InterconnectionMode.JINYU, "直连": InterconnectionMode.LEGACY})
        self.statuses = {_norm(v): v for v in OutletStatus.values}
        self.statuses.update({_norm(str(label)): v for v, label in OutletStatus.choices})

    def sub_branch(self, text: str, bank: Bank | None) -> Organisation | None:
        key = _norm(text)
        found = self.sub_by_code.get(key)
        if found is not None:
            return found
        candidates = self.sub_by_name.get(key, [])
        if bank is not None:
            for o in candidates:
                if o.bank_id == bank.pk:
                    return o
        return candidates[0] if candidates else None


_SERVICE_SPLIT = re.compile(r"[、,，;；/|\s]+")
_HOURS_DASH = re.compile(r"\s*(?:-|－|–|—|~|～|至|到)\s*")
_CLOSED = frozenset({"休息", "不营业", "无", "闭店", "停业", "-", "—"})


def _hours(text: str) -> str:
    """``9:00–17:00`` / ``09：00至17：00`` → ``09:00-17:00``; 休息 → empty."""
    text = text.strip()
    if text in _CLOSED:
        return ""
    text = text.replace("：", ":")
    parts = _HOURS_DASH.split(text)
    if len(parts) == 2 and all(re.fullmatch(r"\d{1,2}:\d{2}", p) for p in parts):
        return "-".join(p.zfill(5) for p in parts)
    return text


def _date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00(?::00)?)?", text)
    if not m:
        raise ValueError(text)
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _float(text: str) -> float:
    value = float(text.replace("°", "").strip())
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


# --- validation ---------------------------------------------------------------------------------------
@dataclass
class _Row:
    row: int
    outlet: Outlet
    services: list[CardService]


def _scope_message(actor: Any, outlet: Outlet) -> tuple[str, str] | None:
    """(field, message) when ``actor`` may not register ``outlet``; None when allowed."""
    if actor is None or Outlet.scope_filter_allows_create(actor, outlet):
        return None
    from ssc.accounts.choices import Role

    if actor.role in (Role.DISTRICT_OFFICER, Role.DISTRICT_LEADER):
        own = actor.organisation.district.name if actor.organisation and actor.organisation.district else ""
        return "district", _("您只能导入本区县（%(d)s）的网点。") % {"d": own}
    if actor.role == Role.BANK_APPLICANT:
        own = actor.organisation.name if actor.organisation else ""
        return "sub_branch", _("您只能导入本支行（%(s)s）的网点。") % {"s": own}
    return "district", _("您无权导入该网点。")


def _validate_row(
    row_no: int, values: dict[str, str], lk: Lookups, actor: Any, may_set_status: bool
) -> tuple[_Row | None, list[RowError]]:
    errs: dict[str, list[str]] = {}

    def err(key: str, message: str) -> None:
        errs.setdefault(key, []).append(message)

    data: dict[str, Any] = {k: values.get(k, "") for k in TEXT_FIELDS}
    for key in ("weekday_hours", "weekend_hours"):
        data[key] = _hours(data[key])

    bank = None
    if values.get("bank"):
        bank = lk.banks.get(_norm(values["bank"]))
        if bank is None:
            err("bank", _("未知的银行“%(v)s”。") % {"v": values["bank"]})
    else:
        err("bank", _("此项为必填项。"))

    sub = None
    if values.get("sub_branch"):
        sub = lk.sub_branch(values["sub_branch"], bank)
        if sub is None:
            kind = lk.other_orgs.get(_norm(values["sub_branch"]))
            if kind == OrganisationKind.BANK_BRANCH:
                err("sub_branch", _("“%(v)s”是总行/分行，不是一级支行。") % {"v": values["sub_branch"]})
            else:
                err("sub_branch", _("未知的一级支行“%(v)s”。") % {"v": values["sub_branch"]})
        elif bank is not None and sub.bank_id != bank.pk:
            err("sub_branch", _("一级支行“%(s)s”不属于%(b)s。") % {"s": sub.name, "b": bank.name})
            sub = None
    else:
        err("sub_branch", _("此项为必填项。"))

    district = None
    if values.get("district"):
        district = lk.districts.get(_norm(values["district"]))
        if district is None:
            err("district", _("未知的区县“%(v)s”。") % {"v": values["district"]})
    else:
        err("district", _("此项为必填项。"))

    for key, bounds, other in (("latitude", CQ_LAT, CQ_LNG), ("longitude", CQ_LNG, CQ_LAT)):
        text = values.get(key, "")
        if not text:
            err(key, _("此项为必填项。"))
            continue
        try:
            number = _float(text)
        except ValueError:
            err(key, _("“%(v)s”不是数字。") % {"v": text})
            continue
        if not bounds[0] <= number <= bounds[1]:
            message = _("须在 %(lo).2f 至 %(hi).2f 之间（重庆市范围，GCJ-02 坐标）。") % {
                "lo": bounds[0],
                "hi": bounds[1],
            }
            if other[0] <= number <= other[1]:
                message += _("纬度和经度可能填反了。")
            err(key, message)
            continue
        data[key] = number

    service_objs: list[CardService] = []
    if values.get("services"):
        unknown = []
        for token in _SERVICE_SPLIT.split(values["services"]):
            if not token:
                continue
            svc = lk.services.get(_norm(token))
            if svc is None:
                unknown.append(token)
            elif not svc.is_active:
                err("services", _("服务项目“%(v)s”已停用。") % {"v": token})
            elif all(svc.pk != s.pk for s in service_objs):
                service_objs.append(svc)
        if unknown:
            err("services", _("未知的服务项目：%(v)s。") % {"v": "、".join(unknown)})

    mode_text = values.get("interconnection_mode", "")
    data["interconnection_mode"] = InterconnectionMode.JINYU
    if mode_text:
        mode = lk.modes.get(_norm(mode_text))
        if mode is None:
            err("interconnection_mode", _("须为“金渝网”或“原社银直连”。"))
        else:
            data["interconnection_mode"] = mode

    data["jinyu_migration_planned_on"] = None
    try:
        data["jinyu_migration_planned_on"] = _date(values.get("jinyu_migration_planned_on", ""))
    except ValueError:
        err("jinyu_migration_planned_on", _("日期格式须为 YYYY-MM-DD。"))

    data["status"] = OutletStatus.APPLYING
    status_text = values.get("status", "")
    if status_text:
        status = lk.statuses.get(_norm(status_text))
        if status is None:
            labels = "、".join(str(label) for _v, label in OutletStatus.choices)
            err("status", _("未知的状态“%(v)s”，可选：%(l)s。") % {"v": status_text, "l": labels})
        elif status != OutletStatus.APPLYING and not may_set_status:
            err("status", _("只有市社会保障卡服务中心可以导入“申请中”以外状态的网点。"))
        else:
            data["status"] = status

    outlet = Outlet(bank=bank, sub_branch=sub, district=district, **data)
    # Look-ups and coordinates were checked above (same bounds as the model's validators).
    exclude = ["bank", "sub_branch", "district", "latitude", "longitude"]
    try:
        outlet.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            if key in errs:  # already explained more precisely
                continue
            for message in messages:
                err(key, message)

    if sub is not None and district is not None:
        scope = _scope_message(actor, outlet)
        if scope is not None:
            err(*scope)

    if errs:
        order = {c.key: i for i, c in enumerate(COLUMNS)}
        out: list[RowError] = []
        for key in sorted(errs, key=lambda k: order.get(k, 99)):
            header = FIELD_COLUMN.get(key) or _field_label(key)
            out.extend(RowError(row_no, header, m) for m in dict.fromkeys(errs[key]))
        return None, out
    outlet.instant_issuance = any(s.code == INSTANT_ISSUANCE_CODE for s in service_objs)
    return _Row(row_no, outlet, service_objs), []


def _field_label(key: str) -> str:
    if key == "__all__":
        return ""
    try:
        return _verbose_name(key)
    except Exception:
        return key


def _may_import(actor: Any) -> tuple[bool, bool]:
    """(may import at all, may set a status other than 申请中)."""
    if actor is None:
        return True, True
    flt = Outlet.scope_filter(actor, "change")
    if flt is ALL:
        return True, True
    if flt is None or flt == NONE:
        return False, False
    return True, False


# --- import -------------------------------------------------------------------------------------------
def import_outlets(*, actor: Any, fileobj: Any, filename: str, dry_run: bool = False) -> ImportResult:
    """批量导入网点 — validate every row, then create all outlets or none (see the module docstring).

    ``actor`` None means the system (a command run without ``--as``). ``dry_run`` validates only.
    Raises ``NotAllowed`` only when the actor's role may not register outlets at all."""
    allowed, may_set_status = _may_import(actor)
    if not allowed:
        raise NotAllowed(_("您的角色无权导入网点。"))
    try:
        data = _read_all(fileobj)
        kind = _sniff(data, filename or "")
        rows: Iterable[tuple[int, Sequence[Any]]] = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
        return _import_rows(actor, rows, data, filename, dry_run, may_set_status)
    except FileRejected as exc:
        return ImportResult(created=0, errors=[RowError(0, "", str(exc))], total_rows=0)


def _import_rows(
    actor: Any,
    rows: Iterable[tuple[int, Sequence[Any]]],
    data: bytes,
    filename: str,
    dry_run: bool,
    may_set_status: bool,
) -> ImportResult:
    errors: list[RowError] = []
    iterator = iter(rows)
    header_row = 0
    positions: dict[str, int] = {}
    for row_no, cells in iterator:
        if any(_cell_text(c) for c in cells or ()):
            header_row = row_no
            positions = _map_header(row_no, cells, errors)
            break
    if not header_row:
        raise FileRejected(_("文件中没有表头和数据。"))
    if errors:
        return ImportResult(created=0, errors=errors, total_rows=0)

    lk = Lookups()
    valid: list[_Row] = []
    first_row_of_code: dict[str, int] = {}
    total = 0
    for row_no, cells in iterator:
        cells = cells or ()
        if all(c is None or c == "" for c in cells):
            continue
        values = {key: (_cell_text(cells[idx]) if idx < len(cells) else "") for key, idx in positions.items()}
        if not any(values.values()):  # text only in ignored columns, or only blanks
            continue
        total += 1
        if total > MAX_ROWS:
            raise FileRejected(_("一次最多导入 %(n)d 行，请拆分后分批导入。") % {"n": MAX_ROWS})
        # Lat/lng keep full precision: read them from the raw cell when it is a number.
        for key in ("latitude", "longitude"):
            idx = positions.get(key)
            if idx is not None and idx < len(cells) and isinstance(cells[idx], int | float):
                values[key] = repr(float(cells[idx]))
        row, row_errors = _validate_row(row_no, values, lk, actor, may_set_status)
        code = values.get("code", "")
        if code:
            if code in first_row_of_code:
                row_errors.append(
                    RowError(
                        row_no, FIELD_COLUMN["code"], _("网点编码与第 %(n)d 行重复。") % {"n": first_row_of_code[code]}
                    )
                )
                row = None
            else:
                first_row_of_code[code] = row_no
        errors.extend(row_errors)
        if row is not None and not row_errors:
            valid.append(row)
    if total == 0:
        raise FileRejected(_("文件中没有数据行。"))

    # Codes already in the registry (checked in chunks: databases limit the number of parameters).
    codes = list(first_row_of_code)
    existing: set[str] = set()
    for i in range(0, len(codes), 500):
        existing.update(Outlet.objects.filter(code__in=codes[i : i + 500]).values_list("code", flat=True))
    for code in sorted(existing, key=lambda c: first_row_of_code[c]):
        errors.append(
            RowError(first_row_of_code[code], FIELD_COLUMN["code"], _("网点编码“%(c)s”已存在。") % {"c": code})
        )
    if errors:
        order = {c.header: i for i, c in enumerate(COLUMNS)}
        errors.sort(key=lambda e: (e.row, order.get(e.column, 99)))
        return ImportResult(created=0, errors=errors, total_rows=total)
    result_codes = [r.outlet.code for r in valid]
    if dry_run:
        return ImportResult(created=0, errors=[], total_rows=total, codes=result_codes)
    try:
        _create(actor, valid, data, filename)
    except IntegrityError:
        return ImportResult(
            created=0,
            errors=[
                RowError(0, "", _("导入时发生数据冲突（可能有人同时登记了相同编码的网点），未导入任何数据，请重试。"))
            ],
            total_rows=total,
        )
    return ImportResult(created=len(valid), errors=[], total_rows=total, codes=result_codes)


def search_fields(name: str) -> tuple[str, str]:
    """``Outlet.refresh_search_fields`` without its cost: (name_pinyin, name_initials) for ``name``.

    pypinyin segments a text into words and converts each word on its own, so the syllables of a name are
    those of its words, and a word converts the same wherever it appears. Converting each distinct word
    once (bank names, 重庆, 支行, place names repeat across thousands of outlets) is about 7× faster. Tests
    check that the result always equals the model's own computation."""
    _word_syllables("支行")  # loads the project's phrase fixes before the first segmentation
    full_parts: list[str] = []
    initial_parts: list[str] = []
    for word in _segment(name or ""):
        for syllable in _word_syllables(word):
            s = _PINYIN_NON_WORD.sub("", syllable)
            if not s:
                continue
            full_parts.append(s)
            initial_parts.append(s if s.isdigit() else s[0])
    return "".join(full_parts), "".join(initial_parts)


def _segment(text: str) -> list[str]:
    from pypinyin.seg.simpleseg import seg

    return list(seg(text))


@functools.lru_cache(maxsize=50_000)
def _word_syllables(word: str) -> tuple[str, ...]:
    return tuple(pinyin.syllables(word))


_PINYIN_NON_WORD = re.compile(r"[^0-9a-z]+")


def insert_service_links(pairs: list[tuple[int, int]]) -> None:
    """Insert (outlet id, card service id) rows of the outlets' services M2M table.

    Plain parameterised inserts into the same table and columns as ``outlet.services.add`` uses, without
    a model instance per row (50,000 links: a fraction of ``bulk_create``'s time)."""
    meta = Outlet.services.through._meta
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}, {}) VALUES (%s, %s)".format(  # noqa: S608 - identifiers from model metadata
        qn(meta.db_table), qn(meta.get_field("outlet").column), qn(meta.get_field("cardservice").column)
    )
    with connection.cursor() as cursor:
        for i in range(0, len(pairs), 5000):
            cursor.executemany(sql, pairs[i : i + 5000])


@transaction.atomic
def _create(actor: Any, rows: list[_Row], data: bytes, filename: str) -> None:
    outlets = [r.outlet for r in rows]
    for o in outlets:  # bulk_create skips save(), where the search fields are normally computed
        o.name_pinyin, o.name_initials = search_fields(o.name)
    Outlet.objects.bulk_create(outlets, batch_size=BATCH)
    if outlets and outlets[0].pk is None:  # a backend that does not return ids
        ids: dict[str, int] = {}
        codes = [o.code for o in outlets]
        for i in range(0, len(codes), 500):
            ids.update(Outlet.objects.filter(code__in=codes[i : i + 500]).values_list("code", "pk"))
        for o in outlets:
            o.pk = ids[o.code]
    insert_service_links([(r.outlet.pk, s.pk) for r in rows for s in r.services])
    audit.record(
        action="outlet.import",
        object_type="registry.outlet",
        object_repr=(_("批量导入：%(f)s") % {"f": filename})[:200],
        after={
            "filename": filename,
            "sha256": hashlib.sha256(data).hexdigest(),
            "count": len(outlets),
            "codes": [o.code for o in outlets],
        },
        actor=actor,
    )


# --- template and export ------------------------------------------------------------------------------
def template_xlsx() -> bytes:
    """导入模板 — the header row (required columns marked *), a sheet of instructions and reference values."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = _("网点")
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, c in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i, value=c.header + ("*" if c.required else ""))
        cell.font = bold
        cell.fill = fill
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, min(40, len(c.header) * 3 + 4))
        if c.key in ("code", "consultation_phone", "complaint_phone"):
            ws.column_dimensions[letter].number_format = "@"  # keep leading zeros of codes and phones
    ws.freeze_panes = "A2"

    guide = wb.create_sheet(_("填写说明"))
    guide.append([_("列名"), _("是否必填"), _("说明"), _("示例")])
    for c in COLUMNS:
        guide.append([c.header, _("必填") if c.required else _("选填"), str(c.help), c.example])
    guide.append([])
    guide.append(
        [
            _(
                "说明：第一行为表头，从第二行起每行一个网点；任何一行有误时整个文件都不会导入，请按错误报告修改后重新上传。"
            )
        ]
    )
    for cell in guide[1]:
        cell.font = bold
    for letter, width in (("A", 22), ("B", 10), ("C", 50), ("D", 36)):
        guide.column_dimensions[letter].width = width

    refs = wb.create_sheet(_("参考值"))
    sections: list[tuple[str, list[tuple[str, str]]]] = [
        (_("银行"), [(b.name, b.code) for b in Bank.objects.order_by("sort_order", "code")]),
        (_("所在区县"), [(d.name, d.code) for d in District.objects.order_by("code")]),
        (_("服务项目"), [(s.name, s.code) for s in CardService.objects.filter(is_active=True)]),
        (_("互联方式"), [(str(label), v) for v, label in InterconnectionMode.choices]),
        (_("状态"), [(str(label), v) for v, label in OutletStatus.choices]),
    ]
    col = 1
    for title, items in sections:
        refs.cell(row=1, column=col, value=title).font = bold
        refs.cell(row=1, column=col + 1, value=_("代码")).font = bold
        for r, (name, code) in enumerate(items, start=2):
            refs.cell(row=r, column=col, value=name)
            refs.cell(row=r, column=col + 1, value=code)
        refs.column_dimensions[get_column_letter(col)].width = 24
        col += 3
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


EXPORT_HEADERS = [c.header for c in COLUMNS]


def export_rows(queryset: QuerySet[Outlet], chunk: int = 2000) -> Iterator[list[Any]]:
    """The rows of an outlet export, in the import's column order (so an export can be re-imported).

    Reads the queryset in primary-key chunks with one services query per chunk (constant memory)."""
    mode_labels = dict(InterconnectionMode.choices)
    status_labels = dict(OutletStatus.choices)
    service_names = dict(CardService.objects.values_list("pk", "name"))
    through = Outlet.services.through
    qs = queryset.select_related("bank", "sub_branch", "district").order_by("pk")
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last)[:chunk])
        if not batch:
            return
        last = batch[-1].pk
        services: dict[int, list[str]] = {}
        for outlet_id, service_id in (
            through.objects.filter(outlet_id__in=[o.pk for o in batch])
            .order_by("cardservice__sort_order", "cardservice__code")
            .values_list("outlet_id", "cardservice_id")
        ):
            services.setdefault(outlet_id, []).append(service_names[service_id])
        for o in batch:
            yield [
                o.code,
                o.name,
                o.bank.name,
                o.sub_branch.name,
                o.district.name,
                o.address,
                o.latitude,
                o.longitude,
                o.weekday_hours,
                o.weekend_hours,
                o.hours_note,
                o.consultation_phone,
                o.complaint_phone,
                "、".join(services.get(o.pk, [])),
                str(mode_labels.get(o.interconnection_mode, o.interconnection_mode)),
                o.jinyu_migration_planned_on,
                str(status_labels.get(o.status, o.status)),
            ]


def export_outlets(queryset: QuerySet[Outlet], fmt: str) -> bytes:
    """The outlets of ``queryset`` as a whole file: ``fmt`` is ``csv`` (UTF-8 with BOM) or ``xlsx``."""
    from ssc.core import exports

    if fmt == "csv":
        return b"".join(exports.csv_lines(EXPORT_HEADERS, export_rows(queryset)))
    if fmt == "xlsx":
        fh = exports.xlsx_bytes_file(EXPORT_HEADERS, export_rows(queryset), sheet_title=_("网点"))
        try:
            return fh.read()
        finally:
            fh.close()
    raise ValueError(fmt)
