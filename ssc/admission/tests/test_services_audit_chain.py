"""The audit append on the workflow's hot path (plain SQL, head remembered within a transaction) keeps the chain
intact across savepoints that roll back, failed actions, and consecutive transactions."""

from __future__ import annotations

import pytest
from django.db import transaction

from ssc.accounts.choices import Role
from ssc.audit import services as audit
from ssc.audit.models import AuditChainHead, AuditEvent
from ssc.audit.verification import verify_chain
from ssc.core.errors import InvalidState

from .conftest import walk


def chain_ok() -> bool:
    result = verify_chain()
    assert result.ok, result.as_dict()
    head = AuditChainHead.objects.get(pk=1)
    last = AuditEvent.objects.order_by("-seq").first()
    assert (head.seq, head.hash) == (last.seq, last.hash)
    return True


@pytest.mark.django_db
def test_several_events_in_one_transaction_and_a_rolled_back_savepoint(world):
    with transaction.atomic():
        a = audit.record(action="test.a", object_type="x", object_id=1)
        b = audit.record(action="test.b", object_type="x", object_id=2)
        assert (b.seq, b.prev_hash) == (a.seq + 1, a.hash)
        with pytest.raises(RuntimeError), transaction.atomic():
            audit.record(action="test.rolled_back", object_type="x", object_id=3)
            raise RuntimeError
        c = audit.record(action="test.c", object_type="x", object_id=4)
        assert (c.seq, c.prev_hash) == (b.seq + 1, b.hash)  # chained onto b, not onto the rolled-back event
        with transaction.atomic():
            d = audit.record(action="test.d", object_type="x", object_id=5)
        e = audit.record(action="test.e", object_type="x", object_id=6)
        assert (e.seq, e.prev_hash) == (d.seq + 1, d.hash)
    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
    stored = AuditEvent.objects.get(pk=c.pk)
    assert (stored.seq, stored.hash, stored.action) == (c.seq, c.hash, "test.c")
    assert chain_ok()


@pytest.mark.django_db
def test_a_rolled_back_transaction_is_not_chained_onto(world):
    first = audit.record(action="test.first", object_type="x")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(action="test.lost", object_type="x")
        raise RuntimeError
    nxt = audit.record(action="test.next", object_type="x")
    assert (nxt.seq, nxt.prev_hash) == (first.seq + 1, first.hash)
    assert chain_ok()


@pytest.mark.django_db
def test_workflow_actions_and_a_refused_one_leave_a_valid_chain(world, draft):
    app = walk(world, draft)  # every action: documents, agreement, roster version, deadline
    assert app.state == "active"
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidState):
        from ssc.admission import services

        services.perform(app.pk, "withdraw", actor=world.users[Role.BANK_APPLICANT], data={"reason": "x"})
    assert AuditEvent.objects.count() == before
    assert chain_ok()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"application.submit", "document.upload", "agreement.create", "roster.publish"} <= actions
