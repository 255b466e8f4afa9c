"""The audit log is append-only: the database itself refuses UPDATE and DELETE."""

from ssc.core.triggers import Trigger

TRIGGERS = [
    Trigger(
        name="audit_event_append_only",
        table="audit_auditevent",
        events=("UPDATE", "DELETE"),
        message="audit_auditevent is append-only",
    ),
]
