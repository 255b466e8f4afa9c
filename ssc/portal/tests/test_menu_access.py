"""The left menu offers a role only pages that role may open: every item shown answers 200 when fetched as that
role (a 403 behind a menu item is a menu bug). Items whose page does not exist yet (no URL) are not shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.portal.menu import ITEMS, menu_for

pytestmark = pytest.mark.django_db

ROLES = sorted(Role)


def _shown(user):
    """The menu items ``menu_for`` shows ``user``, with their URL (unresolvable names are left out)."""
    return [(item, item.url()) for item in ITEMS if item.url() and item.shown_to(user)]


@pytest.mark.parametrize("role", ROLES, ids=[str(r) for r in ROLES])
def test_every_menu_item_opens_for_the_role(client, world, role):
    user = world.users[role]
    client.force_login(user)
    shown = _shown(user)
    assert [m["url"] for m in menu_for(user, "/")] == [url for _item, url in shown]
    refused = []
    for item, url in shown:
        status = client.get(url).status_code
        if status != 200:
            refused.append((item.url_name, url, status))
    assert not refused, f"menu items refused to {role}: {refused}"


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN])
def test_admin_item_only_for_staff_admins_and_it_opens(client, world, role):
    """系统管理 leads to the Django admin, which admits active staff only: not offered to other admins."""
    user = world.users[role]
    admin_url = reverse("admin:index")
    assert admin_url not in {m["url"] for m in menu_for(user, "/")}
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    assert admin_url in {m["url"] for m in menu_for(user, "/")}
    client.force_login(user)
    assert client.get(admin_url).status_code == 200


def test_hotline_operators_see_no_agreements_nor_relocations(world):
    """The pages of 合作协议 and 网点迁址 refuse hotline operators, so the menu does not offer them."""
    urls = {m["url"] for m in menu_for(world.users[Role.HOTLINE_OPERATOR], "/")}
    names = {item.url_name for item in ITEMS if item.url() in urls}
    assert "tickets:ticket_list" in names
    assert not names & {"agreements:list", "relocations:list", "terminations:list"}


def test_terminations_item_follows_relocations_for_outlet_readers_but_hotline():
    names = [item.url_name for item in ITEMS]
    assert names.index("terminations:list") == names.index("relocations:list") + 1
    item = ITEMS[names.index("terminations:list")]
    assert item.roles is not None
    assert Role.HOTLINE_OPERATOR not in item.roles
    assert {Role.CENTER_OFFICER, Role.DISTRICT_OFFICER, Role.BANK_APPLICANT, Role.OUTLET_STAFF} <= item.roles
