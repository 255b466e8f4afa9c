"""``seed_demo``: the demo world is complete, plausible and idempotent."""

import io
import math

import pytest
from django.core.management import CommandError, call_command

from ssc.accounts.choices import Role
from ssc.accounts.models import User
from ssc.audit.models import AuditEvent
from ssc.registry import reference as ref
from ssc.registry.choices import PUBLIC_STATUSES, OrganisationKind, OutletStatus
from ssc.registry.management.commands.seed_demo import DEMO_USERS, largest_remainder
from ssc.registry.models import District, Organisation, Outlet, SystemAccount

pytestmark = pytest.mark.django_db

N = 120


def seed(**options):
    out = io.StringIO()
    call_command("seed_demo", outlets=N, stdout=out, **options)
    return out.getvalue()


def counts():
    return {
        "outlets": Outlet.objects.count(),
        "orgs": Organisation.objects.count(),
        "users": User.objects.count(),
        "accounts": SystemAccount.objects.count(),
        "districts": District.objects.count(),
        "links": Outlet.services.through.objects.count(),
    }


def test_seed_twice_changes_nothing():
    first_output = seed()
    first = counts()
    assert first["outlets"] == N
    assert first["districts"] == 41
    assert AuditEvent.objects.filter(action="registry.seed_demo").count() == 1
    names = dict(Outlet.objects.values_list("code", "name"))

    second_output = seed()
    assert counts() == first
    assert dict(Outlet.objects.values_list("code", "name")) == names
    assert "未作任何变更" in second_output and "未作任何变更" not in first_output
    assert AuditEvent.objects.filter(action="registry.seed_demo").count() == 1


def test_every_role_has_a_valid_demo_user_and_the_table_lists_them():
    output = seed(password="Another-Pass-9")
    users = {u.username: u for u in User.objects.select_related("organisation", "outlet")}
    assert {u.role for u in users.values()} == set(Role.values)
    for spec in DEMO_USERS:
        user = users[spec.username]
        user.full_clean()
        assert user.role == spec.role
        assert user.check_password("Another-Pass-9")
        assert spec.username in output
    assert "Another-Pass-9" in output
    assert users["yuzhong_officer"].organisation.district.name == "渝中区"
    assert users["liangjiang_leader"].organisation.district.code == "500190"
    staff = users["icbc_staff"]
    assert staff.outlet.status in PUBLIC_STATUSES  # cooperating; demo steps may put it under rectification
    assert staff.outlet.sub_branch_id == staff.organisation_id == users["icbc_applicant"].organisation_id
    assert users["icbc_applicant"].organisation.name == "中国工商银行重庆渝中支行"
    # Only the system and security administrators work in the admin site (三员分立).
    assert {u.username for u in users.values() if u.is_staff} == {"sysadmin", "secadmin"}


def test_existing_passwords_are_kept_unless_reset():
    seed()
    seed(password="Changed-Pass-7")
    assert User.objects.get(username="center_officer").check_password("Demo-2026!")
    seed(password="Changed-Pass-7", reset_passwords=True)
    assert User.objects.get(username="center_officer").check_password("Changed-Pass-7")


def test_weak_password_is_refused():
    with pytest.raises(CommandError, match="密码"):
        seed(password="123")
    assert not User.objects.exists()


def test_outlets_are_plausible():
    seed()
    outlets = list(Outlet.objects.select_related("bank", "sub_branch", "district").prefetch_related("services"))
    statuses = {o.status for o in outlets}
    assert OutletStatus.ACTIVE in statuses and len(statuses) >= 3
    assert sum(o.status == OutletStatus.ACTIVE for o in outlets) > N / 2
    assert len({o.name for o in outlets}) == len(outlets)
    assert "中国工商银行重庆解放碑分理处" not in {o.name for o in outlets}  # kept for scenario A
    for o in outlets:
        o.full_clean()
        assert o.sub_branch.kind == OrganisationKind.SUB_BRANCH and o.sub_branch.bank_id == o.bank_id
        assert o.name.startswith(o.bank.name)
        assert o.district.name in o.address
        area = ref.AREAS[o.district.code]
        dy = (o.latitude - area.lat) * 111.0
        dx = (o.longitude - area.lng) * 111.0 * math.cos(math.radians(area.lat))
        assert math.hypot(dx, dy) <= area.radius_km + 0.01
        codes = {s.code for s in o.services.all()}
        assert {"apply", "replacement"} <= codes
        assert o.instant_issuance == ("instant_issuance" in codes)
        expected = Outlet(name=o.name)
        expected.refresh_search_fields()
        assert (o.name_pinyin, o.name_initials) == (expected.name_pinyin, expected.name_initials)
        accounts = list(o.system_accounts.all())
        if o.status in (OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION, OutletStatus.TERMINATING):
            assert accounts and all(a.is_open for a in accounts)
        elif o.status == OutletStatus.TERMINATED:
            assert accounts and not any(a.is_open for a in accounts)
        else:
            assert not accounts


def test_sub_branches_per_bank_and_area():
    seed()
    icbc_yuzhong = Organisation.objects.filter(
        kind=OrganisationKind.SUB_BRANCH, bank__code="icbc", district__code="500103"
    )
    assert set(icbc_yuzhong.values_list("name", flat=True)) == {
        "中国工商银行重庆渝中支行",
        "中国工商银行重庆解放碑支行",
    }
    # Joint-stock banks serve the main urban area only; the large banks every area.
    assert not Organisation.objects.filter(bank__code="cmb", district__code="500229").exists()
    assert Organisation.objects.filter(bank__code="cqrcb", district__code="500229").exists()
    assert Organisation.objects.get(code="cqrcb-500106").name == "重庆农村商业银行沙坪坝支行"


def test_zero_outlets_still_gives_the_staff_their_outlets():
    call_command("seed_demo", outlets=0, stdout=io.StringIO())
    assert Outlet.objects.count() == 2
    assert User.objects.filter(role=Role.OUTLET_STAFF).count() == 2


def test_largest_remainder_adds_up():
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(largest_remainder(3000, [30, 12, 0.5, 7])) == 3000
    assert largest_remainder(0, [1, 2]) == [0, 0]
