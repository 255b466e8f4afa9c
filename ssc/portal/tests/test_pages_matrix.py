"""The page half of the scoping matrix: every role × every outlet page, with which outlets each one shows.

World (``ssc.core.testing``): outlet ``A`` (bank A, district A), ``B`` (bank B, district B), ``AB`` (bank A,
district B). ``world.users`` are district-A / bank-A users, ``world.other`` their district-B / bank-B peers.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.registry.models import Outlet

pytestmark = pytest.mark.django_db

ALL = {"A", "B", "AB"}
R = Role

# (which user, role) → outlets visible; None: the outlet pages answer 403 for the role.
VISIBLE: dict[tuple[str, str], set[str] | None] = {
    ("users", R.BANK_APPLICANT): {"A", "AB"},
    ("users", R.OUTLET_STAFF): {"A"},
    ("users", R.BANK_HEAD_OFFICE): {"A", "AB"},
    ("users", R.DISTRICT_OFFICER): {"A"},
    ("users", R.DISTRICT_LEADER): {"A"},
    ("users", R.CENTER_OFFICER): ALL,
    ("users", R.CENTER_LEADER): ALL,
    ("users", R.REGULATOR): ALL,
    ("users", R.HOTLINE_OPERATOR): ALL,
    ("users", R.SYSTEM_ADMIN): ALL,
    ("users", R.SECURITY_ADMIN): None,
    ("users", R.AUDIT_ADMIN): None,
    ("other", R.BANK_APPLICANT): {"B"},
    ("other", R.OUTLET_STAFF): {"B"},
    ("other", R.BANK_HEAD_OFFICE): {"B"},
    ("other", R.DISTRICT_OFFICER): {"B", "AB"},
    ("other", R.DISTRICT_LEADER): {"B", "AB"},
}
# Roles that may change an outlet's master data inside their scope (Outlet.scope_filter "change").
CHANGERS = {R.CENTER_OFFICER, R.SYSTEM_ADMIN, R.DISTRICT_OFFICER, R.BANK_APPLICANT}
IMPORTERS = {R.CENTER_OFFICER, R.DISTRICT_OFFICER, R.SYSTEM_ADMIN}

CASES = sorted(VISIBLE, key=lambda k: (k[0], k[1]))
IDS = [f"{side}-{role}" for side, role in CASES]


def _user(world, side, role):
    return getattr(world, side)[role]


def _key_of(world):
    return {o.pk: k for k, o in world.outlets.items()}


@pytest.mark.parametrize(("side", "role"), CASES, ids=IDS)
def test_home(client, world, side, role):
    client.force_login(_user(world, side, role))
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "暂无待办事项" in response.content.decode()
    visible = VISIBLE[(side, role)]
    if visible is None:
        assert "outlet_total" not in response.context
    else:
        assert response.context["outlet_total"] == len(visible)


@pytest.mark.parametrize(("side", "role"), CASES, ids=IDS)
def test_outlet_list(client, world, side, role):
    client.force_login(_user(world, side, role))
    response = client.get(reverse("portal:outlet_list"))
    visible = VISIBLE[(side, role)]
    if visible is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    keys = _key_of(world)
    assert {keys[o.pk] for o in response.context["outlets"]} == visible
    html = response.content.decode()
    for key, outlet in world.outlets.items():
        assert (outlet.name in html) == (key in visible)


@pytest.mark.parametrize(("side", "role"), CASES, ids=IDS)
def test_menu_offers_outlets_only_to_readers(client, world, side, role):
    client.force_login(_user(world, side, role))
    response = client.get(reverse("portal:home"))
    urls = {item["url"] for item in response.context["menu"]}
    assert (reverse("portal:outlet_list") in urls) == (VISIBLE[(side, role)] is not None)
    assert (reverse("portal:outlet_import") in urls) == (role in IMPORTERS)


@pytest.mark.parametrize(("side", "role"), CASES, ids=IDS)
def test_outlet_detail(client, world, side, role):
    client.force_login(_user(world, side, role))
    visible = VISIBLE[(side, role)]
    for key, outlet in world.outlets.items():
        response = client.get(reverse("portal:outlet_detail", args=[outlet.pk]))
        if visible is None:
            assert response.status_code == 403, key
        elif key in visible:
            assert response.status_code == 200, key
            assert outlet.name in response.content.decode()
        else:
            assert response.status_code == 404, key
    # An id that exists nowhere looks exactly like one outside the scope.
    missing = client.get(reverse("portal:outlet_detail", args=[999999]))
    assert missing.status_code == (403 if visible is None else 404)


@pytest.mark.parametrize(("side", "role"), CASES, ids=IDS)
def test_outlet_export(client, world, side, role):
    client.force_login(_user(world, side, role))
    response = client.get(reverse("portal:outlet_export"))
    visible = VISIBLE[(side, role)]
    if visible is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(wb.active.values)
    assert rows[0][0] == "网点编码"
    codes = {r[0] for r in rows[1:]}
    assert codes == {world.outlets[k].code for k in visible}


@pytest.mark.parametrize(("side", "role"), CASES, ids=IDS)
def test_outlet_edit_post(client, world, side, role):
    user = _user(world, side, role)
    client.force_login(user)
    visible = VISIBLE[(side, role)]
    for key, outlet in world.outlets.items():
        url = reverse("portal:outlet_edit", args=[outlet.pk])
        new_name = f"{outlet.name}（{role}）"
        data = {
            "name": new_name,
            "address": outlet.address,
            "latitude": outlet.latitude,
            "longitude": outlet.longitude,
            "weekday_hours": outlet.weekday_hours,
            "weekend_hours": outlet.weekend_hours,
            "consultation_phone": outlet.consultation_phone,
            "complaint_phone": outlet.complaint_phone,
            "interconnection_mode": outlet.interconnection_mode,
            "services": list(outlet.services.values_list("code", flat=True)),
            "version": Outlet.objects.get(pk=outlet.pk).version,
            # the city-level fields; ignored (absent from the form) for everyone else
            "code": outlet.code,
            "bank": outlet.bank_id,
            "sub_branch": outlet.sub_branch_id,
            "district": outlet.district_id,
        }
        response = client.post(url, data)
        if visible is None:
            expected = 403
        elif key not in visible:
            expected = 404
        elif role in CHANGERS:
            expected = 302
        else:
            expected = 403
        assert response.status_code == expected, (key, response.status_code)
        name_now = Outlet.objects.get(pk=outlet.pk).name
        assert (name_now == new_name) == (expected == 302), key
        if expected == 302:
            assert response["Location"] == reverse("portal:outlet_detail", args=[outlet.pk])


@pytest.mark.parametrize(("side", "role"), CASES, ids=IDS)
def test_outlet_edit_page_and_button(client, world, side, role):
    """The edit button shows exactly where the edit page opens."""
    client.force_login(_user(world, side, role))
    visible = VISIBLE[(side, role)] or set()
    for key in visible:
        outlet = world.outlets[key]
        detail = client.get(reverse("portal:outlet_detail", args=[outlet.pk]))
        edit_url = reverse("portal:outlet_edit", args=[outlet.pk])
        can = role in CHANGERS
        assert (edit_url in detail.content.decode()) == can
        assert client.get(edit_url).status_code == (200 if can else 403)


@pytest.mark.parametrize(("side", "role"), CASES, ids=IDS)
def test_import_page(client, world, side, role):
    client.force_login(_user(world, side, role))
    response = client.get(reverse("portal:outlet_import"))
    assert response.status_code == (200 if role in IMPORTERS else 403)


@pytest.mark.parametrize(
    "name",
    ["portal:home", "portal:outlet_list", "portal:outlet_export", "portal:outlet_import", "accounts:password_change"],
)
def test_anonymous_is_sent_to_login(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_anonymous_detail_and_edit_are_sent_to_login(client, world):
    pk = world.outlets["A"].pk
    for name in ("portal:outlet_detail", "portal:outlet_edit"):
        response = client.get(reverse(name, args=[pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    response = client.post(reverse("portal:outlet_edit", args=[pk]), {"name": "x"})
    assert response.status_code == 302
    assert Outlet.objects.get(pk=pk).name == world.outlets["A"].name
