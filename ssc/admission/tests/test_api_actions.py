"""Action requests over HTTP: payload errors (400 naming fields), a forged document, If-Match (412), unknown
actions and cases (404), Idempotency-Key (one action per key), multipart with parts instead of a JSON part."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.core.tests.api import assert_problem, bearer_client
from ssc.documents.models import Document, DocumentVersion
from ssc.workflow.api.testing import if_match, post_action
from ssc.workflow.models import CaseEvent, IdempotencyRecord

from .conftest import SITE_CHECKLIST, payloads, pdf, walk


def _events(app) -> int:
    return CaseEvent.objects.filter(case_type="application", case_id=app.pk).count()


def _step(world, action):
    return next(s for s in payloads(world) if s[0] == action)


@pytest.fixture
def site_verified(world, draft):
    return walk(world, draft, until="decide")


def test_forged_pdf_is_refused_naming_the_field_and_nothing_changes(world, site_verified):
    app = site_verified
    _, role, _, data, _ = _step(world, "decide")
    client = bearer_client(world.users[role])
    forged = SimpleUploadedFile("minutes.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")
    docs, versions, audit = Document.objects.count(), DocumentVersion.objects.count(), AuditEvent.objects.count()

    resp = post_action(client, "applications", app.pk, "decide", data, {"minutes": forged})

    body = assert_problem(resp, 400, "validation_failed")
    assert list(body["errors"]) == ["minutes"]
    assert "PDF" in body["errors"]["minutes"][0]
    app.refresh_from_db()
    assert app.state == "site_verified" and app.version == site_verified.version
    assert (Document.objects.count(), DocumentVersion.objects.count()) == (docs, versions)
    assert AuditEvent.objects.count() == audit


def test_invalid_payload_names_each_field(world, site_verified):
    client = bearer_client(world.users[Role.DISTRICT_LEADER])
    resp = post_action(
        client,
        "applications",
        site_verified.pk,
        "decide",
        {"meeting_date": "2099-01-01", "attendees": ["甲"], "decision": "maybe"},
        {"minutes": pdf()},
    )
    body = assert_problem(resp, 400)
    assert {"meeting_date", "attendees", "decision"} <= set(body["errors"])
    # A required document missing from a JSON request is named too.
    resp = post_action(client, "applications", site_verified.pk, "decide", _step(world, "decide")[3])
    assert "minutes" in assert_problem(resp, 400)["errors"]


def test_json_body_must_be_an_object(world, site_verified):
    client = bearer_client(world.users[Role.DISTRICT_LEADER])
    resp = client.post(f"/api/v1/applications/{site_verified.pk}/actions/decide/", [1, 2], format="json")
    assert_problem(resp, 400)
    resp = client.post(
        f"/api/v1/applications/{site_verified.pk}/actions/decide/",
        {"payload": "{not json", "minutes": pdf()},
        format="multipart",
    )
    assert "payload" in assert_problem(resp, 400)["errors"]


def test_multipart_fields_as_parts(world, draft):
    """Lists as repeated parts and checklist answers as ``checklist.<code>`` parts work like a JSON part."""
    app = walk(world, draft, until="record_site_verification")
    client = bearer_client(world.users[Role.DISTRICT_OFFICER])
    body = {"visited_on": "2026-03-05", "inspectors": ["王敏", "李强"], "conclusion": "passed", "report": pdf()}
    body.update({f"checklist.{code}": "yes" for code in SITE_CHECKLIST})
    resp = client.post(f"/api/v1/applications/{app.pk}/actions/record_site_verification/", body, format="multipart")
    assert resp.status_code == 200, resp.content
    facts = resp.json()["facts"]["record_site_verification"]
    assert facts["inspectors"] == ["王敏", "李强"]
    assert facts["checklist"] == SITE_CHECKLIST


def test_stale_if_match_is_412_and_nothing_changes(world, site_verified):
    _, role, _, data, files = _step(world, "decide")
    client = bearer_client(world.users[role])
    before = _events(site_verified)
    resp = post_action(client, "applications", site_verified.pk, "decide", data, files, **if_match(1))
    assert_problem(resp, 412, "stale_version")
    for bad in ('W/"5"', "5", '"abc"'):
        files = _step(world, "decide")[4]
        resp = post_action(client, "applications", site_verified.pk, "decide", data, files, HTTP_IF_MATCH=bad)
        assert_problem(resp, 412)
    assert _events(site_verified) == before
    resp = post_action(
        client,
        "applications",
        site_verified.pk,
        "decide",
        data,
        _step(world, "decide")[4],
        **if_match(site_verified.version),
    )
    assert resp.status_code == 200


def test_unknown_action_and_unknown_case_are_404(world, site_verified):
    client = bearer_client(world.users[Role.DISTRICT_LEADER])
    assert_problem(client.post(f"/api/v1/applications/{site_verified.pk}/actions/approve/", {}, format="json"), 404)
    assert_problem(client.post("/api/v1/applications/999999/actions/decide/", {}, format="json"), 404)
    assert_problem(client.get("/api/v1/applications/999999/"), 404)
    assert_problem(client.get("/api/v1/applications/99999999999999999999/"), 404)


def test_out_of_scope_is_404_role_is_403(world, site_verified):
    """SCENARIOS A.2: another district's officer cannot see the application at all."""
    other = bearer_client(world.other[Role.DISTRICT_OFFICER])
    assert_problem(other.get(f"/api/v1/applications/{site_verified.pk}/"), 404)
    _, _, _, data, files = _step(world, "decide")
    assert_problem(post_action(other, "applications", site_verified.pk, "decide", data, files), 404)
    officer = bearer_client(world.users[Role.DISTRICT_OFFICER])
    body = assert_problem(
        post_action(officer, "applications", site_verified.pk, "decide", data, _step(world, "decide")[4]), 403
    )
    assert body["type"].endswith("/forbidden")


def test_idempotent_retry_acts_once(world, site_verified):
    _, role, _, data, _ = _step(world, "decide")
    client = bearer_client(world.users[role])
    key = {"HTTP_IDEMPOTENCY_KEY": "3f1c9a1e-decide-1"}
    before = _events(site_verified)

    first = post_action(client, "applications", site_verified.pk, "decide", data, {"minutes": pdf("m.pdf")}, **key)
    assert first.status_code == 200, first.content
    second = post_action(client, "applications", site_verified.pk, "decide", data, {"minutes": pdf("m.pdf")}, **key)

    assert second.status_code == 200
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert second["ETag"] == first["ETag"]
    assert _events(site_verified) == before + 1
    assert Document.objects.filter(case_type="application", case_id=site_verified.pk, kind="minutes").count() == 1
    assert IdempotencyRecord.objects.filter(user=world.users[role], key=key["HTTP_IDEMPOTENCY_KEY"]).count() == 1


def test_idempotency_key_reused_for_another_request_is_422(world, site_verified):
    client = bearer_client(world.users[Role.DISTRICT_LEADER])
    _, _, _, data, _ = _step(world, "decide")
    key = {"HTTP_IDEMPOTENCY_KEY": "key-1"}
    assert (
        post_action(client, "applications", site_verified.pk, "decide", data, {"minutes": pdf()}, **key).status_code
        == 200
    )
    other_body = {**data, "reasons": "另一个理由"}
    resp = post_action(client, "applications", site_verified.pk, "decide", other_body, {"minutes": pdf()}, **key)
    assert_problem(resp, 422, "idempotency_key_reused")
    # Another path with the same key.
    resp = post_action(client, "applications", site_verified.pk, "withdraw", {"reason": "x"}, **key)
    assert_problem(resp, 422, "idempotency_key_reused")
    # A different user's keys are their own: the same key acts for them.
    officer = bearer_client(world.users[Role.DISTRICT_OFFICER])
    resp = post_action(officer, "applications", site_verified.pk, "file_with_center", {}, **key)
    assert resp.status_code == 200 and resp.json()["state"] == "filed"
    assert "Idempotent-Replayed" not in resp


def test_failed_request_stores_nothing_and_may_be_retried(world, site_verified):
    client = bearer_client(world.users[Role.DISTRICT_LEADER])
    _, _, _, data, _ = _step(world, "decide")
    key = {"HTTP_IDEMPOTENCY_KEY": "retry-after-fix"}
    bad = post_action(client, "applications", site_verified.pk, "decide", data, **key)  # minutes missing
    assert_problem(bad, 400)
    assert not IdempotencyRecord.objects.filter(key="retry-after-fix").exists()
    good = post_action(client, "applications", site_verified.pk, "decide", data, {"minutes": pdf()}, **key)
    assert good.status_code == 200


def test_bad_idempotency_key_is_400(world, site_verified):
    client = bearer_client(world.users[Role.DISTRICT_LEADER])
    resp = post_action(
        client, "applications", site_verified.pk, "withdraw", {"reason": "x"}, HTTP_IDEMPOTENCY_KEY="x" * 101
    )
    assert "Idempotency-Key" in assert_problem(resp, 400)["errors"]


def test_idempotent_create(world):
    from ssc.admission.models import Application
    from ssc.registry.models import Outlet

    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="applying")
    client = bearer_client(world.users[Role.BANK_APPLICANT])
    key = {"HTTP_IDEMPOTENCY_KEY": "create-A"}
    first = client.post("/api/v1/applications/", {"outlet": world.outlets["A"].pk}, format="json", **key)
    second = client.post("/api/v1/applications/", {"outlet": world.outlets["A"].pk}, format="json", **key)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert first["Location"] == second["Location"]
    assert Application.objects.filter(outlet=world.outlets["A"]).count() == 1
    # Without the key, the second create is refused: the outlet already has an open application.
    assert_problem(client.post("/api/v1/applications/", {"outlet": world.outlets["A"].pk}, format="json"), 409)


def test_problem_for_missing_file_content(world, site_verified):
    """An empty upload is a 400 on its field, not a 500."""
    client = bearer_client(world.users[Role.DISTRICT_LEADER])
    empty = SimpleUploadedFile("m.pdf", b"", content_type="application/pdf")
    resp = client.post(
        f"/api/v1/applications/{site_verified.pk}/actions/decide/",
        {"payload": json.dumps(_step(world, "decide")[3]), "minutes": empty},
        format="multipart",
    )
    assert "minutes" in assert_problem(resp, 400)["errors"]


def test_payload_shapes_are_checked_before_the_form(world, draft):
    """A repeated part for a single value, a file field in JSON, mixed lists: 400 naming the field."""
    app = walk(world, draft, until="record_site_verification")
    client = bearer_client(world.users[Role.DISTRICT_OFFICER])
    url = f"/api/v1/applications/{app.pk}/actions/record_site_verification/"
    body = {"visited_on": ["2026-03-05", "2026-03-06"], "inspectors": ["王敏", "李强"], "conclusion": "passed"}
    body.update({f"checklist.{code}": "yes" for code in SITE_CHECKLIST})
    assert list(assert_problem(client.post(url, body, format="multipart"), 400)["errors"]) == ["visited_on"]
    data = {**_step(world, "record_site_verification")[3], "report": "JVBERi0xLjQ="}
    assert list(assert_problem(client.post(url, data, format="json"), 400)["errors"]) == ["report"]
    data = {**_step(world, "record_site_verification")[3], "inspectors": ["王敏", {"name": "李强"}]}
    assert list(assert_problem(client.post(url, data, format="json"), 400)["errors"]) == ["inspectors"]
    # Numbers where text is expected are read as text, as a form would send them.
    data = {**_step(world, "record_site_verification")[3], "findings": 42}
    assert client.post(url, data, format="json").json()["facts"]["record_site_verification"]["findings"] == "42"
