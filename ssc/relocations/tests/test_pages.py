"""Relocation pages: list and export per role, reporting a move (outlet staff; the applicant picks an outlet), the
case page's buttons, assessing through the generic action page (compliant: the outlet page shows the new address),
the outlet page's panel, and the common inbox."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.registry.models import Outlet
from ssc.relocations import services
from ssc.relocations.models import Relocation
from ssc.workflow import inbox

from .conftest import NEW_ADDRESS, assess_data, pdf, report_data

R = Role
pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _buttons(html: str) -> set[str]:
    m = re.search(r'<div class="actions case-actions".*?</div>', html, re.S)
    return set(re.findall(r'data-action="([a-z_]+)"', m.group(0))) if m else set()


def test_pages_per_role(client, world, reported):
    for user in [*world.users.values(), *world.other.values()]:
        _login(client, user)
        no_business = user.role in (R.HOTLINE_OPERATOR, R.SECURITY_ADMIN, R.AUDIT_ADMIN)
        assert client.get(reverse("relocations:list")).status_code == (403 if no_business else 200)
        resp = client.get(reverse("relocations:detail", args=[reported.pk]))
        if no_business:
            assert resp.status_code == 403
        else:
            visible = Relocation.objects.restrict(user).filter(pk=reported.pk).exists()
            assert resp.status_code == (200 if visible else 404), user.username
        can_report = user.role in (R.OUTLET_STAFF, R.BANK_APPLICANT)
        assert client.get(reverse("relocations:report")).status_code == (200 if can_report else 403)


def test_list_and_export(client, world, reported):
    _login(client, world.other[R.DISTRICT_OFFICER])
    assert client.get(reverse("relocations:list")).context["page"].paginator.count == 0
    _login(client, world.users[R.REGULATOR])
    resp = client.get(reverse("relocations:list"), {"state": "reported"})
    assert [r.pk for r in resp.context["relocations"]] == [reported.pk]
    export = client.get(reverse("relocations:export"))
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[1][6] == NEW_ADDRESS and rows[1][8] == "已报告"


def test_report_page(client, world):
    _login(client, world.users[R.BANK_APPLICANT])
    picker = client.get(reverse("relocations:report"))
    assert {o.pk for o in picker.context["candidates"]} == {world.outlets["A"].pk, world.outlets["AB"].pk}
    url = reverse("relocations:report")
    form = client.get(url, {"outlet": world.outlets["AB"].pk})
    assert form.context["outlet"] == world.outlets["AB"] and form.context["form"] is not None
    data = {**report_data(world, "AB"), "outlet": world.outlets["AB"].pk}
    wrong = client.post(url, {**data, "new_district": world.districts["A"].pk})
    assert wrong.status_code == 200 and "重新申请准入" in wrong.content.decode()
    resp = client.post(url, {**data, "documents": [pdf()]})
    assert resp.status_code == 302
    case = Relocation.objects.get(outlet=world.outlets["AB"])
    assert resp["Location"] == reverse("relocations:detail", args=[case.pk]) and case.state == "reported"
    assert client.get(url, {"outlet": world.outlets["B"].pk}).status_code == 404  # bank B's outlet
    _login(client, world.users[R.OUTLET_STAFF])
    page = client.get(url)
    assert page.context["outlet"] == world.outlets["A"]  # staff report for their own outlet


def test_assess_through_the_page(client, world, reported):
    _login(client, world.users[R.OUTLET_STAFF])
    assert _buttons(client.get(reverse("relocations:detail", args=[reported.pk])).content.decode()) == {"withdraw"}
    _login(client, world.users[R.DISTRICT_OFFICER])
    html = client.get(reverse("relocations:detail", args=[reported.pk])).content.decode()
    assert _buttons(html) == {"assess"} and NEW_ADDRESS in html
    url = reverse("relocations:action", args=[reported.pk, "assess"])
    data = {**assess_data(), "version": reported.version}
    unconfirmed = client.post(url, data)
    assert unconfirmed.status_code == 200 and "不可撤销" in unconfirmed.content.decode()
    resp = client.post(url, {**data, "confirm": "yes"})
    assert resp.status_code == 302
    html = client.get(resp["Location"]).content.decode()
    assert "新址符合要求" in html and "名单第" in html and _buttons(html) == set()
    outlet_page = client.get(reverse("portal:outlet_detail", args=[world.outlets["A"].pk])).content.decode()
    assert NEW_ADDRESS in outlet_page and 'data-panel="relocations"' in outlet_page
    _login(client, world.other[R.DISTRICT_OFFICER])
    assert client.get(url).status_code == 404


def test_non_compliant_page_flags_art_9_3_and_inbox(client, world, reported):
    officer = world.users[R.DISTRICT_OFFICER]
    items = [i for i in inbox.inbox_items(officer) if i.case_type == "relocation"]
    assert [i.case.pk for i in items] == [reported.pk] and items[0].task == "评估新址"
    staff_items = [i for i in inbox.inbox_items(world.users[R.OUTLET_STAFF]) if i.case_type == "relocation"]
    assert staff_items == []  # withdrawing is possible, never awaited
    services.perform(reported.pk, "assess", actor=officer, data=assess_data("non_compliant"))
    _login(client, world.users[R.DISTRICT_LEADER])
    html = client.get(reverse("relocations:detail", args=[reported.pk])).content.decode()
    assert 'data-flag="art-9-3"' in html
    outlet_page = client.get(reverse("portal:outlet_detail", args=[world.outlets["A"].pk])).content.decode()
    assert "可依第九条第(三)项终止合作" in outlet_page
    assert Outlet.objects.get(pk=world.outlets["A"].pk).address != NEW_ADDRESS
