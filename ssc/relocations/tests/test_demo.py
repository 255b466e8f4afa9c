"""Demo relocations: every outcome through the services (compliant ones moved the outlet and republished the
roster), backdated, idempotent."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from ssc.core.testing import make_outlet
from ssc.relocations.demo import seed_relocations
from ssc.relocations.models import Relocation
from ssc.roster.models import RosterChange
from ssc.workflow.models import CaseEvent

TODAY = date(2026, 12, 3)
pytestmark = pytest.mark.django_db


def test_seed_relocations(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for i in range(14):
        key = "AB"[i % 2]
        make_outlet(
            f"DEMO-{i:03d}",
            f"演示网点{i:03d}",
            bank=world.banks[key],
            sub_branch=world.orgs[f"sub{key}"],
            district=world.districts[key],
        )
    result = seed_relocations(rng=random.Random(5), count=11, today=TODAY)
    assert result.created == 11
    states = Counter(Relocation.objects.values_list("state", flat=True))
    assert states == {"reported": 4, "compliant": 4, "non_compliant": 2, "withdrawn": 1}
    for case in Relocation.objects.select_related("outlet"):
        assert case.new_district_id == case.outlet.district_id
        assert case.reported_at.date() < TODAY
        if case.state == "compliant":
            assert case.outlet.address == case.new_address
            assert RosterChange.objects.filter(outlet=case.outlet, after__address=case.new_address).exists()
        else:
            assert case.outlet.address == case.old_address
    assert CaseEvent.objects.filter(case_type="relocation", action="assess").count() == 6
    again = seed_relocations(rng=random.Random(5), count=11, today=TODAY)
    assert again.skipped and Relocation.objects.count() == 11
