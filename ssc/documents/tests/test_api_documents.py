"""Documents through the API: metadata with SM3 digests, downloads recorded in the audit trail, visible only to
users who can see the case."""

from __future__ import annotations

from ssc.accounts.choices import Role
from ssc.admission import services
from ssc.admission.tests.conftest import PDF, payloads
from ssc.audit.chain import sm3_hex
from ssc.audit.models import AuditEvent
from ssc.core.tests.api import assert_problem, bearer_client
from ssc.registry.models import Outlet
from ssc.workflow.api.testing import post_action


def _submitted(world):
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="applying")
    app = services.application_create(actor=world.users[Role.BANK_APPLICANT], outlet_id=world.outlets["A"].pk)
    action, role, _, data, files = payloads(world)[0]
    resp = post_action(bearer_client(world.users[role]), "applications", app.pk, action, data, files)
    assert resp.status_code == 200
    (doc,) = resp.json()["documents"]
    return app, doc


def test_document_metadata_and_download(world):
    app, doc = _submitted(world)
    assert doc["kind"] == "consent_letter" and doc["case_type"] == "application" and doc["case_id"] == app.pk
    (v,) = doc["versions"]
    assert v["sm3"] == sm3_hex(PDF) and v["size"] == len(PDF) and v["content_type"] == "application/pdf"
    assert (
        v["original_name"] == "consent.pdf"
        and v["uploaded_by"]["username"] == world.users[Role.BANK_APPLICANT].username
    )

    officer = bearer_client(world.users[Role.DISTRICT_OFFICER])
    assert officer.get(f"/api/v1/documents/{doc['id']}/").json() == doc
    listed = officer.get("/api/v1/documents/", {"case_type": "application", "case_id": app.pk}).json()
    assert [d["id"] for d in listed["results"]] == [doc["id"]]
    assert officer.get("/api/v1/documents/", {"kind": "minutes"}).json()["count"] == 0

    downloads = AuditEvent.objects.filter(action="document.download").count()
    resp = officer.get(v["download_url"])
    assert resp.status_code == 200
    assert b"".join(resp.streaming_content) == PDF
    assert resp["Content-Type"] == "application/pdf"
    assert resp["Content-Disposition"].startswith("attachment") and "consent.pdf" in resp["Content-Disposition"]
    assert resp["ETag"] == f'"{v["sm3"]}"'
    event = AuditEvent.objects.filter(action="document.download").order_by("-id").first()
    assert AuditEvent.objects.filter(action="document.download").count() == downloads + 1
    assert event.actor_id == world.users[Role.DISTRICT_OFFICER].pk


def test_chinese_file_name_survives_the_header(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="applying")
    app = services.application_create(actor=world.users[Role.BANK_APPLICANT], outlet_id=world.outlets["A"].pk)
    action, role, _, data, _ = payloads(world)[0]
    files = {"consent_letter": SimpleUploadedFile("同意函.pdf", PDF, content_type="application/pdf")}
    body = post_action(bearer_client(world.users[role]), "applications", app.pk, action, data, files).json()
    resp = bearer_client(world.users[Role.CENTER_OFFICER]).get(body["documents"][0]["versions"][0]["download_url"])
    assert resp.status_code == 200
    assert "filename*=utf-8''%E5%90%8C%E6%84%8F%E5%87%BD.pdf" in resp["Content-Disposition"]


def test_out_of_scope_and_unknown_versions_are_404(world):
    _app, doc = _submitted(world)
    url = f"/api/v1/documents/{doc['id']}/versions/1/download/"
    downloads = AuditEvent.objects.filter(action="document.download").count()
    for user in (
        world.other[Role.DISTRICT_OFFICER],
        world.other[Role.BANK_APPLICANT],
        world.users[Role.SECURITY_ADMIN],
    ):
        client = bearer_client(user)
        assert_problem(client.get(f"/api/v1/documents/{doc['id']}/"), 404)
        assert_problem(client.get(url), 404)
        assert client.get("/api/v1/documents/").json()["count"] == 0
    assert AuditEvent.objects.filter(action="document.download").count() == downloads
    center = bearer_client(world.users[Role.CENTER_OFFICER])
    assert_problem(center.get(f"/api/v1/documents/{doc['id']}/versions/2/download/"), 404)
    assert_problem(center.get("/api/v1/documents/999999/versions/1/download/"), 404)
    assert_problem(center.get("/api/v1/documents/", {"kind": "nonsense"}), 400)
