"""Working-day calendar (工作日历) — filled in by the workcalendar helper."""
