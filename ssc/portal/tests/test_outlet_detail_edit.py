"""Outlet detail (every field, services, system accounts, map link) and the edit form."""

from __future__ import annotations

import datetime as dt
import html as html_lib

import pytest
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.registry.choices import AccountType, InterconnectionMode
from ssc.registry.models import Outlet, SystemAccount

pytestmark = pytest.mark.django_db


def _detail(pk: int) -> str:
    return reverse("portal:outlet_detail", args=[pk])


def _edit(pk: int) -> str:
    return reverse("portal:outlet_edit", args=[pk])


def _form_data(outlet: Outlet, **changes) -> dict:
    outlet = Outlet.objects.get(pk=outlet.pk)
    data = {
        "name": outlet.name,
        "address": outlet.address,
        "latitude": outlet.latitude,
        "longitude": outlet.longitude,
        "weekday_hours": outlet.weekday_hours,
        "weekend_hours": outlet.weekend_hours,
        "hours_note": outlet.hours_note,
        "consultation_phone": outlet.consultation_phone,
        "complaint_phone": outlet.complaint_phone,
        "interconnection_mode": outlet.interconnection_mode,
        "jinyu_migration_planned_on": "",
        "services": list(outlet.services.values_list("code", flat=True)),
        "version": outlet.version,
        "code": outlet.code,
        "bank": outlet.bank_id,
        "sub_branch": outlet.sub_branch_id,
        "district": outlet.district_id,
    }
    data.update(changes)
    return data


def test_detail_shows_all_fields_services_accounts_and_map(client, world):
    outlet = world.outlets["A"]
    SystemAccount.objects.create(
        outlet=outlet,
        account_type=AccountType.OPERATOR,
        identifier="GY-0001",
        holder="张三",
        opened_on=dt.date(2025, 3, 1),
    )
    client.force_login(world.users[Role.DISTRICT_OFFICER])
    response = client.get(_detail(outlet.pk))
    assert response.status_code == 200
    html = html_lib.unescape(response.content.decode())
    for text in (
        outlet.code,
        outlet.name,
        "中国工商银行",
        world.orgs["subA"].name,
        world.orgs["branchA"].name,
        "渝中区（500103）",
        outlet.address,
        "周一至周五 09:00-17:00",
        "周六、周日 09:00-12:00",
        "申领",
        "即时制卡",
        "补换卡",
        "023-63000001",
        "023-63000002",
        "95588",
        "金渝网",
        "合作中",
        "GY-0001",
        "张三",
        "柜员操作账户",
        "2025-03-01",
    ):
        assert text in html, text
    assert "https://uri.amap.com/marker?position=106.577000%2C29.557300&name=" in html
    assert 'target="_blank" rel="noopener noreferrer"' in html
    # breadcrumbs: home › outlets › this outlet
    assert 'aria-current="page">中国工商银行重庆解放碑分理处</li>' in html


def test_detail_without_accounts_has_an_empty_state(client, world):
    client.force_login(world.users[Role.CENTER_OFFICER])
    assert "尚未开通系统账户" in client.get(_detail(world.outlets["B"].pk)).content.decode()


def test_edit_saves_through_the_service_with_a_success_message(client, world):
    outlet = world.outlets["A"]
    client.force_login(world.users[Role.DISTRICT_OFFICER])
    data = _form_data(
        outlet,
        name="中国工商银行重庆解放碑支行",
        weekend_hours="",
        services=["apply"],
        interconnection_mode=InterconnectionMode.LEGACY,
        jinyu_migration_planned_on="2026-06-30",
    )
    response = client.post(_edit(outlet.pk), data, follow=True)
    assert response.redirect_chain[-1][0] == _detail(outlet.pk)
    assert "网点信息已保存" in response.content.decode()
    outlet.refresh_from_db()
    assert outlet.name == "中国工商银行重庆解放碑支行"
    assert outlet.name_initials.endswith("jfbzh")  # the search columns follow the name
    assert outlet.weekend_hours == ""
    assert outlet.instant_issuance is False  # follows the services
    assert list(outlet.services.values_list("code", flat=True)) == ["apply"]
    assert outlet.jinyu_migration_planned_on == dt.date(2026, 6, 30)
    assert outlet.version == 2
    event = AuditEvent.objects.filter(action="outlet.update").latest("seq")
    assert event.actor_id == world.users[Role.DISTRICT_OFFICER].pk
    assert "解放碑支行" in event.after_json


def test_edit_errors_are_shown_beside_the_fields_and_nothing_changes(client, world):
    outlet = world.outlets["A"]
    client.force_login(world.users[Role.DISTRICT_OFFICER])
    data = _form_data(outlet, weekday_hours="9点到5点", latitude="40.1", consultation_phone="abc", name="")
    response = client.post(_edit(outlet.pk), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"weekday_hours", "latitude", "consultation_phone", "name"}
    html = response.content.decode()
    assert 'id="id_weekday_hours_errors"' in html
    assert "HH:MM-HH:MM" in html
    assert Outlet.objects.get(pk=outlet.pk).version == 1


def test_edit_refuses_a_stale_version(client, world):
    outlet = world.outlets["A"]
    client.force_login(world.users[Role.DISTRICT_OFFICER])
    data = _form_data(outlet, name="先提交的名称")
    stale = dict(data, name="后提交的名称")
    assert client.post(_edit(outlet.pk), data).status_code == 302
    response = client.post(_edit(outlet.pk), stale)
    assert response.status_code == 409
    assert "数据已被他人修改" in response.content.decode()
    assert Outlet.objects.get(pk=outlet.pk).name == "先提交的名称"


def test_only_the_city_level_may_move_an_outlet(client, world):
    outlet = world.outlets["A"]
    client.force_login(world.users[Role.DISTRICT_OFFICER])
    form = client.get(_edit(outlet.pk)).context["form"]
    assert not {"code", "bank", "sub_branch", "district"} & set(form.fields)
    # Posting the field anyway changes nothing: it is not part of the district officer's form.
    client.post(_edit(outlet.pk), _form_data(outlet, district=world.districts["B"].pk))
    assert Outlet.objects.get(pk=outlet.pk).district_id == world.districts["A"].pk

    client.force_login(world.users[Role.CENTER_OFFICER])
    assert {"code", "bank", "sub_branch", "district"} <= set(client.get(_edit(outlet.pk)).context["form"].fields)
    response = client.post(_edit(outlet.pk), _form_data(outlet, district=world.districts["B"].pk))
    assert response.status_code == 302
    assert Outlet.objects.get(pk=outlet.pk).district_id == world.districts["B"].pk


def test_center_cannot_put_an_outlet_under_another_banks_sub_branch(client, world):
    outlet = world.outlets["A"]
    client.force_login(world.users[Role.CENTER_OFFICER])
    response = client.post(_edit(outlet.pk), _form_data(outlet, sub_branch=world.orgs["subB"].pk))
    assert response.status_code == 200
    assert "sub_branch" in response.context["form"].errors
    assert Outlet.objects.get(pk=outlet.pk).sub_branch_id == world.orgs["subA"].pk


def test_edit_form_fields_are_labelled(client, world):
    client.force_login(world.users[Role.CENTER_OFFICER])
    html = client.get(_edit(world.outlets["A"].pk)).content.decode()
    for name in ("name", "address", "latitude", "longitude", "weekday_hours", "district", "bank"):
        assert f'<label for="id_{name}"' in html
    assert "<legend>服务项目</legend>" in html
    assert 'type="hidden" name="version" value="1"' in html
