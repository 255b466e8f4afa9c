"""The home page per role: the 待办 section, and the counts and links that matter to each role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.registry.choices import OutletStatus
from ssc.registry.models import Outlet

pytestmark = pytest.mark.django_db
HOME = reverse("portal:home")


def _get(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response


def test_anonymous_goes_to_login(client, world):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=/"


def test_every_role_has_the_todo_section_with_its_empty_state(client, world):
    for user in world.users.values():
        html = _get(client, user).content.decode()
        assert 'id="todo-heading">待办</h2>' in html
        assert "暂无待办事项" in html


def test_district_sees_its_outlets_by_status(client, world):
    Outlet.objects.filter(pk=world.outlets["AB"].pk).update(status=OutletStatus.PREPARING)
    response = _get(client, world.other[Role.DISTRICT_OFFICER])  # district B: B (active) and AB (preparing)
    counts = {c.status: c.count for c in response.context["status_counts"]}
    assert counts[OutletStatus.ACTIVE] == 1 and counts[OutletStatus.PREPARING] == 1
    assert sum(counts.values()) == 2
    html = response.content.decode()
    assert "本区县网点" in html
    assert f'href="{reverse("portal:outlet_list")}?status=preparing"' in html
    assert "by_district" not in response.context


def test_bank_sees_its_outlets(client, world):
    response = _get(client, world.users[Role.BANK_HEAD_OFFICE])
    assert response.context["outlet_total"] == 2
    assert "本行网点" in response.content.decode()


def test_outlet_staff_sees_its_outlet(client, world):
    response = _get(client, world.users[Role.OUTLET_STAFF])
    html = response.content.decode()
    assert "本网点" in html
    assert reverse("portal:outlet_detail", args=[world.outlets["A"].pk]) in html


@pytest.mark.parametrize("role", [Role.CENTER_OFFICER, Role.CENTER_LEADER, Role.REGULATOR, Role.SYSTEM_ADMIN])
def test_city_level_sees_totals_by_district_and_bank(client, world, role):
    response = _get(client, world.users[role])
    by_district = {r.name: r.total for r in response.context["by_district"]}
    by_bank = {r.name: r.total for r in response.context["by_bank"]}
    assert by_district == {"渝中区": 1, "沙坪坝区": 2}
    assert by_bank == {"工商银行": 2, "建设银行": 1}
    html = response.content.decode()
    assert "各区县网点" in html and "各银行网点" in html
    assert f'?district={world.districts["B"].pk}"' in html
    assert f'?bank={world.banks["A"].pk}"' in html


def test_hotline_gets_a_search_box(client, world):
    html = _get(client, world.users[Role.HOTLINE_OPERATOR]).content.decode()
    assert f'action="{reverse("portal:outlet_list")}"' in html
    assert '<label for="home-q"' in html and 'name="q"' in html


def test_admin_duties_get_their_links_and_no_outlets(client, world):
    # The admin link is shown to whoever the admin site lets in: a staff system or security administrator.
    html = _get(client, world.users[Role.SYSTEM_ADMIN]).content.decode()
    assert reverse("admin:index") not in html
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        world.users[role].is_staff = True
        world.users[role].save(update_fields=["is_staff"])
    html = _get(client, world.users[Role.SYSTEM_ADMIN]).content.decode()
    assert reverse("admin:index") in html
    response = _get(client, world.users[Role.SECURITY_ADMIN])
    assert reverse("admin:index") in response.content.decode()
    assert "status_counts" not in response.context
    response = _get(client, world.users[Role.AUDIT_ADMIN])
    assert reverse("admin:index") not in response.content.decode()
    assert "审计日志" in response.content.decode()
    assert "status_counts" not in response.context


def test_menu_marks_the_current_page(client, world):
    client.force_login(world.users[Role.CENTER_OFFICER])
    menu = client.get(reverse("portal:outlet_import")).context["menu"]
    active = [m["url"] for m in menu if m["active"]]
    assert active == [reverse("portal:outlet_import")]
    html = client.get(reverse("portal:outlet_list")).content.decode()
    assert f'<a href="{reverse("portal:outlet_list")}" aria-current="page" class="active">' in html
