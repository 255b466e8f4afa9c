"""``/api/v1/roster_versions/``: every signed-in user reads every version (the roster is public, Art 4); the detail
shows what changed (added / changed / removed with the published data before and after)."""

from __future__ import annotations

from ssc.accounts.choices import Role
from ssc.core.testing import make_outlet
from ssc.core.tests.api import assert_problem, bearer_client
from ssc.registry.models import Outlet
from ssc.roster import services as roster
from ssc.roster.api.serializers import EMBEDDED_CHANGES


def test_no_version_yet(world):
    client = bearer_client(world.users[Role.OUTLET_STAFF])
    assert client.get("/api/v1/roster_versions/").json()["count"] == 0
    assert_problem(client.get("/api/v1/roster_versions/latest/"), 404)
    assert_problem(client.get("/api/v1/roster_versions/1/"), 404)


def test_versions_with_their_changes(world):
    center = world.users[Role.CENTER_OFFICER]
    a, b = world.outlets["A"], world.outlets["B"]
    v1 = roster.publish(outlet_ids=[a.pk, b.pk], actor=center, reason="首次发布")
    Outlet.objects.filter(pk=a.pk).update(address="渝中区新地址 1 号")
    Outlet.objects.filter(pk=b.pk).update(status="terminated")
    v2 = roster.publish(outlet_ids=[a.pk, b.pk], actor=center, reason="变更")

    for user in (world.other[Role.OUTLET_STAFF], world.users[Role.HOTLINE_OPERATOR], world.users[Role.AUDIT_ADMIN]):
        client = bearer_client(user)
        listed = client.get("/api/v1/roster_versions/").json()
        assert [v["number"] for v in listed["results"]] == [v2.number, v1.number]
        assert listed["results"][1]["counts"] == {"added": 2, "changed": 0, "removed": 0}
        assert listed["results"][1]["total"] == 2 and listed["results"][1]["reason"] == "首次发布"

        latest = client.get("/api/v1/roster_versions/latest/").json()
        assert latest == client.get(f"/api/v1/roster_versions/{v2.number}/").json()
        assert latest["counts"] == {"added": 0, "changed": 1, "removed": 1} and latest["total"] == 1
        changes = {c["outlet"]["id"]: c for c in latest["changes"]}
        assert changes[a.pk]["kind"] == "changed"
        assert changes[a.pk]["before"]["address"] != changes[a.pk]["after"]["address"] == "渝中区新地址 1 号"
        assert changes[b.pk]["kind"] == "removed" and changes[b.pk]["after"] is None
        assert changes[b.pk]["before"]["name"] == b.name
        assert latest["changes_truncated"] is False
        assert latest["changes_url"].endswith(f"/api/v1/roster_versions/{v2.number}/changes/")

        removed = client.get(f"/api/v1/roster_versions/{v2.number}/changes/", {"kind": "removed"}).json()
        assert [c["outlet"]["id"] for c in removed["results"]] == [b.pk]
    assert_problem(bearer_client(center).get("/api/v1/roster_versions/latest/changes/"), 404)
    assert_problem(bearer_client(center).get(f"/api/v1/roster_versions/{v2.number}/changes/", {"kind": "x"}), 400)


def test_large_version_embeds_a_bounded_number_of_changes(world):
    outlets = [
        make_outlet(
            f"OR-{i:04d}",
            f"名单网点{i}",
            bank=world.banks["A"],
            sub_branch=world.orgs["subA"],
            district=world.districts["A"],
        )
        for i in range(EMBEDDED_CHANGES + 5)
    ]
    roster.publish(outlet_ids=[o.pk for o in outlets], actor=world.users[Role.CENTER_OFFICER])
    client = bearer_client(world.users[Role.REGULATOR])
    latest = client.get("/api/v1/roster_versions/latest/").json()
    assert latest["counts"]["added"] == EMBEDDED_CHANGES + 5
    assert len(latest["changes"]) == EMBEDDED_CHANGES and latest["changes_truncated"] is True
    paged = client.get(latest["changes_url"], {"page_size": 200, "page": 2}).json()
    assert paged["count"] == EMBEDDED_CHANGES + 5 and len(paged["results"]) == 5


def test_requires_sign_in(db):
    from rest_framework.test import APIClient

    assert_problem(APIClient().get("/api/v1/roster_versions/"), 401)
