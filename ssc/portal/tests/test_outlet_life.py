"""The outlet page shows the outlet's whole life: its admission applications, its tickets and problem reports (and
the other workflows' panels), scoped to the viewer, never the caller's contact, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ssc.accounts.choices import Role
from ssc.admission.models import Application
from ssc.core.testing import make_user
from ssc.registry.choices import OrganisationKind
from ssc.registry.models import Organisation, Outlet
from ssc.tickets.masking import mask_contact, mask_name
from ssc.tickets.models import ProblemReport, Ticket

pytestmark = pytest.mark.django_db

CONTACT = "13812341234"


def _page(client, user, outlet) -> tuple[int, str]:
    client.force_login(user)
    response = client.get(reverse("portal:outlet_detail", args=[outlet.pk]))
    return response.status_code, html_lib.unescape(response.content.decode())


def _application(world, outlet, state="submitted", **extra) -> Application:
    return Application.objects.create(
        outlet=outlet,
        created_by=world.users[Role.BANK_APPLICANT],
        state=state,
        submitted_at=timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0)),
        **extra,
    )


def _ticket(world, outlet, *, hotline=None, category="complaint", content="拒绝即时制卡", state="open") -> Ticket:
    return Ticket.objects.create(
        outlet=outlet,
        channel="12345",
        category=category,
        content=content,
        caller_name="王小明",
        caller_contact=CONTACT,
        received_at=timezone.make_aware(dt.datetime(2026, 5, 11, 9, 30)),
        logged_by=world.users[Role.HOTLINE_OPERATOR],
        hotline=hotline or world.orgs["hotline"],
        response_due_on=dt.date(2026, 5, 14),
        state=state,
    )


def _report(world, outlet, title="读卡器故障") -> ProblemReport:
    return ProblemReport.objects.create(
        outlet=outlet,
        title=title,
        description="柜台读卡器无法识别社保卡",
        reported_by=world.users[Role.OUTLET_STAFF],
        reported_at=timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0)),
        state="submitted",
    )


def test_admission_panel_lists_the_outlets_applications_with_state_dates_and_link(client, world):
    outlet = world.outlets["A"]
    done = _application(
        world,
        outlet,
        state="active",
        filing_number="YZ-BA-2026-007",
        completed_at=timezone.make_aware(dt.datetime(2026, 4, 1, 15, 0)),
    )
    _application(world, world.outlets["B"], state="submitted")  # another outlet's: not on this page
    status, html = _page(client, world.users[Role.DISTRICT_OFFICER], outlet)
    assert status == 200
    assert 'data-panel="applications"' in html
    assert f'data-application="{done.pk}"' in html
    assert reverse("admission:application_detail", args=[done.pk]) in html
    assert "已开通" in html and "YZ-BA-2026-007" in html
    assert "2026-03-02" in html and "2026-04-01" in html
    assert html.count("data-application=") == 1


def test_admission_panel_empty_state(client, world):
    status, html = _page(client, world.users[Role.CENTER_OFFICER], world.outlets["A"])
    assert status == 200
    assert "没有该网点的准入申请记录" in html


def test_ticket_panel_shows_tickets_and_reports_without_caller_data(client, world):
    outlet = world.outlets["A"]
    t = _ticket(world, outlet)
    _ticket(world, outlet, category="consultation", content="咨询补卡材料", state="answered")
    p = _report(world, outlet)
    _ticket(world, world.outlets["B"], content="别的网点的投诉")
    for role in (Role.DISTRICT_OFFICER, Role.OUTLET_STAFF, Role.BANK_HEAD_OFFICE, Role.REGULATOR):
        status, html = _page(client, world.users[role], outlet)
        assert status == 200, role
        assert 'data-panel="tickets"' in html
        assert f'data-ticket="{t.pk}"' in html
        assert html.count("data-ticket=") == 2
        assert "共 2 件，其中投诉 1 件、待答复 1 件" in html
        assert "拒绝即时制卡" in html and "别的网点的投诉" not in html
        assert f'data-problem-report="{p.pk}"' in html and "读卡器故障" in html
        # Personal data of the caller never reaches the outlet page, masked or not.
        assert CONTACT not in html and mask_contact(CONTACT) not in html
        assert "王小明" not in html and mask_name("王小明") not in html


def test_hotline_operator_sees_only_its_hotlines_tickets_and_no_problem_reports(client, world):
    outlet = world.outlets["A"]
    own = _ticket(world, outlet)
    other_hotline = Organisation.objects.create(code="hotline-12333", name="12333热线", kind=OrganisationKind.HOTLINE)
    make_user("op12333", Role.HOTLINE_OPERATOR, other_hotline)
    foreign = _ticket(world, outlet, hotline=other_hotline, content="另一条热线的工单")
    _report(world, outlet)
    status, html = _page(client, world.users[Role.HOTLINE_OPERATOR], outlet)
    assert status == 200
    assert f'data-ticket="{own.pk}"' in html
    assert f'data-ticket="{foreign.pk}"' not in html and "另一条热线的工单" not in html
    assert "问题报告" not in html and "读卡器故障" not in html
    # The operator may log a new ticket against this outlet from here.
    assert f"{reverse('tickets:ticket_create')}?outlet={outlet.pk}" in html


def test_outlet_staff_may_report_a_problem_from_its_own_outlet_only(client, world):
    _status, html = _page(client, world.users[Role.OUTLET_STAFF], world.outlets["A"])
    assert reverse("tickets:problem_report_create") in html
    _status, html = _page(client, world.users[Role.DISTRICT_OFFICER], world.outlets["A"])
    assert reverse("tickets:problem_report_create") not in html
    assert reverse("tickets:ticket_create") not in html


def test_out_of_scope_outlet_page_is_404(client, world):
    status, _html = _page(client, world.other[Role.DISTRICT_OFFICER], world.outlets["A"])
    assert status == 404


def test_ticket_panel_empty_states(client, world):
    _status, html = _page(client, world.users[Role.DISTRICT_OFFICER], world.outlets["A"])
    assert "没有该网点的热线工单。" in html
    assert "没有该网点的问题报告。" in html


def test_query_count_does_not_grow_with_the_outlets_records(client, world, django_assert_max_num_queries):
    outlet = world.outlets["A"]
    _application(world, outlet, state="withdrawn")
    _ticket(world, outlet)
    _report(world, outlet)
    client.force_login(world.users[Role.DISTRICT_OFFICER])
    url = reverse("portal:outlet_detail", args=[outlet.pk])
    client.get(url)  # warm the per-process caches (work calendar, content types)
    with django_assert_max_num_queries(200) as small:
        assert client.get(url).status_code == 200
    for i in range(6):
        _application(world, outlet, state="withdrawn")
        _ticket(world, outlet, content=f"工单{i}")
        _report(world, outlet, title=f"问题{i}")
    # Slack of 2 for per-process caches that re-check on a timer (the work calendar); five more rows with one query
    # each would still fail.
    with django_assert_max_num_queries(len(small.captured_queries) + 2):
        response = client.get(url)
    assert html_lib.unescape(response.content.decode()).count("data-ticket=") == 7


def _steps(html: str) -> dict[str, str]:
    """data-step → its classes ("reached", "now") from the life timeline at the top of the page."""
    return {key: cls for cls, key in re.findall(r'<li class="life-step([^"]*)" data-step="([a-z]+)"', html)}


def test_life_timeline_from_admission_to_exit(client, world):
    outlet = world.outlets["A"]
    # A legacy outlet: cooperating, never admitted through the system, no rectification, no termination.
    _status, html = _page(client, world.users[Role.DISTRICT_OFFICER], outlet)
    steps = _steps(html)
    assert list(steps) == ["applied", "active", "rectification", "initiated", "filed", "terminated"]
    assert "now" in steps["active"] and "reached" not in steps["applied"]
    assert "存量网点" in html
    assert not any("reached" in steps[k] for k in ("rectification", "initiated", "filed", "terminated"))

    _application(
        world,
        outlet,
        state="active",
        completed_at=timezone.make_aware(dt.datetime(2026, 4, 1, 15, 0)),
    )
    Outlet.objects.filter(pk=outlet.pk).update(status="terminated")
    from ssc.terminations.models import Termination

    Termination.objects.create(
        outlet=outlet,
        state="closed",
        ground="9.2",
        initiated_by=world.users[Role.BANK_HEAD_OFFICE],
        initiator_side="bank",
        initiated_on=dt.date(2026, 10, 8),
        filed_on=dt.date(2026, 10, 12),
        closed_on=dt.date(2026, 10, 16),
    )
    _status, html = _page(client, world.users[Role.DISTRICT_OFFICER], outlet)
    steps = _steps(html)
    assert all("reached" in steps[k] for k in ("applied", "active", "initiated", "filed", "terminated"))
    assert "now" in steps["terminated"] and "now" not in steps["active"]
    assert "reached" not in steps["rectification"]
    life = html.split('data-panel="life"')[1].split("</ol>")[0]
    for day in ("2026-03-02", "2026-04-01", "2026-10-08", "2026-10-12", "2026-10-16"):
        assert day in life
