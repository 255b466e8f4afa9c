"""Open data: the latest published roster (现行合作银行网点名单) as CSV, Excel, JSON or GeoJSON.

The outlets are the visible entries of the latest version (``RosterEntry``, hidden ones excluded), in outlet-id
order, with exactly the published data (no internal field). Coordinates are GCJ-02, as published (the GeoJSON
says so in a ``coordinate_system`` member; RFC 7946 readers assuming WGS 84 are off by a few hundred metres).
Everything streams: the rows are read in chunks, never all at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .models import RosterEntry, RosterVersion

FORMATS = ("csv", "xlsx", "json", "geojson")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "geojson": "application/geo+json",
}
COORDINATE_SYSTEM = "GCJ-02"
_CHUNK = 2000


def entries() -> Iterator[dict[str, Any]]:
    """The published data of every visible outlet of the latest version, by outlet id."""
    qs = RosterEntry.objects.filter(hidden=False).order_by("outlet_id").values_list("data", flat=True)
    for data in qs.iterator(chunk_size=_CHUNK):
        yield dict(data)


def version_info(version: RosterVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "number": version.number,
        "published_at": timezone.localtime(version.published_at).isoformat(),
        "total": version.total,
    }


def filename(fmt: str, version: RosterVersion | None) -> str:
    return f"ssc-roster-v{version.number if version else 0}.{fmt}"


def headers() -> list[str]:
    return [
        _("网点ID"),
        _("网点编码"),
        _("网点名称"),
        _("银行"),
        _("银行客服热线"),
        _("区县代码"),
        _("区县"),
        _("地址"),
        _("纬度（GCJ-02）"),
        _("经度（GCJ-02）"),
        _("工作日营业时间"),
        _("周末营业时间"),
        _("营业时间说明"),
        _("服务项目"),
        _("即时制卡"),
        _("咨询电话"),
        _("投诉电话"),
    ]


def row(d: dict[str, Any]) -> list[Any]:
    bank, district = d.get("bank") or {}, d.get("district") or {}
    return [
        d.get("id"),
        d.get("code"),
        d.get("name"),
        bank.get("name"),
        bank.get("hotline"),
        district.get("code"),
        district.get("name"),
        d.get("address"),
        d.get("latitude"),
        d.get("longitude"),
        d.get("weekday_hours"),
        d.get("weekend_hours"),
        d.get("hours_note"),
        "、".join(s.get("name", "") for s in d.get("services") or []),
        _("是") if d.get("instant_issuance") else _("否"),
        d.get("consultation_phone"),
        d.get("complaint_phone"),
    ]


def feature(d: dict[str, Any]) -> dict[str, Any]:
    props = {k: v for k, v in d.items() if k not in ("latitude", "longitude")}
    return {
        "type": "Feature",
        "id": d["id"],
        "geometry": {"type": "Point", "coordinates": [d["longitude"], d["latitude"]]},
        "properties": props,
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json_array(head: str, items: Iterator[str], tail: str) -> Iterator[bytes]:
    yield head.encode()
    buf: list[str] = []
    first = True
    for item in items:
        buf.append(item if first else "," + item)
        first = False
        if len(buf) >= 500:
            yield "".join(buf).encode()
            buf = []
    yield ("".join(buf) + tail).encode()


def json_chunks(version: RosterVersion | None) -> Iterator[bytes]:
    """``{"version": {...}, "coordinate_system": "GCJ-02", "count": n, "outlets": [...]}``."""
    count = RosterEntry.objects.filter(hidden=False).count()
    head = (
        '{"version":' + _dumps(version_info(version)) + ',"coordinate_system":"' + COORDINATE_SYSTEM + '"'
        ',"count":' + str(count) + ',"outlets":['
    )
    return _json_array(head, (_dumps(d) for d in entries()), "]}")


def geojson_chunks(version: RosterVersion | None) -> Iterator[bytes]:
    """A GeoJSON ``FeatureCollection``: one ``Point`` feature per outlet, the published data as properties."""
    head = (
        '{"type":"FeatureCollection","coordinate_system":"'
        + COORDINATE_SYSTEM
        + '","roster_version":'
        + _dumps(version_info(version))
        + ',"features":['
    )
    return _json_array(head, (_dumps(feature(d)) for d in entries()), "]}")


def csv_chunks() -> Iterator[bytes]:
    from ssc.core.exports import csv_lines

    return csv_lines(headers(), (row(d) for d in entries()))


def xlsx_file() -> Any:
    """A rewound spooled file holding the workbook."""
    from ssc.core.exports import xlsx_bytes_file

    return xlsx_bytes_file(headers(), (row(d) for d in entries()), sheet_title=_("合作银行网点名单"))


def chunks(fmt: str, version: RosterVersion | None = None) -> Iterator[bytes]:
    """The export in ``fmt`` as byte chunks."""
    if fmt == "json":
        return json_chunks(version)
    if fmt == "geojson":
        return geojson_chunks(version)
    if fmt == "csv":
        return csv_chunks()
    if fmt == "xlsx":
        fh = xlsx_file()
        return iter(lambda: fh.read(64 * 1024), b"")
    raise ValueError(fmt)


def write(fmt: str, out: IO[bytes]) -> int:
    """Write the latest roster in ``fmt`` to ``out``; returns the number of outlets."""
    version = services.latest()
    for chunk in chunks(fmt, version):
        out.write(chunk)
    return RosterEntry.objects.filter(hidden=False).count()
