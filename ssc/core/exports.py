"""Spreadsheet downloads (Excel .xlsx and CSV) of any table, without holding the table in memory.

``rows`` is any iterable (typically a queryset's ``.iterator()`` mapped to tuples): the xlsx is written
row by row with openpyxl's write-only workbook into a spooled temporary file, the CSV is streamed.

Cells are written as values, never as formulas: a text starting with ``=`` (or, in CSV, any of the
characters spreadsheet programs treat as a formula) is neutralised (CSV/formula injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.http import content_disposition_header

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
_CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SPOOL_BYTES = 8 * 1024 * 1024


def attachment_header(filename: str) -> str:
    """``Content-Disposition: attachment`` for ``filename`` (RFC 6266, so Chinese names survive)."""
    header = content_disposition_header(True, filename)
    assert header is not None  # only an inline disposition without a file name has no header
    return header


def _plain(value: Any) -> Any:
    """A value a spreadsheet understands: text, number, date, bool or empty."""
    if value is None:
        return None
    if isinstance(value, Promise):
        return force_str(value)
    if isinstance(value, dt.datetime):
        # Excel has no time zones: write the local wall-clock time of the platform.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool | int | float | Decimal | dt.date | dt.time | str):
        return value
    return force_str(value)


def _xlsx_cells(ws: Any, values: Sequence[Any]) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    out: list[Any] = []
    for raw in values:
        value = _plain(raw)
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if value.startswith("="):
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"  # text, not a formula
                out.append(cell)
                continue
        out.append(value)
    return out


def xlsx_bytes_file(headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet_title: str = "Sheet1") -> Any:
    """Write the workbook into a spooled temporary file (memory, then disk) and return it rewound."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31] or "Sheet1")
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", force_str(h)))
        cell.data_type = "s"
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append(_xlsx_cells(ws, row))
    fh = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 - closed by FileResponse
    wb.save(fh)
    fh.seek(0)
    return fh


def xlsx_response(
    filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet_title: str = "Sheet1"
) -> FileResponse:
    """An Excel download of ``headers`` + ``rows``. ``filename`` may be Chinese (RFC 6266 encoded)."""
    if not filename.lower().endswith(".xlsx"):
        filename += ".xlsx"
    fh = xlsx_bytes_file(headers, rows, sheet_title=sheet_title)
    response = FileResponse(fh, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename)
    return response


def _csv_value(value: Any) -> Any:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_CSV_FORMULA_START):
        return "'" + value
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow([_csv_value(h) for h in headers])).encode()
    for row in rows:
        yield writer.writerow([_csv_value(v) for v in row]).encode()


def csv_response(filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """A streamed CSV download of ``headers`` + ``rows``."""
    if not filename.lower().endswith(".csv"):
        filename += ".csv"
    response = StreamingHttpResponse(csv_lines(headers, rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename)
    return response
