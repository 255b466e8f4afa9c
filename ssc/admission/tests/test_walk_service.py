"""Scenario A through the service layer: draft → active, the deadline met, the outlet on the roster."""

from datetime import date

from ssc.admission.models import Application
from ssc.deadlines.models import Deadline
from ssc.registry.models import Outlet, SystemAccount
from ssc.roster.models import RosterChange, RosterEntry, RosterVersion

from .conftest import walk


def test_scenario_a_draft_to_active(world, draft):
    app = walk(world, draft)
    assert app.state == "active"
    outlet = Outlet.objects.get(pk=world.outlets["A"].pk)
    assert outlet.status == "active"
    d = Deadline.objects.get(case_type="application", case_id=app.pk, kind="center_open_accounts")
    assert d.started_on == date(2026, 3, 27)
    assert d.due_on == date(2026, 4, 3)
    assert d.completed_on == date(2026, 4, 1)
    assert d.status == "met"
    assert SystemAccount.objects.filter(outlet=outlet, closed_on__isnull=True).count() == 3
    v = RosterVersion.objects.latest("number")
    assert RosterChange.objects.filter(version=v, outlet=outlet, kind="added").exists()
    assert RosterEntry.objects.filter(outlet=outlet, hidden=False).exists()
    assert Application.objects.get(pk=app.pk).filing_number == "渝社卡备〔2026〕001号"
