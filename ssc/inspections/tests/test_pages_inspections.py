"""Inspection pages: every role × every page and endpoint (out of scope → 404), recording from the page (with an
outlet pre-filled from its page), the request reaching the district's inbox page, answering and closing, files."""

from __future__ import annotations

from django.urls import reverse

from ssc.accounts.choices import CITYWIDE_ROLES, DISTRICT_ROLES, Role
from ssc.core.tests.api import bearer_client, ids
from ssc.inspections.models import Inspection

from .conftest import PAYLOADS, pdf, record

R = Role
RECORDERS = {R.REGULATOR, R.CENTER_OFFICER, R.CENTER_LEADER}


def _users(world, nfra_regulator):
    return (
        [(u, True) for u in world.users.values()]
        + [(u, False) for u in world.other.values()]
        + [(nfra_regulator, True)]
    )


def test_every_role_every_page_and_endpoint(client, world, nfra_regulator):
    a = record(world)  # outlet A → district A, asked to act
    b = record(world, by=nfra_regulator, outlets=[world.outlets["B"].code], requests_action=False)
    doc_case = record(world, requests_action=False, files={"documents": [pdf()]})
    doc = doc_case.attachments.get()
    for user, side_a in _users(world, nfra_regulator):
        role = user.role
        reader = role in CITYWIDE_ROLES or role in DISTRICT_ROLES
        sees_a = role in CITYWIDE_ROLES or (role in DISTRICT_ROLES and side_a)
        sees_b = role in CITYWIDE_ROLES or (role in DISTRICT_ROLES and not side_a)
        client.force_login(user)
        resp = client.get(reverse("inspections:list"))
        if not reader:
            assert resp.status_code == 403, user.username
            assert client.get(reverse("inspections:detail", args=[a.pk])).status_code == 403
            assert client.get(reverse("inspections:document", args=[doc_case.pk, doc.pk])).status_code == 403
        else:
            assert resp.status_code == 200
            shown = {i.pk for i in resp.context["inspections"]}
            expected = {pk for pk, s in ((a.pk, sees_a), (b.pk, sees_b), (doc_case.pk, sees_a)) if s}
            assert shown == expected, user.username
            assert client.get(reverse("inspections:detail", args=[a.pk])).status_code == (200 if sees_a else 404)
            assert client.get(reverse("inspections:detail", args=[b.pk])).status_code == (200 if sees_b else 404)
            got = client.get(reverse("inspections:document", args=[doc_case.pk, doc.pk]))
            assert got.status_code == (200 if sees_a else 404)
        # Recording: regulators and the center only.
        status = client.get(reverse("inspections:record")).status_code
        assert status == (200 if role in RECORDERS else 403), user.username
        # Answering the request: district A's agency only.
        status = client.get(reverse("inspections:action", args=[a.pk, "respond"])).status_code
        if role in DISTRICT_ROLES and side_a:
            assert status == 200
        else:
            assert status == (403 if sees_a else 404), (user.username, status)
        # The API: the same rows.
        api = bearer_client(user)
        expected = {pk for pk, s in ((a.pk, sees_a), (b.pk, sees_b), (doc_case.pk, sees_a)) if s}
        assert ids(api.get("/api/v1/inspections/")) == expected, user.username
        assert api.get(f"/api/v1/inspections/{a.pk}/").status_code == (200 if sees_a else 404)


def test_record_on_the_page_and_the_district_answers(client, world):
    client.force_login(world.users[R.REGULATOR])
    resp = client.get(reverse("inspections:record"), {"outlet": world.outlets["A"].pk})
    form = resp.context["form"]
    assert form.initial["outlets"] == "OA-001" and form.initial["district"] == world.districts["A"].pk
    url = reverse("inspections:record")
    bad = {"inspected_on": "2026-10-20", "scope": "现场检查", "findings": "", "requests_action": "on"}
    resp = client.post(url, bad)
    assert resp.status_code == 200
    assert {"findings", "requested_action", "district"} <= set(resp.context["form"].errors)
    resp = client.post(
        url,
        {
            "inspected_on": "2026-10-20",
            "scope": "现场检查",
            "outlets": "OA-001",
            "findings": "未公示投诉电话",
            "requests_action": "on",
            "requested_action": "督促整改并反馈",
            "documents": pdf("检查记录.pdf"),
        },
    )
    case = Inspection.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("inspections:detail", args=[case.pk])
    assert case.state == "action_requested" and case.district == world.districts["A"]
    html = client.get(resp["Location"]).content.decode()
    assert "检查记录.pdf" in html and "待区县处理" in html
    # It reaches the district's inbox page, with one click to the case.
    client.force_login(world.users[R.DISTRICT_OFFICER])
    html = client.get(reverse("workflow:inbox")).content.decode()
    assert reverse("inspections:detail", args=[case.pk]) in html and "反馈处理情况" in html
    html = client.get(reverse("inspections:detail", args=[case.pk])).content.decode()
    assert reverse("inspections:action", args=[case.pk, "respond"]) in html
    resp = client.post(
        reverse("inspections:action", args=[case.pk, "respond"]),
        {"version": case.version, **PAYLOADS["respond"]},
    )
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.state == "responded" and case.responded_by == world.users[R.DISTRICT_OFFICER]
    # The recording organisation closes it (irreversible: confirmed).
    client.force_login(world.users[R.REGULATOR])
    url = reverse("inspections:action", args=[case.pk, "close"])
    assert client.post(url, {"version": case.version, **PAYLOADS["close"]}).status_code == 200
    assert client.post(url, {"version": case.version, "confirm": "yes", **PAYLOADS["close"]}).status_code == 302
    case.refresh_from_db()
    assert case.state == "closed"
    # The center is not the recording organisation.
    client.force_login(world.users[R.CENTER_OFFICER])
    assert client.get(url).status_code == 403
    assert client.get(reverse("inspections:action", args=[case.pk, "record"])).status_code == 404


def test_outlet_page_lists_its_inspections(client, world):
    case = record(world)
    url = reverse("portal:outlet_detail", args=[world.outlets["A"].pk])
    client.force_login(world.users[R.REGULATOR])
    html = client.get(url).content.decode()
    assert reverse("inspections:detail", args=[case.pk]) in html
    assert f"{reverse('inspections:record')}?outlet={world.outlets['A'].pk}" in html
    client.force_login(world.users[R.DISTRICT_OFFICER])
    html = client.get(url).content.decode()
    assert reverse("inspections:detail", args=[case.pk]) in html and reverse("inspections:record") not in html
    # Banks do not read inspections: no panel.
    client.force_login(world.users[R.BANK_HEAD_OFFICE])
    html = client.get(url).content.decode()
    assert reverse("inspections:detail", args=[case.pk]) not in html and 'data-panel="inspections"' not in html
