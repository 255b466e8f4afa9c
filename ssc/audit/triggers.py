"""The audit log is append-only: the database itself refuses UPDATE and DELETE.

The chain head (one row) may only move forward one event at a time and cannot be deleted, so rolling it
back to hide deleted events needs the triggers dropped first — which takes the database owner's rights,
and which ``verify_audit`` still detects for every event but a deleted tail with a rolled-back head.
"""

from ssc.core.triggers import Trigger

EVENT_TRIGGERS = [
    Trigger(
        name="audit_event_append_only",
        table="audit_auditevent",
        events=("UPDATE", "DELETE"),
        message="audit_auditevent is append-only",
    ),
]
HEAD_TRIGGERS = [
    Trigger(
        name="audit_head_no_delete",
        table="audit_auditchainhead",
        events=("DELETE",),
        message="audit_auditchainhead cannot be deleted",
    ),
    Trigger(
        name="audit_head_forward_only",
        table="audit_auditchainhead",
        events=("UPDATE",),
        message="audit_auditchainhead only moves forward one event at a time",
        when="NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1",
    ),
]
# Everything the tests' conftest re-installs per test (and drops before a transactional test's flush).
TRIGGERS = [*EVENT_TRIGGERS, *HEAD_TRIGGERS]
