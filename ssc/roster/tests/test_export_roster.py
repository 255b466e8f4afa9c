"""``manage.py export_roster --format csv|xlsx|json|geojson [--output FILE]``: each format parsed back."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ssc.accounts.choices import Role
from ssc.registry.models import Outlet
from ssc.roster import services as roster


@pytest.fixture
def published(world):
    roster.publish(outlet_ids=Outlet.objects.values_list("pk", flat=True), actor=world.users[Role.CENTER_OFFICER])
    roster.hide(outlet=world.outlets["B"], actor=world.users[Role.CENTER_OFFICER], reason="退出")
    return world


def test_every_format_parses_back(published, tmp_path):
    w = published
    visible = {w.outlets["A"].pk, w.outlets["AB"].pk}

    call_command("export_roster", "--format", "json", "--output", str(tmp_path / "r.json"))
    dump = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert dump["version"]["number"] == roster.latest().number and dump["count"] == 2
    assert {o["id"] for o in dump["outlets"]} == visible

    call_command("export_roster", "--format", "geojson", "--output", str(tmp_path / "r.geojson"))
    fc = json.loads((tmp_path / "r.geojson").read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and {f["id"] for f in fc["features"]} == visible
    assert all(f["geometry"]["type"] == "Point" and len(f["geometry"]["coordinates"]) == 2 for f in fc["features"])

    call_command("export_roster", "--format", "csv", "--output", str(tmp_path / "r.csv"))
    rows = list(csv.reader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == 3 and {int(r[0]) for r in rows[1:]} == visible

    from openpyxl import load_workbook

    call_command("export_roster", "--format", "xlsx", "--output", str(tmp_path / "r.xlsx"))
    values = list(load_workbook(tmp_path / "r.xlsx", read_only=True).active.iter_rows(values_only=True))
    assert len(values) == 3 and {v[0] for v in values[1:]} == visible
    assert not list(tmp_path.glob("*.part"))


def test_to_stdout(published, capsysbinary):
    call_command("export_roster", "--format", "json")
    assert json.loads(capsysbinary.readouterr().out)["count"] == 2


def test_bad_arguments(published, tmp_path):
    with pytest.raises(CommandError):
        call_command("export_roster", "--format", "pdf")
    with pytest.raises(CommandError):
        call_command("export_roster", "--format", "csv", "--output", str(tmp_path / "missing" / "r.csv"))
