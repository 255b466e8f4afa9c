"""Roster pages: the versions with counts and date, and each version's diff (added / changed / removed)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.registry.models import Outlet
from ssc.roster import services

R = Role
pytestmark = pytest.mark.django_db


@pytest.fixture
def versions(world):
    """V1 lists A and B; V2 changes A (address, services, hours); V3 removes B."""
    admin = world.users[R.CENTER_OFFICER]
    v1 = services.publish(outlet_ids=[world.outlets["A"].pk, world.outlets["B"].pk], actor=admin, reason="首次发布")
    a = Outlet.objects.get(pk=world.outlets["A"].pk)
    a.address = "渝中区民族路188号"
    a.weekend_hours = ""
    a.save()
    a.services.add(world.services["pin_reset"])
    v2 = services.publish(outlet_ids=[a.pk], actor=admin, reason="网点信息变更")
    Outlet.objects.filter(pk=world.outlets["B"].pk).update(status="terminated")
    v3 = services.publish(outlet_ids=[world.outlets["B"].pk], actor=admin, reason="网点退出")
    return v1, v2, v3


@pytest.mark.parametrize("role", [R.BANK_APPLICANT, R.DISTRICT_OFFICER, R.REGULATOR, R.AUDIT_ADMIN])
def test_version_list(client, world, versions, role):
    client.force_login(world.users[role])
    response = client.get(reverse("roster:version_list"))
    assert response.status_code == 200
    assert [v.number for v in response.context["versions"]] == [3, 2, 1]
    html = response.content.decode()
    assert "现行名单为第 3 版，共 1 个网点" in html
    assert "首次发布" in html and "网点退出" in html
    assert reverse("roster:version_detail", args=[2]) in html


def test_version_detail_diff(client, world, versions):
    client.force_login(world.users[R.DISTRICT_OFFICER])
    v1 = client.get(reverse("roster:version_detail", args=[1]))
    groups = {g["kind"]: g["rows"] for g in v1.context["groups"]}
    assert {r["outlet"].pk for r in groups["added"]} == {world.outlets["A"].pk, world.outlets["B"].pk}
    assert groups["changed"] == [] and groups["removed"] == []

    v2 = client.get(reverse("roster:version_detail", args=[2]))
    groups = {g["kind"]: g["rows"] for g in v2.context["groups"]}
    (row,) = groups["changed"]
    fields = {f["field"]: (f["before"], f["after"]) for f in row["fields"]}
    assert fields["address"] == ("渝中区某路001号", "渝中区民族路188号")
    assert fields["weekend_hours"] == ("09:00-12:00", "—")
    assert fields["services"] == ("申领、即时制卡、补换卡", "申领、即时制卡、补换卡、密码重置")
    assert "name" not in fields and "bank" not in fields
    html = v2.content.decode()
    assert (
        '<span class="diff-before">渝中区某路001号</span> → <span class="diff-after">渝中区民族路188号</span>' in html
    )
    assert reverse("roster:version_detail", args=[1]) in html and reverse("roster:version_detail", args=[3]) in html

    v3 = client.get(reverse("roster:version_detail", args=[3]))
    groups = {g["kind"]: g["rows"] for g in v3.context["groups"]}
    (removed,) = groups["removed"]
    assert removed["outlet"].pk == world.outlets["B"].pk and removed["data"]["district"] == "沙坪坝区"
    assert "移除" in v3.content.decode()


def test_roster_pages_need_sign_in_and_known_version(client, world, versions):
    assert client.get(reverse("roster:version_list")).status_code == 302
    client.force_login(world.users[R.HOTLINE_OPERATOR])
    assert client.get(reverse("roster:version_detail", args=[99])).status_code == 404


def test_empty_roster(client, world):
    client.force_login(world.users[R.CENTER_OFFICER])
    assert "名单尚未发布" in client.get(reverse("roster:version_list")).content.decode()
