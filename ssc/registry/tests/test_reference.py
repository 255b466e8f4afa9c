"""Reference data: the 38 districts + 3 zones, 41 agencies, 16 banks with their Chongqing units, services."""

import math
import random

import pytest
from django.core.management import call_command

from ssc.audit.models import AuditEvent
from ssc.core.testing import SERVICES
from ssc.registry import reference as ref
from ssc.registry.choices import DistrictKind, OrganisationKind
from ssc.registry.models import CQ_LAT, CQ_LNG, Bank, CardService, District, Organisation

pytestmark = pytest.mark.django_db


def test_counts():
    result = ref.load_reference()
    assert District.objects.count() == 41
    assert District.objects.filter(kind=DistrictKind.DISTRICT).count() == 26
    assert District.objects.filter(kind=DistrictKind.COUNTY).count() == 12
    assert District.objects.filter(kind=DistrictKind.ZONE).count() == 3
    assert Organisation.objects.filter(kind=OrganisationKind.DISTRICT_AGENCY).count() == 41
    assert Bank.objects.count() == 16
    assert Organisation.objects.filter(kind=OrganisationKind.BANK_BRANCH).count() == 16
    assert result.created["districts"] == 41
    for kind in (OrganisationKind.CENTER, OrganisationKind.HRSS, OrganisationKind.NFRA, OrganisationKind.OPERATOR):
        assert Organisation.objects.filter(kind=kind).count() == 1
    assert set(Organisation.objects.filter(kind=OrganisationKind.HOTLINE).values_list("code", flat=True)) == {
        "hotline-12333",
        "hotline-12345",
    }


def test_every_agency_serves_one_area_under_the_center():
    ref.load_reference()
    center = Organisation.objects.get(code="center")
    for d in District.objects.all():
        agency = Organisation.objects.get(kind=OrganisationKind.DISTRICT_AGENCY, district=d)
        assert agency.parent_id == center.pk
        assert agency.code == f"agency-{d.code}"
        assert d.name in agency.name


def test_zones_have_project_codes_and_overlaps():
    ref.load_reference()
    liangjiang = District.objects.get(name="两江新区")
    assert liangjiang.code == "500190"
    assert set(liangjiang.overlaps.values_list("code", flat=True)) == {"500105", "500112", "500109"}
    assert District.objects.get(name="西部科学城重庆高新区").code == "500191"
    assert set(District.objects.get(code="500192").overlaps.values_list("name", flat=True)) == {"綦江区"}


def test_banks_hotlines_and_branches():
    ref.load_reference()
    assert Bank.objects.get(name="中国工商银行").hotline == "95588"
    assert Bank.objects.get(name="重庆农村商业银行").hotline == "966866"
    assert Bank.objects.get(name="重庆银行").hotline == "956023"
    assert Bank.objects.get(name="招商银行").hotline == "95555"
    icbc = Bank.objects.get(code="icbc")
    assert ref.bank_branch(icbc).name == "中国工商银行重庆市分行"
    assert ref.bank_branch(Bank.objects.get(code="cqcb")).name == "重庆银行总行"
    # Bank master data is ordered as in banks.csv.
    assert list(Bank.objects.values_list("name", flat=True))[:2] == ["中国工商银行", "中国农业银行"]


def test_service_catalogue_contains_the_test_world_codes():
    ref.load_reference()
    catalogue = dict(CardService.objects.values_list("code", "name"))
    for code, name in SERVICES:
        assert catalogue[code] == name
    assert {"unblock", "financial_account"} <= set(catalogue)


def test_idempotent_and_audited_once():
    ref.load_reference()
    assert AuditEvent.objects.filter(action="registry.load_reference").count() == 1
    counts = (District.objects.count(), Organisation.objects.count(), Bank.objects.count())
    again = ref.load_reference()
    assert not again.changed
    assert (District.objects.count(), Organisation.objects.count(), Bank.objects.count()) == counts
    assert AuditEvent.objects.filter(action="registry.load_reference").count() == 1


def test_reference_values_are_restored_but_blanks_and_edited_overlaps_kept():
    ref.load_reference()
    Bank.objects.filter(code="icbc").update(name="改错的名字")
    Bank.objects.filter(code="cqtgb").update(hotline="96968")  # entered by the center; the reference has none
    zone = District.objects.get(code="500192")
    zone.overlaps.set([District.objects.get(code="500110"), District.objects.get(code="500119")])
    result = ref.load_reference()
    assert result.updated["banks"] == 1
    assert Bank.objects.get(code="icbc").name == "中国工商银行"
    assert Bank.objects.get(code="cqtgb").hotline == "96968"
    assert zone.overlaps.count() == 2


def test_command(capsys):
    call_command("load_reference")
    assert "新增" in capsys.readouterr().out
    call_command("load_reference")
    assert "无需变更" in capsys.readouterr().out


def test_geography_covers_every_area_inside_chongqing():
    codes = {r["code"] for r in ref.district_rows()} | set(ref.ZONE_CODES.values())
    assert set(ref.AREAS) == codes
    rng = random.Random(1)
    for code, area in ref.AREAS.items():
        assert CQ_LAT[0] < area.lat < CQ_LAT[1] and CQ_LNG[0] < area.lng < CQ_LNG[1], code
        assert len(area.places) >= 5, code
        for _ in range(50):
            lat, lng = ref.random_point(area, rng)
            dy = (lat - area.lat) * 111.0
            dx = (lng - area.lng) * 111.0 * math.cos(math.radians(area.lat))
            assert math.hypot(dx, dy) <= area.radius_km + 0.01
