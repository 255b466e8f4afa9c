"""The deadline list (/deadlines/) and the step report (/deadlines/steps/): who may open them, what they see."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ssc.accounts.choices import Role
from ssc.deadlines.models import Deadline, DeadlineStatus, StepTarget
from ssc.workflow.models import CaseEvent


def deadline(district, due: date, **extra) -> Deadline:
    values = {
        "case_type": "application",
        "case_id": 500 + Deadline.objects.count(),
        "kind": "center_open_accounts",
        "label": "中心开通账户",
        "article": "7(5)",
        "responsible": "center",
        "district": district,
        "started_on": due - timedelta(days=7),
        "due_on": due,
    }
    values.update(extra)
    return Deadline.objects.create(**values)


@pytest.fixture
def deadlines(world):
    today = timezone.localdate()
    return {
        "a_late": deadline(world.districts["A"], today - timedelta(days=3)),
        "a_open": deadline(world.districts["A"], today + timedelta(days=10)),
        "a_met": deadline(
            world.districts["A"], today - timedelta(days=20), status=DeadlineStatus.MET, completed_on=today
        ),
        "b_missed": deadline(world.districts["B"], today - timedelta(days=30), status=DeadlineStatus.MISSED),
    }


def case_ids(response) -> set[int]:
    return {r["d"].case_id for r in response.context["rows"]}


@pytest.mark.django_db
def test_center_sees_every_deadline_open_first(client, world, deadlines):
    client.force_login(world.users[Role.CENTER_OFFICER])
    r = client.get(reverse("deadlines:list"))
    assert r.status_code == 200
    rows = r.context["rows"]
    assert [x["d"].pk for x in rows][:3] == [deadlines["b_missed"].pk, deadlines["a_late"].pk, deadlines["a_open"].pk]
    assert rows[-1]["d"].pk == deadlines["a_met"].pk
    html = r.content.decode()
    assert "超期未办结" in html and "已超期" in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICER, Role.DISTRICT_LEADER])
def test_district_sees_its_own_area_only(client, world, deadlines, role):
    client.force_login(world.users[role])
    r = client.get(reverse("deadlines:list") + f"?district={world.districts['B'].pk}")  # ignored: no such filter
    assert r.status_code == 200
    assert case_ids(r) == {deadlines[k].case_id for k in ("a_late", "a_open", "a_met")}
    assert "district" not in r.context["form"].fields


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "keys"),
    [
        ("overdue", {"a_late", "b_missed"}),
        ("pending", {"a_late", "a_open"}),
        ("met", {"a_met"}),
        ("missed", {"b_missed"}),
        ("nonsense", {"a_late", "a_open", "a_met", "b_missed"}),  # a bad value is reported and ignored
    ],
)
def test_status_filter(client, world, deadlines, status, keys):
    client.force_login(world.users[Role.REGULATOR])
    r = client.get(reverse("deadlines:list"), {"status": status})
    assert r.status_code == 200
    assert case_ids(r) == {deadlines[k].case_id for k in keys}


@pytest.mark.django_db
def test_center_filters_by_district(client, world, deadlines):
    client.force_login(world.users[Role.CENTER_LEADER])
    r = client.get(reverse("deadlines:list"), {"district": world.districts["B"].pk})
    assert case_ids(r) == {deadlines["b_missed"].case_id}
    r = client.get(reverse("deadlines:list"), {"district": "abc"})
    assert r.status_code == 200 and len(r.context["rows"]) == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.BANK_APPLICANT, Role.OUTLET_STAFF, Role.HOTLINE_OPERATOR, Role.AUDIT_ADMIN, Role.SYSTEM_ADMIN]
)
def test_other_roles_are_refused(client, world, role):
    client.force_login(world.users[role])
    assert client.get(reverse("deadlines:list")).status_code == 403
    assert client.get(reverse("deadlines:step_report")).status_code == 403


@pytest.mark.django_db
def test_anonymous_goes_to_login(client, world):
    r = client.get(reverse("deadlines:list"))
    assert r.status_code == 302 and "/accounts/" in r["Location"]


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    client.force_login(world.users[Role.CENTER_OFFICER])
    for i in range(5):
        deadline(world.districts["A"], date(2026, 3, 1) + timedelta(days=i))
    with django_assert_max_num_queries(30) as small:
        client.get(reverse("deadlines:list"))
    for i in range(40):
        deadline(world.districts["B"], date(2026, 4, 1) + timedelta(days=i))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("deadlines:list"))


def _event(case_id: int, action: str, elapsed: int) -> CaseEvent:
    return CaseEvent.objects.create(
        case_type="application",
        case_id=case_id,
        action=action,
        from_state="x",
        to_state="y",
        at=timezone.now(),
        article="7(2)",
        elapsed_workdays=elapsed,
    )


@pytest.fixture
def two_district_events(world):
    from ssc.admission.models import Application

    a = Application.objects.create(outlet=world.outlets["A"], created_by=world.users[Role.BANK_APPLICANT])
    b = Application.objects.create(outlet=world.outlets["B"], created_by=world.other[Role.BANK_APPLICANT])
    _event(a.pk, "decide", 2)
    _event(b.pk, "decide", 9)
    StepTarget.objects.create(case_type="application", action="decide", workdays=5)
    return a, b


def _decide(response):
    return next(r for r in response.context["rows"] if r.action == "decide")


@pytest.mark.django_db
def test_step_report_district_leader_sees_own_district(client, world, two_district_events):
    client.force_login(world.users[Role.DISTRICT_LEADER])
    r = client.get(reverse("deadlines:step_report"), {"district": world.districts["B"].pk})
    assert r.status_code == 200
    row = _decide(r)
    assert (row.count, row.maximum, row.over_target) == (1, 2, 0)
    assert not r.context["can_edit"]
    assert "渝中区" in r.content.decode()


@pytest.mark.django_db
def test_step_report_citywide_and_by_district(client, world, two_district_events):
    client.force_login(world.users[Role.REGULATOR])
    row = _decide(client.get(reverse("deadlines:step_report")))
    assert (row.count, row.average, row.maximum, row.target, row.over_target) == (2, 5.5, 9, 5, 1)
    row = _decide(client.get(reverse("deadlines:step_report"), {"district": world.districts["B"].pk}))
    assert (row.count, row.over_target) == (1, 1)


@pytest.mark.django_db
def test_district_officer_may_not_open_step_report(client, world):
    client.force_login(world.users[Role.DISTRICT_OFFICER])
    assert client.get(reverse("deadlines:step_report")).status_code == 403


@pytest.mark.django_db
def test_center_sets_a_target_on_the_page(client, world):
    client.force_login(world.users[Role.CENTER_LEADER])
    url = reverse("deadlines:step_report")
    r = client.get(url)
    assert r.context["can_edit"] and 'name="workdays"' in r.content.decode()
    r = client.post(url, {"case_type": "application", "action": "decide", "workdays": "4"}, follow=True)
    assert r.status_code == 200
    assert StepTarget.objects.get(action="decide").workdays == 4
    assert "4 个工作日" in r.content.decode()
    r = client.post(url, {"case_type": "application", "action": "decide", "workdays": "0"}, follow=True)
    assert r.status_code == 200 and StepTarget.objects.get(action="decide").workdays == 4
    r = client.post(url, {"case_type": "application", "action": "bogus", "workdays": "3"}, follow=True)
    assert r.status_code == 200 and "该流程没有此环节" in r.content.decode()
    r = client.post(url, {"case_type": "application", "action": "decide", "workdays": ""}, follow=True)
    assert not StepTarget.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.REGULATOR, Role.DISTRICT_LEADER])
def test_only_the_center_may_post_targets(client, world, role):
    client.force_login(world.users[role])
    r = client.post(reverse("deadlines:step_report"), {"case_type": "application", "action": "decide", "workdays": 3})
    assert r.status_code == 403
    assert not StepTarget.objects.exists()


@pytest.mark.django_db
def test_step_report_bad_filters_do_not_fail(client, world):
    client.force_login(world.users[Role.CENTER_OFFICER])
    r = client.get(reverse("deadlines:step_report"), {"since": "2026-13-45", "until": "x", "district": "y"})
    assert r.status_code == 200
    r = client.get(reverse("deadlines:step_report"), {"since": "2026-05-01", "until": "2026-04-01"})
    assert r.status_code == 200 and "截止日期不能早于起始日期" in r.content.decode()


@pytest.mark.django_db
def test_admin_lists_step_targets(client, world):
    from ssc.accounts.models import User

    admin = User.objects.create_superuser(username="root", password="x", role=Role.SYSTEM_ADMIN)
    admin.organisation = world.orgs["operator"]
    admin.save()
    client.force_login(admin)
    StepTarget.objects.create(case_type="application", action="decide", workdays=5)
    assert client.get(reverse("admin:deadlines_steptarget_changelist")).status_code == 200
