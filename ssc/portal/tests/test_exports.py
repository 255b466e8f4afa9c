"""``ssc.core.exports``: xlsx and CSV downloads that stream and never write formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
from zoneinfo import ZoneInfo

import openpyxl

from ssc.core.exports import csv_response, xlsx_response


def _xlsx(response):
    return list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)


def test_xlsx_response_round_trip_and_chinese_filename():
    at = dt.datetime(2025, 5, 1, 1, 30, tzinfo=dt.UTC)
    response = xlsx_response(
        "网点清单", ["编码", "名称", "数量", "时间", "日期"], [["X1", "解放碑", 3, at, dt.date(2025, 1, 2)]]
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E7%BD%91" in response["Content-Disposition"]
    rows = _xlsx(response)
    assert rows[0] == ("编码", "名称", "数量", "时间", "日期")
    assert rows[1][:3] == ("X1", "解放碑", 3)
    # Wall-clock time of Chongqing (UTC+8); Excel has no time zones.
    assert rows[1][3] == at.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert rows[1][4].date() == dt.date(2025, 1, 2)


def test_xlsx_never_writes_formulas_and_drops_control_characters():
    response = xlsx_response("x", ["a", "b"], [["=1+1", "bad\x07char"]])
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = wb.active["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s"
    assert wb.active["B2"].value == "badchar"


def test_csv_response_streams_with_bom_and_neutralises_formulas():
    response = csv_response("清单", ["a", "b", "c"], iter([["=cmd", "+1", "正常"], [None, 1.5, "@x"]]))
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows == [["a", "b", "c"], ["'=cmd", "'+1", "正常"], ["", "1.5", "'@x"]]


def _peak_bytes(n: int) -> int:
    def rows():
        for i in range(n):
            yield [f"{i:06d}" + "中国工商银行重庆解放碑分理处" * 12]

    tracemalloc.start()
    xlsx_response("big", ["a"], rows())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_xlsx_memory_does_not_grow_with_rows():
    """Rows come from a generator and go to a spooled file: the table is never held in memory (an ordinary
    workbook would grow by well over 1 MB for the 2,000 extra rows here)."""
    _peak_bytes(50)  # warm-up: imports and caches
    small, large = _peak_bytes(500), _peak_bytes(2500)
    assert large - small < 400 * 1024, (small, large)
