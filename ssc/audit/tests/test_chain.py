"""The hash chain: ``record`` builds it, ``verify_audit`` checks it, tampering is found at the right seq."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from ssc.audit import services
from ssc.audit.chain import GENESIS_HASH, HASHED_FIELDS, canonical_time, event_hash
from ssc.audit.management.commands.verify_audit import Command as VerifyCommand
from ssc.audit.models import AuditChainHead, AuditEvent
from ssc.audit.triggers import TRIGGERS
from ssc.audit.verification import verify_chain
from ssc.core import context
from ssc.core import triggers as db_triggers

pytestmark = pytest.mark.django_db


def make_events(n: int, actor=None) -> list[AuditEvent]:
    out = []
    with context.use(request_id="req-test", client_ip="10.0.0.1", source="web"):
        for i in range(n):
            out.append(
                services.record(
                    action="outlet.update",
                    object_type="registry.outlet",
                    object_id=i + 1,
                    object_repr=f"测试网点{i + 1}",
                    before={"name": f"旧名称{i}", "version": i},
                    after={"name": f"新名称{i}", "version": i + 1},
                    article="7(4)",
                    actor=actor,
                )
            )
    return out


def run_verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def verify_fails(*args: str) -> CommandError:
    with pytest.raises(CommandError) as exc:
        run_verify(*args)
    assert exc.value.returncode == 1
    return exc.value


def tamper(sql: str, params: list) -> None:
    """What an attacker with database rights does: drop the append-only triggers, then write."""
    db_triggers.uninstall(connection, TRIGGERS)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def base_seq() -> int:
    return AuditChainHead.objects.get(pk=1).seq


# --- record builds a valid chain ------------------------------------------------------------------------


def test_record_builds_a_linked_chain(world):
    start = base_seq()
    actor = world.users["district_officer"]
    events = make_events(5, actor=actor)
    assert [e.seq for e in events] == list(range(start + 1, start + 6))
    prev = AuditEvent.objects.filter(seq=start).values_list("hash", flat=True).first() or GENESIS_HASH
    for e in AuditEvent.objects.filter(seq__gt=start).order_by("seq"):
        assert e.prev_hash == prev
        values = [getattr(e, f) for f in HASHED_FIELDS]
        values[1] = canonical_time(e.at)
        assert e.hash == event_hash(e.prev_hash, values)
        prev = e.hash
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (start + 5, prev)
    e = events[0]
    assert e.actor_username == actor.username and e.actor_role == "district_officer"
    assert e.organisation_name == actor.organisation.name
    assert (e.request_id, e.client_ip, e.source, e.article) == ("req-test", "10.0.0.1", "web", "7(4)")
    assert e.before == {"name": "旧名称0", "version": 0}
    assert e.after == {"name": "新名称0", "version": 1}


def test_record_rolls_back_with_the_callers_transaction():
    make_events(1)
    start = base_seq()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record(action="x.y")
        raise RuntimeError
    assert base_seq() == start
    assert not AuditEvent.objects.filter(seq__gt=start).exists()
    assert services.record(action="x.z").seq == start + 1


def test_record_removes_control_characters_and_cuts_long_values():
    e = services.record(action="a\x1fb\nc", object_repr="名\x00称" + "长" * 300, object_type="t" * 100)
    assert e.action == "a b c"
    assert e.object_repr.startswith("名 称") and len(e.object_repr) == 200
    assert len(e.object_type) == 60
    assert run_verify().startswith("OK: ")


def test_secrets_enter_the_trail_only_as_a_fingerprint(world):
    user = world.users["bank_applicant"]
    snap = services.snapshot(user, ["password", "username"])
    assert snap["username"] == user.username
    assert snap["password"].startswith("sm3:") and user.password not in snap["password"]


# --- verify_audit ---------------------------------------------------------------------------------------


def test_verify_ok():
    make_events(7)
    n = base_seq()
    out = run_verify()
    assert out.startswith(f"OK: {n} events verified")


def test_verify_ok_on_an_empty_chain():
    assert run_verify().startswith(f"OK: {base_seq()} events verified")


def test_verify_from_seq():
    make_events(6)
    n = base_seq()
    assert run_verify("--from-seq", str(n - 2)).startswith("OK: 3 events verified")
    assert run_verify("--from-seq", str(n + 5)).startswith("OK: 0 events verified")


def test_verify_from_seq_rejects_nonsense():
    with pytest.raises(CommandError):
        call_command("verify_audit", "--from-seq", "0", stdout=StringIO(), stderr=StringIO())


def test_edited_row_is_detected_at_its_seq_with_nonzero_exit():
    make_events(6)
    target = base_seq() - 2
    tamper("UPDATE audit_auditevent SET object_repr = %s WHERE seq = %s", ["被篡改的名称", target])
    err = verify_fails()
    assert f"第 {target} 号" in str(err) and f"seq {target}" in str(err)
    assert "篡改" in str(err) and "edited" in str(err)
    result = verify_chain()
    assert (result.ok, result.broken_at, result.broken.code) == (False, target, "edited")


def test_process_exit_status_is_one_when_broken(capsys, monkeypatch):
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's transaction open
    make_events(3)
    tamper("UPDATE audit_auditevent SET after_json = %s WHERE seq = %s", ['{"name":"x"}', base_seq()])
    with pytest.raises(SystemExit) as exc:
        VerifyCommand().run_from_argv(["manage.py", "verify_audit"])
    assert exc.value.code == 1
    assert f"seq {base_seq()}" in capsys.readouterr().err


def test_edited_time_is_detected():
    make_events(3)
    target = base_seq() - 1
    at = AuditEvent.objects.get(seq=target).at + timedelta(seconds=1)
    tamper("UPDATE audit_auditevent SET at = %s WHERE seq = %s", [at, target])
    assert verify_chain().broken_at == target


def test_rehashed_row_breaks_the_next_link():
    """An attacker who also recomputes the edited row's hash is caught by the next event's prev_hash."""
    make_events(5)
    target = base_seq() - 2
    e = AuditEvent.objects.get(seq=target)
    values = [getattr(e, f) for f in HASHED_FIELDS]
    values[HASHED_FIELDS.index("object_repr")] = "伪造"
    values[1] = canonical_time(e.at)
    forged = event_hash(e.prev_hash, values)
    tamper("UPDATE audit_auditevent SET object_repr = %s, hash = %s WHERE seq = %s", ["伪造", forged, target])
    result = verify_chain()
    assert (result.broken_at, result.broken.code) == (target + 1, "prev_hash")
    err = verify_fails()
    assert f"seq {target + 1}" in str(err)


def test_a_field_holding_the_separator_is_rejected_even_with_a_matching_hash():
    """``record`` never writes U+001F, so a row that holds it was written by someone else — and such a row
    could move text across a field boundary without changing the hashed text."""
    e = make_events(1)[0]
    values = [getattr(e, f) for f in HASHED_FIELDS]
    values[1] = canonical_time(e.at)
    values[HASHED_FIELDS.index("object_repr")] = "甲\x1f乙"
    forged = event_hash(e.prev_hash, values)
    tamper("UPDATE audit_auditevent SET object_repr = %s, hash = %s WHERE seq = %s", ["甲\x1f乙", forged, e.seq])
    tamper("UPDATE audit_auditchainhead SET hash = %s WHERE id = 1", [forged])
    result = verify_chain()
    assert (result.broken_at, result.broken.code) == (e.seq, "edited")


def test_deleted_row_in_the_middle_is_detected():
    make_events(6)
    target = base_seq() - 3
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [target])
    result = verify_chain()
    assert (result.broken_at, result.broken.code) == (target, "missing")
    err = verify_fails()
    assert f"seq {target}" in str(err) and "deleted in the middle" in str(err) and "被删除" in str(err)


def test_deleted_last_row_is_detected_by_the_head():
    make_events(4)
    last = base_seq()
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [last])
    result = verify_chain()
    assert (result.broken_at, result.broken.code) == (last, "head")
    err = verify_fails()
    assert f"seq {last}" in str(err) and "deleted at the end" in str(err)


def test_head_moved_back_is_detected():
    make_events(4)
    last = base_seq()
    tamper(
        "UPDATE audit_auditchainhead SET seq = %s, hash = (SELECT hash FROM audit_auditevent WHERE seq = %s) "
        "WHERE id = 1",
        [last - 1, last - 1],
    )
    result = verify_chain()
    assert (result.broken_at, result.broken.code) == (last, "beyond_head")


def test_from_seq_after_a_deleted_event():
    make_events(5)
    target = base_seq() - 2
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [target])
    result = verify_chain(from_seq=target + 1)
    assert (result.broken_at, result.broken.code) == (target, "start")


# --- the database refuses UPDATE and DELETE -------------------------------------------------------------


def test_trigger_refuses_update():
    e = make_events(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=e.pk).update(object_repr="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE seq = %s", [e.seq])
    e.refresh_from_db()
    assert e.object_repr == "测试网点1"


def test_trigger_refuses_delete():
    e = make_events(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=e.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        e.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.filter(pk=e.pk).exists()


def test_trigger_errors_are_integrity_errors():
    from django.db import IntegrityError

    e = make_events(1)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=e.pk).update(action="x")


def test_head_only_moves_forward_one_event():
    make_events(2)
    head = AuditChainHead.objects.get(pk=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditChainHead.objects.filter(pk=1).update(seq=head.seq - 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditChainHead.objects.filter(pk=1).update(seq=head.seq + 2)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditChainHead.objects.filter(pk=1).delete()
    assert AuditChainHead.objects.get(pk=1).seq == head.seq
