"""Demo inspections: recorded by the regulators and the center through the services, requests waiting on 渝中区,
answered and closed ones, idempotent."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.inspections.demo import MARKER, seed_inspections
from ssc.inspections.models import Inspection
from ssc.workflow import inbox
from ssc.workflow.models import CaseEvent

TODAY = date(2026, 11, 30)


def test_every_state_through_the_real_workflow(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    result = seed_inspections(rng=random.Random(1), count=12, today=TODAY)
    assert not result.skipped and result.created == 12 and result.shortfall == 0
    states = Counter(Inspection.objects.values_list("state", flat=True))
    assert set(states) == {"recorded", "action_requested", "responded", "closed"}
    orgs = set(Inspection.objects.values_list("organisation__kind", flat=True))
    assert orgs == {"hrss", "nfra", "center"}
    for case in Inspection.objects.all():
        actions = list(
            CaseEvent.objects.filter(case_type="inspection", case_id=case.pk).values_list("action", flat=True)
        )
        assert actions[0] == "record" and case.inspected_on < TODAY
        if case.state in ("responded", "closed"):
            assert "respond" in actions and case.district_response
        assert all(o.district_id == case.district_id for o in case.outlets.all())
    # 渝中区 (district A of the test world) has requests waiting in its inbox.
    officer = world.users[Role.DISTRICT_OFFICER]
    items = inbox.inbox_items(officer, case_types=["inspection"])
    assert items and all(i.case.district_id == world.districts["A"].pk for i in items)
    again = seed_inspections(rng=random.Random(1), count=12, today=TODAY)
    assert again.skipped and Inspection.objects.count() == 12
    assert AuditEvent.objects.filter(action=MARKER).count() == 1
